"""What a /metrics scrape costs the database at city scale: the ticket gauges over 2,000,000 tickets on PostgreSQL.

    .venv/bin/python -m bench.metrics_bench [--tickets 2000000] [--runs 5] [--keep]

The tickets are made by PostgreSQL (bench/scale_load.py, as bench/scale_bench.py does) in the database
``gc_metrics_bench``, dropped at the end unless ``--keep`` (a kept one is reused). Measured, median of ``--runs``
after a warm-up: the two ticket aggregates of ``state_gauges`` (count by state, overdue open tickets), the outbox
backlog, and next to them a plain ``count(*)`` of all tickets in the same run (the baseline; the ratio says what
the index buys); the plans PostgreSQL chose (plain EXPLAIN, no planner settings changed); and the share of one
database core a worker's scrapes take when the gauges are read at most every ``STORED_EVERY`` (govchat/metrics.py).

Results: bench/results/metrics.json (bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import ClauseElement, Executable

from bench.common import machine_speed, write_result
from bench.scale_bench import admin_sql, bulk_options, prepare, timed
from kernel.clock import SHANGHAI, SystemClock
from kernel.db import Database
from kernel.outbox import backlog
from office_flows.tickets.models import Ticket
from office_flows.tickets.queries import state_gauge_queries

DB_NAME = "gc_metrics_bench"


def sql_of(stmt: ClauseElement) -> str:
    return str(stmt.compile(dialect=postgresql.asyncpg.dialect(), compile_kwargs={"literal_binds": True}))


async def measure(url: str, runs: int) -> dict[str, Any]:
    db = Database(url)
    now = SystemClock().now()
    by_state, late = state_gauge_queries(now)

    def query(stmt: Executable) -> Callable[[], Awaitable[Any]]:
        async def run() -> Any:
            async with db.session() as s:
                return (await s.execute(stmt)).all()

        return run

    async def outbox() -> Any:
        async with db.session() as s:
            return await backlog(s)

    try:
        async with db.session() as s:
            tickets = int(await s.scalar(select(func.count()).select_from(Ticket)) or 0)
            plans = {
                name: [row[0] for row in await s.execute(text("EXPLAIN " + sql_of(stmt)))]
                for name, stmt in (("by_state", by_state), ("overdue", late))
            }
        base, base_runs = await timed(query(select(func.count()).select_from(Ticket)), runs)
        by_state_s, by_state_runs = await timed(query(by_state), runs)
        late_s, late_runs = await timed(query(late), runs)
        outbox_s, _ = await timed(outbox, runs)
    finally:
        await db.dispose()
    from govchat.metrics import STORED_EVERY

    gauges = by_state_s + late_s + outbox_s
    return {
        "tickets": tickets,
        "baseline_count_all_seconds": round(base, 4),
        "baseline_runs": [round(t, 4) for t in base_runs],
        "by_state_seconds": round(by_state_s, 4),
        "by_state_runs": [round(t, 4) for t in by_state_runs],
        "by_state_vs_baseline": round(by_state_s / base, 2),
        "overdue_seconds": round(late_s, 4),
        "overdue_runs": [round(t, 4) for t in late_runs],
        "outbox_backlog_seconds": round(outbox_s, 4),
        "scrape_gauges_seconds": round(gauges, 4),
        "stored_every_seconds": STORED_EVERY.total_seconds(),
        "db_core_share_per_worker": round(gauges / STORED_EVERY.total_seconds(), 4),
        "plans": plans,
        "uses_index": {name: any("Index" in line for line in plan) for name, plan in plans.items()},
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"machine": machine_speed(), "load_average_before": os.getloadavg()}
    url, _seconds = await prepare(args.tickets, args.keep, DB_NAME)
    try:
        out["gauges"] = await measure(url, args.runs)
    finally:
        if not args.keep:
            await admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    out["load_average_after"] = os.getloadavg()
    out["when"] = SystemClock().now().astimezone(SHANGHAI).isoformat(timespec="seconds")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    bulk_options(ap, DB_NAME)
    ap.add_argument("--out", default="bench/results/metrics.json")
    args = ap.parse_args()
    write_result(asyncio.run(run(args)), args.out)


if __name__ == "__main__":
    main()
