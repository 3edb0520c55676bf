"""Ticket benchmark on PostgreSQL with 100,000 tickets: creation and transition latency, the monthly
statistics query, and the scheduler tick; each beside a baseline measured in the same run.

    .venv/bin/python -m bench.tickets_bench [--tickets 100000] [--runs 5] [--out bench/results/tickets.json]

It creates (and drops) its own database on the machine's PostgreSQL (GOVCHAT_TEST_PG_URL).
"""

from __future__ import annotations

import os
import random
import statistics
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from bench.common import percentile, run_bulk_benchmark
from govchat.migrate import upgrade
from kernel.clock import SHANGHAI, FakeClock
from kernel.db import Database
from kernel.identity import Actor, Role
from kernel.scheduler import Ticker
from office_flows.directory.demo import load_demo_directory
from office_flows.tickets.escalation import TicketTicker
from office_flows.tickets.models import Ticket, TicketRating
from office_flows.tickets.rules import KINDS, TicketRules
from office_flows.tickets.service import TicketService
from office_flows.tickets.stats import compute

PG_ADMIN = os.environ.get("GOVCHAT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
DEPTS = ["MJ-ZJJ", "MJ-RSJ", "MJ-JYJ", "MJ-WJJ", "MJ-JTJ", "MJ-SWJ", "MJ-STJ", "MJ-CGJ", "MJ-SJJ"]
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _rows(n: int, rng: random.Random) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Tickets over the last 120 days in realistic states, and the ratings of the answered ones."""
    tickets, ratings = [], []
    for i in range(n):
        created = NOW - timedelta(days=rng.uniform(0, 120))
        dept = rng.choice(DEPTS)
        dispatched = created + timedelta(hours=rng.uniform(0.2, 8))
        deadline = dispatched + timedelta(days=rng.choice([3, 14, 21]))
        answered = dispatched + timedelta(days=rng.uniform(1, 25))
        done = answered < NOW
        status = rng.choice(["visited", "archived", "answered"]) if done else rng.choice(["dispatched", "handling"])
        tickets.append(
            {
                "code": f"GB{i:013d}",  # bulk rows get their own prefix: no clash with real GD codes
                "kind": rng.choice(KINDS),
                "status": status,
                "content": "bench",
                "address": f"梅江区某路{i % 5000}号",
                "phone": f"139{i:08d}",
                "channel": "bench",
                "sender": f"c{i}",
                "department_code": dept,
                "departments_seen": [dept],
                "created_at": created,
                "updated_at": created,
                "dispatched_at": dispatched,
                "sign_deadline_at": dispatched + timedelta(hours=2),
                "signed_at": dispatched + timedelta(hours=rng.uniform(0.1, 4)),
                "signed_on_time": rng.random() < 0.8,
                "deadline_at": deadline,
                "next_escalation_at": None if done else deadline - timedelta(hours=8),
                "answered_at": answered if done else None,
                "on_time": (answered <= deadline) if done else None,
                "rework_count": 1 if rng.random() < 0.05 else 0,
                "return_count": 0,
                "escalation": 0,
                "rated": False,
            }
        )
        if done and status != "answered":
            ratings.append(
                {
                    "ticket_id": i + 1,
                    "round": 1,
                    "level": rng.choice([5, 5, 4, 4, 3, 2, 1, None]),
                    "department_code": dept,
                    "at": answered + timedelta(days=1),
                }
            )
            tickets[-1]["rated"] = ratings[-1]["level"] is not None
    return tickets, ratings


async def create_bulk_database(n: int, seed: int = 7) -> tuple[str, str, float]:
    """A fresh PostgreSQL database (migrated, demo directory, ``n`` bulk tickets with ratings, analysed).

    Returns (database name, async URL, seconds the bulk insert took); drop it with ``drop_database``.
    """
    name = f"gc_bench_{uuid.uuid4().hex[:8]}"
    await _admin(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{name}"
    db = Database(url)
    try:
        await upgrade(url)
        async with db.session() as s:
            await load_demo_directory(s)
        tickets, ratings = _rows(n, random.Random(seed))
        started = time.perf_counter()
        async with db.session() as s:
            for i in range(0, len(tickets), 5000):
                await s.execute(insert(Ticket), tickets[i : i + 5000])
            for i in range(0, len(ratings), 5000):
                await s.execute(insert(TicketRating), ratings[i : i + 5000])
        load_seconds = time.perf_counter() - started
        async with db.engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
    except BaseException:
        await db.dispose()
        await drop_database(name)
        raise
    await db.dispose()
    return name, url, load_seconds


async def drop_database(name: str) -> None:
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def run(n: int, runs: int) -> dict[str, Any]:
    name, url, load_seconds = await create_bulk_database(n)
    db = Database(url)
    try:
        clock = FakeClock(NOW)
        svc = TicketService(db, clock, TicketRules(workdays=dict.fromkeys(KINDS, 10)))
        dispatcher = Actor("bench", "d", frozenset({Role.DISPATCHER}), person_id=None, name="派单")
        async with db.session() as s:
            from office_flows.directory.store import person_by

            staff = await person_by(s, code="MJ091")
        assert staff is not None
        worker = Actor("bench", "w", staff.roles, person_id=staff.id, name=staff.name, department_code="MJ-CGJ")

        create_ms, transition_ms = [], []
        for i in range(200):
            t0 = time.perf_counter()
            created = await svc.create(
                kind="投诉",
                content=f"占道经营噪音扰民 {i}",
                channel="bench",
                sender=f"new{i}",
                address=f"梅江区新路{i}号",
                phone=f"137{i:08d}",
            )
            create_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            await svc.dispatch(created.code, dispatcher, "MJ-CGJ")
            await svc.sign(created.code, worker)
            await svc.reply(created.code, worker, "已处理完毕，占道摊点已清理")
            transition_ms.append((time.perf_counter() - t0) * 1000 / 3)

        month = (datetime(2026, 10, 1, tzinfo=SHANGHAI), datetime(2026, 11, 1, tzinfo=SHANGHAI))
        stats_s, baseline_s = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            async with db.session() as s:
                table = await compute(s, *month, NOW)
            stats_s.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            async with db.session() as s:
                await s.execute(select(Ticket.department_code, func.count()).group_by(Ticket.department_code))
            baseline_s.append(time.perf_counter() - t0)

        ticker = Ticker(clock)
        ticker.register("tickets", TicketTicker(svc))
        idle_s = []
        for _ in range(runs):
            clock.set(NOW - timedelta(days=200))  # nothing is due this early
            t0 = time.perf_counter()
            await ticker.tick()
            idle_s.append(time.perf_counter() - t0)
        clock.set(NOW)
        t0 = time.perf_counter()
        fired = 0
        for _ in range(4):  # a backlog (every open ticket is past its reminder time): four ticks of up to 500
            fired += (await ticker.tick())["tickets"]
        backlog_s = time.perf_counter() - t0
        async with db.session() as s:
            total = await s.scalar(select(func.count()).select_from(Ticket))
        return {
            "tickets": total,
            "load_seconds": round(load_seconds, 1),
            "create_ms": {"p50": round(percentile(create_ms, 0.5), 2), "p95": round(percentile(create_ms, 0.95), 2)},
            "transition_ms": {
                "p50": round(percentile(transition_ms, 0.5), 2),
                "p95": round(percentile(transition_ms, 0.95), 2),
            },
            "stats_month_seconds": {
                "median": round(statistics.median(stats_s), 3),
                "runs": runs,
                "departments": len(table),
            },
            "baseline_group_count_seconds": round(statistics.median(baseline_s), 3),
            "stats_vs_baseline_ratio": round(statistics.median(stats_s) / statistics.median(baseline_s), 2),
            "tick_idle_seconds": round(statistics.median(idle_s), 4),
            "tick_backlog": {
                "fired": fired,
                "seconds": round(backlog_s, 2),
                "ms_per_fired": round(backlog_s * 1000 / max(fired, 1), 2),
            },
        }
    finally:
        await db.dispose()
        await drop_database(name)


def main() -> None:
    run_bulk_benchmark(run, "bench/results/tickets.json", __doc__)


if __name__ == "__main__":
    main()
