"""Table-driven dialogues through the bot with a recorded NLU double (no Rasa server needed).

The recorded answers are what the real Rasa model returns for these texts (see test_rasa.py for the
real server); the double lets these tests pin the routing, follow-ups, role checks and degraded mode.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from govchat.runtime import Runtime
from kernel.config import Settings
from kernel.identity import StaticRoles
from nlu.service import NluService
from tests.support.dialogue import verify_dialog
from tests.support.kb_rig import kb_runtime
from tests.support.nlu_double import RecordedParser, nlu_result

RECORDED: dict[str, dict[str, Any]] = {
    "同意 FW-2026-015，请办公室印发": nlu_result("approve_document"),
    "同意这个文": nlu_result("approve_document"),
    "这个文到哪了": nlu_result("query_document"),
    "我要投诉隔壁工地半夜施工": nlu_result("complain"),
    "讲个笑话听听": nlu_result("out_of_scope"),
    "GD2026111800123办得怎么样了": nlu_result("query_ticket"),
    "我的工单到哪一步了": nlu_result("query_ticket"),
    "那个东西怎么弄": nlu_result("nlu_fallback", 0.3, ranking=[("complain", 0.3), ("report", 0.2), ("suggest", 0.1)]),
    "楼下那个事情": nlu_result("nlu_fallback", 0.3, ranking=[("complain", 0.3), ("report", 0.2), ("suggest", 0.1)]),
    "请问居住证办理要带什么材料": nlu_result("ask_service", 0.9),
    # as the real NLU read this Cantonese "talk later" once
    "得闲再倾": nlu_result("nlu_fallback", 0.35, ranking=[("nlu_fallback", 0.35), ("ask_service", 0.3)]),
    "明天下午三点三楼会议室开会": nlu_result(
        "book_meeting", 0.9, [{"entity": "room", "value": "三楼会议室", "start": 6, "end": 11}]
    ),
}


@pytest.fixture
async def rig(sqlite_settings: Settings, clock) -> AsyncIterator[tuple[Runtime, RecordedParser]]:
    rt = await kb_runtime(sqlite_settings, clock)
    parser = RecordedParser(RECORDED, fallback=nlu_result("nlu_fallback", 0.2, ranking=[("ask_service", 0.2)]))
    rt.bot.services.nlu = NluService(parser, clock)
    rt.bot.services.identity = StaticRoles("rest:staff-1=staff")  # the channel is part of the key (issue 15)
    yield rt, parser
    await rt.close()


DIALOGUES = [
    ("citizen approves: refused politely", "citizen-1", [("同意 FW-2026-015，请办公室印发", "需要工作人员身份")]),
    (
        "staff without a directory entry: the document flow needs a person",
        "staff-1",
        [("同意 FW-2026-015，请办公室印发", "未登记为工作人员")],
    ),
    (
        "a document asked about without its number: the flow looks for the speaker's own, which needs a person",
        "staff-1",
        [("这个文到哪了", "未登记为工作人员")],
    ),
    (
        "approval without a doc id: the flow looks for the speaker's documents, which needs a directory person",
        "staff-1",
        [("同意这个文", "未登记为工作人员")],
    ),
    (
        "ticket status without an id: the citizen's own tickets are listed (none yet)",
        "citizen-2",
        [("我的工单到哪一步了", "没有查到您登记过的工单")],
    ),
    ("complaint starts the ticket dialogue", "citizen-3", [("我要投诉隔壁工地半夜施工", ["登记投诉工单", "具体地点"])]),
    ("chatter never becomes a ticket", "citizen-4", [("讲个笑话听听", "超出了我的服务范围")]),
    (
        "ticket id extracted by the product, not Rasa",
        "citizen-5",
        [("GD2026111800123办得怎么样了", "编号为 GD2026111800123 的工单")],
    ),
    ("service question answered by the KB", "citizen-6", [("请问居住证办理要带什么材料", "【居住证办理】")]),
    (
        "unsure: clarification with choices, then pick: what was said is kept as the report's content",
        "citizen-7",
        [("楼下那个事情", "您是想"), ("2", ["登记举报工单", "具体地点"])],
    ),
    (
        "unsure of a question the KB cannot answer: declined honestly, not a menu of intents",
        "citizen-9",
        [("那个东西怎么弄", re.compile("没有找到准确的答案[\\s\\S]*登记工单[\\s\\S]*人工"))],
    ),
    (
        "unsure, and the only choice would be the KB that just found nothing: said so, no menu of one",
        "citizen-10",
        [("得闲再倾", re.compile("^我不太确定您的意思。您可以直接说要办的事[\\s\\S]*人工"))],
    ),
    ("citizen cannot book a meeting", "citizen-8", [("明天下午三点三楼会议室开会", "需要工作人员身份")]),
    (
        "staff books: reaches the meeting flow (which needs a directory person)",
        "staff-1",
        [("明天下午三点三楼会议室开会", "未登记为工作人员")],
    ),
]


@pytest.mark.parametrize(("name", "sender", "turns"), [pytest.param(*d, id=d[0]) for d in DIALOGUES])
async def test_dialogue(rig, name, sender, turns):
    rt, _ = rig
    await verify_dialog(rt, turns, sender=sender)


async def test_degraded_mode_keeps_kb_and_commands_and_recovers(rig):
    rt, parser = rig
    parser.down = True
    await verify_dialog(
        rt,
        [
            ("请问居住证办理要带什么材料", "【居住证办理】"),
            ("/帮助", "我能帮您"),
            ("同意FW-2026-015", "智能语义理解暂时不可用"),
        ],
        sender="c9",
    )
    parser.down = False
    await verify_dialog(rt, [("同意 FW-2026-015，请办公室印发", "需要工作人员身份")], sender="c9")


@pytest.mark.parametrize("nlu", ["down", "off"])
async def test_without_nlu_a_plain_complaint_still_becomes_a_ticket(rig, nlu):
    rt, parser = rig
    if nlu == "down":
        parser.down = True
    else:
        rt.bot.services.nlu = None
    await verify_dialog(
        rt,
        [
            # the content is kept: next is where
            ("我要投诉，小区楼下烧烤店每天半夜很吵", ["登记投诉工单", "具体地点"]),
            ("梅江区江南路28号", "什么时候开始"),
            ("上个月开始", "手机号码"),
            ("13912345678", re.compile(r"请核对[\s\S]*烧烤店每天半夜很吵")),
            ("取消", "已取消登记"),
        ],
        sender="c10",
    )
    # Asking about complaining is a question (answered by the knowledge base, which has no such entry) ...
    await verify_dialog(rt, [("我要投诉应该打什么电话？", "没有找到准确的答案")], sender="c11")
    # ... and a bare trigger word is left to the usual entry, which asks what happened.
    await verify_dialog(rt, [("我要投诉", ["登记投诉工单", "请简要描述"])], sender="c12")
