"""Matrix round trip: a user sends a KB question through Synapse, the bot's answer comes back.

Runs a real Synapse (tests/synapse_fixture.py, its own venv) and a real ``govchat serve`` with the
Matrix channel on (demo KB with the embedding model, NLU off: nlu_bench measures Rasa), then measures
from ``room_send`` to the answer arriving in the sender's sync: one room alone, and 50 rooms talking at
once (each room waits for its answer before the next question). Median of ``--runs`` runs; RSS of the bot.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import free_port, percentile, write_result
from tests.matrix_people import Speaker
from tests.synapse_fixture import SynapseServer, ensure_synapse_venv

ROOT = Path(__file__).resolve().parent.parent
FAQS = ROOT / "knowledge_base" / "demo" / "faqs.json"


def questions() -> list[str]:
    return [f["question"] for f in json.loads(FAQS.read_text(encoding="utf-8"))]


def start_bot(data_dir: Path, server: SynapseServer, user: Any) -> subprocess.Popen[bytes]:
    env = dict(os.environ) | {
        "GOVCHAT_DATA_DIR": str(data_dir),
        "GOVCHAT_PORT": str(free_port()),
        "GOVCHAT_NLU": "0",
        "OMP_NUM_THREADS": "1",
        "GOVCHAT_LOG_LEVEL": "WARNING",
        "GOVCHAT_MATRIX_HOMESERVER": server.url,
        "GOVCHAT_MATRIX_USER_ID": user.user_id,
        "GOVCHAT_MATRIX_PASSWORD": user.password,
        "PYTHONPATH": str(ROOT),
    }
    log = (data_dir / "serve.log").open("wb")
    return subprocess.Popen([sys.executable, "-m", "govchat.cli", "serve"], env=env, stdout=log, stderr=log)


async def ask(speaker: Speaker, room: str, question: str) -> float:
    t = time.perf_counter()
    await speaker.say(room, question)
    await speaker.expect(room, "", timeout=60)
    return (time.perf_counter() - t) * 1000


async def conversation(speaker: Speaker, room: str, qs: list[str]) -> list[float]:
    return [await ask(speaker, room, q) for q in qs]


def summary(times: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1)}


async def measure(server: SynapseServer, bot_id: str, rooms: int, per_room: int, runs: int) -> dict[str, Any]:
    qs = questions()
    speakers = [await Speaker(server.url, server.register()).open() for _ in range(rooms)]
    # The first DM also waits for `govchat serve` to finish starting (model, index, login).
    dms = [await s.dm_with(bot_id, timeout=300 if i == 0 else 60) for i, s in enumerate(speakers)]
    await asyncio.gather(*(ask(s, r, "你好") for s, r in zip(speakers, dms, strict=True)))  # warm up
    out: dict[str, Any] = {}
    for label, n in (("alone", 1), (f"rooms_{rooms}", rooms)):
        samples = []
        for run in range(runs):
            parts = [
                [qs[(run * 97 + i * per_room + k) % len(qs)] for k in range(per_room if n > 1 else per_room * 3)]
                for i in range(n)
            ]
            results = await asyncio.gather(*(conversation(speakers[i], dms[i], parts[i]) for i in range(n)))
            samples.append(summary([x for r in results for x in r]))
        out[label] = {k: statistics.median(s[k] for s in samples) for k in samples[0]} | {
            "runs": runs,
            "messages_per_run": n * (per_room if n > 1 else per_room * 3),
            "p95_each_run": [s["p95_ms"] for s in samples],
        }
    for s in speakers:
        await s.close()
    return out


def rss_mb(pid: int) -> dict[str, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    value = {k: int(status.split(f"{k}:")[1].split()[0]) / 1024 for k in ("VmRSS", "VmHWM")}
    return {"rss_mb": round(value["VmRSS"], 1), "peak_rss_mb": round(value["VmHWM"], 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--per-room", type=int, default=10)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "matrix.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="govchat-matrix-bench-") as tmp:
        server = SynapseServer(Path(tmp) / "synapse")
        server.start(ensure_synapse_venv())
        bot_proc = None
        try:
            bot = server.register("govchat")
            bot_proc = start_bot(Path(tmp), server, bot)
            result: dict[str, Any] = {
                "benchmark": "matrix round trip (send → bot answer received), demo KB, NLU off",
                "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                "target": "p95 <= 300 ms with 50 rooms",
            }
            result |= asyncio.run(measure(server, bot.user_id, args.rooms, args.per_room, args.runs))
            result["bot_memory"] = rss_mb(bot_proc.pid)
            result["meets_target"] = result[f"rooms_{args.rooms}"]["p95_ms"] <= 300
        except Exception:
            log = Path(tmp) / "serve.log"
            if log.is_file():
                print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            if bot_proc is not None:
                bot_proc.terminate()
                bot_proc.wait(timeout=30)
            server.stop()
    write_result(result, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
