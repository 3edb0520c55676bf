"""The handoff queue is bounded (issue 15, item 8): a flood of new identities cannot grow it without end."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.messages import Incoming
from office_flows.handoff.models import Handoff
from office_flows.handoff.service import HandoffConfig
from tests.support.kb_rig import kb_runtime


async def test_a_full_queue_takes_no_one_new(sqlite_settings, clock):
    rt = await kb_runtime(sqlite_settings, clock)
    try:
        rt.bot.services.handoff.config = HandoffConfig(fail_limit=0, max_waiting=3)
        answers = [(await rt.bot.process(Incoming("web", f"v-{n}", "人工")))[0].text for n in range(5)]
        assert all("正在为您转接人工客服" in a for a in answers[:3])
        assert all("排队人数已满" in a for a in answers[3:])
        async with rt.db.session() as s:
            assert await s.scalar(select(func.count()).select_from(Handoff)) == 3
    finally:
        await rt.close()
