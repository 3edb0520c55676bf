"""Retrieval measurement: hit@k, MRR, decline shares and latency on a JSONL question set."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

from knowledge_base.policy import Decision, decide, distinct_hits


def read_eval_file(path: Path) -> list[dict[str, Any]]:
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if "question" not in row or "task_code" not in row:
            raise ValueError(f"{path}:{n}: each line needs question and task_code")
        cases.append(row)
    return cases


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[idx]


def _shown(hits: list[Any]) -> list[dict[str, Any]]:
    return [{"code": h.source_code, "title": h.title, "score": round(h.fused, 4)} for h in hits[:3]]


def evaluate(
    kb: Any, cases: list[dict[str, Any]], *, mode: str = "fused", k: int = 10, misses: int = 30
) -> dict[str, Any]:
    """Rank by distinct source code; decisions use the KB's thresholds (fused mode only).

    ``misses``: how many answerable questions not ranked first to list (-1: all of them, and then also
    the wrong decisions: unanswerable questions not declined, answerable ones declined).
    """
    limit = None if misses < 0 else misses
    wrong_decisions: list[dict[str, Any]] = []
    hit1 = hit3 = 0
    rr = 0.0
    answerable = unanswerable = declined_unanswerable = declined_answerable = 0
    latencies: list[float] = []
    missed: list[dict[str, Any]] = []
    for case in cases:
        started = time.perf_counter()
        hits = kb.search(case["question"], k, mode=mode)
        decision, _ = decide(hits, kb.thresholds)
        latencies.append((time.perf_counter() - started) * 1000)
        ranked = distinct_hits(hits)
        codes = [h.source_code for h in ranked]
        target = case["task_code"]
        wrong = (target is None) != (decision is Decision.DECLINE)
        if wrong and limit is None:
            wrong_decisions.append(
                {"question": case["question"], "expected": target, "decision": decision.value, "got": _shown(ranked)}
            )
        if target is None:
            unanswerable += 1
            declined_unanswerable += decision is Decision.DECLINE
            continue
        answerable += 1
        declined_answerable += decision is Decision.DECLINE
        rank = codes.index(target) + 1 if target in codes else None
        if rank == 1:
            hit1 += 1
        if rank is not None and rank <= 3:
            hit3 += 1
        if rank is not None:
            rr += 1 / rank
        if rank != 1 and (limit is None or len(missed) < limit):
            missed.append({"question": case["question"], "expected": target, "rank": rank, "got": _shown(ranked)})
    return {
        "mode": mode,
        "questions": len(cases),
        "answerable": answerable,
        "unanswerable": unanswerable,
        "hit@1": round(hit1 / answerable, 4) if answerable else None,
        "hit@3": round(hit3 / answerable, 4) if answerable else None,
        "mrr": round(rr / answerable, 4) if answerable else None,
        "unanswerable_declined": round(declined_unanswerable / unanswerable, 4) if unanswerable else None,
        "answerable_declined": round(declined_answerable / answerable, 4) if answerable else None,
        "latency_ms": {
            "p50": round(statistics.median(latencies), 2) if latencies else 0.0,
            "p95": round(_percentile(latencies, 0.95), 2),
        },
        "thresholds": {
            "answer": kb.thresholds.answer,
            "suggest": kb.thresholds.suggest,
            "margin": kb.thresholds.margin,
        },
        "sample_misses": missed,
        **({"wrong_decisions": wrong_decisions} if limit is None else {}),
    }
