"""12345 tickets end to end through the bot (SQLite and PostgreSQL): intake, dispatch, return, re-dispatch,
answer, bad rating, rectification, re-rating; deadlines over a public holiday; escalation fired exactly once."""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from govchat.runtime import Runtime, build_runtime
from kernel.clock import SHANGHAI
from kernel.config import Settings
from kernel.outbox import OutboxMessage
from kernel.workdays import WorkCalendar
from office_flows.tickets.models import Ticket, TicketEvent, TicketRating
from office_flows.tickets.stats import compute, drill_down
from tests.support.demo_runtime import demo_runtime, inbox
from tests.support.dialogue import verify_dialog as _verify_dialog
from tests.support.nlu_double import nlu_result

# The demo people speak on the web chat (identities the server issues: the demo sign-in), as do the citizens.
verify_dialog = functools.partial(_verify_dialog, channel="web")

RECORDED = {
    "我要投诉隔壁工地半夜施工，吵得睡不着": nlu_result("complain"),
    "我要举报": nlu_result("report"),
    "讲个笑话听听": nlu_result("out_of_scope"),
    "GD2026092900001 我们签收了": nlu_result("accept_ticket"),
    "GD2026092900001 申请延期5个工作日，需要协调供电部门": nlu_result("extend_ticket"),
    "GD2026092900001 办好了，已经督促施工方整改": nlu_result("reply_ticket"),
    "GD2026092900001 办得怎么样了": nlu_result("query_ticket"),
    "挺满意的": nlu_result("rate_service", entities=[{"entity": "rating", "value": "满意", "start": 1, "end": 3}]),
    "本月各部门办结情况怎么样": nlu_result("query_stats"),
    "帮我催一下GD2026092900001": nlu_result("urge_ticket"),
    "火星上怎么办护照": nlu_result("ask_service"),
    # a handler's plain result, as the real NLU read them: out of scope, or unsure between citizen intents
    "已经派人去查，老板话以后十点收档": nlu_result("out_of_scope", 0.62),
    "工地已经停工整改，夜间不再施工": nlu_result(
        "nlu_fallback", 0.3, ranking=[("nlu_fallback", 0.3), ("complain", 0.34), ("ticket_queue", 0.31)]
    ),
    "呢单边个负责跟进": nlu_result("out_of_scope", 0.55),
}


