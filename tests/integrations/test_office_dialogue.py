"""Table-driven office dialogues through the bot: (who, says, what the bot answers), checked by verify_dialog.

Explicit commands need no NLU; free text goes through a recorded NLU double (what Rasa returns for
these sentences) into the flows registered with FlowRegistry. Each table is one story, in order.
"""

from __future__ import annotations

import functools
import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, update

from govchat.runtime import Runtime, build_runtime
from kernel.clock import FakeClock
from kernel.config import Settings
from kernel.outbox import OutboxMessage
from nlu.service import NluService
from office_flows.documents.models import Document
from office_flows.meetings.models import MeetingEvent
from office_flows.notices.models import Notice
from tests.support.dialogue import verify_dialog as _verify_dialog
from tests.support.nlu_double import RecordedParser, nlu_result
from tests.support.office_rig import SENDERS, seed_demo

# The demo people speak on the web chat (identities the server issues: the demo sign-in), as do the citizens.
verify_dialog = functools.partial(_verify_dialog, channel="web")

RECORDED = {
    "我有哪些待办": nlu_result("list_todo", 0.93),
    "同意 FW-2026-001，请办公室印发": nlu_result("approve_document", 0.93),
    "把 FW-2026-001 转给刘洋办理": nlu_result("delegate_task", 0.93, {"person": "刘洋"}),
    "FW-2026-001 想征求一下王强的意见": nlu_result("delegate_task", 0.93, {"person": "王强"}),
    "FW-2026-001 现在到哪了": nlu_result("query_document", 0.93),
    "请赖科长对 FW-2026-001 加签": nlu_result("delegate_task", 0.93, {"person": "赖科长"}),
    "退回 FW-2026-001，缺少附件": nlu_result("reject_document", 0.93),
    "明天下午三点在三楼会议室开一小时会，请李娜、刘洋参加，议题是汛期值班": nlu_result(
        "book_meeting", 0.93, {"room": "三楼会议室"}
    ),
    "HY-2026-0001 我请假，出差": nlu_result("rsvp_meeting", 0.93),
    "我最近有什么会": nlu_result("query_meetings", 0.93),
    "我听日有咩会": nlu_result("query_meetings", 0.9),
    "下周一有冇会": nlu_result("query_meetings", 0.9),
    "我呢个礼拜有咩会": nlu_result("query_meetings", 0.9),
    "下个礼拜有冇会要开": nlu_result("query_meetings", 0.9),
    "改好了，重新提交：各单位请做好汛期值班，附值班表": nlu_result("resubmit_document", 0.93),
    "再送审一次": nlu_result("resubmit_document", 0.93),
    # meetings named by their words (no code)
    "明天的会我去不了，要去市里开会": nlu_result("rsvp_meeting", 0.9, {"time": "明天"}),
    "明天个会我会到": nlu_result("rsvp_meeting", 0.9, {"time": "明天"}),
    "明天的会我参加": nlu_result("rsvp_meeting", 0.9, {"time": "明天"}),
    "明天下午的会改到后天上午十点": nlu_result("reschedule_meeting", 0.9),
    "取消明天那个会，预算先不议了": nlu_result("cancel_meeting", 0.9),
    "取消后天的会": nlu_result("cancel_meeting", 0.9),
    "下周一的会不开了": nlu_result("cancel_meeting", 0.9),
    "后天的会不开了": nlu_result("cancel_meeting", 0.9),
    "听日下昼三点开会": nlu_result("reschedule_meeting", 0.83),  # read once by the real NLU
    "后天的会改去二楼小会议室": nlu_result("reschedule_meeting", 0.9),
    "明天上午的会改去二楼小会议室": nlu_result("reschedule_meeting", 0.9),
    # documents pointed at by their place in the to-do list just shown
    "今日有咩要批": nlu_result("list_todo", 0.9),
    "同意第一份啦": nlu_result("approve_document", 0.9),
    "听日下昼三点约张伟同王强开个会讲防汛": nlu_result("book_meeting", 0.9),
    "约埋张伟同王强听日下昼三点开会": nlu_result("book_meeting", 0.9),
    "第二份写咩嘅": nlu_result("out_of_scope", 0.78),  # as the real NLU reads it
    "有咩要我批嘅": nlu_result(  # as the real NLU read it once: a menu
        "nlu_fallback", 0.35, ranking=[("nlu_fallback", 0.35), ("list_todo", 0.41), ("query_document", 0.33)]
    ),
    "我嘅公文去到边": nlu_result("query_document", 0.9),
    # the person not tagged (as the real NLU read it once): found in the directory
    "FW-2026-001 请王强把关一下": nlu_result("delegate_task", 0.97),
    "帮我转交 FW-2026-001": nlu_result("delegate_task", 0.95),
    "同意第一份，核稿无误": nlu_result("approve_document", 0.9),
    "最后嗰份退返去，标题要改": nlu_result("reject_document", 0.85),
    "第五份同意": nlu_result("approve_document", 0.9),
    "第四份点样": nlu_result("out_of_scope", 0.6),
    "同意第二件": nlu_result("approve_document", 0.9),
    # a document drafted in words
    "帮我拟个公文，关于春节期间值班安排": nlu_result("draft_document", 0.9),
    "我要起草一份发文，特急": nlu_result("draft_document", 0.9),
    "帮我拟份稿": nlu_result("draft_document", 0.9),
    "起草《关于防台风工作的通知》，正文：各单位做好防台风准备": nlu_result("draft_document", 0.9),
    # a notice in words
    "发个通知畀住建局同李娜，听日下午三点开安全生产会": nlu_result("publish_notice", 0.9),
    "我要发通知": nlu_result("publish_notice", 0.9),
    "帮我通知一下城管局": nlu_result("publish_notice", 0.9),
}


