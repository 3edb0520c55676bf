"""NLU measurement: intent accuracy, macro-F1, per-intent P/R, entity P/R per type, confused pairs."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from nlu.entities import rating_level


def read_nlu_cases(path: Path) -> list[dict[str, Any]]:
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            row = json.loads(line)
            if "text" not in row or "intent" not in row:
                raise ValueError(f"{path}:{n}: each line needs text and intent")
            cases.append(row)
    return cases


def _canonical(entity: str, value: Any) -> str:
    text = str(value)
    if entity == "rating":
        return rating_level(text) or text
    if entity in ("ticket_id", "doc_id", "meeting_id"):
        return text.upper()
    return text


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def intent_report(gold: list[str], pred: list[str]) -> dict[str, Any]:
    labels = sorted(set(gold) | set(pred))
    per: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(p == label and g != label for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, pred, strict=True))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        per[label] = {
            "precision": round(prec, 4),
            "recall": round(rec, 4),
            "f1": round(_f1(prec, rec), 4),
            "support": tp + fn,
        }
    gold_labels = sorted(set(gold))
    macro = sum(per[label]["f1"] for label in gold_labels) / len(gold_labels) if gold_labels else 0.0
    confused = Counter((g, p) for g, p in zip(gold, pred, strict=True) if g != p)
    return {
        "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold), 4) if gold else 0.0,
        "macro_f1": round(macro, 4),
        "per_intent": per,
        "confused_pairs": [{"gold": g, "predicted": p, "count": c} for (g, p), c in confused.most_common(10)],
    }


async def evaluate_nlu(nlu: Any, cases: list[dict[str, Any]]) -> dict[str, Any]:
    import time

    gold, pred, latencies = [], [], []
    ent_tp: Counter[str] = Counter()
    ent_fp: Counter[str] = Counter()
    ent_fn: Counter[str] = Counter()
    for case in cases:
        started = time.perf_counter()
        u = await nlu.understand(case["text"])
        latencies.append((time.perf_counter() - started) * 1000)
        gold.append(case["intent"])
        pred.append(u.intent)
        if "entities" in case:
            want = {(e["entity"], _canonical(e["entity"], e["value"])) for e in case["entities"]}
            got = {
                (e["entity"], _canonical(e["entity"], e["value"])) for e in u.entities if e["entity"] not in ("time",)
            }
            want = {w for w in want if w[0] != "time"}
            for kind, _ in want & got:
                ent_tp[kind] += 1
            for kind, _ in got - want:
                ent_fp[kind] += 1
            for kind, _ in want - got:
                ent_fn[kind] += 1
    entities: dict[str, dict[str, float]] = defaultdict(dict)
    for kind in sorted(set(ent_tp) | set(ent_fp) | set(ent_fn)):
        p = ent_tp[kind] / (ent_tp[kind] + ent_fp[kind]) if ent_tp[kind] + ent_fp[kind] else 0.0
        r = ent_tp[kind] / (ent_tp[kind] + ent_fn[kind]) if ent_tp[kind] + ent_fn[kind] else 0.0
        entities[kind] = {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(_f1(p, r), 4),
            "support": ent_tp[kind] + ent_fn[kind],
        }
    ordered = sorted(latencies)
    report = intent_report(gold, pred)
    report["entities"] = dict(entities)
    report["cases"] = len(cases)
    report["latency_ms"] = {
        "p50": round(ordered[len(ordered) // 2], 2) if ordered else 0.0,
        "p95": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 2) if ordered else 0.0,
    }
    oos = [p for g, p in zip(gold, pred, strict=True) if g == "out_of_scope"]
    ticket_intents = {"complain", "report", "request_help", "suggest", "praise"}
    report["out_of_scope_not_ticket"] = round(sum(p not in ticket_intents for p in oos) / len(oos), 4) if oos else None
    return report
