"""Ticket routing benchmark: the product classifier against the char n-gram TF-IDF + LinearSVC baseline.

    .venv/bin/python -m bench.router_bench [--folds 5] [--runs 5] [--out bench/results/router.json]

Stratified k-fold cross-validation on the shared dev split (both systems on the same folds, in the
same run): accuracy and macro-F1, mean and per fold, and training time. Then one model trained on the
whole file: training time, model size, and the latency of proposing for one text (p50/p95 over
--texts texts, median of --runs runs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import percentile, write_result
from office_flows.routing import RouterModel, read_examples
from office_flows.routing.evaluation import cross_validate

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "data" / "tipdm2020_gov_messages" / "messages_labeled_dev.jsonl"


def _latency(model: RouterModel, texts: list[str], runs: int) -> dict[str, float]:
    model.predict(texts[0])  # warm-up (jieba's dictionary, first allocations)
    p50s, p95s = [], []
    for _ in range(runs):
        ms = []
        for text in texts:
            started = time.perf_counter()
            model.predict(text)
            ms.append(1000 * (time.perf_counter() - started))
        p50s.append(percentile(ms, 0.5))
        p95s.append(percentile(ms, 0.95))
    return {"p50_ms": round(statistics.median(p50s), 2), "p95_ms": round(statistics.median(p95s), 2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEV)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=5, help="latency runs; the median is reported")
    ap.add_argument("--texts", type=int, default=100, help="texts per latency run")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "router.json"))
    args = ap.parse_args(argv)
    if not args.data.is_file():
        print(f"reference data not present: {args.data} (only in the project's workspace)", file=sys.stderr)
        return 2
    examples = read_examples(args.data)

    def progress(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    cv = cross_validate(examples, folds=args.folds, progress=progress)
    started = time.perf_counter()
    model = RouterModel.train(examples)
    train_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        size = sum(f.stat().st_size for f in model.save(Path(tmp)).iterdir())
    latency = _latency(model, [ex.text for ex in examples[: args.texts]], args.runs)

    def per_fold(system: str, key: str) -> list[float]:
        return [f[system][key] for f in cv["folds"]]

    result: dict[str, Any] = {
        "benchmark": "router",
        "data": f"{args.data.parent.name}/{args.data.name}",
        "examples": len(examples),
        "folds": args.folds,
        "machine": {"cpus": os.cpu_count(), "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "")},
        "product": {
            "description": cv["description"],
            "accuracy": cv["accuracy"],
            "macro_f1": cv["macro_f1"],
            "accuracy_per_fold": per_fold("product", "accuracy"),
            "macro_f1_per_fold": per_fold("product", "macro_f1"),
            "train_seconds_per_fold": per_fold("product", "train_seconds"),
            "per_label": cv["per_label"],
        },
        "baseline": {
            "description": cv["baseline"]["description"],
            "accuracy": cv["baseline"]["accuracy"],
            "macro_f1": cv["baseline"]["macro_f1"],
            "accuracy_per_fold": per_fold("baseline", "accuracy"),
            "macro_f1_per_fold": per_fold("baseline", "macro_f1"),
            "train_seconds_per_fold": per_fold("baseline", "train_seconds"),
        },
        "macro_f1_gain_points": round(100 * (cv["macro_f1"] - cv["baseline"]["macro_f1"]), 2),
        "full_model": {
            "train_seconds": round(train_seconds, 2),
            "size_mb": round(size / 1e6, 1),
            "predict_one_text": latency | {"runs": args.runs, "texts": min(args.texts, len(examples))},
        },
    }
    write_result(result, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