@pytest.fixture
async def rt(sqlite_settings: Settings, clock: FakeClock) -> AsyncIterator[Runtime]:
    runtime = await build_runtime(sqlite_settings, clock=clock, load_model=False)
    await seed_demo(runtime.db, clock)
    runtime.bot.services.nlu = NluService(RecordedParser(RECORDED, fallback=nlu_result("nlu_fallback", 0.93)), clock)
    yield runtime
    await runtime.close()


DOCUMENTS = [
    (
        "张伟",
        "/发文 加急 关于汛期值班的通知 各单位请做好汛期值班",
        "已登记发文 FW-2026-001《关于汛期值班的通知》（加急）",
    ),
    ("张伟", "/发文 机密 标题 正文", "只处理非涉密公文"),
    ("张伟", "/发文 只有标题", "用法"),
    ("demo-nobody", "/待办", "仅限机关工作人员"),
    ("李娜", "/待办", "[加急] FW-2026-001《关于汛期值班的通知》— 核稿"),
    ("刘洋", "/同意 FW-2026-001", "您不是当前办理人"),
    ("李娜", "/同意 FW-2026-999", "没有找到公文 FW-2026-999"),
    ("李娜", "/同意", "用法"),
    ("李娜", "/同意 FW-2026-001 核稿无误", "已送刘洋、赖建国、黄志强会签"),
    ("李娜", "/同意 FW-2026-001", "不能重复办理"),
    ("刘洋", "/公文 FW-2026-001", "· 赖建国：会签，待办"),
    # Progress is for the circulation, the drafting department and supervisors, not every civil servant.
    ("demo-yechunmei", "/公文 FW-2026-001", "您不在公文 FW-2026-001 的办理人员之列"),
    ("钟丽", "/公文 FW-2026-001", "您不在公文 FW-2026-001 的办理人员之列"),
    ("demo-guyuehua", "/公文 FW-2026-001", "当前环节：会签"),  # a supervisor
    ("陈静", "/公文 FW-2026-001", "您不在"),  # a deputy district head outside the chain
    ("刘洋", "/加签 FW-2026-001 张伟 请核对数据", "任务回到您这里"),
    ("刘洋", "/待办", "没有待办"),
    ("张伟", "/同意 FW-2026-001 数据无误", "回到刘洋处继续办理"),
    ("刘洋", "/同意 FW-2026-001", "还需赖建国、黄志强同意"),
    ("赖建国", "/转交 FW-2026-001 钟丽 请你处理", "转交钟丽办理"),
    ("钟丽", "/公文 FW-2026-001", "· 钟丽：会签，待办"),  # now in the circulation
    ("钟丽", "/退回 FW-2026-001", "退回需要写明理由"),
    ("钟丽", "/退回 FW-2026-001 请补充值班表", "退回拟稿人张伟修改，理由：请补充值班表"),
    ("黄志强", "/同意 FW-2026-001", "已退回拟稿人修改"),
    ("张伟", "/重新提交 FW-2026-001 各单位请做好汛期值班，附值班表。", "第 2 轮"),
    ("李娜", "/同意 FW-2026-001", "会签"),
    ("刘洋", "/同意 FW-2026-001", "还需"),
    ("赖建国", "/同意 FW-2026-001", "还需黄志强"),
    ("黄志强", "/退回 FW-2026-001 上一步 请李娜再核", "退回上一环节“核稿”"),
    ("李娜", "/同意 FW-2026-001 已再核", "会签"),
    ("刘洋", "/同意 FW-2026-001", "还需"),
    ("赖建国", "/同意 FW-2026-001", "还需"),
    ("黄志强", "/同意 FW-2026-001", "已送王强办理（签发）"),
    ("王强", "/同意 FW-2026-001 请办公室印发", "已签发，文号 梅江府办〔2026〕1号"),
    ("王强", "/同意 FW-2026-001", "已签发（文号 梅江府办〔2026〕1号），当前无需办理"),
    ("王强", "/验章 FW-2026-001", "验证通过"),
    ("张伟", "/收文 平件 市政府关于防汛的通知 请各区落实", "已送王强办理（拟办）"),
    ("王强", "/同意 SW-2026-001 请李娜或刘洋承办", "已送李娜、刘洋或签（承办）"),
    ("刘洋", "/同意 SW-2026-001 已落实", "已办结"),
    ("李娜", "/同意 SW-2026-001", "已办结"),
]


