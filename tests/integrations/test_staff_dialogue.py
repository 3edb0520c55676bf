"""Dispatchers, handling departments, supervisors and editors at work in free conversation (a recorded NLU
double): the dispatch queue and dispatching in words, the department's queue, overdue tickets and urging a
department, the quality summary, the unanswered questions; a new request leaves a pending question."""

from __future__ import annotations

import functools
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from govchat.runtime import Runtime, build_runtime
from integrations.dispatch_advice import asks_where_to_dispatch
from integrations.tickets import remainder
from kernel.clock import FakeClock
from kernel.config import Settings
from knowledge_base.models import UnansweredQuestion
from nlu.service import NluService
from office_flows.alerts.models import TopicAlert
from office_flows.directory.demo import load_demo_directory
from office_flows.tickets.models import Ticket
from tests.integrations.test_tickets import RECORDED as TICKETS_RECORDED
from tests.integrations.test_tickets import START, file_complaint, inbox
from tests.support.dialogue import verify_dialog as _verify_dialog
from tests.support.nlu_double import RecordedParser, nlu_result

verify_dialog = functools.partial(_verify_dialog, channel="web")
CGJ = "梅江区城市管理和综合执法局"
ZJJ = "梅江区住房和城乡建设局"

RECORDED = {
    **TICKETS_RECORDED,
    "有咩单要派": nlu_result("ticket_queue"),
    "我有几单要处理": nlu_result("ticket_queue"),
    "我有哪些待办": nlu_result("list_todo"),
    "派给城管局": nlu_result("dispatch_ticket", entities={"department": "城管局"}),
    "这单派去住建局": nlu_result("dispatch_ticket", entities={"department": "住建局"}),
    # The NLU's entity may be cut badly; the catalogue's aliases in the text decide.
    "GD2026092900002 交城管局办": nlu_result("dispatch_ticket", entities={"department": "城管局办"}),
    "有冇超期嘅工单": nlu_result("overdue_tickets"),
    "有冇咩预警": nlu_result("overdue_tickets", 0.8),  # as the real NLU reads it
    "催一下城管局": nlu_result("urge_ticket", entities={"department": "城管局"}),
    "催一下住建局": nlu_result("urge_ticket", entities={"department": "住建局"}),
    "质检情况点样": nlu_result("quality_summary"),
    "有哪些问题没答上来": nlu_result("unanswered_questions"),
    # an editor speaking of editing the KB, as the real NLU read it: office intents, a service question
    "帮我加一条FAQ": nlu_result(
        "nlu_fallback", 0.3, ranking=[("nlu_fallback", 0.3), ("draft_document", 0.33), ("publish_notice", 0.31)]
    ),
    "新增常见问题": nlu_result("ask_service", 0.5),
    "申请延期": nlu_result("extend_ticket"),
    # tickets pointed at by their place in the queue just shown
    "第二张派去住建局": nlu_result("dispatch_ticket", entities={"department": "住建局"}),
    "第一张派给城管局": nlu_result("dispatch_ticket", entities={"department": "城管局"}),
    "第三张派去城管局": nlu_result("dispatch_ticket", entities={"department": "城管局"}),
    "签收第一张": nlu_result("accept_ticket", 0.9),
    "第一张回复市民：已责令停止夜间施工": nlu_result("reply_ticket", 0.9),
    # asking where a ticket should go, as the real NLU reads it: dispatch_ticket (and acting on it dispatched)
    "第一张派去边好": nlu_result("dispatch_ticket", 0.82),
    "第二张派边度": nlu_result("dispatch_ticket", 0.85),
    "派城管局啱唔啱": nlu_result("dispatch_ticket", 0.64, entities={"department": "城管局"}),
    "照建议派": nlu_result("dispatch_ticket", 0.84),
    # a polite order is no question (as the real NLU reads them)
    "可唔可以帮我派去住建局": nlu_result("dispatch_ticket", 0.9, entities={"department": "住建局"}),
    "麻烦帮手派畀城管局吖，唔该": nlu_result("dispatch_ticket", 0.9, entities={"department": "城管局"}),
    # a handler looks at a ticket and sends it back (as the real NLU read it: a document's return, weakly)
    "第二张讲咩": nlu_result("nlu_fallback", 0.35, ranking=[("nlu_fallback", 0.35), ("list_todo", 0.3)]),
    "呢单唔关我哋事，要退返去": nlu_result(
        "nlu_fallback",
        0.35,
        ranking=[
            ("nlu_fallback", 0.35),
            ("reject_document", 0.32),
            ("resubmit_document", 0.1),
            ("return_ticket", 0.09),
        ],
    ),
    "睇下啲退单": nlu_result("return_ticket", 0.94),
    "因为系住建局管嘅": nlu_result(  # as the real NLU read it: a menu followed
        "nlu_fallback", 0.35, ranking=[("supplement_ticket", 0.3), ("return_ticket", 0.2), ("change_ticket_phone", 0.1)]
    ),
    # as the real NLU read it after the queue (the generic "not understood" followed)
    "第一张点解退": nlu_result(
        "out_of_scope", 0.63, ranking=[("out_of_scope", 0.63), ("return_ticket", 0.17), ("thank", 0.04)]
    ),
    "睇下城管局啲超期单": nlu_result("overdue_tickets", 0.9, entities={"department": "城管局"}),
    "帮我催下佢哋": nlu_result("remind_ticket", 0.95),
    "单子咋整": nlu_result("nlu_fallback", 0.3, ranking=[("ticket_queue", 0.3), ("ask_service", 0.2)]),
}


