"""Matrix round trip: a user sends a KB question through Synapse, the bot's answer comes back.

Runs a real Synapse (tests/synapse_fixture.py, its own venv) and a real ``govchat serve`` with the
Matrix channel on (demo KB with the embedding model, NLU off: nlu_bench measures Rasa), then measures
from ``room_send`` to the answer arriving in the sender's sync:

- ``alone``: one room, questions back to back;
- ``rooms_50``: 50 rooms active at once, each person reading the answer and typing the next question for
  a random 5-15 s (``--think``), so about five questions a second reach the bot from all rooms;
- ``rooms_50_no_pause``: the same 50 people firing the next question the moment an answer arrives, a
  stress test whose figures show the capacity of Synapse plus the bot on this machine (answers per second).

Median of ``--runs`` runs; RSS of the bot.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

from bench.common import free_port, machine_speed, percentile, write_result
from tests.support.matrix_people import Speaker
from tests.support.synapse_fixture import SynapseServer, ensure_synapse_venv

ROOT = Path(__file__).resolve().parent.parent
FAQS = ROOT / "knowledge_base" / "demo" / "faqs.json"
SCENARIOS = ("alone", "rooms", "no_pause")


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


async def conversation(
    speaker: Speaker, room: str, qs: list[str], think: tuple[float, float], rng: random.Random
) -> list[float]:
    """Questions in a row; with ``think`` the person reads and types for a random while before each one."""
    times = []
    for q in qs:
        if think[1] > 0:
            await asyncio.sleep(rng.uniform(*think))
        times.append(await ask(speaker, room, q))
    return times


def summary(times: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1)}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU of every PostgreSQL process on the machine (Synapse's backends among them)."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (proc / "comm").read_text().strip() == "postgres":
                total += cpu_seconds(int(proc.name))
        except OSError:
            continue
    return total


Meters = dict[str, Callable[[], float]]


async def scenario(
    speakers: list[Speaker],
    dms: list[str],
    n: int,
    per_room: int,
    think: tuple[float, float],
    runs: int,
    meters: Meters,
) -> dict[str, Any]:
    """``n`` rooms at once, ``per_room`` questions each: the median over runs of p50/p95, the rate served and
    the CPU each process spent per answer (less sensitive to a busy machine than the latencies)."""
    qs = questions()
    samples = []
    for run in range(runs):
        rng = random.Random(run)
        parts = [[qs[(run * 97 + i * per_room + k) % len(qs)] for k in range(per_room)] for i in range(n)]
        print(f"  {n} room(s), run {run + 1}/{runs} …", file=sys.stderr, flush=True)
        cpu0 = {k: m() for k, m in meters.items()}
        started = time.perf_counter()
        results = await asyncio.gather(*(conversation(speakers[i], dms[i], parts[i], think, rng) for i in range(n)))
        elapsed = time.perf_counter() - started
        answers = n * per_room
        cpu = {f"cpu_ms_per_answer_{k}": round((m() - cpu0[k]) * 1000 / answers, 1) for k, m in meters.items()}
        samples.append(summary([x for r in results for x in r]) | {"answers_per_s": round(answers / elapsed, 2)} | cpu)
    return {k: statistics.median(s[k] for s in samples) for k in samples[0]} | {
        "runs": runs,
        "rooms": n,
        "messages_per_run": n * per_room,
        "think_s": list(think),
        "p95_each_run": [s["p95_ms"] for s in samples],
    }


async def measure(
    server: SynapseServer,
    bot_id: str,
    rooms: int,
    per_room: int,
    runs: int,
    think: tuple[float, float],
    meters: Meters,
    scenarios: Collection[str] = SCENARIOS,
) -> dict[str, Any]:
    print(f"opening {rooms} direct rooms with the bot …", file=sys.stderr, flush=True)
    speakers = [await Speaker(server.url, server.register()).open() for _ in range(rooms)]
    # The first DM also waits for `govchat serve` to finish starting (model, index, login).
    dms = [await s.dm_with(bot_id, timeout=300 if i == 0 else 60) for i, s in enumerate(speakers)]
    await asyncio.gather(*(ask(s, r, "你好") for s, r in zip(speakers, dms, strict=True)))  # warm up
    plans = {  # scenario: (result key, rooms, questions per room, think time)
        "alone": ("alone", 1, per_room * 3, (0.0, 0.0)),
        "rooms": (f"rooms_{rooms}", rooms, per_room, think),
        "no_pause": (f"rooms_{rooms}_no_pause", rooms, per_room, (0.0, 0.0)),
    }
    out = {}
    for name, (key, n, count, pause) in plans.items():
        if name in scenarios:
            out[key] = await scenario(speakers, dms, n, count, pause, runs, meters)
    for s in speakers:
        await s.close()
    return out


@contextlib.contextmanager
def synapse_database(kind: str, server: str) -> Iterator[str]:
    """ "" for SQLite; for PostgreSQL a fresh database (C collation, as Synapse requires), dropped afterwards."""
    if kind == "sqlite":
        yield ""
        return
    name = f"govchat_synapse_bench_{os.getpid()}"
    pg = ["-h", server.split(":")[0], "-p", server.split(":")[1], "-U", "postgres"]
    subprocess.run(
        ["createdb", *pg, "-T", "template0", "-E", "UTF8", "--lc-collate=C", "--lc-ctype=C", name], check=True
    )
    try:
        yield f"postgresql://postgres@{server}/{name}"
    finally:
        subprocess.run(["dropdb", *pg, "--if-exists", name], check=False)


def rss_mb(pid: int) -> dict[str, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    value = {k: int(status.split(f"{k}:")[1].split()[0]) / 1024 for k in ("VmRSS", "VmHWM")}
    return {"rss_mb": round(value["VmRSS"], 1), "peak_rss_mb": round(value["VmHWM"], 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--per-room", type=int, default=10)
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(5.0, 15.0),
        metavar=("MIN", "MAX"),
        help="seconds a person reads and types before each question (uniform); 0 0 = no pause",
    )
    parser.add_argument(
        "--synapse-db",
        choices=("postgres", "sqlite"),
        default="sqlite",
        help="Synapse's database: SQLite (as in the tests; less CPU per message here) or PostgreSQL",
    )
    parser.add_argument("--pg", default="127.0.0.1:5432", help="PostgreSQL host:port (user postgres, trust auth)")
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=SCENARIOS)
    parser.add_argument(
        "--data-dir",
        default="",
        help="the bot's DATA_DIR, kept between runs (the model and index are built once); default: a fresh one",
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "matrix.json"))
    args = parser.parse_args()
    speed_before = machine_speed()  # before Synapse and the bot start: the host's own speed and load
    with (
        tempfile.TemporaryDirectory(prefix="govchat-matrix-bench-") as tmp,
        synapse_database(args.synapse_db, args.pg) as dsn,
    ):
        server = SynapseServer(Path(tmp) / "synapse", postgres_dsn=dsn)
        server.start(ensure_synapse_venv())
        bot_proc = None
        data_dir = Path(args.data_dir) if args.data_dir else Path(tmp)
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            # A kept DATA_DIR remembers the last run's sync token and DMs: a new account starts clean.
            bot = server.register(f"govchat{os.getpid()}" if args.data_dir else "govchat")
            bot_proc = start_bot(data_dir, server, bot)
            assert server.proc is not None
            meters: Meters = {
                "bot": functools.partial(cpu_seconds, bot_proc.pid),
                "synapse": functools.partial(cpu_seconds, server.proc.pid),
                "clients": time.process_time,  # the 50 matrix-nio clients of this benchmark
            }
            if dsn:
                meters["postgres"] = postgres_cpu_seconds
            think = (args.think[0], args.think[1])
            result: dict[str, Any] = {
                "benchmark": "matrix round trip (send → bot answer received), demo KB, NLU off",
                "machine": {"python": platform.python_version(), "cpus": os.cpu_count()}
                | {f"{k}_before": v for k, v in speed_before.items()},
                "synapse_database": args.synapse_db,
                "target": "p95 <= 300 ms with 50 rooms",
            }
            result |= asyncio.run(
                measure(server, bot.user_id, args.rooms, args.per_room, args.runs, think, meters, args.scenarios)
            )
            result["bot_memory"] = rss_mb(bot_proc.pid)
            result["machine"] |= {f"{k}_after": v for k, v in machine_speed().items()}
            if "rooms" in args.scenarios:
                result["meets_target"] = result[f"rooms_{args.rooms}"]["p95_ms"] <= 300
        except Exception:
            log = data_dir / "serve.log"
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