async def test_document_commands(rt: Runtime) -> None:
    await verify_dialog(rt, DOCUMENTS, names=SENDERS)
    async with rt.db.session() as s:
        await s.execute(update(Document).where(Document.doc_id == "FW-2026-001").values(title="关于放假的通知"))
    await verify_dialog(rt, [("张伟", "/验章 FW-2026-001", "验证失败：签章与内容不符")], names=SENDERS)


FREE_TEXT = [
    ("张伟", "/发文 关于汛期值班的通知 各单位请做好汛期值班", "FW-2026-001"),
    ("李娜", "我有哪些待办", "FW-2026-001《关于汛期值班的通知》"),
    ("李娜", "FW-2026-001 想征求一下王强的意见", "按“加签”理解"),
    ("王强", "同意 FW-2026-001，请办公室印发", "回到李娜处"),
    ("李娜", "把 FW-2026-001 转给刘洋办理", "按“转交”理解"),
    ("刘洋", "FW-2026-001 现在到哪了", "当前环节：核稿"),
    ("刘洋", "请赖科长对 FW-2026-001 加签", "已请赖建国就 FW-2026-001 提出意见"),
    ("赖建国", "/同意 FW-2026-001 可以", "回到刘洋处"),
    ("刘洋", "退回 FW-2026-001，缺少附件", "理由：缺少附件"),
    ("demo-nobody", "我有哪些待办", "需要工作人员身份"),
    ("张伟", "明天下午三点在三楼会议室开一小时会，请李娜、刘洋参加，议题是汛期值班", "已预约会议 HY-2026-0001"),
    ("刘洋", "HY-2026-0001 我请假，出差", "请假（出差）"),
    ("李娜", "我最近有什么会", "HY-2026-0001 11月19日 15:00 三楼会议室“汛期值班”（待回复）"),
]


async def test_free_text(rt: Runtime) -> None:
    await verify_dialog(rt, FREE_TEXT, names=SENDERS)


BY_PLACE = [
    ("张伟", "/发文 关于汛期值班的通知 各单位请做好汛期值班", "FW-2026-001"),
    ("张伟", "/发文 关于防台风的通知 各单位做好防台风准备", "FW-2026-002"),
    ("张伟", "/发文 关于节日值守的通知 节日期间安排值守", "FW-2026-003"),
    # Without a list shown, a place means nothing yet: the pending documents are offered.
    ("李娜", "同意第二件", "您有 3 件待办公文，请问是哪一件"),
    ("李娜", "取消", "已取消"),
    ("李娜", "第二份写咩嘅", "还没有可以按序号选的列表（列表显示 30 分钟内有效）"),
    # a menu offered earlier takes a number, not a place in a list
    ("李娜", "有咩要我批嘅", "请回复序号"),
    ("李娜", "第二份写咩嘅", "还没有可以按序号选的列表"),
    ("李娜", "今日有咩要批", re.compile(r"1\. .*FW-2026-001[\s\S]*3\. .*FW-2026-003[\s\S]*同意第一份")),
    ("李娜", "第二份写咩嘅", re.compile(r"FW-2026-002[\s\S]*当前环节：核稿")),
    ("李娜", "同意第一份，核稿无误", "FW-2026-001"),
    ("李娜", "最后嗰份退返去，标题要改", re.compile(r"FW-2026-003[\s\S]*理由：标题要改")),
    ("李娜", "第五份同意", "刚才列出的待办公文只有 3 件，没有“第五份”"),
    ("李娜", "第四份点样", "刚才列出的待办公文只有 3 件，没有“第四份”"),
    ("李娜", "/待办", re.compile(r"^您有 1 件待办公文[\s\S]*FW-2026-002")),
    ("李娜", "同意第一份，核稿无误", "FW-2026-002"),  # the place in the list shown last
]


