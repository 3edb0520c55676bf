"""City-scale benchmark: 2,000,000 tickets over three years and 30 departments on PostgreSQL.

    .venv/bin/python -m bench.scale_bench [--tickets 2000000] [--runs 5] [--keep] [--only stats|workers|failover]

1. **Statistics** (median of ``--runs``): a month's supervision statistics (``office_flows.tickets.stats``),
   the supervisor dashboard and a drill-down (real HTTP GETs through the product's app, a signed-in
   supervisor), each next to a plain ``count(*)`` of the month's tickets measured in the same run. Targets
   on 2 cores: statistics ≤ 1 s, dashboard ≤ 1.5 s. The tickets are made by PostgreSQL (bench/scale_load.py)
   in the database ``gc_scale_bench``, dropped at the end unless ``--keep`` (a kept one is reused by the
   next run: loading 2M rows takes minutes).
2. **Workers** (bench/scale_workers.py): REST webhook throughput of ``govchat serve --workers 1`` and
   ``--workers 2`` on this machine (the ratio), same questions, same concurrency.
3. **Failover**: two workers and a real Synapse; the Matrix leader is killed (SIGKILL) and a citizen's
   message sent at once; the time until the other worker leads and until the message is answered (median
   of ``--kills``).

Results: bench/results/scale.json (bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from bench.common import machine_speed, write_result
from kernel.clock import SHANGHAI, SystemClock
from kernel.db import Database
from office_flows.tickets.models import Ticket

PG_ADMIN_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
DB_NAME = "gc_scale_bench"
MONTH = (datetime(2026, 10, 1, tzinfo=SHANGHAI), datetime(2026, 11, 1, tzinfo=SHANGHAI))
MONTH_QUERY = "from=2026-10-01&to=2026-11-01"
TARGETS = {"stats_month_seconds": 1.0, "dashboard_seconds": 1.5}


def progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def pg_admin_url() -> str:
    import os

    return os.environ.get("GOVCHAT_TEST_PG_URL", PG_ADMIN_DEFAULT)


async def admin_sql(sql: str) -> Any:
    import asyncpg

    conn = await asyncpg.connect(pg_admin_url())
    try:
        return await conn.fetch(sql)
    finally:
        await conn.close()


def db_url(name: str) -> str:
    return pg_admin_url().rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{name}"


async def timed(fn: Callable[[], Awaitable[Any]], runs: int) -> tuple[float, list[float]]:
    """Median seconds of ``runs`` calls (after one warm-up call), and every run."""
    await fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


async def prepare(n: int, keep: bool, name: str = DB_NAME) -> tuple[str, float | None]:
    """The database ``name`` with ``n`` bulk tickets: a kept one is reused when it has them; else made anew."""
    from bench.scale_load import bulk_tickets, load
    from govchat.migrate import upgrade

    url = db_url(name)
    exists = await admin_sql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
    if exists and keep:
        db = Database(url)
        try:
            await upgrade(url)  # a kept database follows new migrations (indexes) too
            async with db.engine.connect() as conn:
                have = await bulk_tickets(conn)
        finally:
            await db.dispose()
        if have == n:
            progress(f"reusing {name} with {have:,} tickets")
            return url, None
    await admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin_sql(f'CREATE DATABASE "{name}"')
    await upgrade(url)
    db = Database(url)
    try:
        progress(f"loading {n:,} tickets into {name} …")
        seconds = await load(db, n, progress)
    finally:
        await db.dispose()
    return url, seconds


async def measure_stats(url: str, runs: int) -> dict[str, Any]:
    from bench.admin_bench import supervisor_client
    from bench.scale_load import NOW
    from office_flows.tickets.stats import compute, drill_down

    db = Database(url)
    result: dict[str, Any] = {}
    try:
        async with db.session() as s:
            result["tickets"] = int(await s.scalar(select(func.count()).select_from(Ticket)) or 0)
            result["departments"] = int(await s.scalar(select(func.count(func.distinct(Ticket.department_code)))) or 0)

        async def plain_count() -> int:
            async with db.session() as s:
                q = select(func.count()).select_from(Ticket).where(Ticket.created_at >= MONTH[0])
                return int(await s.scalar(q.where(Ticket.created_at < MONTH[1])) or 0)

        async def month_stats() -> dict[str, Any]:
            async with db.session() as s:
                return await compute(s, *MONTH, NOW)

        async def drill() -> list[str]:
            async with db.session() as s:
                return await drill_down(s, "satisfaction_rate", *MONTH, NOW, "CITY-01", "bad")

        count_s, count_runs = await timed(plain_count, runs)
        stats_s, stats_runs = await timed(month_stats, runs)
        drill_s, _ = await timed(drill, runs)
        table = await month_stats()
        result.update(
            month_tickets=await plain_count(),
            plain_count_month_seconds=round(count_s, 4),
            stats_month_seconds={"median": round(stats_s, 3), "runs": [round(x, 3) for x in stats_runs]},
            stats_vs_count_ratio=round(stats_s / count_s, 1),
            stats_departments=len(table),
            drill_down_query_seconds=round(drill_s, 3),
        )
        async with db.engine.connect() as conn:
            size = await conn.execute(text("SELECT pg_size_pretty(pg_database_size(current_database()))"))
        result["database_size"] = size.scalar()
        result["count_runs"] = [round(x, 4) for x in count_runs]
    finally:
        await db.dispose()

    async with supervisor_client(url, NOW) as client:

        def get(path: str) -> Callable[[], Awaitable[int]]:
            async def fetch() -> int:
                r = await client.get(path)
                body = await r.read()
                assert r.status == 200, (path, r.status, body[:300])
                return len(body)

            return fetch

        page_s, page_runs = await timed(get(f"/admin/dashboard?{MONTH_QUERY}"), runs)
        drill_page = f"/admin/dashboard/drill?{MONTH_QUERY}&metric=satisfaction_rate&part=bad"
        drill_page_s, _ = await timed(get(drill_page), runs)
    result.update(
        dashboard_seconds={"median": round(page_s, 3), "runs": [round(x, 3) for x in page_runs]},
        drill_down_page_seconds=round(drill_page_s, 3),
        dashboard_vs_count_ratio=round(page_s / count_s, 1),
        targets=TARGETS,
        meets_targets={
            "stats_month_seconds": stats_s <= TARGETS["stats_month_seconds"],
            "dashboard_seconds": page_s <= TARGETS["dashboard_seconds"],
        },
    )
    return result


async def run(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"machine": machine_speed()}
    if args.only in (None, "stats"):
        url, load_seconds = await prepare(args.tickets, args.keep)
        try:
            out["stats"] = await measure_stats(url, args.runs)
            out["stats"]["load_seconds"] = None if load_seconds is None else round(load_seconds, 1)
        finally:
            if not args.keep:
                await admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    if args.only in (None, "workers"):
        from bench.scale_workers import webhook_throughput

        out["workers"] = await webhook_throughput(args.seconds, args.concurrency, progress, args.rounds)
    if args.only in (None, "failover"):
        from bench.scale_workers import matrix_failover

        out["failover"] = await matrix_failover(args.kills, progress)
    out["when"] = SystemClock().now().astimezone(SHANGHAI).isoformat(timespec="seconds")
    return out


def bulk_options(ap: argparse.ArgumentParser, name: str) -> None:
    """--tickets, --runs and --keep, for a benchmark on a database of bulk tickets (``prepare``)."""
    ap.add_argument("--tickets", type=int, default=2_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help=f"keep (and reuse) the database {name}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    bulk_options(ap, DB_NAME)
    ap.add_argument("--only", choices=["stats", "workers", "failover"], default=None)
    ap.add_argument("--seconds", type=float, default=30.0, help="webhook load per worker count")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3, help="webhook rounds (1 and 2 workers, order alternating)")
    ap.add_argument("--kills", type=int, default=3)
    ap.add_argument("--out", default="bench/results/scale.json")
    args = ap.parse_args()
    result = asyncio.run(run(args))
    out = Path(args.out)
    if args.only and out.is_file():  # one part re-measured: the other parts of the file stay
        previous = json.loads(out.read_text(encoding="utf-8"))
        previous[args.only] = result[args.only] | {"machine": result["machine"], "when": result["when"]}
        result = previous
    write_result(result, args.out)


if __name__ == "__main__":
    main()
