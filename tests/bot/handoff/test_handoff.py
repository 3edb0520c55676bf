"""Human handoff through the bot: any channel's citizen, an operator on Matrix, nothing lost."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from govchat.app import create_app
from govchat.runtime import Runtime
from kernel.config import Settings
from kernel.identity import StaticRoles
from kernel.outbox import take_pending
from office_flows.directory.resolver import DirectoryIdentity
from office_flows.handoff.models import Handoff, HandoffMessage
from office_flows.handoff.service import HandoffConfig
from tests.support.dialogue import Expect, Turn, verify_dialog
from tests.support.kb_rig import QUESTION, kb_runtime

OP = "@op:localhost"
ROOM = "!operators:localhost"


@pytest.fixture
async def rt(sqlite_settings: Settings, clock) -> AsyncIterator[Runtime]:
    runtime = await kb_runtime(sqlite_settings, clock)
    runtime.bot.services.identity = DirectoryIdentity(runtime.db, StaticRoles(f"{OP}=operator"))
    runtime.bot.services.handoff.config = HandoffConfig(
        fail_limit=2, operators_channel="matrix", operators_address=ROOM
    )
    yield runtime
    await runtime.close()


def op(says: str, expect: Expect) -> Turn:
    """A turn of the operator, on Matrix."""
    return Turn(says, expect, who=OP, channel="matrix")


async def inbox(rt: Runtime, channel: str, address: str) -> list[str]:
    async with rt.db.session() as s:
        return [r.text for r in await take_pending(s, [channel], rt.clock.now(), address=address)]


async def test_handoff_round_trip_relays_both_ways_and_keeps_everything(rt):
    await verify_dialog(rt, [("web-1", "人工", "正在为您转接人工客服")])
    (announce,) = await inbox(rt, "matrix", ROOM)
    assert "/接入 1" in announce and "web-1" not in announce  # operators never see a citizen's chat id
    answers = await verify_dialog(
        rt,
        [
            ("web-1", "我的社保卡丢了", "人工客服接入后会看到"),
            op("/排队", "排队等待"),
            op("/接入 1", re.compile(r"\[市民\] 人工[\s\S]*\[市民\] 我的社保卡丢了")),
        ],
    )
    [taken] = answers[2]
    assert "已接入" in taken
    assert any("已接入" in t for t in await inbox(rt, "rest", "web-1"))

    await verify_dialog(rt, [("web-1", QUESTION, [])])  # a human owns it: the bot is silent
    assert await inbox(rt, "matrix", OP) == [f"【#1 市民】{QUESTION}"]
    await verify_dialog(rt, [op("您好，请带身份证到服务大厅", [])])
    assert await inbox(rt, "rest", "web-1") == ["【人工客服】您好，请带身份证到服务大厅"]

    await verify_dialog(rt, [op("/结束", "已交还")])
    assert any("已结束本次对话" in t for t in await inbox(rt, "rest", "web-1"))
    await verify_dialog(rt, [("web-1", QUESTION, "【居住证办理】")])  # the bot answers again

    async with rt.db.session() as s:
        h = await s.scalar(select(Handoff))
        assert h is not None and h.status == "returned" and h.operator == OP
        authors = [m.author for m in await s.scalars(select(HandoffMessage).order_by(HandoffMessage.id))]
    assert authors == ["citizen", "citizen", "system", "citizen", "operator", "system"]


async def test_repeated_failures_hand_over_and_citizen_may_leave_the_queue(rt):
    citizen = "@c:localhost"
    await verify_dialog(
        rt,
        [("火星移民怎么申请", "没有找到准确的答案"), ("月球户口怎么办", "转接人工客服")],
        channel="matrix",
        sender=citizen,
    )
    async with rt.db.session() as s:
        h = await s.scalar(select(Handoff))
        assert h is not None and h.reason == "failures" and h.status == "waiting"
    await verify_dialog(
        rt, [("取消", "已退出人工排队"), (QUESTION, "【居住证办理】")], channel="matrix", sender=citizen
    )


async def test_a_citizen_leaves_the_queue_in_other_words(rt):
    """ "算了唔使了" in the queue used to be passed on to the operator: two cancel words are a cancel."""
    citizen = "@q:localhost"
    await verify_dialog(
        rt,
        [
            ("火星移民怎么申请", "没有找到准确的答案"),
            ("月球户口怎么办", "转接人工客服"),
            ("算了唔使了", "已退出人工排队"),
        ],
        channel="matrix",
        sender=citizen,
    )


async def test_an_answer_resets_the_failure_count(rt):
    await verify_dialog(
        rt,
        [
            ("火星移民怎么申请", "没有找到准确的答案"),
            (QUESTION, "【居住证办理】"),
            ("月球户口怎么办", "没有找到准确的答案"),
        ],
        sender="c2",
    )


async def test_operator_commands_are_for_operators_only_and_take_is_checked(rt):
    await verify_dialog(
        rt,
        [
            ("c3", "/接入 1", "仅限人工客服"),
            op("/接入 99", "没有这个排队编号"),
            op("/接入 abc", "请输入排队编号"),
            op("/排队", "当前没有排队"),
            ("c3", "人工", "正在为您转接人工客服"),
            ("c4", "人工", "正在为您转接人工客服"),
            op("/接入", "已接入 #1"),
            op("/接入 2", "请先 /结束"),
        ],
    )


async def test_web_chat_polls_operator_replies(rt):
    """The page's own (cookie) identity reads its messages; each stays until acknowledged by id (issue 15)."""
    client: TestClient[Any, Any] = TestClient(TestServer(create_app(rt, background=False)))
    await client.start_server()
    try:
        await client.post("/webhooks/rest/webhook", json={"message": "人工"})
        await verify_dialog(rt, [op("/接入 1", "已接入 #1"), op("请问您要办什么业务？", [])])
        messages = await (await client.get("/webhooks/rest/outbox")).json()
        assert messages[-1]["text"] == "【人工客服】请问您要办什么业务？"
        assert await (await client.get("/webhooks/rest/outbox")).json() == []  # leased to the first poll
        ack = await client.post("/webhooks/rest/outbox/ack", json={"ids": [m["id"] for m in messages]})
        assert (await ack.json())["acknowledged"] == len(messages)
        rt.clock.advance(timedelta(minutes=5))
        assert await (await client.get("/webhooks/rest/outbox")).json() == []  # delivered: never again
    finally:
        await client.close()
