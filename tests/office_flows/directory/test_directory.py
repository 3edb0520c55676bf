"""The directory on SQLite and PostgreSQL: CSV import (whole or nothing), identities, delegation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kernel.identity import Role
from office_flows.directory.demo import load_demo_directory
from office_flows.directory.importer import import_directory
from office_flows.directory.models import Delegation
from office_flows.directory.resolver import DirectoryIdentity
from office_flows.directory.store import DirectoryError, acting_for, link_identity, people_of, person_by

DEPTS = "编码,名称,上级编码,文号前缀\nA,甲局,,甲\nB,乙局,,乙\n"
PEOPLE = (
    "工号,姓名,部门编码,职务,角色,手机,聊天账号\n"
    "P1,张一,A,局长,staff+department_head,13900000001,matrix:@p1:hs\n"
    "P2,李二,B,科员,,,\n"
)


async def test_import_links_identity_and_roles(database):
    async with database.session() as s:
        report = await import_directory(s, DEPTS, PEOPLE)
    assert report.errors == [] and report.people == 2 and report.identities == 1
    resolver = DirectoryIdentity(database)
    actor = await resolver.whois("matrix", "@p1:hs")
    assert actor.name == "张一" and actor.department_code == "A" and actor.has(Role.HEAD)
    assert (await resolver.whois("rest", "@p1:hs")).roles == {Role.CITIZEN}  # other channel: not linked
    async with database.session() as s:
        with pytest.raises(DirectoryError, match="不能关联到所有渠道"):  # no more links on every channel
            await link_identity(s, "P2", "*", "li-er", by="admin")
        await link_identity(s, "P2", "matrix", "@li-er:hs", by="admin")
    assert (await resolver.whois("matrix", "@li-er:hs")).roles == {Role.STAFF}


async def test_bad_rows_write_nothing_and_name_row_and_field(database):
    bad = PEOPLE + "P3,,C,科员,boss,123,matrix\n"
    async with database.session() as s:
        report = await import_directory(s, DEPTS, bad)
    text = "\n".join(report.errors)
    assert "人员表第 4 行“姓名”" in text and "“部门编码”：没有编码为 C" in text and "“手机”" in text
    assert "未知角色：boss" in text
    async with database.session() as s:
        assert await person_by(s, code="P1") is None


async def test_demo_directory_and_delegation(database, clock):
    async with database.session() as s:
        report = await load_demo_directory(s)
        assert report.people >= 20
        heads = await people_of(s, "MJ-BGS", Role.HEAD)
        assert [h.name for h in heads] == ["王强"]
        lina = await person_by(s, name="李娜")
        assert lina is not None
        s.add(
            Delegation(
                person_id=heads[0].id,
                delegate_id=lina.id,
                starts_at=clock.now(),
                ends_at=clock.now() + timedelta(days=3),
                reason="出差",
            )
        )
    async with database.session() as s:
        assert await acting_for(s, lina.id, clock.now() + timedelta(days=1)) == [heads[0].id]
        assert await acting_for(s, lina.id, clock.now() + timedelta(days=4)) == []
