"""Table-driven dialogues through the bot with a recorded NLU double (no Rasa server needed).

The recorded answers are what the real Rasa model returns for these texts (see test_rasa.py for the
real server); the double lets these tests pin the routing, follow-ups, role checks and degraded mode.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.messages import Incoming
from govchat.runtime import Runtime
from kernel.config import Settings
from kernel.identity import StaticRoles
from nlu.client import NluUnavailable
from nlu.service import NluService, preprocess
from tests.kb_rig import kb_runtime


def _parse(
    intent: str,
    conf: float = 0.95,
    entities: list[dict[str, Any]] | None = None,
    ranking: list[tuple[str, float]] | None = None,
) -> dict[str, Any]:
    return {
        "intent": {"name": intent, "confidence": conf},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in (ranking or [(intent, conf)])],
        "entities": entities or [],
    }


RECORDED: dict[str, dict[str, Any]] = {
    "同意 FW-2026-015，请办公室印发": _parse("approve_document"),
    "同意这个文": _parse("approve_document"),
    "我要投诉隔壁工地半夜施工": _parse("complain"),
    "讲个笑话听听": _parse("out_of_scope"),
    "GD2026111800123办得怎么样了": _parse("query_ticket"),
    "我的工单到哪一步了": _parse("query_ticket"),
    "那个东西怎么弄": _parse("nlu_fallback", 0.3, ranking=[("complain", 0.3), ("report", 0.2), ("suggest", 0.1)]),
    "请问居住证办理要带什么材料": _parse("ask_service", 0.9),
    "明天下午三点三楼会议室开会": _parse(
        "book_meeting", 0.9, [{"entity": "room", "value": "三楼会议室", "start": 6, "end": 11}]
    ),
}


class RecordedParser:
    def __init__(self) -> None:
        self.down = False
        self.calls = 0

    async def parse(self, text: str) -> dict[str, Any]:
        self.calls += 1
        if self.down:
            raise NluUnavailable("connection refused")
        recorded = {preprocess(k): v for k, v in RECORDED.items()}
        return recorded.get(text, _parse("nlu_fallback", 0.2, ranking=[("ask_service", 0.2)]))


@pytest.fixture
async def rig(sqlite_settings: Settings, clock) -> AsyncIterator[tuple[Runtime, RecordedParser]]:
    rt = await kb_runtime(sqlite_settings, clock)
    parser = RecordedParser()
    rt.bot.services.nlu = NluService(parser, clock)
    rt.bot.services.identity = StaticRoles("staff-1=staff")
    yield rt, parser
    await rt.close()


async def talk(rt: Runtime, sender: str, text: str) -> str:
    return "\n".join(r.text for r in await rt.bot.process(Incoming("rest", sender, text)))


DIALOGUES = [
    ("citizen approves: refused politely", "citizen-1", [("同意 FW-2026-015，请办公室印发", "需要工作人员身份")]),
    (
        "staff without a directory entry: the document flow needs a person",
        "staff-1",
        [("同意 FW-2026-015，请办公室印发", "未登记为工作人员")],
    ),
    (
        "missing doc id is asked for, then completed",
        "staff-1",
        [("同意这个文", "请问是哪份公文"), ("FW-2026-016", "未登记为工作人员")],
    ),
    ("missing ticket id, cancelled", "citizen-2", [("我的工单到哪一步了", "请问是哪张工单"), ("取消", "已取消")]),
    ("complaint starts the ticket dialogue", "citizen-3", [("我要投诉隔壁工地半夜施工", "登记投诉工单")]),
    ("chatter never becomes a ticket", "citizen-4", [("讲个笑话听听", "超出了我的服务范围")]),
    (
        "ticket id extracted by the product, not Rasa",
        "citizen-5",
        [("GD2026111800123办得怎么样了", "编号为 GD2026111800123 的工单")],
    ),
    ("service question answered by the KB", "citizen-6", [("请问居住证办理要带什么材料", "【居住证办理】")]),
    (
        "unsure: clarification with choices, then pick",
        "citizen-7",
        [("那个东西怎么弄", "您是想"), ("2", "登记举报工单")],
    ),
    ("citizen cannot book a meeting", "citizen-8", [("明天下午三点三楼会议室开会", "需要工作人员身份")]),
    (
        "staff books: reaches the meeting flow (which needs a directory person)",
        "staff-1",
        [("明天下午三点三楼会议室开会", "未登记为工作人员")],
    ),
]


@pytest.mark.parametrize(("name", "sender", "turns"), DIALOGUES, ids=[d[0] for d in DIALOGUES])
async def test_dialogue(rig, name, sender, turns):
    rt, _ = rig
    for says, expected in turns:
        answer = await talk(rt, sender, says)
        assert expected in answer, f"{name}: {says!r} → {answer!r}"


async def test_degraded_mode_keeps_kb_and_commands_and_recovers(rig, caplog):
    rt, parser = rig
    parser.down = True
    assert "【居住证办理】" in await talk(rt, "c9", "请问居住证办理要带什么材料")
    assert "我能帮您" in await talk(rt, "c9", "/帮助")
    declined = await talk(rt, "c9", "同意FW-2026-015")
    assert "智能语义理解暂时不可用" in declined
    parser.down = False
    assert "需要工作人员身份" in await talk(rt, "c9", "同意 FW-2026-015，请办公室印发")


@pytest.mark.parametrize("nlu", ["down", "off"])
async def test_without_nlu_a_plain_complaint_still_becomes_a_ticket(rig, nlu):
    rt, parser = rig
    if nlu == "down":
        parser.down = True
    else:
        rt.bot.services.nlu = None
    started = await talk(rt, "c10", "我要投诉，小区楼下烧烤店每天半夜很吵")
    assert "登记投诉工单" in started and "具体地点" in started  # the content is kept: next is where
    await talk(rt, "c10", "梅江区江南路28号")
    await talk(rt, "c10", "上个月开始")
    summary = await talk(rt, "c10", "13912345678")
    assert "请核对" in summary and "烧烤店每天半夜很吵" in summary
    await talk(rt, "c10", "取消")
    # Asking about complaining is a question, and a bare trigger word is left to the usual entry.
    assert "登记投诉工单" not in await talk(rt, "c11", "我要投诉应该打什么电话？")
    assert "请简要描述" in await talk(rt, "c12", "我要投诉")