OWN_DOCUMENTS = [
    # asked about without a number: the speaker's only document under way, drafted or waiting for them
    ("张伟", "我嘅公文去到边", "您目前没有在办的公文（您起草的或等您办理的）"),
    ("张伟", "/发文 关于汛期值班的通知 各单位请做好汛期值班", "FW-2026-001"),
    ("张伟", "我嘅公文去到边", re.compile(r"^FW-2026-001《关于汛期值班的通知》[\s\S]*当前环节：核稿")),
    ("李娜", "我嘅公文去到边", re.compile(r"^FW-2026-001《关于汛期值班的通知》")),  # waiting for her
    ("张伟", "/发文 关于防台风的通知 各单位做好防台风准备", "FW-2026-002"),
    # two under way: offered, newest first, then picked by number
    ("张伟", "我嘅公文去到边", re.compile(r"您有 2 件在办的公文[\s\S]*1\. FW-2026-002《关于防台风的通知》— 审批中")),
    ("张伟", "2", re.compile(r"^FW-2026-001《关于汛期值班的通知》")),
]


PERSON_IN_THE_DIRECTORY = [
    ("张伟", "/发文 关于汛期值班的通知 各单位请做好汛期值班", "FW-2026-001"),
    ("李娜", "FW-2026-001 请王强把关一下", re.compile("已请王强[\\s\\S]*按“加签”理解")),
    ("王强", "/同意 FW-2026-001 可以", "回到李娜处"),
    ("李娜", "帮我转交 FW-2026-001", "请问要交给谁"),
    ("李娜", "交畀刘洋啦", "按“转交”理解"),  # not a bare name: the colleague named in it
]


DRAFTED_IN_WORDS = [
    # the title in the words: the body asked for, read back, corrected, confirmed, registered and sent for review
    ("张伟", "帮我拟个公文，关于春节期间值班安排", "好的，发文《关于春节期间值班安排》。请发送正文内容"),
    (
        "张伟",
        "各单位：春节期间实行24小时值班，请于1月20日前报送值班表。",
        re.compile(r"请核对要登记的发文[\s\S]*紧急程度：平件"),
    ),
    ("张伟", "标题改成关于春节期间值班安排的通知", "标题：关于春节期间值班安排的通知"),
    ("张伟", "改成加急", "紧急程度：加急"),
    ("张伟", "确认", "已登记发文 FW-2026-001《关于春节期间值班安排的通知》（加急）"),
    ("李娜", "/待办", "[加急] FW-2026-001《关于春节期间值班安排的通知》— 核稿"),
    # no title: asked for; a body too short is asked again; "取消" writes nothing
    ("张伟", "我要起草一份发文，特急", "请问标题是什么"),
    ("张伟", "关于节前安全检查的通知", "请发送正文内容"),
    ("张伟", "好", "内容太短了"),
    ("张伟", "取消", "已放弃起草，没有登记任何公文"),
    # a question where the title is asked is answered, not taken as the title (and the draft is left)
    ("张伟", "帮我拟份稿", "请问标题是什么"),
    ("张伟", "我有哪些待办", re.compile("待办|没有")),
    ("张伟", "关于节前安全检查的通知", re.compile("[^（]")),  # no longer a title: whatever the NLU makes of it
    # other words at the read-back leave the draft, which is dropped (nothing registered)
    (
        "张伟",
        "起草《关于防台风工作的通知》，正文：各单位做好防台风准备",
        re.compile(r"标题：关于防台风工作的通知[\s\S]*正文：各单位做好防台风准备"),
    ),
    ("张伟", "我有哪些待办", re.compile("待办|没有")),
    ("张伟", "确认", "目前没有需要确认的事项"),
    # a citizen is not offered drafting
    ("demo-nobody", "帮我拟份稿", "需要工作人员身份"),
]


async def test_a_document_drafted_in_words(rt: Runtime) -> None:
    await verify_dialog(rt, DRAFTED_IN_WORDS, names=SENDERS)
    async with rt.db.session() as s:
        docs = list(await s.scalars(select(Document)))
    assert [(d.doc_id, d.title, d.urgency) for d in docs] == [("FW-2026-001", "关于春节期间值班安排的通知", "加急")]
    assert docs[0].body.startswith("各单位：春节期间实行24小时值班")


async def test_the_person_of_a_hand_over_is_found_in_the_directory(rt: Runtime) -> None:
    await verify_dialog(rt, PERSON_IN_THE_DIRECTORY, names=SENDERS)


async def test_own_documents_asked_about_without_a_number(rt: Runtime) -> None:
    await verify_dialog(rt, OWN_DOCUMENTS, names=SENDERS)


async def test_documents_pointed_at_by_their_place_in_the_todo_list(rt: Runtime) -> None:
    await verify_dialog(rt, BY_PLACE, names=SENDERS)
    async with rt.db.session() as s:
        docs = {d.doc_id: d for d in await s.scalars(select(Document))}
    assert docs["FW-2026-001"].status != docs["FW-2026-003"].status


