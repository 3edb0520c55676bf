"""First start in demo mode: how long the demo ticket history and the demo router take (issue 18, item 6).

    .venv/bin/python -m bench.demo_bench [--runs 3] [--tickets 3000] [--out bench/results/demo.json]

Each run uses a fresh SQLite database with the demo directory and catalogue. Measured:
- ``history_seconds``: ``load_demo_history`` of ``--tickets`` tickets (median of the runs);
- baseline in the same run: the same number of tickets estimated from 100 tickets taken through the real
  service one by one (create → dispatch → sign → reply), i.e. what loading the history through the service
  would cost; ``speedup`` is baseline / history;
- ``router_training_seconds``: training the router on the demo training set (one run: it takes seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.common import machine_speed, write_result
from govchat.runtime import open_database
from kernel.clock import SHANGHAI, FakeClock
from kernel.config import load_settings
from kernel.identity import Actor, Role
from office_flows.directory.demo import load_demo_directory
from office_flows.directory.resolver import DirectoryIdentity
from office_flows.routing import catalogue
from office_flows.routing.model import RouterModel
from office_flows.tickets import demo_history
from office_flows.tickets.rules import TicketRules
from office_flows.tickets.service import TicketService

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)
BASELINE_TICKETS = 100


async def _fresh(folder: Path) -> Any:
    settings = load_settings(environ={}, data_dir=str(folder), nlu_enabled=False)
    db = await open_database(settings)
    async with db.session() as s:
        await load_demo_directory(s)
        await catalogue.ensure(s, at=NOW)
    return settings, db


async def _history(tickets: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        settings, db = await _fresh(Path(tmp))
        try:
            started = time.perf_counter()
            async with db.session() as s:
                rules = TicketRules.from_settings(settings)
                report = await demo_history.load_demo_history(s, rules, NOW, count=tickets)
            elapsed = time.perf_counter() - started
            assert report.tickets == tickets
            return elapsed
        finally:
            await db.dispose()


async def _actor(db: Any, sender: str) -> Actor:
    return await DirectoryIdentity(db).whois("web", sender)


async def _through_service() -> float:
    """Seconds per ticket through the real service (create, dispatch, sign, reply)."""
    with tempfile.TemporaryDirectory() as tmp:
        settings, db = await _fresh(Path(tmp))
        try:
            svc = TicketService(db, FakeClock(NOW), TicketRules.from_settings(settings))
            dispatcher, handler = await _actor(db, "demo-zhongli"), await _actor(db, "demo-zhuli")
            citizen = Actor("web", "c", frozenset({Role.CITIZEN}))
            started = time.perf_counter()
            for i in range(BASELINE_TICKETS):
                text = f"江南路夜市占道经营第{i}次"
                code = (await svc.create(kind="投诉", content=text, channel="web", sender="c", actor=citizen)).code
                await svc.dispatch(code, dispatcher, "城管局")
                await svc.sign(code, handler)
                await svc.reply(code, handler, "已现场处理完毕")
            return (time.perf_counter() - started) / BASELINE_TICKETS
        finally:
            await db.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tickets", type=int, default=3000)
    ap.add_argument("--out", default="bench/results/demo.json")
    args = ap.parse_args()
    history, baseline = [], []
    for _ in range(args.runs):
        history.append(asyncio.run(_history(args.tickets)))
        baseline.append(asyncio.run(_through_service()) * args.tickets)
    examples = demo_history.demo_training_examples()
    started = time.perf_counter()
    RouterModel.train(examples)
    training = time.perf_counter() - started
    h, b = statistics.median(history), statistics.median(baseline)
    write_result(
        {
            "tickets": args.tickets,
            "runs": args.runs,
            "history_seconds": round(h, 2),
            "history_seconds_all": [round(x, 2) for x in history],
            "baseline_through_service_seconds": round(b, 1),
            "speedup": round(b / h, 1),
            "router_training_examples": len(examples),
            "router_training_seconds": round(training, 2),
            "machine": machine_speed(),
        },
        args.out,
    )


if __name__ == "__main__":
    main()