@pytest.fixture
async def rt(settings: Settings) -> AsyncIterator[Runtime]:
    runtime = await build_runtime(settings, clock=FakeClock(START), load_model=False)
    async with runtime.db.session() as s:
        await load_demo_directory(s)
    parser = RecordedParser(RECORDED, fallback=nlu_result("nlu_fallback", 0.3))
    runtime.bot.services.nlu = NluService(parser, runtime.clock)
    yield runtime
    await runtime.close()


async def test_dispatcher_and_department_in_words(rt: Runtime) -> None:
    code = await file_complaint(rt)
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", "有咩单要派", re.compile(f"待派单工单：\\n1\\. {code}")),
            # the only waiting ticket is taken from context; the department through the catalogue's aliases
            ("demo-zhongli", "派给城管局", f"已将工单 {code} 派往{CGJ}。"),
            ("demo-zhongli", "有咩单要派", "目前没有待派单的工单"),
            ("demo-hejianxin", "我有几单要处理", re.compile(f"本部门待办工单（按期限排序）：\\n1\\. {code}")),
            # documents and tickets in one answer
            (
                "demo-hejianxin",
                "我有哪些待办",
                re.compile(f"您目前没有待办公文。\\n另有 1 张本部门待办工单：\\n· {code}"),
            ),
            ("citizen-1", "派给城管局", "需要工作人员身份"),
        ],
    )


async def test_several_waiting_tickets_ask_which(rt: Runtime) -> None:
    first = await file_complaint(rt)
    second = await file_complaint(rt, "citizen-2", "13912345679")
    assert second == "GD2026092900002"
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", "这单派去住建局", re.compile(f"您有 2 件待派单工单.*\\n1. {first}.*\\n2. {second}")),
            ("demo-zhongli", "2", f"已将工单 {second} 派往{ZJJ}。"),
            ("demo-zhongli", f"/工单记录 {first}", "办理记录"),
            ("demo-zhongli", "GD2026092900002 交城管局办", "当前状态为"),  # already dispatched: refused
            # the ticket just looked at is the one meant
            ("demo-zhongli", "派给城管局", f"已将工单 {first} 派往{CGJ}。"),
        ],
    )


async def test_asking_where_a_ticket_should_go_gives_the_proposal_and_dispatches_nothing(rt: Runtime) -> None:
    first = await file_complaint(rt)
    second = await file_complaint(rt, "citizen-2", "13912345679")
    async with rt.db.session() as s:
        t = await s.scalar(select(Ticket).where(Ticket.code == first))
        assert t is not None
        t.proposed_department, t.proposal_confidence = "MJ-CGJ", 0.56
        await s.commit()
    assert await rt.tickets.department_mentioned("城管局") in ("MJ-CGJ", CGJ)
    not_yet = "工单还没有派出"
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", "有咩单要派", re.compile(f"待派单工单：\\n1\\. {first}")),
            (
                "demo-zhongli",
                "第一张派去边好",
                re.compile(
                    f"^工单 {first}（投诉）.*\\n分类建议：{CGJ}（置信度 56%）。\\n"
                    f"按建议派单请回复“照建议派”[\\s\\S]*{not_yet}"
                ),
            ),
            (
                "demo-zhongli",
                "派城管局啱唔啱",
                re.compile(f"分类建议：{CGJ}[\\s\\S]*派往{CGJ}请说“派给{CGJ}”[\\s\\S]*{not_yet}"),
            ),
            ("demo-zhongli", "照建议派", f"已将工单 {first} 派往{CGJ}。"),  # the ticket asked about
            ("demo-zhongli", "有咩单要派", re.compile(f"待派单工单：\\n1\\. {second}")),
            (
                "demo-zhongli",
                "第一张派去边好",
                re.compile(f"^工单 {second}（投诉）.*\\n暂无分派建议：尚未训练分派模型[\\s\\S]*{not_yet}"),
            ),
        ],
    )
    async with rt.db.session() as s:
        t = await s.scalar(select(Ticket).where(Ticket.code == second))
        assert t is not None and t.status == "accepted"


