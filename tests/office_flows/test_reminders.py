"""Durable reminders with the statutory working-hours calendar and the clock advanced (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from kernel.clock import SHANGHAI, FakeClock
from kernel.db import Database
from kernel.outbox import OutboxMessage
from kernel.scheduler import Ticker
from office_flows.meetings.service import Request
from office_flows.office import build_office
from tests.support.office_rig import seed_demo, who


async def _sent(db: Database, kind: str) -> list[str]:
    async with db.session() as s:
        return list(await s.scalars(select(OutboxMessage.text).where(OutboxMessage.kind == kind)))


async def test_document_step_reminds_holder_then_head_in_working_hours(
    database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    await seed_demo(database, clock)
    office = build_office(database, clock, None, tmp_path / "keys")  # the statutory calendar
    ticker = Ticker(clock)
    ticker.register("office", office.tick)
    await office.documents.register(await who(database, "张伟"), "FW", "标题", "正文")  # Wed 09:00, 核稿 4 h
    # 09:00–12:00 is 3 h, the lunch break does not count, so the 4th hour ends at 15:30.
    clock.set(datetime(2026, 11, 18, 15, 29, tzinfo=SHANGHAI))
    assert (await ticker.tick())["office"] == 0
    clock.set(datetime(2026, 11, 18, 15, 31, tzinfo=SHANGHAI))
    assert (await ticker.tick())["office"] == 1
    assert (await ticker.tick())["office"] == 0  # fired once
    [text] = await _sent(database, "doc_reminder")
    assert "11月18日 15:30" in text
    # Twice the limit (8 h): 6 h on Wednesday, 2 more on Thursday morning → 10:30; the holder's head is told.
    clock.set(datetime(2026, 11, 19, 10, 29, tzinfo=SHANGHAI))
    assert (await ticker.tick())["office"] == 0
    clock.advance(timedelta(minutes=2))
    assert (await ticker.tick())["office"] == 1
    [text] = await _sent(database, "doc_escalation")
    assert "李娜待办的 FW-2026-001" in text


async def test_a_head_holding_a_step_is_escalated_upwards(database: Database, clock: FakeClock, tmp_path: Path) -> None:
    await seed_demo(database, clock)
    office = build_office(database, clock, None, tmp_path / "keys")
    await office.documents.register(await who(database, "张伟"), "SW", "来文", "正文")  # 拟办: 王强 (head), 4 h
    clock.advance(timedelta(days=3))
    assert await office.tick(clock.now()) == 2  # the reminder to 王强, then 陈静 of the parent 梅江区人民政府
    async with database.session() as s:
        rows = (await s.execute(select(OutboxMessage.kind, OutboxMessage.person_id))).all()
    chen = await who(database, "陈静")
    assert ("doc_escalation", chen.person_id) in rows


async def test_meeting_reminders_a_day_and_half_an_hour_before(
    database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    await seed_demo(database, clock)
    office = build_office(database, clock, None, tmp_path / "keys")
    start = datetime(2026, 11, 20, 15, 0, tzinfo=SHANGHAI)
    booked = await office.meetings.book(
        await who(database, "张伟"), Request(start, 60, "三楼会议室", ["李娜", "刘洋"], "汛期值班")
    )
    assert booked.outcome.ref == "HY-2026-0001"
    await office.meetings.rsvp(await who(database, "刘洋"), "HY-2026-0001", False, "出差")
    assert await office.tick(clock.now()) == 0
    clock.set(start - timedelta(days=1))
    assert await office.tick(clock.now()) == 2  # 张伟 and 李娜; 刘洋 is on leave
    assert await office.tick(clock.now()) == 0
    clock.set(start - timedelta(minutes=30))
    assert await office.tick(clock.now()) == 2
    texts = await _sent(database, "meeting_reminder")
    assert len(texts) == 4 and all("11月20日 15:00" in t for t in texts)


async def test_unread_notice_reminded_once_a_day_after(database: Database, clock: FakeClock, tmp_path: Path) -> None:
    await seed_demo(database, clock)
    office = build_office(database, clock, None, tmp_path / "keys")
    boss = await who(database, "王强")
    await office.notices.publish(boss, ["李娜", "刘洋"], "节前检查", "请自查")
    await office.notices.read(await who(database, "李娜"), "TZ-2026-001")
    assert await office.tick(clock.now()) == 0
    clock.advance(timedelta(days=1))
    assert await office.tick(clock.now()) == 1  # only 刘洋 has not read it
    assert await office.tick(clock.now()) == 0
    [text] = await _sent(database, "notice_reminder")
    assert "TZ-2026-001" in text
