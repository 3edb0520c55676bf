"""CPU time of encoding one question, per encoder runtime (GOVCHAT_EMBEDDING_RUNTIME), one thread.

The three runtimes of knowledge_base.encoder are loaded side by side in this process and timed on the
same questions in turn (eager, torchscript, torchscript-int8 for each question), so that a busy machine
slows them alike and the ratios to eager hold even when the absolute figures drift. Median and p95 of
each run, then the median over runs. Retrieval quality of each runtime is kb_bench's job.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import percentile, write_result
from govchat.runtime import ensure_default_model
from kernel.config import EMBEDDING_RUNTIMES, Settings

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "bench" / "data" / "kb_eval_gd_test.jsonl"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--questions", type=int, default=100)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "encoder.json"))
    args = ap.parse_args()
    import sentence_transformers  # noqa: F401  (imported before the clock starts: load_s is the model's own)

    from knowledge_base.encoder import SentenceTransformerEncoder

    lines = EVAL.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(x)["question"] for x in lines if x.strip()][: args.questions]
    # .cache/models: the folder the tests convert the model into
    path = str(ensure_default_model(Settings(data_dir=ROOT / ".cache"), lambda m: print(m, file=sys.stderr)))
    encoders = {}
    load_s = {}
    for runtime in ("eager", *(r for r in EMBEDDING_RUNTIMES if r != "eager")):
        t = time.perf_counter()
        encoders[runtime] = SentenceTransformerEncoder(path, threads=1, runtime=runtime)
        load_s[runtime] = round(time.perf_counter() - t, 1)
    reference = np.vstack([encoders["eager"].encode([q]) for q in questions])
    runs: dict[str, list[dict[str, float]]] = {r: [] for r in encoders}
    for run in range(args.runs):
        print(f"run {run + 1}/{args.runs} …", file=sys.stderr, flush=True)
        times: dict[str, list[float]] = {r: [] for r in encoders}
        for q in questions:
            for runtime, enc in encoders.items():
                t = time.perf_counter()
                enc.encode([q])
                times[runtime].append((time.perf_counter() - t) * 1000)
        for runtime, ts in times.items():
            runs[runtime].append({"p50_ms": statistics.median(ts), "p95_ms": percentile(ts, 0.95)})
    eager_p50 = [r["p50_ms"] for r in runs["eager"]]
    result: dict[str, Any] = {
        "benchmark": "one question through the e5 encoder, 1 thread, interleaved per question",
        "questions": len(questions),
        "runs": args.runs,
        "runtimes": {},
    }
    for runtime, rs in runs.items():
        vectors = np.vstack([encoders[runtime].encode([q]) for q in questions])
        cosine = (vectors * reference).sum(axis=1)
        result["runtimes"][runtime] = {
            "p50_ms": round(statistics.median(r["p50_ms"] for r in rs), 2),
            "p95_ms": round(statistics.median(r["p95_ms"] for r in rs), 2),
            # per run, the eager median over this runtime's median: same questions, same moment
            "speedup_vs_eager": round(
                statistics.median(e / r["p50_ms"] for e, r in zip(eager_p50, rs, strict=True)), 2
            ),
            "p50_ms_each_run": [round(r["p50_ms"], 2) for r in rs],
            "cosine_to_eager_min": round(float(cosine.min()), 4),
            "cosine_to_eager_median": round(float(np.median(cosine)), 4),
            "load_s": load_s[runtime],
        }
    write_result(result, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