# 2026-09-29 (Tuesday) 10:00: National Day (Oct 1-7) lies inside every deadline below.
START = datetime(2026, 9, 29, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
async def rt(settings: Settings) -> AsyncIterator[Runtime]:
    async with demo_runtime(settings, START, RECORDED) as runtime:
        yield runtime


async def file_complaint(rt: Runtime, citizen: str = "citizen-1", phone: str = "13912345678") -> str:
    """The intake dialogue for one noise complaint; returns the new ticket's code."""
    answers = await verify_dialog(
        rt,
        [
            ("我要投诉隔壁工地半夜施工，吵得睡不着", ["登记投诉工单", "具体地点"]),
            ("梅江区江南路28号", "什么时候开始"),
            ("上周开始，每晚十一点后", "手机号码"),
            (phone, "请核对"),
            ("确认", re.compile(r"已为您登记工单 GD\d{13}")),
        ],
        sender=citizen,
    )
    m = re.search(r"GD\d{13}", answers[-1][0])
    assert m is not None
    return m.group(0)


async def test_closed_loop_scenario(rt: Runtime) -> None:
    code = await file_complaint(rt)
    assert code.startswith("GD20260929")
    async with rt.db.session() as s:
        stored = await s.scalar(select(Ticket.content).where(Ticket.code == code))
    assert stored == "我要投诉隔壁工地半夜施工，吵得睡不着"  # kept as written (full-width comma)
    # The summary masked the phone; the dispatcher was told.
    assert "新工单" in await inbox(rt, "demo-zhongli")
    # documents and tickets together
    await verify_dialog(rt, [("demo-zhongli", "/待办", "另有 1 张待派单工单")])

    # Citizens cannot dispatch; the dispatcher can.
    await verify_dialog(
        rt,
        [
            ("citizen-1", f"/派单 {code} 梅江区住房和城乡建设局", "需要派单员"),
            ("demo-zhongli", f"/派单 {code} 梅江区住房和城乡建设局", "已将工单"),
        ],
    )
    assert code in await inbox(rt, "demo-yechunmei")
    await verify_dialog(
        rt,
        [
            ("demo-yechunmei", "/待办", "另有 1 张本部门待办工单"),
            ("demo-zhongli", "/待办", re.compile(r"^您目前没有待办公文。$")),  # the ticket queue is empty again
            # Another department cannot sign; 住建局 signs, then returns it.
            ("demo-zhuli", f"/签收 {code}", "不在您所在部门"),
            ("demo-yechunmei", f"/签收 {code}", "已签收"),
            # illegal: already handling
            ("demo-yechunmei", f"/签收 {code}", "当前状态为“办理中”，不能签收"),
            ("demo-yechunmei", f"/退单 {code}", "请说明退单理由"),
            # a reason naming none of the configured ones lists them ("不归我们管" would name 非本部门职责)
            ("demo-yechunmei", f"/退单 {code} 太忙了 夜间施工噪音", "退单理由须从以下选择"),
            ("demo-yechunmei", f"/退单 {code} 非本部门职责 夜间施工噪音属城管执法职责", "已对工单"),
        ],
    )
    assert "/审核退单" in await inbox(rt, "demo-zhongli")

    rt.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", f"/审核退单 {code} 同意 城管局", "并改派梅江区城市管理和综合执法局"),
            ("demo-zhuli", f"/签收 {code}", "已签收"),
            ("demo-zhuli", f"/回复 {code} 已责令施工单位停止夜间施工并处罚款", "已回复"),
        ],
    )
    notice = await inbox(rt, "citizen-1")
    assert "已办结" in notice and "请对办理结果评价" in notice

    # Only the citizen rates; a bad rating opens a rectification.
    await verify_dialog(
        rt,
        [
            ("citizen-2", f"/评价 {code} 满意", "没有找到您反映的工单"),
            ("citizen-1", f"/评价 {code} 不满意 晚上还是很吵", "启动整改"),
            ("citizen-1", f"/评价 {code} 满意", "正在整改"),
            ("demo-hejianxin", f"/整改完成 {code} 加强巡查", "请先登记回访"),
            ("demo-hejianxin", f"/回访 {code} 已电话回访，说明整改计划", "已登记"),
            ("demo-hejianxin", f"/整改完成 {code} 夜间巡查每晚两次，施工已停止", "整改完成"),
        ],
    )
    assert "重新评价" in await inbox(rt, "citizen-1")
    await verify_dialog(
        rt,
        [
            ("citizen-1", f"/评价 {code} 满意", "已收到您的评价：满意"),
            ("citizen-1", f"/评价 {code} 非常满意", "不能重复评价"),
        ],
    )

    # Every step is in the history; the citizen sees status but not the staff history.
    steps = [
        "受理",
        "派单",
        "签收",
        "退单",
        "同意退单并改派",
        "回复办结",
        "评价",
        "启动整改",
        "整改回访",
        "整改完成",
        "重新评价",
    ]
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", f"/工单记录 {code}", re.compile("[\\s\\S]*".join(steps))),
            ("citizen-1", f"/工单 {code}", re.compile("已回访[\\s\\S]*梅江区城市管理和综合执法局")),
            ("citizen-2", f"/工单 {code}", "没有查到您名下"),
        ],
    )

    # Ratings store the department at the moment of rating; the statistics see it.
    async with rt.db.session() as s:
        ratings = list(await s.scalars(select(TicketRating).order_by(TicketRating.id)))
        assert [(r.round, r.level, r.department_code) for r in ratings] == [(1, 2, "MJ-CGJ"), (2, 4, "MJ-CGJ")]
        month = (datetime(2026, 9, 1, tzinfo=SHANGHAI), datetime(2026, 10, 1, tzinfo=SHANGHAI))
        table = await compute(s, *month, rt.clock.now())
        assert table["MJ-CGJ"]["satisfaction_rate"] == {"good": 1, "total": 2, "rate": 0.5}
        # the rating's transaction set the flag 回访率 reads (the citizen rated)
        assert await s.scalar(select(Ticket.rated).where(Ticket.code == code)) is True
        assert table["MJ-CGJ"]["callback_rate"] == {"good": 1, "total": 1, "rate": 1.0}
        assert await drill_down(s, "satisfaction_rate", *month, rt.clock.now(), "MJ-CGJ", part="bad") == [code]
    await verify_dialog(
        rt,
        [
            ("demo-laijianguo", "/统计 2026-09", re.compile(r"满意率(?![\s\S]*月度报告)")),
            # asking for the report: the figures, and where the PDF and XLSX are made
            (
                "demo-laijianguo",
                "/统计 2026-09 报告",
                re.compile(r"满意率[\s\S]*“月度报告”页面生成：/admin/report\?month=2026-09"),
            ),
            ("demo-laijianguo", "/统计 2026-03 报表", "2026 年 3 月暂无工单统计数据。\n2026 年 3 月的完整分析报告"),
            ("citizen-1", "/统计", "需要督办人员"),
        ],
    )