async def test_a_polite_order_dispatches(rt: Runtime) -> None:
    first = await file_complaint(rt)
    second = await file_complaint(rt, "citizen-2", "13912345679")
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", "有咩单要派", re.compile(f"待派单工单：\\n1\\. {first}")),
            ("demo-zhongli", "第一张派去边好", re.compile(f"^工单 {first}[\\s\\S]*工单还没有派出")),
            ("demo-zhongli", "可唔可以帮我派去住建局", f"已将工单 {first} 派往{ZJJ}。"),
            ("demo-zhongli", "麻烦帮手派畀城管局吖，唔该", f"已将工单 {second} 派往{CGJ}。"),
        ],
    )


@pytest.mark.parametrize(
    ("said", "asks"),
    [
        ("第一张派去边好", True),
        ("派城管局啱唔啱", True),
        ("派城管局可唔可以", True),
        ("派畀城管局得唔得？", True),
        ("帮我睇下派边度好", True),  # a which-word: a question however polite
        ("可唔可以帮我派去城管局", False),
        ("可以帮我派给城管局吗", False),
        ("麻烦帮手派畀城管局吖，唔该", False),
        ("派给城管局", False),
    ],
)
def test_a_question_about_where_is_told_from_a_polite_order(said: str, asks: bool) -> None:
    assert asks_where_to_dispatch(said) is asks


async def test_tickets_pointed_at_by_their_place_in_the_queue(rt: Runtime) -> None:
    first = await file_complaint(rt)
    second = await file_complaint(rt, "citizen-2", "13912345679")
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", "有咩单要派", re.compile(f"待派单工单：\\n1\\. {first}[\\s\\S]*\\n2\\. {second}")),
            ("demo-zhongli", "第三张派去城管局", "刚才列出的工单只有 2 件，没有“第三张”"),
            ("demo-zhongli", "第二张派去住建局", f"已将工单 {second} 派往{ZJJ}。"),
            ("demo-zhongli", "第一张派给城管局", f"已将工单 {first} 派往{CGJ}。"),
            ("demo-hejianxin", "我有几单要处理", re.compile(f"本部门待办工单（按期限排序）：\\n1\\. {first}")),
            ("demo-hejianxin", "签收第一张", f"已签收工单 {first}"),
            ("demo-hejianxin", "第一张回复市民：已责令停止夜间施工", f"已回复工单 {first}"),
        ],
    )
    async with rt.db.session() as s:
        t = await s.scalar(select(Ticket).where(Ticket.code == first))
        assert t is not None and t.result == "已责令停止夜间施工"


async def test_a_ticket_looked_at_is_sent_back_in_words_and_the_dispatcher_sees_it_to_review(rt: Runtime) -> None:
    """ "呢单唔关我哋事，要退返去" after looking at the second ticket told the handler "您目前没有待办公文" (a
    document's return); then a 退单 asked which ticket though one had just been shown. A dispatcher's "睇下啲退单"
    got "本部门目前没有待办工单" (a 退单 of their own)."""
    first = await file_complaint(rt)
    second = await file_complaint(rt, "citizen-2", "13912345679")
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", f"/派单 {first} 城管局", "已将工单"),
            ("demo-zhongli", f"/派单 {second} 城管局", "已将工单"),
            ("demo-hejianxin", "我有几单要处理", re.compile(f"\\n1\\. {first}[\\s\\S]*\\n2\\. {second}")),
            ("demo-hejianxin", "第二张讲咩", re.compile(f"^工单 {second}（投诉）\\n诉求：")),
            ("demo-hejianxin", "呢单唔关我哋事，要退返去", re.compile(f"^已对工单 {second} 提出退单（非本部门职责）")),
            # the reason said next is added to the 退单's explanation (it got a menu of 补充诉求 / 退回工单 / 更正电话)
            ("demo-hejianxin", "因为系住建局管嘅", f"已补充工单 {second} 的退单说明：因为系住建局管嘅"),
            ("demo-zhongli", "睇下啲退单", re.compile(f"待审核退单：[\\s\\S]*{second}")),
            # why it was sent back: what the department said, not the generic "not understood" (with nothing to
            # dispatch, the 退单 are the numbered list)
            (
                "demo-zhongli",
                "第一张点解退",
                re.compile(
                    f"^· {second} 被{CGJ}退单（非本部门职责）：呢单唔关我哋事，要退返去；因为系住建局管嘅"
                    "[\\s\\S]*何建新 \\S+ \\S+ 提出"
                ),
            ),
            ("demo-zhongli", f"{first}点解退单", f"工单 {first} 没有待审核的退单"),
        ],
    )
    async with rt.db.session() as s:
        t = await s.scalar(select(Ticket).where(Ticket.code == first))
        assert t is not None and t.status == "dispatched"  # the first is untouched


