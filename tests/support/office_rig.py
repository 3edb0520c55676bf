"""Shared set-up for the office flow tests: demo directory, chains and rooms, a fake working-hours calendar."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from kernel.clock import FakeClock
from kernel.db import Database
from kernel.identity import Actor
from kernel.workdays import Deadline
from office_flows.directory.demo import load_demo_directory
from office_flows.directory.resolver import DirectoryIdentity
from office_flows.documents.chains import load_demo_chains
from office_flows.meetings.service import load_demo_rooms
from office_flows.office import Office, build_office

SENDERS = {
    "张伟": "demo-zhangwei",
    "李娜": "demo-lina",
    "王强": "demo-wangqiang",
    "刘洋": "demo-liuyang",
    "陈静": "demo-chenjing",
    "赖建国": "demo-laijianguo",
    "黄志强": "demo-huangzhiqiang",
    "钟丽": "demo-zhongli",
    "古月华": "demo-guyuehua",
}


class FakeHours:
    """Working hours as plain hours: the tests pin the reminder logic, not the calendar."""

    def add_work_hours(self, start: datetime, hours: float) -> Deadline:
        return Deadline(start + timedelta(hours=hours), beyond_known=False)

    def add_workdays(self, start: datetime, n: int) -> Deadline:
        return Deadline(start + timedelta(days=n), beyond_known=False)

    def back_work_hours(self, end: datetime, hours: float) -> datetime:
        return end - timedelta(hours=hours)

    def work_hours_between(self, a: datetime, b: datetime) -> float:
        return (b - a).total_seconds() / 3600


async def seed_demo(db: Database, clock: FakeClock) -> None:
    async with db.session() as s:
        await load_demo_directory(s)
    async with db.session() as s:
        await load_demo_chains(s, clock.now())
        await load_demo_rooms(s)


def office_for(db: Database, clock: FakeClock, tmp_path: Path) -> Office:
    return build_office(db, clock, FakeHours(), tmp_path / "keys")


async def who(db: Database, name: str) -> Actor:
    return await DirectoryIdentity(db).whois("web", SENDERS.get(name, name))