async def test_deadline_skips_national_day(rt: Runtime) -> None:
    code = await file_complaint(rt)
    await verify_dialog(rt, [("demo-zhongli", f"/派单 {code} 梅江区住房和城乡建设局", "已将工单")])
    async with rt.db.session() as s:
        t = await s.scalar(select(Ticket).where(Ticket.code == code))
        assert t is not None and t.deadline_at is not None
    expected = WorkCalendar().add_workdays(START, 15).at
    assert t.deadline_at == expected
    naive = START
    for _ in range(15):  # Monday–Friday only, holidays ignored
        naive += timedelta(days=1)
        while naive.weekday() >= 5:
            naive += timedelta(days=1)
    assert t.deadline_at.astimezone(SHANGHAI).date() > naive.date()


async def test_cancel_invalid_and_timeout_write_nothing(rt: Runtime) -> None:
    await verify_dialog(
        rt,
        [
            ("我要投诉隔壁工地半夜施工，吵得睡不着", ["登记投诉工单", "具体地点"]),
            ("取消", "已取消登记"),
            ("我要举报", ["登记举报工单", "发生了什么"]),
            ("/帮助", "我能帮您"),  # other commands still answer mid-dialogue
            ("嗯", "再具体一点"),  # too short: asked again
        ],
        sender="c-9",
    )
    rt.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    await verify_dialog(
        rt,
        [
            ("讲个笑话听听", ["超过时限", "超出了我的服务范围"]),
            ("讲个笑话听听", "超出了我的服务范围"),
        ],
        sender="c-9",
    )
    async with rt.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Ticket)) == 0
    await verify_dialog(
        rt,
        [("/工单 GD2026092999999", "没有查到"), ("/工单 12345", "格式")],
        sender="c-9",
    )


async def test_duplicate_is_flagged_and_merge_keeps_both_citizens(rt: Runtime) -> None:
    first = await file_complaint(rt, "citizen-a", "13911110000")
    second = await file_complaint(rt, "citizen-b", "13922220000")  # same address
    assert f"疑似与 {first} 重复" in await inbox(rt, "demo-zhongli")
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", f"/合并 {second} {first}", "合并"),
            ("demo-zhongli", f"/派单 {first} 梅江区城市管理和综合执法局", "已将工单"),
            ("demo-zhuli", f"/签收 {first}", "已签收"),
            ("demo-zhuli", f"/回复 {first} 已处理完毕，施工单位已整改", "已回复"),
        ],
    )
    assert "已办结" in await inbox(rt, "citizen-a")
    assert "已办结" in await inbox(rt, "citizen-b")
    await verify_dialog(rt, [("citizen-b", f"/工单 {second}", "已合并")])


async def _events(rt: Runtime, action: str) -> int:
    async with rt.db.session() as s:
        return int(
            await s.scalar(select(func.count()).select_from(TicketEvent).where(TicketEvent.action == action)) or 0
        )


