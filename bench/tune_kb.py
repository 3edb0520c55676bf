"""Choose the fusion parameters and answer thresholds by measurement on a dev question set.

    python -m bench.tune_kb --data bench/data/kb_eval_gd_dev.jsonl [--data-dir DIR]

Candidates are retrieved once per question; every parameter combination is then
scored offline. Prints JSON: the best fusion parameters, and for them the
thresholds that keep ≤ 5 % of answerable questions declined while declining as
many unanswerable ones as possible, and the answer threshold/margin that keep
direct answers at ≥ 90 % precision.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
from pathlib import Path
from typing import Any

from govchat.config import load_settings
from govchat.runtime import build_runtime
from knowledge_base.evaluation import read_eval_file
from knowledge_base.policy import Decision, Thresholds, decide, distinct_hits
from knowledge_base.retriever import FusionParams, fuse


def _rank_stats(cases: list[dict[str, Any]], ranked: list[list[Any]]) -> tuple[float, float]:
    h1 = h3 = n = 0
    for case, hits in zip(cases, ranked, strict=True):
        if case["task_code"] is None:
            continue
        n += 1
        codes = [h.source_code for h in distinct_hits(hits)]
        h1 += bool(codes[:1] == [case["task_code"]])
        h3 += case["task_code"] in codes[:3]
    return h1 / n, h3 / n


def _decisions(cases: list[dict[str, Any]], ranked: list[list[Any]], t: Thresholds) -> dict[str, float]:
    ans = unans = ans_declined = unans_declined = answered = answered_right = 0
    for case, hits in zip(cases, ranked, strict=True):
        decision, shown = decide(hits, t)
        if case["task_code"] is None:
            unans += 1
            unans_declined += decision is Decision.DECLINE
            answered += decision is Decision.ANSWER
            continue
        ans += 1
        ans_declined += decision is Decision.DECLINE
        if decision is Decision.ANSWER:
            answered += 1
            answered_right += shown[0].source_code == case["task_code"]
    return {
        "unanswerable_declined": unans_declined / unans if unans else 1.0,
        "answerable_declined": ans_declined / ans,
        "answer_rate": answered / (ans + unans),
        "answer_precision": answered_right / answered if answered else 1.0,
    }


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--max-answerable-declined", type=float, default=0.05)
    ap.add_argument("--min-answer-precision", type=float, default=0.9)
    args = ap.parse_args()
    settings = load_settings(data_dir=args.data_dir, demo_data=False)
    rt = await build_runtime(settings)
    snap = rt.index.snapshot
    assert snap is not None
    cases = read_eval_file(Path(args.data))
    cands = [snap.candidates(c["question"]) for c in cases]
    await rt.close()

    grid = []
    for w, floor, ceil in itertools.product(
        [0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9], [0.72, 0.75, 0.78, 0.8, 0.82], [0.9, 0.93, 0.96, 1.0]
    ):
        p = FusionParams(dense_weight=w, dense_floor=floor, dense_ceil=ceil)
        ranked = [fuse(snap.entries, c, p, "fused", True) for c in cands]
        h1, h3 = _rank_stats(cases, ranked)
        grid.append((h1 + 0.5 * h3, h1, h3, p, ranked))
    grid.sort(key=lambda g: -g[0])
    _, h1, h3, best, ranked = grid[0]

    suggest_options = [round(0.30 + 0.01 * i, 2) for i in range(50)]
    best_suggest = None
    for s in suggest_options:
        d = _decisions(cases, ranked, Thresholds(answer=1.01, suggest=s, margin=0.0))
        if d["answerable_declined"] <= args.max_answerable_declined:
            best_suggest = (s, d)
    assert best_suggest is not None
    s = best_suggest[0]
    best_answer = None
    for a, m in itertools.product([round(s + 0.01 * i, 2) for i in range(0, 40)], [0.0, 0.02, 0.04, 0.06, 0.08]):
        d = _decisions(cases, ranked, Thresholds(answer=a, suggest=s, margin=m))
        better = best_answer is None or d["answer_rate"] > best_answer[2]["answer_rate"]
        if d["answer_precision"] >= args.min_answer_precision and better:
            best_answer = (a, m, d)
    print(
        json.dumps(
            {
                "questions": len(cases),
                "fusion": {
                    "dense_weight": best.dense_weight,
                    "dense_floor": best.dense_floor,
                    "dense_ceil": best.dense_ceil,
                    "hit@1": round(h1, 4),
                    "hit@3": round(h3, 4),
                },
                "top5_fusion": [
                    {
                        "w": g[3].dense_weight,
                        "floor": g[3].dense_floor,
                        "ceil": g[3].dense_ceil,
                        "hit@1": round(g[1], 4),
                        "hit@3": round(g[2], 4),
                    }
                    for g in grid[:5]
                ],
                "suggest_threshold": s,
                "at_suggest": best_suggest[1],
                "answer": None
                if best_answer is None
                else {"threshold": best_answer[0], "margin": best_answer[1], **best_answer[2]},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
