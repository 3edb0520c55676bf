"""Exactly once across workers (issue 15, item 6): a double "确认" sent to two workers makes one ticket."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from sqlalchemy import func, select

from bot.messages import Incoming
from govchat.runtime import build_runtime
from office_flows.tickets.models import Ticket

STEPS = ["/投诉 隔壁工地半夜施工，吵得睡不着", "梅江区江南路28号", "上周开始，每晚十一点后", "13912345678"]


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)  # several workers share PostgreSQL, not SQLite
async def test_a_double_confirmation_on_two_workers_makes_one_ticket(settings, clock):
    settings = dataclasses.replace(settings, nlu_enabled=False)
    a = await build_runtime(settings, clock=clock, load_model=False)
    b = await build_runtime(settings, clock=clock, load_model=False)  # a second worker on the same database
    try:
        for round_ in range(3):
            sender = f"v-double-{round_}"
            for text in STEPS:
                await a.bot.process(Incoming("web", sender, text))
            replies = await asyncio.gather(
                a.bot.process(Incoming("web", sender, "确认")), b.bot.process(Incoming("web", sender, "确认"))
            )
            assert sum("已为您登记工单" in r[0].text for r in replies) == 1, replies
        async with a.db.session() as s:
            assert await s.scalar(select(func.count()).select_from(Ticket)) == 3
    finally:
        await a.close()
        await b.close()


async def test_idle_sessions_are_forgotten(sqlite_settings, clock):
    from datetime import timedelta

    from bot.models import ChatSession

    rt = await build_runtime(dataclasses.replace(sqlite_settings, nlu_enabled=False), clock=clock, load_model=False)
    try:
        await rt.bot.process(Incoming("web", "v-old", "人工"))  # leaves session data behind
        clock.advance(timedelta(days=31))
        await rt.bot.process(Incoming("web", "v-new", "人工"))
        fired = await rt.ticker.tick()
        assert fired["sessions"] == 1
        async with rt.db.session() as s:
            assert list(await s.scalars(select(ChatSession.sender))) == ["v-new"]
    finally:
        await rt.close()
