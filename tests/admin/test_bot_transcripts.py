"""Bot transcripts end to end (issue 18): colloquial and Cantonese dialogues through the real Bot entry point are
recorded (masked, grouped by idle time), inspected by the quality tick once idle-closed (a loop, an unanswered
request for a person, nothing in a clean conversation), shown on the console's transcript page and counted in
/质检; a storage failure loses no reply; /预警 lists and shows the 未诉先办 alerts."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from govchat.app import RUNTIME, create_app
from govchat.runtime import Runtime, build_runtime
from kernel.config import Settings
from kernel.db import Database
from kernel.identity import StaticRoles
from office_flows.alerts.models import TopicAlert
from office_flows.directory.resolver import DirectoryIdentity
from office_flows.handoff.service import HandoffConfig
from office_flows.quality.models import BOT, BOT_OPERATOR, Finding, Inspection
from office_flows.transcripts.models import BotConversation, BotTurn
from office_flows.transcripts.store import TranscriptStore, user_key
from tests.support.admin_rig import login, seed, seed_rated_tickets
from tests.support.dialogue import Turn, verify_dialog

SUP = "@sup:localhost"
CITIZEN = "@citizen:localhost"
LOOPY, STUCK, CLEAN = "web-loopy", "web-stuck", "web-clean"
DECLINED = "没有找到准确的答案"
NOT_UNDERSTOOD = "我没有看懂这条消息"


@pytest.fixture
async def client(sqlite_settings: Settings, clock: Any) -> AsyncIterator[TestClient[Any, Any]]:
    runtime = await build_runtime(sqlite_settings, clock=clock, load_model=False)
    await seed(runtime)
    runtime.bot.services.handoff.config = HandoffConfig()
    runtime.bot.services.identity = DirectoryIdentity(
        runtime.db, StaticRoles(f"{SUP}=supervisor"), staff_channels=frozenset({"web", "matrix"})
    )
    async with TestClient(TestServer(create_app(runtime, background=False))) as c:
        yield c


def sup(says: str, expect: Any) -> Turn:
    return Turn(says, expect, who=SUP, channel="matrix")


async def conversations(rt: Runtime, sender: str, channel: str = "rest") -> list[BotConversation]:
    async with rt.db.session() as s:
        q = select(BotConversation).where(BotConversation.user_key == user_key(channel, sender))
        return list(await s.scalars(q.order_by(BotConversation.id)))


async def turns(rt: Runtime, conversation_id: int) -> list[BotTurn]:
    async with rt.db.session() as s:
        q = select(BotTurn).where(BotTurn.conversation_id == conversation_id).order_by(BotTurn.seq)
        return list(await s.scalars(q))


async def findings(rt: Runtime, conversation_id: int) -> list[Finding]:
    async with rt.db.session() as s:
        q = (
            select(Finding)
            .join(Inspection, Inspection.id == Finding.inspection_id)
            .where(Inspection.subject == BOT, Inspection.ref == str(conversation_id))
            .order_by(Finding.id)
        )
        return list(await s.scalars(q))


async def test_dialogues_are_recorded_inspected_and_shown(client: TestClient[Any, Any]) -> None:
    rt = client.app[RUNTIME]
    # A citizen in Cantonese, with an ID number; the bot does not understand "？？？" three times running,
    # then the citizen vents and asks, in a way the bot does not read as a request ("系咪冇真人"), whether a real
    # person is there, and gets the KB's decline instead of a handoff.
    await verify_dialog(
        rt,
        [
            ("你好", "智能助手"),
            ("唔该，办居住证要带咩材料呀？", "政务服务中心"),
            ("我身份证号441402199001011234，居住证点样办", DECLINED),
            ("？？？", NOT_UNDERSTOOD),
            ("？？？", NOT_UNDERSTOOD),
            ("？？？", NOT_UNDERSTOOD),
            ("你哋啲机器人乜都唔识，系咪冇真人㗎", DECLINED),
        ],
        sender=LOOPY,
    )
    # The same unrecognised request in the middle of a ticket intake is taken for an answer: no handoff.
    # (A plain "转人工" there hands over: tests/bot/handoff/test_intake_handoff.py.)
    await verify_dialog(
        rt,
        [
            ("我要投诉楼下半夜装修好嘈", ["登记投诉工单", "具体地点在哪里"]),
            ("你哋系咪冇真人喺度", "不像一个地点"),
            ("取消", "已取消登记"),
        ],
        sender=STUCK,
    )
    # A clean conversation: a question, a pick, thanks.
    await verify_dialog(
        rt,
        [
            ("你好", "智能助手"),
            ("居住证喺边度办", "政务服务中心"),
            ("个体户执照去边度办", "市场监督管理局"),
            ("多谢", "不客气"),
        ],
        sender=CLEAN,
    )
    # The supervisor's commands are staff work, not a citizen's conversation: not recorded.
    await verify_dialog(rt, [sup("/质检", "本月暂无质检结果")])
    assert await conversations(rt, SUP, "matrix") == []

    [loopy] = await conversations(rt, LOOPY)
    said = await turns(rt, loopy.id)
    assert [t.seq for t in said] == list(range(1, 8)) and loopy.turns == 7 and loopy.failures == 0
    assert said[2].text == "我身份证号441402********1234，居住证点样办"  # masked before it was stored
    assert "441402199001011234" not in str([t.replies for t in said])
    assert [t.kb for t in said] == ["", "answer", "decline", "", "", "", "decline"]
    assert said[0].handler == "welcome" and said[3].handler == "junk" and not any(t.failure for t in said)
    assert said[3].replies == said[4].replies == said[5].replies and NOT_UNDERSTOOD in said[3].replies[0]
    [clean] = await conversations(rt, CLEAN)
    assert [t.kb for t in await turns(rt, clean.id)] == ["", "answer", "answer", ""]
    [stuck] = await conversations(rt, STUCK)

    # Not idle yet: nothing inspected. Idle for the configured 30 minutes: each conversation once.
    assert (await rt.ticker.tick())["quality"] == 0
    rt.clock.advance(timedelta(minutes=31))
    assert (await rt.ticker.tick())["quality"] == 3
    assert (await rt.ticker.tick())["quality"] == 0
    loop, human = await findings(rt, loopy.id)
    assert loop.rule == "bot_loop" and loop.evidence["turns"] == [4, 5, 6] and NOT_UNDERSTOOD in loop.evidence["quote"]
    assert (
        human.rule == "bot_human_unanswered"
        and human.evidence["turn"] == 7
        and human.evidence["phrases"] == ["真人", "乜都唔识"]
    )
    [stuck_finding] = await findings(rt, stuck.id)
    assert stuck_finding.rule == "bot_human_unanswered" and stuck_finding.evidence["quote"] == "你哋系咪冇真人喺度"
    assert await findings(rt, clean.id) == []

    # A later message after the idle time opens a new conversation.
    await verify_dialog(rt, [("你好", "智能助手")], sender=CLEAN)
    assert len(await conversations(rt, CLEAN)) == 2

    # Chat: /质检 counts the bot's conversations; the bot has its own row among the operators.
    await verify_dialog(
        rt,
        [
            sup(
                "/质检",
                re.compile(
                    r"机器人对话：已检 3 次，平均 80\.0 分，有必改问题的 2 次；[\s\S]*机器人重复回复[\s\S]*智能机器人"
                ),
            )
        ],
    )

    # Console: the findings link to the transcript page, which shows the turns in order, masked.
    await login(client, "supervisor")
    listed = await (await client.get(f"/admin/quality/findings?operator={BOT_OPERATOR}")).text()
    assert f'href="/admin/quality/bot/{loopy.id}"' in listed and "机器人重复回复（对话打转）" in listed
    page = await (await client.get(f"/admin/quality/bot/{loopy.id}")).text()
    assert page.index("第 1 轮") < page.index("第 4 轮") < page.index("第 7 轮")
    assert "441402********1234" in page and "441402199001011234" not in page
    assert "连续 3 次给出同样的回复" in page and "系咪冇真人" in page and "知识库 拒答" in page
    missing = await client.get("/admin/quality/bot/999", allow_redirects=False)
    assert "没有机器人对话 #999" in unquote(missing.headers["Location"])

    # Retention: past 180 days the transcripts are purged; the inspection stays, the page says so.
    rt.clock.advance(timedelta(days=181))
    assert (await rt.ticker.tick())["transcripts"] == 4
    async with rt.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(BotTurn)) == 0
    await login(client, "supervisor")  # the console session expired meanwhile
    page = await (await client.get(f"/admin/quality/bot/{loopy.id}")).text()
    assert "已超过保存期限被清除" in page and "连续 3 次给出同样的回复" in page


async def test_a_storage_failure_loses_no_reply(client: TestClient[Any, Any], caplog: pytest.LogCaptureFixture) -> None:
    rt = client.app[RUNTIME]
    broken = Database("sqlite+aiosqlite:////nonexistent-govchat-dir/transcripts.db")
    rt.bot.services.transcripts = TranscriptStore(broken, rt.clock)
    with caplog.at_level(logging.ERROR):
        await verify_dialog(rt, [("你好呀", "智能助手"), ("居住证点样办", "政务服务中心")], sender=CLEAN)
    assert caplog.text.count("recording a rest turn in the transcript failed") == 2
    await broken.dispose()


async def test_alerts_in_chat(client: TestClient[Any, Any]) -> None:
    rt = client.app[RUNTIME]
    await verify_dialog(
        rt, [sup("/预警", "目前没有未诉先办预警"), Turn("/预警", "仅限督办人员", who=CITIZEN, channel="matrix")]
    )
    codes = await seed_rated_tickets(rt)
    every = codes["good"] + codes["bad"]
    now = rt.clock.now()
    async with rt.db.session() as s:
        alert = TopicAlert(
            day=now.date().isoformat(),
            created_at=now,
            updated_at=now,
            scope="place",
            place="梅江区东路",
            title="夜间施工噪音扰民",
            reason="growth",
            current=6,
            baseline=1.5,
            departments=["MJ-CGJ"],
            codes=every,
        )
        s.add(alert)
        await s.flush()
        alert_id = alert.id
    await verify_dialog(
        rt,
        [
            sup(
                "/预警",
                re.compile(
                    rf"当前未诉先办预警 1 条：\n#{alert_id} 梅江区东路：“夜间施工噪音扰民”，近期 6 件，"
                    rf"基线周均 1\.5 件（4\.0 倍）；工单 {every[0]}、{every[1]}、{every[2]}\n"
                ),
            ),
            sup(
                f"/预警 {alert_id}",
                re.compile(rf"预警 #{alert_id}[\s\S]*涉及工单 3 张[\s\S]*{every[2]} \S+ 梅江区东路2号夜间施工噪音扰民"),
            ),
            sup("/预警 999", "没有编号为 999 的预警"),
            sup("/预警 东路", "预警编号应为数字"),
            Turn(f"/预警 {alert_id}", "仅限督办人员", who=CITIZEN, channel="matrix"),
        ],
    )
    # Two windows later the alert is no longer current.
    rt.clock.advance(timedelta(days=15))
    await verify_dialog(rt, [sup("/预警", "目前没有未诉先办预警")])
