"""Ticket lookup by code (issue 15, item 5): the owner's session, or a phone verified by a one-time code;
rate-limited; the same answer whether or not the phone filed the ticket."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator

import pytest

from bot.messages import Incoming
from govchat.runtime import Runtime, build_runtime
from kernel.config import Settings
from kernel.sms import ConsoleSms

PHONE = "13912345678"
STEPS = ["/投诉 隔壁工地半夜施工，吵得睡不着", "梅江区江南路28号", "上周开始，每晚十一点后", PHONE, "确认"]


@pytest.fixture
async def rt(sqlite_settings: Settings, clock) -> AsyncIterator[Runtime]:
    runtime = await build_runtime(
        dataclasses.replace(sqlite_settings, nlu_enabled=False), clock=clock, load_model=False
    )
    yield runtime
    await runtime.close()


async def say(rt: Runtime, sender: str, text: str, client: str = "") -> str:
    return "\n".join(r.text for r in await rt.bot.process(Incoming("web", sender, text, client=client)))


async def _file(rt: Runtime) -> str:
    answer = ""
    for text in STEPS:
        answer = await say(rt, "v-owner", text)
    m = re.search(r"GD\d{13}", answer)
    assert m is not None
    return m.group(0)


async def test_a_phone_must_be_verified_by_a_one_time_code(rt: Runtime) -> None:
    code = await _file(rt)
    sms = rt.bot.services.sms
    assert isinstance(sms, ConsoleSms)
    assert "状态" in await say(rt, "v-owner", f"/工单 {code}")  # the owner's session
    assert "没有查到" in await say(rt, "v-stranger", f"/工单 {code}")
    asked = await say(rt, "v-stranger", f"/工单 {code} {PHONE}")
    assert "验证码已发送" in asked and "状态" not in asked  # knowing the phone is not enough
    otp = re.search(r"验证码为 (\d{6})", sms.sent[-1][1])
    assert otp is not None and sms.sent[-1][0] == PHONE
    wrong = "000000" if otp.group(1) != "000000" else "111111"
    assert "不正确" in await say(rt, "v-stranger", wrong)
    shown = await say(rt, "v-stranger", otp.group(1))
    assert "状态" in shown and code in shown
    assert "状态" in await say(rt, "v-stranger", f"/工单 {code} {PHONE}")  # verified for a while: no new code


async def test_another_phone_gets_the_same_answer_and_no_text(rt: Runtime) -> None:
    code = await _file(rt)
    sms = rt.bot.services.sms
    assert isinstance(sms, ConsoleSms)
    before = len(sms.sent)
    right = await say(rt, "v-a", f"/工单 {code} {PHONE}")
    other = await say(rt, "v-b", f"/工单 {code} 13800001111")
    assert right.replace(PHONE[:3] + "****" + PHONE[-4:], "X") == other.replace("138****1111", "X")
    assert len(sms.sent) == before + 1  # only the ticket's own phone got a code


async def test_lookups_are_rate_limited_per_sender_and_per_address(rt: Runtime) -> None:
    answers = [await say(rt, "v-probe", f"/工单 GD20260929{n:05d}") for n in range(21)]
    assert "过于频繁" in answers[-1] and "过于频繁" not in answers[0]
    # a new identity per try does not help from one address
    answers = [await say(rt, f"v-fresh-{n}", f"/工单 GD20260929{n:05d}", client="203.0.113.9") for n in range(61)]
    assert "过于频繁" in answers[-1]


async def test_production_without_an_sms_gateway_does_not_trust_phones(rt: Runtime) -> None:
    code = await _file(rt)
    rt.bot.services.sms = None
    answer = await say(rt, "v-stranger", f"/工单 {code} {PHONE}")
    assert "暂不支持短信验证" in answer and "状态" not in answer


async def test_a_code_typed_on_its_own_is_looked_up(rt: Runtime) -> None:
    code = await _file(rt)
    for said in (code, f"查下{code}进度", f"{code.lower()} 点样了？", f"工单{code}怎么样了"):
        assert "状态" in await say(rt, "v-owner", said), said
    assert "没有查到" in await say(rt, "v-stranger", code)  # another's ticket: the same answer as /工单
    assert "状态" not in await say(rt, "v-owner", f"{code} 隔壁又开始施工了")  # more than a lookup: not taken