async def test_escalation_ladder_fires_once_across_two_workers(rt: Runtime, settings: Settings) -> None:
    code = await file_complaint(rt)
    await verify_dialog(rt, [("demo-zhongli", f"/派单 {code} 梅江区住房和城乡建设局", "已将工单")])
    other = await build_runtime(replace(settings, demo_data=False), clock=rt.clock, load_model=False)
    try:
        async with rt.db.session() as s:
            t = await s.scalar(select(Ticket).where(Ticket.code == code))
            assert t is not None and t.deadline_at is not None
            deadline = t.deadline_at
        assert (await rt.ticker.tick())["tickets"] == 0
        rt.clock.set(deadline - timedelta(hours=2))  # type: ignore[attr-defined]
        # Sign-for reminder and 提醒 are due; two workers tick at once.
        results = await asyncio.gather(rt.ticker.tick(), other.ticker.tick())
        assert sum(r["tickets"] for r in results) == 2
        assert await _events(rt, "escalate_1") == 1
        assert "【提醒】" in await inbox(rt, "demo-yechunmei")
        rt.clock.set(deadline + timedelta(days=3))  # type: ignore[attr-defined]
        # 催办 and 督办 both fall due; each fires once even though the product "was down" in between.
        results = await asyncio.gather(rt.ticker.tick(), other.ticker.tick())
        results += await asyncio.gather(rt.ticker.tick(), other.ticker.tick())
        assert await _events(rt, "escalate_2") == 1
        assert await _events(rt, "escalate_3") == 1
        assert "【督办】" in await inbox(rt, "demo-laijianguo")
        # After a restart (a new runtime on the same database) nothing fires again.
        assert (await other.ticker.tick())["tickets"] == 0
        async with rt.db.session() as s:
            assert await s.scalar(select(func.count()).select_from(OutboxMessage)) is not None
    finally:
        await other.close()


async def test_returned_three_times_is_raised(rt: Runtime) -> None:
    code = await file_complaint(rt)
    for dept, staff in [
        ("梅江区住房和城乡建设局", "demo-yechunmei"),
        ("梅江区交通运输局", "demo-liaoming"),
        ("梅江区商务局", "demo-linxiaohong"),
    ]:
        await verify_dialog(
            rt,
            [
                ("demo-zhongli", f"/派单 {code} {dept}", "已将工单"),
                (staff, f"/退单 {code} 1 不属于本部门职责", "已对工单"),
            ],
        )
    assert "提级" in await inbox(rt, "demo-laijianguo")
    assert await _events(rt, "raise") == 1


async def test_free_text_through_the_nlu(rt: Runtime) -> None:
    code = await file_complaint(rt)
    assert code == "GD2026092900001"
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", f"/派单 {code} 梅江区城市管理和综合执法局", "已将工单"),
            ("demo-zhuli", f"{code} 我们签收了", "已签收"),
            ("demo-zhuli", f"{code} 申请延期5个工作日，需要协调供电部门", "延期 5 个工作日"),
            ("demo-zhongli", f"/批准延期 {code}", "同意延期"),
            ("demo-laijianguo", f"帮我催一下{code}", "发出催办"),
            # a citizen's own urging is their reminder (催单), not the staff refusal
            ("citizen-1", f"帮我催一下{code}", "已为您催办工单"),
            ("demo-zhuli", f"{code} 办好了，已经督促施工方整改", "已回复"),
            ("citizen-1", f"{code} 办得怎么样了", "已办结"),
            ("citizen-1", "挺满意的", "评价：满意"),  # the latest ticket awaiting a rating
            ("demo-laijianguo", "本月各部门办结情况怎么样", "满意率"),
        ],
    )


async def test_declined_question_becomes_a_consultation_ticket(rt: Runtime) -> None:
    await verify_dialog(
        rt,
        [
            ("火星上怎么办护照", "没有找到准确的答案"),
            ("登记工单", ["登记为咨询工单", "手机号码"]),
            ("13700001111", "请核对"),
            ("确认", "已为您登记工单"),
        ],
        sender="c-kb",
    )
    async with rt.db.session() as s:
        t = await s.scalar(select(Ticket))
        assert t is not None and t.kind == "咨询" and t.content == "火星上怎么办护照"


async def test_two_signers_at_once_only_one_wins(rt: Runtime) -> None:
    code = await file_complaint(rt)
    await verify_dialog(rt, [("demo-zhongli", f"/派单 {code} 梅江区城市管理和综合执法局", "已将工单")])
    either = re.compile("已签收工单|当前状态为“办理中”，不能签收")  # the loser finds it signed
    answers = await asyncio.gather(
        verify_dialog(rt, [("demo-zhuli", f"/签收 {code}", either)]),
        verify_dialog(rt, [("demo-hejianxin", f"/签收 {code}", either)]),
    )
    assert sum("已签收工单" in a[0][0] for a in answers) == 1, answers
    assert await _events(rt, "sign") == 1


