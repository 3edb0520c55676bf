"""Races on PostgreSQL with two Database objects (two workers): issued numbers have no gaps or duplicates,
an any-of step has one winner, a room or a person booked twice at once is booked once, a countersign's
last approvals advance the document once, and each reminder fires exactly once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from govchat.migrate import upgrade
from kernel.clock import FakeClock
from kernel.db import Database
from kernel.outbox import OutboxMessage
from office_flows.common import OfficeError
from office_flows.documents import reminders
from office_flows.documents.chains import save_chain
from office_flows.documents.models import DocEvent, Document, Step
from office_flows.meetings.service import Request
from office_flows.office import Office
from tests.support.env import pg_admin
from tests.support.office_rig import office_for, seed_demo, who


@pytest.fixture
async def two(pg_server: str, clock: FakeClock, tmp_path: Path) -> AsyncIterator[tuple[Office, Office]]:
    name = f"gc_{uuid.uuid4().hex[:12]}"
    await asyncio.to_thread(pg_admin, f'CREATE DATABASE "{name}"')
    url = f"{pg_server}/{name}"
    await upgrade(url)
    a, b = Database(url), Database(url)
    await seed_demo(a, clock)
    try:
        yield office_for(a, clock, tmp_path), office_for(b, clock, tmp_path)
    finally:
        await a.dispose()
        await b.dispose()
        await asyncio.to_thread(pg_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _register(office: Office, kind: str = "FW", n: int = 1) -> list[str]:
    zhang = await who(office.db, "张伟")
    return [(await office.documents.register(zhang, kind, f"文件{i}", "正文")).ref for i in range(n)]


async def test_issued_numbers_have_no_gaps_or_duplicates(two: tuple[Office, Office], clock: FakeClock) -> None:
    a, b = two
    async with a.db.session() as s:
        steps = [{"name": "签发", "mode": "single", "assignees": ["head"]}]
        await save_chain(s, {"department": "MJ-BGS", "kind": "FW", "steps": steps}, by="t", now=clock.now())
    docs = await _register(a, n=8)
    boss = await who(a.db, "王强")
    outs = await asyncio.gather(*[(a if i % 2 else b).documents.approve(boss, d) for i, d in enumerate(docs)])
    numbers = sorted(int(o.message.split("〕")[1].split("号")[0]) for o in outs)
    assert numbers == list(range(1, 9))
    async with a.db.session() as s:
        stored = list(await s.scalars(select(Document.number).where(Document.number.is_not(None))))
    assert len(set(stored)) == 8


async def test_any_of_step_has_one_winner(two: tuple[Office, Office]) -> None:
    a, b = two
    (doc,) = await _register(a, "SW")
    await a.documents.approve(await who(a.db, "王强"), doc)
    li, liu = await who(a.db, "李娜"), await who(a.db, "刘洋")
    results = await asyncio.gather(a.documents.approve(li, doc), b.documents.approve(liu, doc), return_exceptions=True)
    assert sum(isinstance(r, OfficeError) for r in results) == 1
    async with a.db.session() as s:
        seals = await s.scalar(select(func.count()).select_from(DocEvent).where(DocEvent.action == "seal"))
    assert seals == 1


async def test_countersign_advances_once(two: tuple[Office, Office]) -> None:
    a, b = two
    (doc,) = await _register(a)
    await a.documents.approve(await who(a.db, "李娜"), doc)
    members = [await who(a.db, n) for n in ("刘洋", "赖建国", "黄志强")]
    await asyncio.gather(*[(a if i % 2 else b).documents.approve(m, doc) for i, m in enumerate(members)])
    async with a.db.session() as s:
        sign = await s.scalar(select(func.count()).select_from(Step).where(Step.name == "签发"))
    assert sign == 1


async def test_one_room_booked_twice_at_once_has_one_winner(two: tuple[Office, Office], clock: FakeClock) -> None:
    a, b = two
    start = clock.now() + timedelta(days=1)
    reqs = [Request(start, 60, "三楼会议室", [], topic) for topic in ("甲", "乙")]
    results = await asyncio.gather(
        a.meetings.book(await who(a.db, "张伟"), reqs[0]), b.meetings.book(await who(b.db, "王强"), reqs[1])
    )
    assert sorted(bool(r.alternatives) for r in results) == [False, True]


async def test_one_person_booked_in_two_rooms_at_once_has_one_winner(
    two: tuple[Office, Office], clock: FakeClock
) -> None:
    a, b = two
    start = clock.now() + timedelta(days=1)
    for _ in range(3):  # the window is small: try a few times
        start += timedelta(hours=2)
        reqs = [Request(start, 60, room, ["李娜"], "会") for room in ("三楼会议室", "二楼小会议室")]
        results = await asyncio.gather(
            a.meetings.book(await who(a.db, "张伟"), reqs[0]), b.meetings.book(await who(b.db, "王强"), reqs[1])
        )
        refused = [r.outcome.message for r in results if "无法预约" in r.outcome.message]
        assert len(refused) == 1 and "李娜已有会议" in refused[0], [r.outcome.message for r in results]


async def test_reminders_fire_exactly_once(two: tuple[Office, Office], clock: FakeClock) -> None:
    a, b = two
    await _register(a, n=3)
    clock.advance(timedelta(hours=5))  # 核稿 has 4 working hours
    counts = await asyncio.gather(reminders.fire_due(a.db, clock), reminders.fire_due(b.db, clock))
    assert sum(counts) == 3
    assert await reminders.fire_due(a.db, clock) == 0
    clock.advance(timedelta(hours=4))  # past twice the limit: the holder's head is told
    counts = await asyncio.gather(reminders.fire_due(a.db, clock), reminders.fire_due(b.db, clock))
    assert sum(counts) == 3
    async with a.db.session() as s:
        kinds = list(await s.scalars(select(OutboxMessage.kind).where(OutboxMessage.kind.like("doc_%"))))
    assert kinds.count("doc_reminder") == 3 and kinds.count("doc_escalation") == 3