MEETINGS = [
    (
        "张伟",
        "/预约会议 明天下午三点在三楼会议室开一小时会，请李娜、刘洋参加，议题是汛期值班",
        "已预约会议 HY-2026-0001",
    ),
    (
        "王强",
        "/预约会议 明天下午三点半在三楼会议室开半小时会，请刘洋参加，议题是预算",
        "三楼会议室已被会议 HY-2026-0001 占用",
    ),
    ("王强", "5", "请回复 1 到"),
    ("王强", "1", "已预约会议 HY-2026-0002：11月19日 16:00–16:30，三楼会议室"),
    ("陈静", "/预约会议 明天下午三点在三楼会议室开会，议题是调研", "1. 11月19日 15:00 二楼小会议室"),
    ("陈静", "1", "二楼小会议室"),
    ("古月华", "/预约会议 明天下午三点在火星会议室开会", "没有名为“火星会议室”的会议室。可选：三楼会议室"),
    # A room asked for without a name is asked for, not taken as a room named "个会议室".
    ("古月华", "/预约会议 帮我订个会议室，明天下午三点", "请问在哪间会议室？可选：二楼小会议室（8 人）、"),
    ("古月华", "五楼大会议室", "已预约会议"),
    ("古月华", "/预约会议 昨天下午三点在三楼会议室开会", "已经过去"),
    ("古月华", "/预约会议 明天上午十点在三楼会议室开会，请张三参加", "通讯录中没有找到“张三”"),
    ("刘洋", "/请假 HY-2026-0001", "请假需要写明理由"),
    ("刘洋", "/请假 HY-2026-0001 出差", "请假（出差）"),
    ("李娜", "/参加 HY-2026-0001", "已回复会议 HY-2026-0001“汛期值班”（11月19日 15:00）：参加"),
    ("黄志强", "/参加 HY-2026-0001", "不在会议 HY-2026-0001 的参会名单"),
    ("李娜", "/参加 HY-2026-0099", "没有找到会议 HY-2026-0099"),
    ("李娜", "/取消会议 HY-2026-0001", "只有会议发起人张伟"),
    ("张伟", "/纪要 HY-2026-0001 决定加强值班", "尚未结束"),
    ("张伟", "/改期 HY-2026-0001 后天上午十点", "已将会议 HY-2026-0001 改到 11月20日 10:00，已通知 2 位参会人"),
    ("张伟", "/我的会议", "HY-2026-0001 11月20日 10:00 三楼会议室"),
    ("张伟", "/取消会议 HY-2026-0001 临时有变", "已取消会议 HY-2026-0001，已通知 2 位参会人"),
    ("李娜", "/参加 HY-2026-0001", "已取消"),
]


async def test_meeting_commands(rt: Runtime) -> None:
    await verify_dialog(rt, MEETINGS, names=SENDERS)
    async with rt.db.session() as s:
        texts = list(await s.scalars(select(OutboxMessage.text).where(OutboxMessage.ref == "HY-2026-0001")))
    assert any("会议邀请" in t for t in texts) and any("已取消，原因：临时有变" in t for t in texts)
    async with rt.db.session() as s:
        trail = (await s.execute(select(MeetingEvent.actor, MeetingEvent.action, MeetingEvent.comment))).all()
    assert ("刘洋", "decline", "出差") in trail and ("张伟", "cancel", "临时有变") in trail


NOTICES = [
    ("王强", "/发通知 梅江区人民政府办公室、赖建国 关于节前安全检查的通知 请各科室于周五前完成自查。", "送达 4 人"),
    ("张伟", "/我的通知", "TZ-2026-001《关于节前安全检查的通知》"),
    ("张伟", "/通知 TZ-2026-001", "请各科室于周五前完成自查"),
    ("张伟", "/签收情况 TZ-2026-001", "只有发布人"),
    ("王强", "/签收情况 TZ-2026-001", "已读 1 人，未读 3 人"),
    ("王强", "/催阅 TZ-2026-001", "已提醒 3 位未读人员"),
    ("黄志强", "/通知 TZ-2026-001", "不是发给您的"),
    ("王强", "/发通知 不存在的部门 标题 正文", "没有找到部门或人员“不存在的部门”"),
    ("张伟", "/我的通知", "没有未读通知"),
    ("张伟", "/办公帮助", "/加签 文号 姓名（征求对方意见后回到您这里）"),
]


