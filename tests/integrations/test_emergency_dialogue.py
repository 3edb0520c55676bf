"""Emergencies first, through the real bot (verify_dialog on the REST channel): one immediate reply with the
right number, an urgent handoff for the operators, no KB answer, no ticket, and an open intake kept."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from govchat.runtime import Runtime
from integrations.emergency import FLAGGED, KEPT, NO_OPERATORS, OPERATOR_HERE
from kernel.config import Settings
from kernel.identity import StaticRoles
from kernel.outbox import take_pending
from nlu.service import NluService, preprocess
from office_flows.directory.resolver import DirectoryIdentity
from office_flows.handoff.models import Handoff, HandoffMessage
from office_flows.handoff.service import HandoffConfig
from office_flows.tickets.models import Ticket
from tests.support.dialogue import Expect, Turn, verify_dialog
from tests.support.kb_rig import QUESTION, kb_runtime
from tests.support.nlu_double import RecordedParser, nlu_result

OP = "@op:localhost"
ROOM = "!operators:localhost"
COMPLAINT = "我要投诉隔壁工地半夜施工"


RECORDED = {COMPLAINT: nlu_result("complain", ranking=[])}


def op(says: str, expect: Expect) -> Turn:
    """A turn of the operator, on Matrix."""
    return Turn(says, expect, who=OP, channel="matrix")


@pytest.fixture
async def rig(sqlite_settings: Settings, clock) -> AsyncIterator[tuple[Runtime, RecordedParser]]:
    rt = await kb_runtime(sqlite_settings, clock)
    # the complaint is a complaint, everything else an unsure fallback; the parser records what it was asked
    parser = RecordedParser(RECORDED, fallback=nlu_result("nlu_fallback", 0.2, ranking=[]))
    rt.bot.services.nlu = NluService(parser, clock)
    rt.bot.services.identity = DirectoryIdentity(rt.db, StaticRoles(f"{OP}=operator"))
    rt.bot.services.handoff.config = HandoffConfig(fail_limit=3, operators_channel="matrix", operators_address=ROOM)
    yield rt, parser
    await rt.close()


async def inbox(rt: Runtime, channel: str, address: str) -> list[str]:
    async with rt.db.session() as s:
        return [r.text for r in await take_pending(s, [channel], rt.clock.now(), address=address)]


async def tickets(rt: Runtime) -> int:
    async with rt.db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(Ticket)) or 0)


async def handoffs(rt: Runtime) -> list[Handoff]:
    async with rt.db.session() as s:
        return list(await s.scalars(select(Handoff).order_by(Handoff.id)))


async def test_emergency_as_first_message_gets_one_reply_the_number_and_an_urgent_handoff(rig):
    rt, parser = rig
    fire = re.compile(
        r"^【紧急】这可能是紧急情况（火灾）！请立即拨打 119 火警电话[\s\S]*不要乘坐电梯"
    )  # and safety advice
    [[reply]] = await verify_dialog(rt, [("救命！我家厨房着火了，火越来越大", fire)], sender="c1")
    assert FLAGGED in reply and KEPT not in reply  # nothing to keep: no intake was open
    assert parser.calls == []  # nothing after the emergency handler ran: no NLU, no KB
    assert await tickets(rt) == 0
    (h,) = await handoffs(rt)
    assert (h.reason, h.status, h.sender) == ("emergency:fire", "waiting", "c1")
    (alert,) = await inbox(rt, "matrix", ROOM)
    assert alert.startswith("【紧急】#1 疑似紧急警情（火灾），已提示市民拨打 119") and "/接入 1" in alert
    async with rt.db.session() as s:
        notes = [(m.author, m.text) for m in await s.scalars(select(HandoffMessage).order_by(HandoffMessage.id))]
    assert notes[0] == ("citizen", "救命！我家厨房着火了，火越来越大")
    assert notes[1][0] == "system" and "119" in notes[1][1]


async def test_emergency_mid_intake_interrupts_and_the_intake_resumes_where_it_was(rig):
    rt, _ = rig
    await verify_dialog(
        rt,
        [
            (COMPLAINT, ["登记投诉工单", "具体地点"]),
            # the citizen is told the registration is kept
            ("楼下有人拿刀砍人，快来", re.compile(f"（治安或刑事警情）！请立即拨打 110 报警电话[\\s\\S]*{KEPT}")),
        ],
        sender="c2",
    )
    assert await tickets(rt) == 0
    # The citizen leaves the operators' queue (or an operator returns the conversation): the intake goes on.
    await verify_dialog(
        rt,
        [
            ("取消", re.compile("^好的，已退出人工排队。还有什么可以帮您？$")),
            ("梅江区江南路28号", "什么时候开始"),
            ("上个月开始", "手机号码"),
            ("13912345678", re.compile(r"^(?=[\s\S]*隔壁工地半夜施工)(?=[\s\S]*江南路28号)(?=[\s\S]*类型：投诉)")),
            ("确认", "已为您登记工单"),
        ],
        sender="c2",
    )
    assert await tickets(rt) == 1  # the complaint, never the emergency
    (h,) = await handoffs(rt)
    assert (h.reason, h.status) == ("emergency:crime", "closed")


async def test_a_lookalike_is_not_an_emergency(rig):
    rt, parser = rig
    # an ordinary question the small KB cannot answer: declined, no emergency numbers
    await verify_dialog(rt, [("消防证怎么办", re.compile("^抱歉，这个问题我暂时没有找到准确的答案"))], sender="c3")
    assert parser.calls == [preprocess("消防证怎么办")]  # it went on to the ordinary chain
    assert await handoffs(rt) == []
    assert await tickets(rt) == 0
    await verify_dialog(rt, [(QUESTION, "【居住证办理】")], sender="c3")


@pytest.mark.parametrize(
    ("text", "label", "numbers"),
    [
        ("火烛呀，隔篱屋着咗火", "火灾", "119 火警电话"),  # Cantonese
        ("𠊎屋下着火了，快滴来", "火灾", "119 火警电话"),  # Hakka
        ("佢冇气了，快滴来救", "医疗急症", "120 急救电话"),  # Hakka
        ("阿爷晕咗，叫极都唔应", "医疗急症", "120 急救电话"),  # Cantonese
        ("有人打交，仲斩人", "治安或刑事警情", "110 报警电话"),  # Cantonese
        ("屋企石油气漏呀，好大味", "燃气泄漏", "119 火警电话"),  # Cantonese
        ("撞车呀，有人伤咗流紧血", "交通事故有人受伤", "122 交通事故报警电话和 120 急救电话"),
        ("有个细路跌落水", "溺水", "110 报警电话、119 火警电话和 120 急救电话"),
        ("我困咗喺𨋢入面，出唔到去", "人员被困", "119 火警电话"),
        ("家里然气泄露了，味道很大", "燃气泄漏", "119 火警电话"),  # typo
    ],
)
async def test_dialect_and_typo_emergencies_get_the_right_numbers(rig, text, label, numbers):
    rt, _ = rig
    await verify_dialog(rt, [(text, f"（{label}）！请立即拨打 {numbers}，")], sender="c4")
    assert await tickets(rt) == 0
    (h,) = await handoffs(rt)
    assert h.reason.startswith("emergency:")


async def test_gas_advice_and_an_operator_taking_the_urgent_conversation_first(rig):
    rt, _ = rig
    gas = re.compile(r"^(?=[\s\S]*不要开关任何电器)(?=[\s\S]*打开门窗通风)(?=[\s\S]*离开)")
    await verify_dialog(
        rt,
        [
            ("c5", "人工", "正在为您转接人工客服"),  # an ordinary handoff waits first …
            ("c6", "家里煤气泄漏了，满屋子都是味道", gas),
        ],
    )
    await inbox(rt, "matrix", ROOM)
    await verify_dialog(
        rt,
        [
            op("/接入", "已接入 #2"),  # … but the emergency is taken first
            # The operator's own words about the emergency are relayed, never intercepted as a new emergency.
            op("收到，煤气泄漏了请马上离开，不要开灯", []),
        ],
    )
    delivered = await inbox(rt, "rest", "c6")
    assert len(delivered) == 2 and "已接入" in delivered[0]
    assert delivered[1] == "【人工客服】收到，煤气泄漏了请马上离开，不要开灯"
    # A second emergency message while the operator holds the conversation: numbers again, operator alerted.
    again = re.compile(f"119[\\s\\S]*{OPERATOR_HERE}|{OPERATOR_HERE}[\\s\\S]*119")
    await verify_dialog(rt, [("c6", "煤气味越来越大了，有人晕倒了", again)])
    relayed = await inbox(rt, "matrix", OP)
    assert any(r.startswith("【#2 市民】") for r in relayed) and any(r.startswith("【紧急】#2") for r in relayed)
    assert len(await handoffs(rt)) == 2
    assert await tickets(rt) == 0


async def test_an_operator_discussing_an_emergency_is_not_reporting_one(rig):
    rt, _ = rig
    # an ordinary (unanswerable) message, not an emergency alert
    await verify_dialog(rt, [op("3号楼着火了，谁去跟进一下", re.compile("^抱歉，这个问题我暂时没有找到准确的答案"))])
    assert await handoffs(rt) == []


async def test_without_human_handoff_the_citizen_is_told_to_call_12345(rig):
    rt, _ = rig
    rt.bot.services.handoff.config = None
    told = re.compile(f"110 报警电话、119 火警电话和 120 急救电话[\\s\\S]*{re.escape(NO_OPERATORS)}")
    await verify_dialog(rt, [("有人溺水了，快来救", told)], sender="c7")
    assert await handoffs(rt) == []
