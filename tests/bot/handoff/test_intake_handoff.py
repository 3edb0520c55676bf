"""Asking for a person in the middle of a ticket intake: at every step the request hands the citizen to an
operator (with the unfinished ticket in the transcript) instead of being stored as the step's answer; a place
or a complaint that merely contains 人工 in another sense stays what it is."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from govchat.runtime import Runtime
from kernel.config import Settings
from kernel.identity import StaticRoles
from office_flows.directory.resolver import DirectoryIdentity
from office_flows.handoff.models import Handoff, HandoffMessage
from office_flows.handoff.service import HandoffConfig
from office_flows.tickets.models import Ticket
from tests.support.dialogue import Turn, verify_dialog
from tests.support.kb_rig import kb_runtime

OP = "@op:localhost"
CONTENT = "楼下烧烤店每晚油烟很大，熏得没法开窗"
ASK_CONTENT = "发生了什么"
ASK_PLACE = "具体地点在哪里"
ASK_TIME = "从什么时候开始"
ASK_PHONE = "留下手机号码"
READ_BACK = "请核对您要登记的工单"
KEPT = "工单还没有提交，登记先停在这里。您已填写的内容已转给人工客服"
QUEUED = "正在为您转接人工客服"
STILL_WAITING = "人工客服接入后会看到您的消息"
DESKS = {"我想搵真人": "粤语", "搵人工": "粤语", "𠊎爱同人工讲": "客家话"}  # the dialect desk the wording asks for


@pytest.fixture
async def rt(sqlite_settings: Settings, clock) -> AsyncIterator[Runtime]:
    runtime = await kb_runtime(sqlite_settings, clock)
    runtime.bot.services.identity = DirectoryIdentity(runtime.db, StaticRoles(f"{OP}=operator"))
    runtime.bot.services.handoff.config = HandoffConfig(skill_wait_minutes=0)  # any operator may take a dialect desk
    yield runtime
    await runtime.close()


# The intake up to each step, as (citizen says, the bot asks); the last one leaves the intake at that step.
TO_ADDRESS = [("我要投诉", ["登记投诉工单", ASK_CONTENT]), (CONTENT, ASK_PLACE)]
TO_SINCE = [*TO_ADDRESS, ("梅江区江南路28号", ASK_TIME)]
TO_PHONE = [*TO_SINCE, ("上周开始，每晚十点后", ASK_PHONE)]
TO_CONFIRM = [*TO_PHONE, ("13912345678", READ_BACK)]
TO_FIX = [*TO_CONFIRM, ("修改", "要修改哪一项")]


async def transcript(rt: Runtime) -> list[tuple[str, str]]:
    async with rt.db.session() as s:
        rows = await s.scalars(select(HandoffMessage).order_by(HandoffMessage.id))
        return [(m.author, m.text) for m in rows]


async def tickets(rt: Runtime) -> int:
    async with rt.db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(Ticket)) or 0)


@pytest.mark.parametrize(
    ("before", "asks", "filled"),
    [
        (TO_ADDRESS, "转人工", ["内容：" + CONTENT]),  # Mandarin
        (TO_ADDRESS, "我要人工", ["内容：" + CONTENT]),
        (TO_SINCE, "我想搵真人", ["地点：梅江区江南路28号"]),  # Cantonese
        (TO_SINCE, "同我转人工啦", ["地点：梅江区江南路28号"]),
        (TO_PHONE, "𠊎爱同人工讲", ["时间：上周开始，每晚十点后"]),  # Hakka
        (TO_PHONE, "爱真人", ["时间：上周开始，每晚十点后"]),
        (TO_CONFIRM, "转人攻", ["电话：13912345678"]),  # a slip of the keyboard
        (TO_CONFIRM, "搵人工", ["电话：13912345678"]),
        (TO_FIX, "找真人", ["内容：" + CONTENT, "电话：13912345678"]),
        (TO_SINCE, "机器人太笨了我要转人工", ["地点：梅江区江南路28号"]),  # a request ending a longer clause
        (TO_PHONE, "问来问去都唔明你同我转人工啦", ["时间：上周开始，每晚十点后"]),
    ],
    ids=[
        "address-zh",
        "address-zh2",
        "since-yue",
        "since-yue2",
        "phone-hak",
        "phone-hak2",
        "confirm-typo",
        "confirm-yue",
        "fix-zh",
        "since-clause-zh",
        "phone-clause-yue",
    ],
)
async def test_asking_for_a_person_mid_intake_hands_over_with_the_draft(
    rt: Runtime, before: list[tuple[str, object]], asks: str, filled: list[str]
) -> None:
    await verify_dialog(
        rt,
        [
            *before,
            (asks, [KEPT, QUEUED]),  # what became of the ticket, then the queue
            ("门口那家叫老王烧烤", STILL_WAITING),  # the next message goes to the operator, not the intake
            Turn(
                "/接入 1",
                re.compile(r"已接入 #1[\s\S]*\[系统\] 市民登记投诉工单时要求转人工，工单未提交"),
                who=OP,
                channel="matrix",
            ),
        ],
        sender="citizen-1",
    )
    said = await transcript(rt)
    assert said[0] == ("citizen", asks)
    author, note = said[1]
    assert author == "system" and all(line in note for line in filled), note
    assert asks not in note.replace("要求转人工", "")  # the request was never taken as a field
    assert said[2] == ("citizen", "门口那家叫老王烧烤")
    assert await tickets(rt) == 0  # nothing was registered
    async with rt.db.session() as s:
        h = await s.scalar(select(Handoff))
        assert h is not None and h.reason == "asked" and h.skill == DESKS.get(asks, "")


async def test_asking_for_a_person_before_anything_was_said_registers_nothing(rt: Runtime) -> None:
    await verify_dialog(
        rt,
        [("我要投诉", ["登记投诉工单", ASK_CONTENT]), ("人工", ["还没有提交任何内容", QUEUED]), ("喂", STILL_WAITING)],
        sender="citizen-2",
    )
    assert [a for a, _ in await transcript(rt)] == ["citizen", "citizen"]  # no empty draft for the operator
    assert await tickets(rt) == 0


async def test_other_senses_of_the_word_are_answers_not_requests(rt: Runtime) -> None:
    content = "我不用转人工，就想投诉人工智能公司噪音扰民"  # a refused request is content
    answers = await verify_dialog(
        rt,
        [
            ("我要投诉", ["登记投诉工单", ASK_CONTENT]),
            (content, ASK_PLACE),
            ("人工湖旁边", ASK_TIME),
            ("上周开始", ASK_PHONE),
            ("13912345678", READ_BACK),
            ("确认", re.compile(r"已为您登记工单 GD\d{13}")),
        ],
        sender="citizen-3",
    )
    read_back = answers[4][0]
    assert f"内容：{content}" in read_back and "地点：人工湖旁边" in read_back
    async with rt.db.session() as s:
        ticket = await s.scalar(select(Ticket))
        assert ticket is not None and (ticket.content, ticket.address) == (content, "人工湖旁边")
        assert await s.scalar(select(func.count()).select_from(Handoff)) == 0


async def test_without_a_handoff_service_the_intake_goes_on(rt: Runtime) -> None:
    rt.bot.services.handoff.config = None
    await verify_dialog(
        rt,
        [
            *TO_ADDRESS,
            ("转人工", ["人工客服暂未开通", "我们继续刚才的登记：请问具体地点在哪里"]),
            ("梅江区江南路28号", ASK_TIME),
        ],
        sender="citizen-4",
    )


async def test_outside_an_intake_the_same_wordings_hand_over(rt: Runtime) -> None:
    await verify_dialog(
        rt,
        [("我想搵真人", re.compile(f"{QUEUED}[\\s\\S]*已为您安排粤语坐席")), ("喂", STILL_WAITING)],
        sender="citizen-5",
    )
