"""NLU benchmark: the product's pipeline against a plain Rasa Chinese config, in the same run.

    .venv/bin/python -m bench.nlu_bench [--runs 3] [--out bench/results/nlu.json]

Measures training time of both models, parse latency through the product (NluService: normalisation,
HTTP to the supervised Rasa server, entity post-processing) for one stream and 8 concurrent callers,
the Rasa server's resident memory, and accuracy/macro-F1/entity F1 of both on bench/data/nlu_eval.jsonl
and, reported apart, on the round sets of intents added after it (``ROUND_SETS``: each frozen by its commit
before a model read it). The baseline is parsed with raw text and raw Rasa entities (no product processing).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import free_port, write_result
from kernel.clock import SystemClock
from kernel.config import load_settings
from nlu.client import RasaClient
from nlu.evaluation import evaluate_nlu, read_nlu_cases
from nlu.rasa_env import ensure_rasa_env
from nlu.server import RasaServer
from nlu.service import NluService, Understanding
from nlu.training import PROJECT_DIR, train

ROOT = Path(__file__).resolve().parent.parent
# Later intents and their near neighbours, each set written before any model read it (bench/README.md)
ROUND_SETS = {
    "round8": ROOT / "bench" / "data" / "nlu_eval_round8.jsonl",
    "round9": ROOT / "bench" / "data" / "nlu_eval_round9.jsonl",
    "round10": ROOT / "bench" / "data" / "nlu_eval_round10.jsonl",
}


def _rss_mb(pid: int) -> float:
    # the server is `rasa` (a python process); VmRSS of the process group leader is the server itself
    status = Path(f"/proc/{pid}/status").read_text()
    return round(int(status.split("VmRSS:")[1].split()[0]) / 1024, 1)


class RawRasa:
    """The baseline as a plain Rasa user would call it: raw text in, raw intent and entities out."""

    def __init__(self, client: RasaClient) -> None:
        self.client = client

    async def understand(self, text: str) -> Understanding:
        raw = await self.client.parse(text)
        return Understanding(
            text,
            raw["intent"]["name"],
            raw["intent"]["confidence"],
            [],
            [
                {"entity": e["entity"], "value": e["value"], "start": e["start"], "end": e["end"]}
                for e in raw.get("entities", [])
            ],
        )


async def latency(nlu: NluService, texts: list[str], clients: int) -> dict[str, float]:
    async def stream(part: list[str]) -> list[float]:
        out = []
        for t in part:
            s = time.perf_counter()
            await nlu.understand(t)
            out.append((time.perf_counter() - s) * 1000)
        return out

    parts = [texts[i::clients] for i in range(clients)]
    results = await asyncio.gather(*(stream(p) for p in parts))
    times = sorted(x for r in results for x in r)
    return {"p50_ms": statistics.median(times), "p95_ms": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]}


async def serve(rasa: Path, model: Path, project: Path, log: Path) -> RasaServer:
    server = RasaServer(rasa, model, port=free_port(), project=project, log_file=log)
    await server.start(timeout=300)
    return server


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "nlu.json"))
    args = ap.parse_args()
    settings = load_settings()
    rasa = ensure_rasa_env(settings.rasa_venv.expanduser(), python=settings.rasa_python, progress=print)
    cases = read_nlu_cases(ROOT / "bench" / "data" / "nlu_eval.jsonl")
    rounds = {name: read_nlu_cases(path) for name, path in ROUND_SETS.items()}
    result: dict[str, Any] = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "cases": len(cases)}
    with tempfile.TemporaryDirectory(prefix="govchat-nlu-bench-") as tmp:
        tmpdir = Path(tmp)
        # the baseline project: same data and domain, the plain config, no user dictionary
        base_project = tmpdir / "baseline"
        shutil.copytree(PROJECT_DIR / "data", base_project / "data")
        shutil.copy(PROJECT_DIR / "domain.yml", base_project / "domain.yml")
        shutil.copy(ROOT / "bench" / "configs" / "rasa_default_zh.yml", base_project / "config.yml")
        (base_project / "dictionary").mkdir()
        timings = {}
        for name, project in (("product", PROJECT_DIR), ("baseline", base_project)):
            t = time.perf_counter()
            model, _ = train(
                rasa, tmpdir / f"models-{name}", project=project, force=True, use_cache=False, progress=print
            )
            timings[name] = (model, round(time.perf_counter() - t, 1))
        result["training_seconds"] = {k: v[1] for k, v in timings.items()}

        server = await serve(rasa, timings["product"][0], PROJECT_DIR, tmpdir / "product.log")
        client = RasaClient(server.url, timeout=10)
        nlu = NluService(client, SystemClock())
        try:
            product = await evaluate_nlu(nlu, cases)
            product_rounds = {name: await evaluate_nlu(nlu, more) for name, more in rounds.items()}
            texts = [c["text"] for c in cases]
            for clients in (1, 8):
                runs = [await latency(nlu, texts, clients) for _ in range(args.runs)]
                result[f"parse_latency_clients_{clients}"] = {
                    k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0]
                } | {"runs": args.runs, "parses_per_run": len(texts)}
            assert server.pid is not None
            result["rasa_server_rss_mb"] = _rss_mb(server.pid)
        finally:
            await client.close()
            await server.stop()

        server = await serve(rasa, timings["baseline"][0], base_project, tmpdir / "baseline.log")
        client = RasaClient(server.url, timeout=10)
        try:
            baseline = await evaluate_nlu(RawRasa(client), cases)
            baseline_rounds = {name: await evaluate_nlu(RawRasa(client), more) for name, more in rounds.items()}
        finally:
            await client.close()
            await server.stop()

    def summary(r: dict[str, Any]) -> dict[str, Any]:
        return {
            "accuracy": r["accuracy"],
            "macro_f1": r["macro_f1"],
            "entities": r["entities"],
            "out_of_scope_not_ticket": r["out_of_scope_not_ticket"],
            "confused_pairs": r["confused_pairs"][:5],
        }

    result["product"] = summary(product)
    result["baseline_plain_rasa"] = summary(baseline)
    for name, more in rounds.items():
        result[name] = {
            "cases": len(more),
            "product": summary(product_rounds[name]) | {"per_intent": product_rounds[name]["per_intent"]},
            "baseline_plain_rasa": summary(baseline_rounds[name]) | {"per_intent": baseline_rounds[name]["per_intent"]},
        }
    write_result(result, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
