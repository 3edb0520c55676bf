"""Choose the learned stage's probability thresholds on the dev split (never on the frozen set).

    .venv/bin/python -m bench.tune_ranker --data bench/data/kb_eval_gd_dev.jsonl --data-dir DIR

DIR holds an imported catalogue and a trained ranker (``govchat kb train-ranker``). Every dev question
is retrieved and scored once; the thresholds are then scored offline:

- answer: the lowest probability at which direct answers (to answerable and out-of-catalogue questions
  alike) are right at least 90 % of the time on dev, plus ``--answer-room`` for noise;
- suggest: among values that keep answerable questions declined at most ``--max-declined`` and the
  offered choices holding the right entry at least 80 % of the time, the one that declines the most
  out-of-catalogue questions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge_base.evaluation import Outcome, by_style, read_eval_file, summarise
from knowledge_base.policy import Decision, LearnedThresholds, QuestionShape, decide_learned, distinct_hits
from knowledge_base.retriever import EntryHit


@dataclass
class Scored:
    style: str
    target: str | None
    ranked: list[EntryHit]
    shape: QuestionShape


def outcomes(rows: list[Scored], t: LearnedThresholds) -> list[Outcome]:
    out = []
    for r in rows:
        decision, shown = decide_learned(r.ranked, t, r.shape)
        codes = [h.source_code for h in distinct_hits(r.ranked)]
        rank = codes.index(r.target) + 1 if r.target is not None and r.target in codes else None
        out.append(Outcome(r.style, r.target, decision, rank, [h.source_code for h in shown]))
    return out


def answer_precision(outs: list[Outcome]) -> tuple[float, int]:
    answered = [o for o in outs if o.decision is Decision.ANSWER]
    right = sum(o.target is not None and o.offered[:1] == [o.target] for o in answered)
    return (right / len(answered) if answered else 1.0), len(answered)


def choose(rows: list[Scored], *, max_declined: float, answer_room: float) -> tuple[LearnedThresholds, dict[str, Any]]:
    grid = [round(x, 3) for x in np.arange(0.05, 0.99, 0.01)]
    answer = next((a for a in grid if answer_precision(outcomes(rows, LearnedThresholds(a, 0.0)))[0] >= 0.90), grid[-1])
    answer = min(0.99, round(answer + answer_room, 3))
    best: tuple[float, float] | None = None
    for s in grid:
        summ = summarise(outcomes(rows, LearnedThresholds(answer, s)))
        ok = (summ["answerable_declined"] or 0) <= max_declined and (summ["choice_precision"] or 1.0) >= 0.80
        if ok and (best is None or (summ["unanswerable_declined"] or 0) > best[1]):
            best = (s, summ["unanswerable_declined"] or 0)
    suggest = best[0] if best else grid[0]
    t = LearnedThresholds(answer, suggest)
    return t, {"answer_precision_dev": answer_precision(outcomes(rows, t))[0]}


async def score_dev(data_dir: Path, eval_file: Path) -> list[Scored]:
    from govchat.config import load_settings
    from govchat.runtime import build_runtime
    from knowledge_base.ranker.features import question_profile, question_shape
    from knowledge_base.ranker.rerank import rerank

    rt = await build_runtime(load_settings(data_dir=str(data_dir), demo_data=False))
    try:
        snap = rt.index.snapshot
        if snap is None or snap.ranker is None:
            raise SystemExit("no trained ranker in this data folder: run `govchat kb train-ranker` first")
        rows = []
        for case in read_eval_file(eval_file):
            query = snap.normalise(case["question"])
            hits = snap.search_normalised(query, 10)
            ranked = rerank(snap, snap.ranker, query, hits) + hits[8:]
            shape = question_shape(snap, question_profile(snap, query), ranked)
            rows.append(Scored(case.get("style", "mandarin"), case["task_code"], ranked, shape))
        return rows
    finally:
        await rt.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="bench/data/kb_eval_gd_dev.jsonl")
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--max-declined", type=float, default=0.04)
    ap.add_argument("--answer-room", type=float, default=0.0)
    args = ap.parse_args()
    if "frozen" in Path(args.data).name:
        raise SystemExit("the frozen set is for final figures only: tune on the dev split")
    rows = asyncio.run(score_dev(Path(args.data_dir), Path(args.data)))
    t, extra = choose(rows, max_declined=args.max_declined, answer_room=args.answer_room)
    outs = outcomes(rows, t)
    print(
        json.dumps(
            {"answer": t.answer, "suggest": t.suggest, **extra, "dev": summarise(outs), "by_style": by_style(outs)},
            ensure_ascii=False,
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
