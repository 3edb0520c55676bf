"""Admin console benchmark: the supervisor dashboard for one month over 100,000 tickets (target < 2 s).

    .venv/bin/python -m bench.admin_bench [--tickets 100000] [--runs 5] [--out bench/results/admin.json]

Real HTTP GETs through the product's aiohttp app (loopback) with a signed-in supervisor session, on a
PostgreSQL database filled by the tickets benchmark's bulk loader; the baseline is ``GET /healthz`` in the
same run. The page embeds its data (no further JSON requests), so one GET is the whole load.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from admin.accounts import create_account
from admin.models import AdminAccount
from bench.common import run_bulk_benchmark
from bench.tickets_bench import NOW, create_bulk_database, drop_database
from govchat.app import create_app
from govchat.runtime import build_runtime
from kernel.clock import FakeClock
from kernel.config import load_settings
from kernel.identity import Role

PASSWORD = "bench-password-42"
MONTH = "from=2026-10-01&to=2026-11-01"


async def _timed_get(client: TestClient[Any, Any], path: str) -> tuple[float, int, int]:
    t0 = time.perf_counter()
    resp = await client.get(path)
    body = await resp.read()
    assert resp.status == 200, (path, resp.status, body[:300])
    return time.perf_counter() - t0, resp.status, len(body)


@asynccontextmanager
async def supervisor_client(url: str, now: datetime) -> AsyncIterator[TestClient[Any, Any]]:
    """The product's app on the database at ``url`` (clock at ``now``), a supervisor signed in."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            environ={}, data_dir=tmp, database_url=url, demo_data=False, dialect_lexicons=False, nlu_enabled=False
        )
        clock = FakeClock(now)
        runtime = await build_runtime(settings, clock=clock, load_model=False)
        async with runtime.db.session() as s:
            if await s.scalar(select(AdminAccount.id).where(AdminAccount.username == "supervisor")) is None:
                await create_account(s, "supervisor", frozenset({Role.SUPERVISOR}), now=clock.now(), password=PASSWORD)
        client = TestClient(TestServer(create_app(runtime, background=False)))
        await client.start_server()
        try:
            resp = await client.post(
                "/admin/login", data={"username": "supervisor", "password": PASSWORD, "next": "/admin/dashboard"}
            )
            assert resp.status == 200 and "/admin/dashboard" in str(resp.url), "supervisor signed in"
            yield client
        finally:
            await client.close()
            await runtime.close()


async def run(n: int, runs: int) -> dict[str, Any]:
    name, url, load_seconds = await create_bulk_database(n)
    try:
        async with supervisor_client(url, NOW) as client:
            await _timed_get(client, f"/admin/dashboard?{MONTH}")  # warm-up (first query plans, templates)
            page_s, health_s, size = [], [], 0
            for _ in range(runs):
                seconds, _, size = await _timed_get(client, f"/admin/dashboard?{MONTH}")
                page_s.append(seconds)
                health_s.append((await _timed_get(client, "/healthz"))[0])
            drill_s = [
                (await _timed_get(client, f"/admin/dashboard/drill?{MONTH}&metric=satisfaction_rate&part=bad"))[0]
                for _ in range(runs)
            ]
        median = statistics.median(page_s)
        return {
            "tickets": n,
            "load_seconds": round(load_seconds, 1),
            "period": MONTH,
            "dashboard_seconds": {"median": round(median, 3), "max": round(max(page_s), 3), "runs": runs},
            "dashboard_bytes": size,
            "drill_down_seconds": round(statistics.median(drill_s), 3),
            "baseline_healthz_seconds": round(statistics.median(health_s), 4),
            "target_seconds": 2.0,
            "meets_target": median < 2.0,
        }
    finally:
        await drop_database(name)


def main() -> None:
    run_bulk_benchmark(run, "bench/results/admin.json", __doc__)


if __name__ == "__main__":
    main()
