"""Dialect desks: a Cantonese- or Hakka-worded conversation asking for a person goes to an operator with that
skill first, the citizen is told the wait, and after the configured wait any operator may take it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from govchat.runtime import Runtime
from kernel.config import Settings
from kernel.identity import StaticRoles
from kernel.outbox import take_pending
from nlu.service import NluService
from office_flows.directory.resolver import DirectoryIdentity
from office_flows.handoff.models import Handoff
from office_flows.handoff.service import HandoffConfig
from tests.support.dialogue import Expect, Turn, verify_dialog
from tests.support.kb_rig import kb_runtime
from tests.support.nlu_double import RecordedParser, nlu_result

YUE = "@yue:localhost"  # an operator who speaks Cantonese
ANY = "@any:localhost"  # an operator without dialect skills
ADMIN = "@admin:localhost"
ROOM = "!operators:localhost"
CANTONESE = "唔该，我想搵真人同我倾，你哋讲嘢我睇唔明"
HAKKA_LATER = "𠊎屋下门口个路灯坏撇哩，仰般办？"


@pytest.fixture
async def rt(sqlite_settings: Settings, clock) -> AsyncIterator[Runtime]:
    runtime = await kb_runtime(sqlite_settings, clock)
    roles = StaticRoles(f"{YUE}=operator,{ANY}=operator,{ADMIN}=admin")
    runtime.bot.services.identity = DirectoryIdentity(runtime.db, roles)
    runtime.bot.services.handoff.config = HandoffConfig(
        operators_channel="matrix", operators_address=ROOM, skill_wait_minutes=5
    )
    recorded = {CANTONESE: nlu_result("human_agent", 0.95)}
    runtime.bot.services.nlu = NluService(RecordedParser(recorded), clock)
    yield runtime
    await runtime.close()


def as_(who: str, says: str, expect: Expect) -> Turn:
    return Turn(says, expect, who=who, channel="matrix")


async def inbox(rt: Runtime, channel: str, address: str) -> list[str]:
    async with rt.db.session() as s:
        return [r.text for r in await take_pending(s, [channel], rt.clock.now(), address=address)]


async def test_cantonese_conversation_lands_with_the_cantonese_operator(rt):
    await verify_dialog(
        rt,
        [
            as_(ADMIN, f"/坐席技能 {YUE} 粤语", f"已设置 {YUE} 的坐席技能：粤语"),
            as_(YUE, "/坐席技能", "您的坐席技能：粤语"),
            as_(ANY, f"/坐席技能 {ANY} 粤语", "仅限管理员"),
            ("yue-citizen", CANTONESE, re.compile(r"已为您安排粤语坐席。前面还有 0 位，预计等待约 \d+ 分钟")),
            ("plain-citizen", "人工", re.compile(r"正在为您转接人工客服[\s\S]*前面还有 0 位")),
            ("yue-2", CANTONESE, "已为您安排粤语坐席。前面还有 1 位"),
            as_(ANY, "/排队", re.compile(r"【粤语专席】#1[\s\S]*#2 rest[\s\S]*【粤语专席】#3")),
            as_(ANY, "/接入 1", "#1 为粤语专席对话，约 5 分钟内优先由粤语坐席接入"),
            as_(ANY, "/接入", "已接入 #2"),  # the plain one: the Cantonese ones wait for their desk
            as_(YUE, "/接入", re.compile(r"已接入 #1[\s\S]*唔该")),
        ],
    )
    yue_inbox = await inbox(rt, "matrix", YUE)
    assert any(t.startswith("【粤语专席】新的人工转接 #1") for t in yue_inbox), yue_inbox
    assert not any("#2" in t for t in yue_inbox)  # the skilled operator hears only about their desk
    async with rt.db.session() as s:
        rows = {h.id: h for h in await s.scalars(select(Handoff))}
    assert (rows[1].skill, rows[1].operator) == ("粤语", YUE)
    assert (rows[2].skill, rows[2].operator) == ("", ANY)
    assert rows[3].status == "waiting"

    # #3 is still reserved for the Cantonese desk; after the configured wait anyone may take it.
    await verify_dialog(rt, [as_(ANY, "/结束", "已交还"), as_(ANY, "/接入", "没有这个排队编号")])
    rt.clock.advance(timedelta(minutes=6))
    await verify_dialog(rt, [as_(ANY, "/接入", "已接入 #3")])


async def test_dialect_seen_later_in_the_queue_asks_for_the_desk(rt):
    await verify_dialog(
        rt,
        [
            as_(ADMIN, "/坐席技能 @hak:localhost 客家话，企业服务", "坐席技能：客家话、企业服务"),
            ("hak-citizen", "人工", re.compile(r"^((?!坐席).)*前面还有 0 位", re.S)),
            ("hak-citizen", HAKKA_LATER, "已为您安排客家话坐席。前面还有 0 位"),
            ("hak-citizen", "系么爱等好久", ["人工客服接入后会看到"]),  # told once, not at every message
        ],
    )
    assert "已为您安排" not in (await verify_dialog(rt, [("hak-citizen", "好", "人工客服接入后会看到")]))[0][0]
    async with rt.db.session() as s:
        h = await s.scalar(select(Handoff))
    assert h is not None and h.skill == "客家话"
    assert any("【客家话专席】" in t for t in await inbox(rt, "matrix", "@hak:localhost"))


async def test_skill_names_are_checked(rt):
    await verify_dialog(
        rt,
        [
            as_(ADMIN, f"/坐席技能 {YUE} " + "很" * 20, "太长"),
            as_(ADMIN, "/坐席技能 nobody 粤语", "客服地址无效"),
            as_(ADMIN, f"/坐席技能 {YUE} 无", "坐席技能：无"),
        ],
    )
