"""Sign-in flood benchmark: does a flood of console sign-in attempts starve the chat?

    .venv/bin/python -m bench.signin_flood_bench [--rounds 3] [--seconds 15] [--chatters 4] [--flooders 4]

A real ``govchat serve`` (its own process, SQLite, demo district, KB on, NLU off) answers anonymous web
visitors' questions on the chat webhook (each visitor with its own signed cookie) as fast as ``--chatters``
clients can ask. Each round measures two phases of the same length, one after the other, in alternating
order: the chat alone (the baseline) and the chat while ``--flooders`` anonymous clients post wrong
passwords to ``/admin/login`` as fast as they are answered (the probe's finding: 4 such clients cut chat
throughput from 44.4 to 3.9 req/s, because argon2 ran on the event loop). Figures are medians over rounds;
the target is the ratio: flooded chat throughput at least 80 % of the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import free_port, machine_speed, percentile, write_result

ROOT = Path(__file__).resolve().parents[1]
FAQS = ROOT / "knowledge_base" / "demo" / "faqs.json"
TARGET_RATIO = 0.8


def questions() -> list[str]:
    return [f["question"] for f in json.loads(FAQS.read_text(encoding="utf-8"))]


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ) | {
        "GOVCHAT_DATA_DIR": str(data_dir),
        "GOVCHAT_PORT": str(port),
        "GOVCHAT_HOST": "127.0.0.1",
        "GOVCHAT_NLU": "0",
        "OMP_NUM_THREADS": "1",
        "GOVCHAT_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    log = (data_dir / "serve.log").open("wb")
    return subprocess.Popen([sys.executable, "-m", "govchat.cli", "serve"], env=env, stdout=log, stderr=log)


async def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"govchat serve exited with {proc.returncode}")
            try:
                async with http.get(f"{base}/healthz") as resp:
                    if resp.status == 200 and (await resp.json()).get("status") == "ok":
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(1)
    raise TimeoutError("govchat serve did not become ready")


async def chatter(base: str, asks: itertools.cycle[str], stop_at: float, latencies: list[float]) -> None:
    """One anonymous visitor asking question after question (its own cookie jar: its own identity)."""
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        while time.monotonic() < stop_at:
            t = time.perf_counter()
            async with http.post(f"{base}/webhooks/rest/webhook", json={"sender": "访客", "message": next(asks)}) as r:
                body = await r.json()
                assert r.status == 200 and body, (r.status, body)
            latencies.append((time.perf_counter() - t) * 1000)


async def flooder(base: str, n: int, stop_at: float, statuses: Counter[int]) -> None:
    """An anonymous client guessing passwords as fast as the server answers (known and unknown names)."""
    names = ["admin", "supervisor", f"nobody{n}"]
    async with aiohttp.ClientSession() as http:
        for i in itertools.count():
            if time.monotonic() >= stop_at:
                return
            form = {"username": names[i % len(names)], "password": f"guess-{n}-{i}", "next": "/admin/"}
            async with http.post(f"{base}/admin/login", data=form, allow_redirects=False) as r:
                await r.read()
                statuses[r.status] += 1


async def phase(base: str, seconds: float, chatters: int, flooders: int, asks: itertools.cycle[str]) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    t0 = time.monotonic()
    stop_at = t0 + seconds
    await asyncio.gather(
        *(chatter(base, asks, stop_at, latencies) for _ in range(chatters)),
        *(flooder(base, n, stop_at, statuses) for n in range(flooders)),
    )
    elapsed = time.monotonic() - t0
    return {
        "chat_rps": len(latencies) / elapsed,
        "chat_p50_ms": statistics.median(latencies) if latencies else None,
        "chat_p95_ms": percentile(latencies, 0.95) if latencies else None,
        "signin_attempts_per_s": sum(statuses.values()) / elapsed,
        "signin_statuses": dict(statuses),
    }


async def measure(base: str, rounds: int, seconds: float, chatters: int, flooders: int) -> dict[str, Any]:
    asks = itertools.cycle(questions())
    await phase(base, 5, chatters, 0, asks)  # warm-up: first queries, caches
    alone, flooded = [], []
    for n in range(rounds):  # the order alternates, so that neither phase always follows the other
        if n % 2:
            flooded.append(await phase(base, seconds, chatters, flooders, asks))
            alone.append(await phase(base, seconds, chatters, 0, asks))
        else:
            alone.append(await phase(base, seconds, chatters, 0, asks))
            flooded.append(await phase(base, seconds, chatters, flooders, asks))

    def med(rows: list[dict[str, Any]], key: str) -> float:
        return round(statistics.median(r[key] for r in rows), 1)

    statuses: Counter[int] = Counter()
    for r in flooded:
        statuses.update(r["signin_statuses"])
    ratio = statistics.median(f["chat_rps"] / a["chat_rps"] for a, f in zip(alone, flooded, strict=True))
    return {
        "chat_alone": {k: med(alone, k) for k in ("chat_rps", "chat_p50_ms", "chat_p95_ms")},
        "chat_with_flood": {k: med(flooded, k) for k in ("chat_rps", "chat_p50_ms", "chat_p95_ms")},
        "signin_attempts_per_s": med(flooded, "signin_attempts_per_s"),
        "signin_statuses": {str(k): v for k, v in sorted(statuses.items())},
        "throughput_ratio_median": round(ratio, 3),
        "per_round_ratios": [round(f["chat_rps"] / a["chat_rps"], 3) for a, f in zip(alone, flooded, strict=True)],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--chatters", type=int, default=4)
    ap.add_argument("--flooders", type=int, default=4)
    ap.add_argument("--out", default="bench/results/signin_flood.json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_server(Path(tmp), port)
        try:
            asyncio.run(wait_ready(base, proc))
            figures = asyncio.run(measure(base, args.rounds, args.seconds, args.chatters, args.flooders))
        except BaseException:
            print((Path(tmp) / "serve.log").read_text(encoding="utf-8", errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    result = {
        "benchmark": "signin_flood",
        "setup": {
            "rounds": args.rounds,
            "seconds_per_phase": args.seconds,
            "chatters": args.chatters,
            "flooders": args.flooders,
            "server": "govchat serve, SQLite, demo district, KB on, NLU off",
        },
        **figures,
        "target_ratio": TARGET_RATIO,
        "meets_target": figures["throughput_ratio_median"] >= TARGET_RATIO,
        "machine": machine_speed(),
    }
    write_result(result, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
