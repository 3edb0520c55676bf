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
from knowledge_base.retriever import MAIN, USE, DenseCalibration, FusionParams, fuse


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


def _grid() -> list[FusionParams]:
    out = []
    for w_main, w_use, f_main, f_use, per_entry in itertools.product(
        [0.4, 0.5, 0.6, 0.7, 0.8], [0.0, 0.1, 0.2, 0.3, 0.4], [0.78, 0.8, 0.82], [0.2, 0.3, 0.4], ["text", "channel"]
    ):
        if w_main + w_use > 0.95 or (w_use == 0 and f_use != 0.3):
            continue
        dense = (DenseCalibration(MAIN, w_main, f_main, 1.0), DenseCalibration(USE, w_use, f_use, 1.0))
        out.append(FusionParams(dense=dense, per_entry=per_entry))
    return out


def _describe(p: FusionParams) -> dict[str, Any]:
    return {
        "per_entry": p.per_entry,
        "lexical_weight": round(p.lexical_weight, 2),
        **{f"{c.channel}_weight": c.weight for c in p.dense},
        **{f"{c.channel}_floor": c.floor for c in p.dense},
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
    # Pool every retriever's top-k once (all weights > 0); each combination is then scored offline.
    pooling = FusionParams().with_weights({MAIN: 0.5, USE: 0.2})
    cands = [snap.candidates(c["question"], params=pooling) for c in cases]
    await rt.close()
    channels = snap.channels

    modes = {}
    for mode in ("lexical", f"dense-{MAIN}", f"dense-{USE}", "dense"):
        if mode == "lexical" or mode[6:] in channels or mode == "dense":
            h1, h3 = _rank_stats(cases, [fuse(snap.entries, c, pooling, mode, channels) for c in cands])
            modes[mode] = {"hit@1": round(h1, 4), "hit@3": round(h3, 4)}

    grid = []
    for p in _grid():
        ranked = [fuse(snap.entries, c, p, "fused", channels) for c in cands]
        h1, h3 = _rank_stats(cases, ranked)
        grid.append((h1 + 0.5 * h3, h1, h3, p, ranked))
    grid.sort(key=lambda g: -g[0])
    _, h1, h3, best, ranked = grid[0]
    without_use = max((g for g in grid if g[3].dense[1].weight == 0), key=lambda g: g[0])

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
                "single_retrievers": modes,
                "fusion": {**_describe(best), "hit@1": round(h1, 4), "hit@3": round(h3, 4)},
                "best_without_use": {
                    **_describe(without_use[3]),
                    "hit@1": round(without_use[1], 4),
                    "hit@3": round(without_use[2], 4),
                },
                "top5_fusion": [
                    {**_describe(g[3]), "hit@1": round(g[1], 4), "hit@3": round(g[2], 4)} for g in grid[:5]
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