async def test_supervisor_overdue_urge_and_quality(rt: Runtime) -> None:
    code = await file_complaint(rt)
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", f"/派单 {code} 城管局", "已将工单"),
            ("demo-laijianguo", "有冇超期嘅工单", "目前没有超期或 24 小时内到期的工单"),
        ],
    )
    rt.clock.advance(timedelta(days=40))  # type: ignore[attr-defined]
    await verify_dialog(
        rt,
        [
            ("demo-laijianguo", "有冇超期嘅工单", re.compile(f"超期 1 张、24 小时内到期 0 张.*\\n1\\. {code}（{CGJ}")),
            ("demo-laijianguo", "催一下城管局", f"已对{CGJ}的 1 张超期工单发出催办：{code}。"),
            ("demo-laijianguo", "质检情况点样", "本月暂无质检结果"),
            # a dispatcher only: the duty is named, not "工作人员", which a dispatcher already is
            (
                "demo-zhongli",
                "质检情况点样",
                re.compile("需要[^，]*督办人员[^，]*身份办理，您当前的身份是[^，]*派单员"),
            ),
        ],
    )
    assert "【催办】" in await inbox(rt, "demo-hejianxin")


async def test_urging_them_after_a_department_s_list_urges_the_tickets_listed(rt: Runtime) -> None:
    """ "帮我催下佢哋" after 城管局's overdue tickets were listed offered every overdue ticket of the district."""
    first = await file_complaint(rt)
    second = await file_complaint(rt, "citizen-2", "13912345679")
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", f"/派单 {first} 城管局", "已将工单"),
            ("demo-zhongli", f"/派单 {second} 住建局", "已将工单"),
        ],
    )
    rt.clock.advance(timedelta(days=40))  # type: ignore[attr-defined]
    await verify_dialog(
        rt,
        [
            ("demo-laijianguo", "睇下城管局啲超期单", re.compile(f"超期 1 张[\\s\\S]*\\n1\\. {first}（{CGJ}")),
            ("demo-laijianguo", "帮我催下佢哋", re.compile(f"^已对工单 {first}[^\\n]*催办(?![\\s\\S]*{second})")),
        ],
    )
    assert "【催办】" in await inbox(rt, "demo-hejianxin")


async def test_a_new_request_leaves_the_pending_question(rt: Runtime) -> None:
    await verify_dialog(
        rt,
        [
            ("demo-laijianguo", "申请延期", "请问是哪张工单"),
            ("demo-laijianguo", "质检情况点样", "本月暂无质检结果"),  # not "没有识别到，请问是哪张工单"
            ("demo-laijianguo", "申请延期", "请问是哪张工单"),
            ("demo-laijianguo", "/工单队列", "目前没有待派单的工单"),
            ("demo-laijianguo", "GD2026092900009", "没有查到您名下"),  # a lookup, not the dropped 延期
        ],
    )


async def test_staff_unsure_office_request_is_not_a_kb_question(rt: Runtime) -> None:
    await verify_dialog(rt, [("demo-zhongli", "单子咋整", re.compile("我不太确定您的意思.*\\n1. 查看工单队列"))])
    async with rt.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(UnansweredQuestion)) == 0


async def test_editor_reads_the_unanswered_questions(rt: Runtime) -> None:
    async with rt.db.session() as s:
        for q in ["火星上怎么办护照", "火星上怎么办护照", "月球车年检"]:
            s.add(UnansweredQuestion(question=q, normalized=q, asked_at=rt.clock.now()))
    await verify_dialog(
        rt,
        [
            (
                "demo-xiemin",
                "有哪些问题没答上来",
                re.compile("共 3 条.*\\n1. 火星上怎么办护照（2 次.*\\n2. 月球车年检（1 次"),
            ),
            ("demo-zhongli", "有哪些问题没答上来", "需要知识编辑身份办理"),
        ],
    )


