"""Helpers shared by the benchmarks."""

from __future__ import annotations

import json
import os
import socket
import statistics
import time
from pathlib import Path
from typing import Any

from kernel.clock import SystemClock


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def machine_speed(reps: int = 5) -> dict[str, float]:
    """How fast and how busy this machine is right now: a fixed pure-Python loop (median ms of ``reps``)
    and the 1-minute load average. Latencies from shared machines compare only alongside these figures."""
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i
        times.append((time.perf_counter() - t) * 1000)
    return {"python_loop_ms": round(statistics.median(times), 1), "loadavg_1m": round(os.getloadavg()[0], 2)}


def write_result(result: dict[str, Any], out: str | Path) -> None:
    """Write the JSON result file and echo it."""
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    path.write_text(text, encoding="utf-8")
    print(text)


def run_bulk_benchmark(run: Any, default_out: str, description: str | None) -> None:
    """The command line shared by the 100,000-ticket benchmarks: --tickets, --runs, --out."""
    import argparse
    import asyncio

    from kernel.clock import SHANGHAI

    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default=default_out)
    args = ap.parse_args()
    result = asyncio.run(run(args.tickets, args.runs))
    result["when"] = SystemClock().now().astimezone(SHANGHAI).isoformat(timespec="seconds")
    write_result(result, args.out)


def run_model_benchmark(run: Any, default_out: str, description: str | None) -> None:
    """The command line of the benchmarks that encode tickets (alerts, report): --tickets, --runs, --threads, --out."""
    import argparse
    import asyncio

    from kernel.clock import SHANGHAI

    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--tickets", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2, help="torch threads of the encoder")
    ap.add_argument("--out", default=default_out)
    args = ap.parse_args()
    result = asyncio.run(run(args.tickets, args.runs, args.threads))
    result["when"] = SystemClock().now().astimezone(SHANGHAI).isoformat(timespec="seconds")
    write_result(result, args.out)
