"""The demo district's directory (梅江区), loaded on first start in demo mode; and its removal."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from office_flows.directory.importer import ImportReport, import_directory
from office_flows.directory.models import ChatIdentity, Department, Person

# The demo people speak on the web chat page (through the demo sign-in, which exists only in demo mode:
# the web channel's identities are issued by the server, so nobody else can claim "demo-…") and on Matrix.
DEMO_CHANNELS = frozenset({"web", "matrix"})
DEMO_MARK = "demo"  # created_by of the demo links; the demo people's codes are listed in demo_people.csv


async def directory_is_empty(s: AsyncSession) -> bool:
    return (await s.scalar(select(func.count()).select_from(Department))) == 0


async def load_demo_directory(s: AsyncSession) -> ImportReport:
    files = resources.files("office_flows.directory")
    report = await import_directory(
        s,
        (files / "demo_departments.csv").read_text(encoding="utf-8"),
        (files / "demo_people.csv").read_text(encoding="utf-8"),
        by="demo",
        channels=DEMO_CHANNELS,
    )
    if report.errors:  # the shipped files are ours: a mistake in them is a bug
        raise RuntimeError("demo directory is invalid: " + "; ".join(report.errors))
    return report


@dataclass(frozen=True)
class DemoPerson:
    code: str
    name: str
    department: str
    roles: str
    address: str  # the web chat identity the demo sign-in hands out


async def demo_people(s: AsyncSession) -> list[DemoPerson]:
    """The demo people the chat page's demo sign-in offers: active, linked on the web channel by the demo."""
    rows = await s.execute(
        select(Person.code, Person.name, Department.name, Person.roles, ChatIdentity.address)
        .join(ChatIdentity, ChatIdentity.person_id == Person.id)
        .outerjoin(Department, Department.id == Person.department_id)
        .where(
            ChatIdentity.channel == "web",
            ChatIdentity.created_by == DEMO_MARK,
            ChatIdentity.address.startswith("demo-"),
            Person.active.is_(True),
        )
        .order_by(Person.code)
    )
    return [DemoPerson(c, n, d or "", r, a) for c, n, d, r, a in rows.all()]


@dataclass
class DemoRemoval:
    identities: int = 0
    people: int = 0
    departments: int = 0


def _demo_codes() -> tuple[set[str], set[str]]:
    files = resources.files("office_flows.directory")
    people = csv.DictReader(io.StringIO((files / "demo_people.csv").read_text(encoding="utf-8")))
    depts = csv.DictReader(io.StringIO((files / "demo_departments.csv").read_text(encoding="utf-8")))
    return {r["工号"] for r in people}, {r["编码"] for r in depts}


async def remove_demo_directory(s: AsyncSession) -> DemoRemoval:
    """Take the demo people out of a database that has them: their chat links are deleted and they are
    deactivated (tickets and documents that mention them stay readable); demo departments left without an
    active person are deactivated too. A person with a link someone else made (a real import or an admin
    reusing a demo code) is left alone."""
    people_codes, dept_codes = _demo_codes()
    report = DemoRemoval()
    people = list(await s.scalars(select(Person).where(Person.code.in_(people_codes))))
    for person in people:
        links = list(await s.scalars(select(ChatIdentity).where(ChatIdentity.person_id == person.id)))
        if any(link.created_by != DEMO_MARK for link in links):
            continue
        for link in links:
            await s.delete(link)
            report.identities += 1
        if person.active:
            person.active = False
            report.people += 1
    await s.flush()
    for dept in await s.scalars(select(Department).where(Department.code.in_(dept_codes), Department.active)):
        others = await s.scalar(
            select(func.count()).select_from(Person).where(Person.department_id == dept.id, Person.active.is_(True))
        )
        if not others:
            dept.active = False
            report.departments += 1
    return report
