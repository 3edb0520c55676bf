"""Retrieval measurement: hit@k, MRR, the three decisions and latency on a JSONL question set.

Every figure is reported for the whole set and per ``style`` (mandarin / cantonese / hakka / typo; a
line without one counts as mandarin). Besides the decline shares:

- ``unanswerable_answered``: out-of-catalogue questions answered directly (the worst outcome);
- ``choice_precision``: answerable questions offered choices whose right entry is among them;
- ``answer_precision``: answerable questions answered directly with the right entry, over all direct
  answers to answerable questions.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge_base.policy import Decision, distinct_hits

STYLES = ("mandarin", "cantonese", "hakka", "typo")


def read_eval_file(path: Path) -> list[dict[str, Any]]:
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if "question" not in row or "task_code" not in row:
            raise ValueError(f"{path}:{n}: each line needs question and task_code")
        style = row.get("style", "mandarin")
        if style not in STYLES:
            raise ValueError(f"{path}:{n}: style must be one of {', '.join(STYLES)}")
        cases.append(row)
    return cases


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[idx]


def _shown(hits: list[Any]) -> list[dict[str, Any]]:
    return [
        {"code": h.source_code, "title": h.title, "score": round(h.fused, 4)}
        | ({"prob": round(h.prob, 4)} if h.prob is not None else {})
        for h in hits[:3]
    ]


@dataclass
class Outcome:
    """One question's result."""

    style: str
    target: str | None
    decision: Decision
    rank: int | None  # of the target among distinct ranked entries
    offered: list[str | None] = field(default_factory=list)  # codes shown with the decision


def _share(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    """The figures of a set of outcomes."""
    ans = [o for o in outcomes if o.target is not None]
    una = [o for o in outcomes if o.target is None]
    hit1 = sum(o.rank == 1 for o in ans)
    hit3 = sum(o.rank is not None and o.rank <= 3 for o in ans)
    rr = sum(1 / o.rank for o in ans if o.rank)
    answered = [o for o in ans if o.decision is Decision.ANSWER]
    offered = [o for o in ans if o.decision is Decision.SUGGEST]
    return {
        "questions": len(outcomes),
        "answerable": len(ans),
        "unanswerable": len(una),
        "hit@1": _share(hit1, len(ans)),
        "hit@3": _share(hit3, len(ans)),
        "mrr": round(rr / len(ans), 4) if ans else None,
        "unanswerable_declined": _share(sum(o.decision is Decision.DECLINE for o in una), len(una)),
        "unanswerable_answered": _share(sum(o.decision is Decision.ANSWER for o in una), len(una)),
        "answerable_declined": _share(sum(o.decision is Decision.DECLINE for o in ans), len(ans)),
        "answered_directly": _share(len(answered), len(ans)),
        "answer_precision": _share(sum(o.offered[:1] == [o.target] for o in answered), len(answered)),
        "offered_choices": _share(len(offered), len(ans)),
        "choice_precision": _share(sum(o.target in o.offered for o in offered), len(offered)),
    }


def by_style(outcomes: list[Outcome]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[o.style].append(o)
    return {s: summarise(groups[s]) for s in STYLES if s in groups}


def evaluate(
    kb: Any, cases: list[dict[str, Any]], *, mode: str = "fused", k: int = 10, misses: int = 30
) -> dict[str, Any]:
    """Rank by distinct source code; decisions use the KB's policy for the mode.

    ``mode``: ``learned`` (the learned stage over the fused candidates), ``fused`` (fused scores and the
    score thresholds), or one of the single-retriever measurement modes (decisions then use the fused
    thresholds and mean little). ``misses``: how many answerable questions not ranked first to list (-1:
    all of them, and then also the wrong decisions).
    """
    limit = None if misses < 0 else misses
    wrong_decisions: list[dict[str, Any]] = []
    latencies: list[float] = []
    missed: list[dict[str, Any]] = []
    outcomes: list[Outcome] = []
    for case in cases:
        started = time.perf_counter()
        decision, shown, hits = kb.decide(case["question"], k=k, mode=mode)
        latencies.append((time.perf_counter() - started) * 1000)
        ranked = distinct_hits(hits)
        codes = [h.source_code for h in ranked]
        target = case["task_code"]
        rank = codes.index(target) + 1 if target is not None and target in codes else None
        outcomes.append(Outcome(case.get("style", "mandarin"), target, decision, rank, [h.source_code for h in shown]))
        wrong = (target is None) != (decision is Decision.DECLINE)
        if wrong and limit is None:
            wrong_decisions.append(
                {"question": case["question"], "expected": target, "decision": decision.value, "got": _shown(ranked)}
            )
        if target is not None and rank != 1 and (limit is None or len(missed) < limit):
            missed.append({"question": case["question"], "expected": target, "rank": rank, "got": _shown(ranked)})
    return {
        "mode": mode,
        **summarise(outcomes),
        "by_style": by_style(outcomes),
        "latency_ms": {
            "p50": round(statistics.median(latencies), 2) if latencies else 0.0,
            "p95": round(_percentile(latencies, 0.95), 2),
        },
        "policy": kb.policy_description(mode),
        "sample_misses": missed,
        **({"wrong_decisions": wrong_decisions} if limit is None else {}),
    }
