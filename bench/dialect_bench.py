"""Dialect detection quality: precision and recall per dialect of ``knowledge_base.dialect_detect``.

Positives: the 70 real Cantonese sentences of ``../shared/data/cantonese_mandarin_lexicon/sentence_pairs_gongxiii.csv``
and the team's Hakka sentences (``data/dialect_hakka_eval.jsonl``, frozen by commit before the detector existed).
Negatives: the team's Mandarin hotline sentences (``data/dialect_mandarin_eval.jsonl``, same commit) and the
Mandarin references of the Cantonese sentences. ``python -m bench.dialect_bench`` → ``results/dialect.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import time
from pathlib import Path

from bench.common import machine_speed, write_result
from knowledge_base.dialect_detect import CANTONESE, HAKKA, MANDARIN, detect

HERE = Path(__file__).parent
SHARED = Path(os.environ.get("GOVCHAT_SHARED_DATA", HERE.parent.parent / "shared" / "data"))
CANTONESE_FILE = SHARED / "cantonese_mandarin_lexicon" / "sentence_pairs_gongxiii.csv"


def load() -> list[tuple[str, str, str]]:
    """(source, text, gold dialect)."""
    if not CANTONESE_FILE.exists():
        raise SystemExit(f"需要共享数据 {CANTONESE_FILE}（粤语句子），未找到")
    rows: list[tuple[str, str, str]] = []
    with open(CANTONESE_FILE, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            rows.append(("gongxiii-cantonese", r["cantonese"], CANTONESE))
            rows.append(("gongxiii-mandarin-reference", r["mandarin_reference"], MANDARIN))
    for name in ("dialect_hakka_eval.jsonl", "dialect_mandarin_eval.jsonl"):
        with open(HERE / "data" / name, encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                rows.append((name.removesuffix(".jsonl"), d["text"], d["dialect"]))
    return rows


def evaluate(rows: list[tuple[str, str, str]]) -> tuple[dict[str, object], list[dict[str, str]]]:
    predicted = [detect(text).dialect for _, text, _ in rows]
    per: dict[str, object] = {}
    for dialect in (CANTONESE, HAKKA):
        tp = sum(1 for (_, _, g), p in zip(rows, predicted, strict=True) if p == dialect and g == dialect)
        fp = sum(1 for (_, _, g), p in zip(rows, predicted, strict=True) if p == dialect and g != dialect)
        fn = sum(1 for (_, _, g), p in zip(rows, predicted, strict=True) if p != dialect and g == dialect)
        per[dialect] = {
            "precision": round(tp / (tp + fp), 3) if tp + fp else None,
            "recall": round(tp / (tp + fn), 3) if tp + fn else None,
            "tp": tp,
            "fp": fp,
            "fn": fn,
        }
    neg = [(g, p) for (_, _, g), p in zip(rows, predicted, strict=True) if g == MANDARIN]
    per["mandarin_false_alarm_rate"] = round(sum(1 for _, p in neg if p != MANDARIN) / len(neg), 3)
    errors = [
        {"source": s, "text": t, "gold": g, "predicted": p}
        for (s, t, g), p in zip(rows, predicted, strict=True)
        if g != p
    ]
    return per, errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default=str(HERE / "results" / "dialect.json"))
    args = ap.parse_args()
    rows = load()
    detect("预热")  # lexicon and jieba load outside the timing
    quality, errors = evaluate(rows)
    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        for _, text, _ in rows:
            detect(text)
        times.append((time.perf_counter() - t) * 1000 / len(rows))
    counts: dict[str, int] = {}
    for s, _, _ in rows:
        counts[s] = counts.get(s, 0) + 1
    write_result(
        {
            "detector": "scored lexicon (knowledge_base/dialect_detect.py), no training",
            "sets": counts,
            "quality": quality,
            "ms_per_text_median": round(statistics.median(times), 3),
            "machine": machine_speed(),
            "errors": errors,
        },
        args.out,
    )


if __name__ == "__main__":
    main()
