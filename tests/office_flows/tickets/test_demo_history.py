"""A fresh demo start looks alive: months of team-written tickets in believable states (every recorded step a
legal transition), the router trained from the demo training set, and neither repeated on the next start."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select

from govchat.runtime import build_runtime
from kernel.clock import SHANGHAI, FakeClock
from kernel.config import Settings
from office_flows.documents.models import Document
from office_flows.routing.model import METADATA_FILE
from office_flows.routing.service import model_dir
from office_flows.tickets.models import Ticket, TicketAssist, TicketEvent, TicketObjection, TicketRating
from office_flows.tickets.states import OPEN, TRANSITIONS, Status
from office_flows.tickets.stats import compute
from tests.support.dialogue import verify_dialog

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)
# history-only actions (not commands) and their moves
EXTRA = {"accept": ("", "accepted"), "rectify_open": ("visited", "visited")}


async def test_first_demo_start_loads_history_and_trains_the_router_once(sqlite_settings: Settings) -> None:
    settings = dataclasses.replace(sqlite_settings, demo_data=True, nlu_enabled=False)
    rt = await build_runtime(settings, clock=FakeClock(NOW), load_model=False, demo_history=True)
    try:
        async with rt.db.session() as s:
            tickets = list(await s.scalars(select(Ticket)))
            events = list(await s.scalars(select(TicketEvent)))
            objections = list(await s.scalars(select(TicketObjection)))
            assists = list(await s.scalars(select(TicketAssist)))
            ratings = list(await s.scalars(select(TicketRating)))
            table = await compute(s, NOW - timedelta(days=90), NOW, NOW)
        assert len(tickets) == 3000 and len({t.code for t in tickets}) == 3000
        statuses = Counter(t.status for t in tickets)
        assert {"accepted", "handling", "answered", "visited", "archived"} <= set(statuses), statuses
        assert min(t.created_at for t in tickets) < NOW - timedelta(days=120)  # months of history
        assert len({t.content for t in tickets}) > 1000  # varied texts
        assert len({t.department_code for t in tickets if t.department_code}) >= 8
        assert len({t.kind for t in tickets}) == 6 and len({t.channel for t in tickets}) >= 3
        addresses = " ".join(t.address for t in tickets)
        assert "梅江区" in addresses and "源城区" in addresses
        assert any(t.status in OPEN and t.deadline_at and t.deadline_at < NOW for t in tickets)  # overdue
        assert any(t.rework_count for t in tickets) and any(t.on_time is False for t in tickets)
        assert {o.status for o in objections} >= {"accepted", "rejected", "pending"}
        assert statuses["objected"] >= 3  # 退单 waiting for the dispatchers to try the review
        assert any(a.part for a in assists) and {r.level for r in ratings} == {None, 1, 2, 3, 4, 5}
        assert all(t.first_contact_name for t in tickets)
        assert len(table) >= 8 and all(v["ontime_rate"]["total"] > 10 for v in table.values())
        # every recorded step is a move the state machine allows
        for e in events:
            move = EXTRA.get(e.action)
            if move is None:
                tr = TRANSITIONS[e.action]
                assert Status(e.from_status) in tr.sources, (e.action, e.from_status)
                target = tr.target.value if tr.target else e.from_status
                move = (e.from_status, target)
            assert (e.from_status, e.to_status) == move, (e.action, e.from_status, e.to_status)
        # the router was trained at first start: proposals, no "no model" note
        assert rt.tickets.router is not None and rt.tickets.router.ready
        proposal = rt.tickets.router.propose("江南路夜市的烧烤摊占道经营到凌晨，油烟很大")
        assert proposal.department == "梅江区城市管理和综合执法局", proposal.describe()
        queue = (await verify_dialog(rt, [("demo-zhongli", "/工单队列", re.compile(r"待派单工单"))], channel="web"))[0][
            0
        ]
        assert "建议：" in queue and "尚未训练" not in queue and queue.startswith("待审核退单：")
        # documents wait on desks too: approving from a phone can be tried at once
        await verify_dialog(
            rt,
            [
                (
                    "demo-lina",
                    "/待办",
                    re.compile(r"1\. \[平件\] FW-2026-001《关于做好2026年冬季森林防火工作的通知》— 核稿"),
                ),
                (
                    "demo-huangzhiqiang",
                    "/待办",
                    re.compile(r"FW-2026-002《关于开展岁末年初安全生产大检查的通知》— 会签"),
                ),
                (
                    "demo-wangqiang",
                    "/待办",
                    "SW-2026-001《市政府办公室关于做好2027年元旦春节期间有关工作的通知》— 拟办",
                ),
                ("demo-laijianguo", "/待办", "FW-2026-003《关于12345热线2026年11月运行情况的通报》— 科室审核"),
                ("demo-lina", "/同意 FW-2026-001 同意", "已同意 FW-2026-001"),
            ],
            channel="web",
        )
        trained_at = (model_dir(settings.data_dir) / METADATA_FILE).stat().st_mtime_ns
    finally:
        await rt.close()
    again = await build_runtime(
        settings, clock=FakeClock(NOW + timedelta(hours=1)), load_model=False, demo_history=True
    )
    try:
        async with again.db.session() as s:
            assert len(list(await s.scalars(select(Ticket.id)))) == 3000  # loaded once
            assert len(list(await s.scalars(select(Document.doc_id)))) == 4  # the documents too
        assert (model_dir(settings.data_dir) / METADATA_FILE).stat().st_mtime_ns == trained_at  # not retrained
    finally:
        await again.close()


async def test_history_then_a_new_ticket_today_gets_the_next_code(settings: Settings) -> None:
    """On both databases: the bulk load keeps the daily code sequences, so today's next ticket follows them."""
    from kernel.identity import Actor, Role
    from office_flows.directory.demo import load_demo_directory
    from office_flows.routing import catalogue
    from office_flows.tickets import demo_history

    rt = await build_runtime(settings, clock=FakeClock(NOW), load_model=False)
    try:
        async with rt.db.session() as s:
            await load_demo_directory(s)
            await catalogue.ensure(s, at=NOW)
            report = await demo_history.load_demo_history(s, rt.tickets.rules, NOW, count=400, days=5)
        assert report.tickets == 400 and report.events > 400
        async with rt.db.session() as s:
            today = sorted(c for c in await s.scalars(select(Ticket.code)) if c.startswith("GD20261204"))
        citizen = Actor("web", "c-new", frozenset({Role.CITIZEN}))
        created = await rt.tickets.create(
            kind="咨询", content="请问公租房怎么申请", channel="web", sender="c-new", actor=citizen
        )
        assert created.code == f"GD20261204{int(today[-1][-5:]) + 1:05d}" if today else created.code.endswith("00001")
    finally:
        await rt.close()