async def test_router_proposal_is_shown_accepted_or_auto_dispatched(rt: Runtime) -> None:
    from office_flows.routing import Router, RouterModel, load_department_map
    from office_flows.routing.dataset import Example

    topics = {
        "城乡建设": ["工地夜间施工", "小区违章搭建", "楼道墙体开裂", "工地扬尘"],
        "交通运输": ["公交车不停站", "红绿灯坏了", "出租车拒载", "道路拥堵"],
        "教育文体": ["小学学位不够", "幼儿园乱收费", "学校食堂卫生", "体育馆不开放"],
    }
    frames = ["我家附近{}，吵得睡不着请处理", "反映{}的问题，希望尽快解决", "{}很久了没人管"]
    examples = [Example(f.format(t), label) for label, ts in topics.items() for t in ts for f in frames]
    router = Router(RouterModel.train(examples), load_department_map(None))
    rt.tickets.router = router
    code = await file_complaint(rt)
    await verify_dialog(rt, [("demo-zhongli", "/工单队列", re.compile(r"建议：梅江区住房和城乡建设局（置信度"))])
    assert "建议分派：梅江区住房和城乡建设局" in await inbox(rt, "demo-zhongli")
    # accepts the proposal
    await verify_dialog(rt, [("demo-zhongli", f"/派单 {code}", "派往梅江区住房和城乡建设局")])

    rt.tickets.rules = replace(rt.tickets.rules, auto_dispatch=0.01)
    second = await file_complaint(rt, "citizen-z", "13800009999")
    # A likely duplicate (same address) is never auto-dispatched: the dispatcher decides. The citizen sees the
    # plain status, and nothing of the suspected duplicate.
    status = re.compile(
        f"^工单 {second}（投诉）\n状态：已受理，待派单\n办理部门：未派单\n办理期限：—\n最近更新：[^\n]*$"
    )
    await verify_dialog(rt, [("citizen-z", f"/工单 {second}", status)])
    async with rt.db.session() as s:
        t = await s.scalar(select(Ticket).where(Ticket.code == second))
        assert t is not None and t.status == "accepted" and t.duplicate_of == code
    third = await rt.tickets.create(
        kind="投诉",
        content="我家附近工地扬尘，吵得睡不着请处理",
        channel="rest",
        sender="citizen-y",
        address="梅江区金山街道 5 号",
        phone="13800007777",
    )
    assert third.dispatched_to == "梅江区住房和城乡建设局"


async def test_no_rating_within_the_window_counts_as_unrated(rt: Runtime) -> None:
    code = await file_complaint(rt)
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", f"/派单 {code} 梅江区城市管理和综合执法局", "已将工单"),
            ("demo-zhuli", f"/签收 {code}", "已签收"),
            ("demo-zhuli", f"/回复 {code} 已责令施工单位停止夜间施工", "已回复"),
        ],
    )
    rt.clock.advance(timedelta(days=2))  # type: ignore[attr-defined]
    await rt.ticker.tick()
    assert await _events(rt, "unrated") == 0  # still inside the window (National Day does not count)
    rt.clock.advance(timedelta(days=10))  # type: ignore[attr-defined]
    await asyncio.gather(rt.ticker.tick(), rt.ticker.tick())
    assert await _events(rt, "unrated") == 1
    async with rt.db.session() as s:
        t = await s.scalar(select(Ticket).where(Ticket.code == code))
        rating = await s.scalar(select(TicketRating).where(TicketRating.ticket_id == t.id))  # type: ignore[union-attr]
        assert t is not None and t.status == "visited" and rating is not None and rating.level is None
        assert t.rated is False  # 未评价 is not a rating: 回访率 does not count it
    await verify_dialog(rt, [("citizen-1", f"/评价 {code} 满意", "已过评价期限")])