RESUBMIT = [
    ("张伟", "/发文 关于汛期值班的通知 各单位请做好汛期值班", "FW-2026-001"),
    ("张伟", "再送审一次", "您没有被退回待修改的公文"),
    ("李娜", "/退回 FW-2026-001 请补充值班表", "退回拟稿人张伟修改"),
    # The drafter's to-do shows the returned draft, who returned it and why, and how to resubmit.
    ("张伟", "/待办", re.compile("被退回待修改[\\s\\S]*FW-2026-001《关于汛期值班的通知》— 李娜[\\s\\S]*请补充值班表")),
    ("张伟", "我有哪些待办", "被退回待修改"),
    ("李娜", "/待办", "没有待办"),
    # In words, without the number: the only returned draft, the new body after the colon.
    ("张伟", "改好了，重新提交：各单位请做好汛期值班，附值班表", "已重新提交 FW-2026-001（第 2 轮）。已送李娜办理"),
    ("李娜", "/待办", "FW-2026-001"),
    ("张伟", "/待办", "没有待办"),
]


async def test_a_returned_draft_is_in_the_drafters_todo_and_resubmitted_in_words(rt: Runtime) -> None:
    await verify_dialog(rt, RESUBMIT, names=SENDERS)
    async with rt.db.session() as s:
        body = await s.scalar(select(Document.body).where(Document.doc_id == "FW-2026-001"))
    assert body == "各单位请做好汛期值班，附值班表"


async def test_notice_commands(rt: Runtime) -> None:
    await verify_dialog(rt, NOTICES, names=SENDERS)


NOTICES_IN_WORDS = [
    # recipients by alias and by name, the content after them: read back, the title corrected, published
    (
        "王强",
        "发个通知畀住建局同李娜，听日下午三点开安全生产会",
        re.compile(r"请核对要发布的通知[\s\S]*发给：梅江区住房和城乡建设局、李娜[\s\S]*标题：听日下午三点开安全生产会"),
    ),
    ("王强", "标题改成关于召开安全生产会的通知", "标题：关于召开安全生产会的通知"),
    ("王强", "确认", re.compile(r"已发布通知 TZ-2026-001《关于召开安全生产会的通知》")),
    ("李娜", "/我的通知", "TZ-2026-001《关于召开安全生产会的通知》"),
    # nothing named: asked for; an unknown recipient is asked again; the content asked for; "取消" publishes nothing
    ("王强", "我要发通知", "请问发给哪些部门或同事"),
    ("王强", "隔壁老王", "没有找到“隔壁老王”对应的部门或人员"),
    ("王强", "城管局、张伟", "通知发给梅江区城市管理和综合执法局、张伟。请发送通知内容"),
    ("王强", "周末加强巡查", re.compile(r"发给：梅江区城市管理和综合执法局、张伟[\s\S]*内容：周末加强巡查")),
    ("王强", "发给城管局", re.compile(r"发给：梅江区城市管理和综合执法局\n")),
    ("王强", "唔使喇", "已放弃起草，没有发布任何通知"),
    ("王强", "帮我通知一下城管局", "请发送通知内容"),
    ("王强", "取消", "没有发布任何通知"),
]


async def test_a_notice_in_words(rt: Runtime) -> None:
    await verify_dialog(rt, NOTICES_IN_WORDS, names=SENDERS)
    async with rt.db.session() as s:
        titles = list(await s.scalars(select(Notice.title)))
    assert titles == ["关于召开安全生产会的通知"]


MEETING_CONTEXT = [
    ("张伟", "/预约会议 明天下午三点在三楼会议室开会", "已预约会议 HY-2026-0001：11月19日 15:00–16:00"),
    # right after the booking: a corrected hour keeps the day and the length; more people are invited
    ("张伟", "唔系三点，系四点", "好的，已更正。已将会议 HY-2026-0001 改到 11月19日 16:00，没有其他参会人需要通知"),
    ("张伟", "叫埋李娜同刘洋", "已邀请李娜、刘洋参加会议 HY-2026-0001（11月19日 16:00，“工作会议”），邀请已发出"),
    ("张伟", "再加上李娜", "李娜已在会议 HY-2026-0001 的参会名单中"),
    # another room right after: the time kept, everyone told
    ("张伟", "改去五楼", "已将会议 HY-2026-0001 改在五楼大会议室（11月19日 16:00，时间不变），已通知 2 位参会人"),
    # replies without a code: the only meeting of that day
    ("李娜", "明天的会我去不了，要去市里开会", "HY-2026-0001“工作会议”（11月19日 16:00）：请假（要去市里开会）"),
    ("刘洋", "明天个会我会到", "已回复会议 HY-2026-0001“工作会议”（11月19日 16:00）：参加"),
    ("张伟", "/预约会议 明天上午十点在二楼小会议室开会，请李娜参加，议题是预算", "HY-2026-0002"),
    # two meetings tomorrow: offered as choices, a number picks one
    ("李娜", "明天的会我参加", "您有 2 个会议，请问是哪一个？"),
    ("李娜", "1", "已回复会议 HY-2026-0002“预算”（11月19日 10:00）：参加"),
    # the afternoon one is moved, not the one in focus (booked last)
    ("张伟", "明天下午的会改到后天上午十点", "已将会议 HY-2026-0001 改到 11月20日 10:00，已通知 2 位参会人"),
    ("张伟", "后天的会改去二楼小会议室", "已将会议 HY-2026-0001 改在二楼小会议室（11月20日 10:00，时间不变）"),
    ("张伟", "明天上午的会改去二楼小会议室", "会议 HY-2026-0002 本来就在二楼小会议室，不用更改"),
    # a cancellation in words is confirmed first, then everyone is told (with the reason)
    ("张伟", "取消明天那个会，预算先不议了", "确认取消会议 HY-2026-0002 11月19日 10:00 二楼小会议室“预算”吗？"),
    # a bare "取消" could drop either the meeting or the question: asked again, nothing done yet
    ("张伟", "取消", "请确认：要取消会议 HY-2026-0002 请回复“确认”"),
    ("张伟", "系，取消佢", "已取消会议 HY-2026-0002，已通知 1 位参会人"),
    ("李娜", "取消后天的会", "只有会议发起人张伟可以修改会议 HY-2026-0001"),
    ("张伟", "下周一的会不开了", "没有找到您说的会议"),
    ("张伟", "后天的会不开了", "确认取消会议 HY-2026-0001"),
    ("张伟", "不用了", "会议 HY-2026-0001 照常举行"),
]


