"""The dashboard's weekly trend (one scan per metric) equals the per-period statistics it replaces."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import insert

from office_flows.directory.demo import load_demo_directory
from office_flows.tickets.models import Ticket, TicketRating
from office_flows.tickets.stats import METRICS, compute, compute_series
from tests.support.tickets_data import NOW, ticket_rows


async def test_series_equals_compute_per_week(database: Any) -> None:
    tickets, ratings = ticket_rows(600, random.Random(3))
    async with database.session() as s:
        await load_demo_directory(s)
        await s.execute(insert(Ticket), tickets)
        await s.execute(insert(TicketRating), ratings)
    monday = (NOW - timedelta(days=NOW.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    weeks = [(monday - timedelta(weeks=i), monday - timedelta(weeks=i - 1)) for i in range(8, -1, -1)]
    async with database.session() as s:
        series = await compute_series(s, weeks, NOW)
        expected = [await compute(s, a, b, NOW) for a, b in weeks]
    assert any(w["satisfaction_rate"]["total"] for w in series), "the sample has ratings in these weeks"
    for got, table in zip(series, expected, strict=True):
        for key in METRICS:
            assert got[key]["total"] == sum(int(d[key]["total"] or 0) for d in table.values()), key
            assert got[key]["good"] == sum(int(d[key]["good"] or 0) for d in table.values()), key