async def test_a_question_about_one_rate_or_one_department_is_answered(rt: Runtime) -> None:
    """ "边个部门满意率最低" and "城管局嘅满意率几多" used to get the whole monthly table: the rate asked comes worst
    first with the answer on top, a department named gets its own figures with the district's and its place."""
    satisfied, unhappy = await file_complaint(rt, "citizen-1"), await file_complaint(rt, "citizen-2", "13912345679")
    for code, dept, staff, citizen, rating in [
        (satisfied, "城管局", "demo-zhuli", "citizen-1", "满意"),
        (unhappy, "梅江区交通运输局", "demo-liaoming", "citizen-2", "不满意"),
    ]:
        await verify_dialog(
            rt,
            [
                ("demo-zhongli", f"/派单 {code} {dept}", "已将工单"),
                (staff, f"/签收 {code}", "已签收"),
                (staff, f"/回复 {code} 已到现场处理，施工方承诺夜间停工", "已回复"),
                (citizen, f"/评价 {code} {rating}", "评价"),
            ],
        )
    await verify_dialog(
        rt,
        [
            (
                "demo-laijianguo",
                "/统计 边个部门满意率最低",
                re.compile(
                    "^2026 年 9 月满意率最差的是梅江区交通运输局：0%。\n各部门（从差到好）：\n"
                    "1. 梅江区交通运输局 0%（达标 0/1，1 次评价，样本过少）\n"
                    "2. 梅江区城市管理和综合执法局 100%（达标 1/1[^\n]*\n全区：50%（达标 1/2"
                ),
            ),
            (
                "demo-laijianguo",
                "/统计 满意率边个最高",
                re.compile("^2026 年 9 月满意率最好的是梅江区城市管理和综合执法局：100%"),
            ),
            ("demo-laijianguo", "/统计 今个月满意率几多", re.compile("^2026 年 9 月全区满意率 50%（达标 1/2")),
            (
                "demo-laijianguo",
                "/统计 城管局嘅满意率几多",
                re.compile(
                    "^2026 年 9 月梅江区城市管理和综合执法局：\n"
                    "· 满意率 100%（达标 1/1[^\n]*；全区 50%，在 2 个部门中排第 1\n口径"
                ),
            ),
            # no rate named, but which department trails: each rate's worst department
            (
                "demo-laijianguo",
                "/统计 边个部门最差",
                re.compile(
                    "^2026 年 9 月各项指标最差的部门：\n[\\s\\S]*"
                    "· 满意率：梅江区交通运输局 0%（达标 0/1，1 次评价，样本过少）；全区 50%"
                ),
            ),
            ("demo-laijianguo", "/统计", "工单统计（按部门）"),  # no rate or department named: the whole table
        ],
    )


async def test_a_handlers_plain_sentence_after_signing_is_offered_as_the_tickets_result(rt: Runtime) -> None:
    """ "已经派人去查，老板话以后十点收档" right after signing used to get the staff decline (or a menu of citizen
    intents): it is offered as the signed ticket's result, sent only when picked."""
    code = await file_complaint(rt)
    offer = f"回复工单 {code}（以这句话作为办理结果）"
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", f"/派单 {code} 城管局", "已将工单"),
            ("demo-zhongli", "已经派人去查，老板话以后十点收档", re.compile("^抱歉，我没有理解")),  # not the handler
            ("demo-zhuli", f"/签收 {code}", "已签收"),
            ("demo-zhuli", "呢单边个负责跟进", re.compile("^抱歉，我没有理解")),  # a question is no result
            (
                "demo-zhuli",
                "已经派人去查，老板话以后十点收档",
                # a menu of one reading is asked as a question: a yes (or its button) takes it
                re.compile(f"^我不太确定您的意思，您是想{re.escape(offer)}吗？是的话请回复“是”"),
            ),
            ("demo-zhuli", "系", f"已回复工单 {code}"),
        ],
    )
    assert "已经派人去查，老板话以后十点收档" in await inbox(rt, "citizen-1")


async def test_the_result_offer_comes_first_in_a_menu_of_other_readings(rt: Runtime) -> None:
    code = await file_complaint(rt)
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", f"/派单 {code} 城管局", "已将工单"),
            ("demo-zhuli", f"/签收 {code}", "已签收"),
            (
                "demo-zhuli",
                "工地已经停工整改，夜间不再施工",
                re.compile(
                    f"^我不太确定您的意思，您是想：\n1. 回复工单 {code}（以这句话作为办理结果）\n"
                    "2. 投诉\n3. 查看工单队列"
                ),
            ),
            ("demo-zhuli", "3", re.compile("^(?!已回复)")),  # another reading picked: nothing is sent
        ],
    )
    async with rt.db.session() as s:
        ticket = await s.scalar(select(Ticket).where(Ticket.code == code))
    assert ticket is not None and ticket.answered_at is None