async def test_meetings_from_context(rt: Runtime) -> None:
    await verify_dialog(rt, MEETING_CONTEXT, names=SENDERS)
    async with rt.db.session() as s:
        texts = list(await s.scalars(select(OutboxMessage.text).where(OutboxMessage.ref == "HY-2026-0002")))
    assert any("已取消，原因：预算先不议了" in t for t in texts)


async def test_a_booking_under_way_takes_a_headcount_and_is_given_up_in_words(rt: Runtime) -> None:
    """At the room question "十个人左右" used to get a menu and "算了唔订了" a ticket's withdrawal: a headcount
    narrows the rooms to those that seat it, and giving up in words drops the booking."""
    seats_ten = "能坐下 10 人的会议室有：四楼视频会商室（16 人）、三楼会议室（20 人）、五楼大会议室（60 人）"
    await verify_dialog(
        rt,
        [
            ("张伟", "/预约会议 帮我订个会议室，明天下午三点，开两个钟", "请问在哪间会议室"),
            ("张伟", "十个人左右", seats_ten),
            ("张伟", "三楼", "已预约会议 HY-2026-0001：11月19日 15:00–17:00，三楼会议室"),
            ("张伟", "/预约会议 后天上午十点开全体大会，八十人", "没有能坐下 80 人的会议室"),
            ("张伟", "算了唔订了", "已放弃本次会议预约"),
            ("张伟", "五楼大会议室", re.compile("^(?!已预约)")),  # nothing is under way any more
        ],
        names=SENDERS,
    )


async def test_a_time_without_a_change_word_is_a_booking_even_when_read_as_a_reschedule(rt: Runtime) -> None:
    await verify_dialog(rt, [("张伟", "听日下昼三点开会", "好的，11月19日 15:00。请问在哪间会议室？")], names=SENDERS)


async def test_a_room_too_small_for_the_headcount_is_said_and_changed_in_words(rt: Runtime) -> None:
    """A headcount larger than the room named used to be booked without a word: the booking says so and names the
    smallest room that seats them; "换到…" moves it there."""
    await verify_dialog(
        rt,
        [
            (
                "张伟",
                "/预约会议 明天上午十点在二楼小会议室开一个钟，十五个人",
                re.compile(
                    "已预约会议 HY-2026-0001[\\s\\S]*二楼小会议室只能坐 \\d+ 人，"
                    "少于所说的 15 人；可说“换到四楼视频会商室”"
                ),
            ),
            ("张伟", "换到四楼视频会商室", "已将会议 HY-2026-0001 改在四楼视频会商室"),
            (
                "张伟",
                "/预约会议 明天下午三点在三楼会议室开一个钟，十五个人",
                re.compile("^已预约会议 HY-2026-0002(?![\\s\\S]*只能坐)"),
            ),
        ],
        names=SENDERS,
    )


