"""An alert reaches a supervisor in chat: the supervisor linked to a Matrix account gets it in a direct room
through the Matrix channel's outbox delivery (nio double), once."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from bot.channels.matrix.channel import MatrixChannel, MatrixConfig
from bot.messages import Incoming, Reply
from kernel.clock import FakeClock
from office_flows.alerts.detect import AlertRules
from office_flows.alerts.service import AlertService
from office_flows.directory.demo import load_demo_directory
from office_flows.directory.store import link_identity
from office_flows.tickets.models import Ticket
from tests.office_flows.alerts.test_alerts import END, SURGE_PLACE, MemoEncoder
from tests.support.matrix_double import FakeNioClient
from tests.support.topic_data import history, surge

pytestmark = pytest.mark.slow
SUPERVISOR = "@laijianguo:localhost"  # 赖建国, 督查科科长 (supervisor) in the demo directory


async def _never(_msg: Incoming) -> list[Reply]:
    raise AssertionError("delivering the outbox processes no message")


async def test_the_supervisor_reads_the_alert_in_matrix(database: Any, encoder: Any) -> None:
    rng = random.Random(5)
    rows = history(END, 5, rng, scale=0.5)
    rows += surge(END, "路灯", SURGE_PLACE, 16, rng, start_index=len(rows))
    async with database.session() as s:
        await load_demo_directory(s)
        await link_identity(s, "MJ011", "matrix", SUPERVISOR, by="test")
        await s.execute(insert(Ticket), rows)
    clock = FakeClock(END + timedelta(hours=7))
    report = await AlertService(database, clock, MemoEncoder(encoder), AlertRules()).run(END)
    assert report is not None
    alert = next(a for a in report.alerts if a.place == SURGE_PLACE)

    nio = FakeNioClient("@govchat:localhost")
    cfg = MatrixConfig(homeserver="http://hs", user_id="@govchat:localhost", password="pw", max_backoff=0.01)
    channel = MatrixChannel(nio, cfg, database, _never, clock.now)
    await channel.login()
    assert await channel.deliver_outbox() >= 1
    room = nio.created[0]  # the direct room opened with the supervisor
    texts = nio.replies_to(room)
    assert len([t for t in texts if f"/admin/alerts/{alert.id}" in t]) == 1
    text = next(t for t in texts if f"/admin/alerts/{alert.id}" in t)
    assert text.startswith(f"【未诉先办预警】{SURGE_PLACE}：“") and "路灯" in text and "去年同期该主题 0 件" in text
    assert await channel.deliver_outbox() == 0  # delivered once