@pytest.mark.parametrize("said", ["帮我加一条FAQ", "新增常见问题"])
async def test_an_editor_speaking_of_editing_the_kb_is_told_where_and_given_the_queue(rt: Runtime, said: str) -> None:
    """An editor's "帮我加一条FAQ" used to get a menu of 起草发文 / 发布通知, "新增常见问题" three FAQ suggestions."""
    async with rt.db.session() as s:
        s.add(UnansweredQuestion(question="月球车年检", normalized="月球车年检", asked_at=rt.clock.now()))
    await verify_dialog(
        rt,
        [
            ("demo-xiemin", said, re.compile("共 1 条[\\s\\S]*月球车年检[\\s\\S]*管理后台“知识库”页（/admin/kb）")),
            ("demo-zhongli", said, re.compile("^(?![\\s\\S]*管理后台“知识库”页)")),  # not an editor: as before
        ],
    )


async def test_asking_for_warnings_gives_the_overdue_tickets_and_points_to_the_topic_alerts(rt: Runtime) -> None:
    """ "有冇咩预警" used to list the overdue tickets only: the 未诉先办 alerts a reader may see are counted too."""
    await verify_dialog(rt, [("demo-laijianguo", "有冇咩预警", "未诉先办预警：目前没有")])
    async with rt.db.session() as s:
        now = rt.clock.now()
        for n, departments in enumerate([["MJ-CGJ"], ["MJ-JTJ"]], start=1):
            s.add(
                TopicAlert(
                    day="2026-09-29",
                    created_at=now,
                    updated_at=now,
                    scope="theme",
                    title=f"主题{n}",
                    reason="growth",
                    current=9,
                    baseline=2.0,
                    departments=departments,
                    codes=[],
                )
            )
    await verify_dialog(
        rt,
        [
            (
                "demo-laijianguo",
                "有冇咩预警",
                re.compile("目前没有超期[\\s\\S]*\\n未诉先办预警（热点诉求增长）2 条，发送“/预警”查看。"),
            ),
            ("demo-hejianxin", "有冇咩预警", "未诉先办预警（热点诉求增长）1 条"),  # the head of 城管局: their own
            ("demo-laijianguo", "有冇超期嘅工单", re.compile("^(?![\\s\\S]*未诉先办)")),  # overdue asked: only that
        ],
    )


@pytest.fixture
async def history(sqlite_settings: Settings) -> AsyncIterator[Runtime]:
    """The demo district with its months of ticket history, as ``govchat serve`` (``make run``) loads it."""
    settings = replace(sqlite_settings, demo_data=True)
    runtime = await build_runtime(settings, clock=FakeClock(), load_model=False, demo_history=True)
    parser = RecordedParser(RECORDED, fallback=nlu_result("nlu_fallback", 0.3))
    runtime.bot.services.nlu = NluService(parser, runtime.clock)
    yield runtime
    await runtime.close()


async def test_demo_history_overdue_urge_and_a_full_queue(history: Runtime) -> None:
    late = await history.tickets.queries.due_before(history.clock.now())  # type: ignore[union-attr]
    zjj = [t.code for t in late if t.department_code == "MJ-ZJJ"]
    assert late and zjj
    waiting = await history.tickets.queries.queue()  # type: ignore[union-attr]
    assert len(waiting) > 1
    await verify_dialog(
        history,
        [
            ("demo-laijianguo", "有冇超期嘅工单", re.compile(f"^超期 {len(late)} 张[\\s\\S]*{late[0].code}")),
            ("demo-laijianguo", "催一下城管局", f"{CGJ}目前没有超期工单"),
            # a department head sees their own department
            ("demo-hejianxin", "有冇超期嘅工单", f"{CGJ}目前没有超期或 24 小时内到期的工单"),
            # several tickets wait: the dispatcher is asked which
            ("demo-zhongli", "派给城管局", re.compile(f"您有 {len(waiting)} 件待派单工单")),
        ],
    )
    await verify_dialog(
        history,
        [("demo-guyuehua", "催一下住建局", f"已对{ZJJ}的 {len(zjj)} 张超期工单发出催办：{'、'.join(zjj)}。")],
    )


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        ("回复市民：已经上门检查，责令整改", "已经上门检查，责令整改"),  # whom it addresses is not part of it
        ("答复群众，已整改完毕", "已整改完毕"),
        ("回复：市民反映的问题已处理", "市民反映的问题已处理"),
        ("回复市民反映的问题已经处理", "市民反映的问题已经处理"),  # 市民 inside the answer stays
        ("退单，不属于我局职责", "不属于我局职责"),
    ],
)
def test_a_command_keeps_what_is_said_without_its_verb_and_addressee(said: str, kept: str) -> None:
    assert remainder(said, None) == kept