async def test_meetings_of_a_day_asked_in_words(rt: Runtime) -> None:
    """ "我听日有咩会" used to list every coming meeting: the day said narrows the list, and the others are counted."""
    await verify_dialog(
        rt,
        [
            ("张伟", "/预约会议 明天上午十点在三楼会议室开一个钟，议题是预算", "已预约会议 HY-2026-0001"),
            ("张伟", "/预约会议 后天上午十点在三楼会议室开一个钟，议题是值班", "已预约会议 HY-2026-0002"),
            (
                "张伟",
                "我听日有咩会",
                re.compile("^您11月19日的会议：\n· HY-2026-0001[^\n]*预算[^\n]*\n近期另有 1 个会议"),
            ),
            ("张伟", "下周一有冇会", "您11月23日没有会议安排。近期另有 2 个会议"),
            # a week named without a weekday is Monday to Sunday (it used to list every coming meeting)
            (
                "张伟",
                "我呢个礼拜有咩会",
                re.compile("^您11月16日至22日的会议：\n· HY-2026-0001[^\n]*\n· HY-2026-0002[^\n]*$"),
            ),
            ("张伟", "下个礼拜有冇会要开", "您11月23日至29日没有会议安排。近期另有 2 个会议"),
            ("张伟", "我最近有什么会", re.compile("^您近期的会议：\n· HY-2026-0001[\\s\\S]*HY-2026-0002")),
        ],
        names=SENDERS,
    )


async def test_a_command_nobody_answers_is_said_to_be_unknown_with_the_ones_it_resembles(rt: Runtime) -> None:
    """ "/待派" used to be read as words and declined ("没有理解您的意思"): a slash that names no command says so and
    names the commands it resembles (to a citizen, only those of the citizen's help); the dispatcher's queue answers
    to "/待派" too."""
    await verify_dialog(
        rt,
        [
            ("钟丽", "/待派", re.compile("^(?!没有“/待派”)")),
            ("张伟", "/同意了 FW-2026-001", re.compile("^没有“/同意了”这个命令。相近的命令：/同意[、。]")),
            ("市民", "/查工单 GD2026111800001", re.compile("^没有“/查工单”这个命令。相近的命令：[^。]*/工单[、。]")),
            ("市民", "/abc", re.compile("^没有“/abc”这个命令。发送 /帮助 查看全部命令")),
            # a citizen is never pointed to office or dispatch commands that would only be refused
            ("市民", "/同意了", re.compile("^没有“/同意了”这个命令。发送 /帮助")),
            ("市民", "/派工单", re.compile("^没有“/派工单”这个命令。相近的命令：/工单[^。派]*。")),
            ("市民", "/取消", "目前没有需要取消的操作"),  # the word itself, not a question for the KB
            ("市民", "/帮助", "我能帮您"),
            ("市民", "/我的工单", "没有查到您登记过的工单"),
            ("市民", "/工单", "没有查到您登记过的工单"),
            ("市民2", "/人工", re.compile("^(?!没有“)[\\s\\S]*人工")),
        ],
        names=SENDERS,
    )


async def test_a_menu_is_picked_in_words(rt: Runtime) -> None:
    """ "揀第一份" after a menu used to be read afresh (the real NLU: 起草发文), and "同意第一份啦" then became the
    title of a draft."""
    await verify_dialog(
        rt,
        [
            ("张伟", "/发文 关于汛期值班的通知 各单位请做好汛期值班", "FW-2026-001"),
            ("李娜", "有咩要我批嘅", "请回复序号"),
            ("李娜", "揀第一份", re.compile(r"1\. .*FW-2026-001")),
            ("李娜", "同意第一份啦", "FW-2026-001"),
        ],
        names=SENDERS,
    )


async def test_a_booking_under_way_keeps_its_people_and_is_not_taken_by_a_question_a_yes_or_a_cancel(
    rt: Runtime,
) -> None:
    """While the room was asked: "确认" was told nothing waited, "我听日有咩会" and "取消听日个会" were taken as more
    of the booking (they name a day), and the people and matter of "约张伟同王强开个会讲防汛" were lost."""
    await verify_dialog(
        rt,
        [
            ("李娜", "听日下昼三点约张伟同王强开个会讲防汛", "请问在哪间会议室"),
            ("李娜", "确认", re.compile("^会议还没有预约好。11月19日 15:00。请问在哪间会议室")),
            ("李娜", "我听日有咩会", "没有会议安排"),
            ("李娜", "二楼小会议室", re.compile(r"已预约会议 HY-2026-0001[^\n]*议题“防汛”[\s\S]*张伟[\s\S]*王强")),
            ("李娜", "听日下昼三点约张伟同王强开个会讲防汛", "请问在哪间会议室"),
            ("李娜", "取消听日个会", "已放弃本次会议预约"),
        ],
        names=SENDERS,
    )


async def test_people_named_before_the_time_are_all_invited(rt: Runtime) -> None:
    """ "约埋张伟同王强听日下昼三点开会": the list of names runs into the time, and only 张伟 was invited."""
    await verify_dialog(
        rt,
        [
            ("李娜", "约埋张伟同王强听日下昼三点开会", "请问在哪间会议室"),
            ("李娜", "二楼小会议室", re.compile(r"已预约会议 HY-2026-0001[\s\S]*张伟、王强")),
        ],
        names=SENDERS,
    )
