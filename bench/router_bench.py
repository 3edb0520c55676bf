"""Ticket routing benchmark: the product (n-gram NB-SVM + e5 embedding + nearest texts, stacked), the previous product
(the n-gram NB-SVM alone) and the char n-gram TF-IDF + LinearSVC baseline.

    .venv/bin/python -m bench.router_bench [--folds 5] [--seed 0] [--runs 5] [--out bench/results/router.json]

Stratified k-fold cross-validation (seed 0 unless --seed) on the shared dev split, all three systems on the same
folds in the same run (every text is encoded once, before the folds): accuracy and macro-F1, mean and per fold, the
paired per-fold difference, and training time. Then the product and the previous product trained on the whole
file: training time, model size, and the latency of proposing for one text (p50/p95 over --texts texts,
median of --runs runs; the product's includes encoding the text with the KB's encoder: TorchScript, 1 thread).
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

import numpy as np

from bench.common import percentile, write_result
from office_flows.routing import Example, RouterModel, read_examples
from office_flows.routing.dataset import fingerprint
from office_flows.routing.evaluation import cross_validate

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "data" / "tipdm2020_gov_messages" / "messages_labeled_dev.jsonl"
MODEL_DIR = Path(os.environ.get("GOVCHAT_BENCH_MODEL_DIR", Path.home() / ".cache" / "govchat" / "bench-models"))


def _encoder_path() -> str:
    """The converted e5 model the other benchmarks use, or one converted into .cache/models now."""
    from govchat.runtime import ensure_default_model
    from kernel.config import Settings
    from knowledge_base.encoder import DEFAULT_MODEL_DIRNAME

    cached = MODEL_DIR / DEFAULT_MODEL_DIRNAME
    if (cached / "modules.json").is_file():
        return str(cached)
    return str(ensure_default_model(Settings(data_dir=ROOT / ".cache"), lambda m: print(m, file=sys.stderr)))


def _vectors(encoder: Any, examples: list[Example], cache: Path) -> np.ndarray:
    """The examples' vectors from ``cache`` if it holds those of this encoder and data, else encoded (and cached)."""
    key = f"{Path(encoder.name).name} {fingerprint(examples)}"
    if cache.is_file():
        with np.load(cache) as saved:
            if str(saved["key"]) == key:
                return np.asarray(saved["vectors"])
    started = time.perf_counter()
    vectors = encoder.encode([ex.text for ex in examples])
    print(f"encoded {len(examples)} texts in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    np.savez(cache, key=np.array(key), vectors=vectors)
    return np.asarray(vectors)


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


def _full_model(model: RouterModel, seconds: float, texts: list[str], runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        size = sum(f.stat().st_size for f in model.save(Path(tmp)).iterdir())
    latency = _latency(model, texts, runs)
    return {
        "train_seconds": round(seconds, 2),
        "size_mb": round(size / 1e6, 1),
        "predict_one_text": latency | {"runs": runs, "texts": len(texts)},
    }


def _system(cv: dict[str, Any], name: str, summary: dict[str, Any]) -> dict[str, Any]:
    def per_fold(key: str) -> list[float]:
        return [f[name][key] for f in cv["folds"]]

    return {
        "description": summary["description"],
        "accuracy": summary["accuracy"],
        "macro_f1": summary["macro_f1"],
        "accuracy_per_fold": per_fold("accuracy"),
        "macro_f1_per_fold": per_fold("macro_f1"),
        "train_seconds_per_fold": per_fold("train_seconds"),
    }


def _paired(cv: dict[str, Any], other: str) -> dict[str, Any]:
    """The product minus ``other`` fold by fold (macro-F1 points) and on how many folds the product is better."""
    diffs = [round(100 * (f["product"]["macro_f1"] - f[other]["macro_f1"]), 2) for f in cv["folds"]]
    return {
        "macro_f1_gain_points": round(statistics.fmean(diffs), 2),
        "gain_points_per_fold": diffs,
        "product_better_folds": sum(d > 0 for d in diffs),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEV)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0, help="of the stratified folds (0 chose; 1 and 2 checked)")
    ap.add_argument("--runs", type=int, default=5, help="latency runs; the median is reported")
    ap.add_argument("--texts", type=int, default=100, help="texts per latency run")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "router.json"))
    ap.add_argument(
        "--vectors-cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "govchat-router-bench-vectors.npz",
        help="the dev texts' vectors, reused when encoder and data match (encoding 1,842 texts takes minutes)",
    )
    args = ap.parse_args(argv)
    if not args.data.is_file():
        print(f"reference data not present: {args.data} (only in the project's workspace)", file=sys.stderr)
        return 2
    from knowledge_base.encoder import SentenceTransformerEncoder

    examples = read_examples(args.data)
    encoder = SentenceTransformerEncoder(_encoder_path(), threads=1)
    load_1 = os.getloadavg()[0]

    def progress(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    started = time.perf_counter()
    vectors = _vectors(encoder, examples, args.vectors_cache)
    folds, seed = args.folds, args.seed
    cv = cross_validate(examples, folds=folds, seed=seed, progress=progress, encoder=encoder, vectors=vectors)
    cv_seconds = time.perf_counter() - started
    texts = [ex.text for ex in examples[: args.texts]]
    started = time.perf_counter()
    # the texts' vectors: cached above
    product = RouterModel.train(examples, encoder=encoder, vectors=vectors)
    product_full = _full_model(product, time.perf_counter() - started, texts, args.runs)
    started = time.perf_counter()
    ngram = RouterModel.train(examples)
    ngram_full = _full_model(ngram, time.perf_counter() - started, texts, args.runs)
    result: dict[str, Any] = {
        "benchmark": "router",
        "data": f"{args.data.parent.name}/{args.data.name}",
        "examples": len(examples),
        "folds": args.folds,
        "seed": args.seed,
        "encoder": Path(encoder.name).name,
        "machine": {
            "cpus": os.cpu_count(),
            "omp_num_threads": os.environ.get("OMP_NUM_THREADS", ""),
            "load_average_1min": [round(load_1, 2), round(os.getloadavg()[0], 2)],
        },
        "cv_seconds": round(cv_seconds, 1),
        "product": _system(cv, "product", cv) | {"per_label": cv["per_label"]},
        "previous_product": _system(cv, "ngram", cv["ngram"]),
        "baseline": _system(cv, "baseline", cv["baseline"]),
        "product_vs_previous": _paired(cv, "ngram"),
        "product_vs_baseline": _paired(cv, "baseline"),
        "full_model": {"product": product_full, "previous_product": ngram_full},
    }
    write_result(result, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
