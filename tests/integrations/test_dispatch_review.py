"""Dispatch objections (退单 → 审核), co-handling (主办/协办), first-contact responsibility and department aliases,
through the bot's chat commands (SQLite and PostgreSQL)."""

from __future__ import annotations

import functools
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from govchat.runtime import Runtime
from kernel.clock import SHANGHAI
from kernel.config import Settings
from kernel.identity import Actor, Role
from office_flows.tickets.errors import TicketError
from office_flows.tickets.models import Ticket, TicketAssist, TicketObjection
from tests.support.demo_runtime import demo_runtime, inbox
from tests.support.dialogue import verify_dialog as _verify_dialog

verify_dialog = functools.partial(_verify_dialog, channel="web")
START = datetime(2026, 11, 17, 9, 30, tzinfo=SHANGHAI)  # a Tuesday


@pytest.fixture
async def rt(settings: Settings) -> AsyncIterator[Runtime]:
    async with demo_runtime(settings, START) as runtime:
        yield runtime


async def new_ticket(rt: Runtime, content: str = "江南路夜市占道经营，油烟和噪音扰民，晚上十二点还不收摊") -> str:
    citizen = Actor("web", "citizen-9", frozenset({Role.CITIZEN}))
    created = await rt.tickets.create(
        kind="投诉", content=content, channel="web", sender="citizen-9", address="梅江区江南路", actor=citizen
    )
    return created.code


async def test_alias_dispatch_objection_accepted_and_rejected(rt: Runtime) -> None:
    code = await new_ticket(rt)
    await verify_dialog(
        rt,
        [
            # no router model: the dispatcher is told why and how to train one, never "分类建议：无"
            ("demo-zhongli", "/工单队列", re.compile(r"待派单工单[\s\S]*尚未训练分派模型[\s\S]*router train")),
            (
                "demo-zhongli",
                f"/派单 {code}",
                re.compile(r"没有分类建议，请指明派往哪个部门。例如：/派单 GD\d+ 城管局"),
            ),
            ("demo-zhongli", f"/派单 {code} 城关局", "没有找到部门“城关局”（您是指：梅江区城市管理和综合执法局"),
            ("demo-zhongli", f"/派单 {code} 住建局", "已将工单 " + code + " 派往梅江区住房和城乡建设局"),
            ("demo-yechunmei", f"/签收 {code}", "已签收"),
            # a reason from the list (or its number) and words of its own
            ("demo-yechunmei", f"/退单 {code} 非本部门职责", "请写明退单说明"),
            ("demo-yechunmei", f"/退单 {code} 9 占道经营归城管", "退单理由须从以下选择（可写序号）：1.非本部门职责"),
            (
                "demo-yechunmei",
                f"/退单 {code} 1 占道经营属城管执法职责",
                re.compile(r"已对工单 GD\d+ 提出退单（非本部门职责）"),
            ),
            ("demo-yechunmei", f"/回复 {code} 已经处理完毕", "当前状态为“已退单，待审核”，不能回复办结"),
            (
                "demo-zhongli",
                "/工单队列",
                re.compile(r"^待审核退单：\n1\. GD\d+ 被梅江区住房和城乡建设局退单（非本部门职责）"),
            ),
            # why it was sent back is what the department said (no NLU here: every 退单 under review, one)
            (
                "demo-zhongli",
                "第一张点解退",
                re.compile(
                    r"^待审核退单的理由：\n· GD\d+ 被梅江区住房和城乡建设局退单（非本部门职责）：占道经营属城管执法职责"
                ),
            ),
            ("demo-yechunmei", f"/审核退单 {code} 驳回 你们自己办", "需要派单员"),
            ("demo-zhongli", f"/审核退单 {code} 驳回 短", "须写明裁定意见"),
            ("demo-zhongli", f"/审核退单 {code} 同意 住建局", "不能再派回梅江区住房和城乡建设局"),
            (
                "demo-zhongli",
                f"/审核退单 {code} 同意 城管",
                "已同意工单 " + code + " 的退单，并改派梅江区城市管理和综合执法局",
            ),
            ("demo-zhongli", f"/审核退单 {code} 同意 城管", "当前状态为“已派单，待签收”，不能同意退单并改派"),
        ],
    )
    assert "退单审核：同意" in await inbox(rt, "demo-huangzhiqiang")
    # 城管 objects too; this time the dispatcher rules against it and it goes back to them
    await verify_dialog(
        rt,
        [
            ("demo-zhuli", f"/签收 {code}", "已签收"),
            ("demo-zhuli", f"/退单 {code} 诉求不清无法办理 没有写明具体门牌号", "已对工单"),
            ("demo-zhongli", f"/驳回退单 {code} 江南路夜市范围明确，属城管执法职责，请现场核查", "已驳回工单"),
            ("demo-zhuli", f"/回复 {code} 已经处理完毕", "当前状态为“已派单，待签收”，不能回复办结"),
            ("demo-zhuli", f"/签收 {code}", "已签收"),
        ],
    )
    assert "裁定意见：江南路夜市范围明确" in await inbox(rt, "demo-zhuli")
    async with rt.db.session() as s:
        rows = list(await s.scalars(select(TicketObjection).order_by(TicketObjection.id)))
        t = await s.scalar(select(Ticket).where(Ticket.code == code))
    assert [(o.department_code, o.reason, o.status, o.redispatched_to) for o in rows] == [
        ("MJ-ZJJ", "非本部门职责", "accepted", "MJ-CGJ"),
        ("MJ-CGJ", "诉求不清无法办理", "rejected", ""),
    ]
    assert rows[0].review_due_at > rows[0].raised_at  # 4 working hours on the working calendar
    assert t is not None and t.status == "handling" and t.return_count == 2
    counts = await rt.tickets.queries.objection_counts(START - timedelta(days=1), START + timedelta(days=1))
    assert counts == {
        "MJ-ZJJ": {"total": 1, "accepted": 1, "rejected": 0, "pending": 0},
        "MJ-CGJ": {"total": 1, "accepted": 0, "rejected": 1, "pending": 0},
    }
    history = (await verify_dialog(rt, [("demo-zhongli", f"/工单记录 {code}", "首接负责：智能助手（web渠道）")]))[0][0]
    assert re.search("退单[\\s\\S]*同意退单并改派[\\s\\S]*退单[\\s\\S]*驳回退单", history)


async def test_review_overdue_tells_supervisors_once(rt: Runtime) -> None:
    code = await new_ticket(rt)
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", f"/派单 {code} 住建局", "已将工单"),
            # free words that plainly name a listed reason are taken as that reason
            (
                "demo-yechunmei",
                f"/退单 {code} 这个诉求不属于本部门，应由城管处理",
                "提出退单（非本部门职责）：这个诉求不属于本部门",
            ),
        ],
    )
    await inbox(rt, "demo-laijianguo")
    rt.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    assert (await rt.ticker.tick())["tickets"] == 0  # within the 4 working hours
    rt.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    first, again = await rt.ticker.tick(), await rt.ticker.tick()
    assert (first["tickets"], again["tickets"]) == (1, 0)
    assert f"【退单审核超时】工单 {code} 被梅江区住房和城乡建设局退单（非本部门职责）" in await inbox(
        rt, "demo-laijianguo"
    )


async def test_co_handling_parts_then_the_lead_answers(rt: Runtime) -> None:
    code = await new_ticket(rt, "江南路夜市的烧烤摊油烟很大，还卖过期饮料，晚上占道经营到凌晨")
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", f"/派单 {code} 城管局", "已将工单"),
            ("demo-zhuli", f"/协办 {code} 市监局", "需要派单员"),
            ("demo-zhongli", f"/协办 {code}", "请写明协办部门"),
            ("demo-zhongli", f"/协办 {code} 城管局", "是工单 " + code + " 的主办部门，不能同时协办"),
            (
                "demo-zhongli",
                f"/协办 {code} 市监局 环保局",
                "已为工单 " + code + " 指定协办部门：梅江区市场监督管理局、梅州市生态环境局梅江分局",
            ),
            ("demo-zhongli", f"/协办 {code} 市场监管局", "已是工单"),
            ("demo-zhuli", f"/签收 {code}", "已签收工单 " + code + "（投诉）"),
            ("demo-zhenghua", "/工单队列", re.compile(r"本部门待办工单[\s\S]*GD\d+（投诉）协办，")),
            ("demo-zhenghua", f"/回复 {code} 已查处过期饮料", "请先签收协办任务"),
            (
                "demo-zhenghua",
                f"/签收 {code}",
                "已签收工单 " + code + " 的协办任务（主办：梅江区城市管理和综合执法局）",
            ),
            ("demo-zhenghua", f"/回复 {code} 已查处过期饮料 12 瓶，责令下架", "已提交工单 " + code + " 的协办意见"),
            ("demo-zhenghua", f"/回复 {code} 再说一次", "已于"),
            (
                "demo-zhuli",
                f"/回复 {code} 已清理占道摊位并告知市民",
                "协办部门尚未提交协办意见：梅州市生态环境局梅江分局",
            ),
            ("demo-yangfan", f"/签收 {code}", "协办任务"),
            ("demo-yangfan", f"/回复 {code} 已督促加装油烟净化器", "协办意见"),
            ("demo-zhuli", f"/回复 {code} 已清理占道摊位并告知市民", "已回复工单"),
        ],
    )
    notice = await inbox(rt, "citizen-9")
    assert "办理部门：梅江区城市管理和综合执法局（主办）" in notice
    assert "协办部门 梅江区市场监督管理局：已查处过期饮料 12 瓶" in notice
    assert "协办部门 梅州市生态环境局梅江分局：已督促加装油烟净化器" in notice
    async with rt.db.session() as s:
        assists = list(await s.scalars(select(TicketAssist).order_by(TicketAssist.id)))
        t = await s.scalar(select(Ticket).where(Ticket.code == code))
    assert t is not None and t.status == "answered"
    assert [(a.department_code, a.signed_at is not None, a.answered_at is not None) for a in assists] == [
        ("MJ-SJJ", True, True),
        ("MJ-STJ", True, True),
    ]
    assert all(t.deadline_at is not None and a.deadline_at <= t.deadline_at for a in assists)


async def test_the_deadline_stops_while_an_objection_waits_for_review(rt: Runtime) -> None:
    code = await new_ticket(rt)
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", f"/派单 {code} 住建局", "已将工单"),
            ("demo-yechunmei", f"/签收 {code}", "已签收"),
            ("demo-yechunmei", f"/退单 {code} 1 占道经营属城管执法职责", "已对工单"),
        ],
    )
    async with rt.db.session() as s:
        before = await s.scalar(select(Ticket.deadline_at).where(Ticket.code == code))
    rt.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]  (09:30 → 11:30: 2 working hours)
    await verify_dialog(rt, [("demo-zhongli", f"/驳回退单 {code} 夜市占道属于贵局配合范围，请继续办理", "已驳回")])
    async with rt.db.session() as s:
        after = await s.scalar(select(Ticket.deadline_at).where(Ticket.code == code))
    assert before is not None and after is not None
    assert after.astimezone(SHANGHAI) > before.astimezone(SHANGHAI)  # the review's 2 hours are not charged


async def test_a_late_assisting_department_is_reminded_then_reported_once(rt: Runtime) -> None:
    code = await new_ticket(rt)
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", f"/派单 {code} 城管局", "已将工单"),
            ("demo-zhuli", f"/签收 {code}", "已签收"),
            ("demo-zhongli", f"/协办 {code} 市监局", "已为工单"),
        ],
    )
    for who in ("demo-zhenghua", "demo-zhuli", "demo-zhongli"):
        await inbox(rt, who)
    rt.clock.advance(timedelta(hours=6))  # type: ignore[attr-defined]  past the 2 working hours to sign
    assert (await rt.ticker.tick())["tickets"] == 1
    assert f"【催签】工单 {code} 的协办任务已超过签收时限" in await inbox(rt, "demo-zhenghua")
    rt.clock.advance(timedelta(days=10))  # type: ignore[attr-defined]  past the 5 working days for its part
    first, again = await rt.ticker.tick(), await rt.ticker.tick()
    assert again["tickets"] == 0 and first["tickets"] >= 1
    assert f"【协办超期】工单 {code} 的协办部门梅江区市场监督管理局" in await inbox(rt, "demo-zhuli")
    assert "可催办" in await inbox(rt, "demo-zhongli")


async def test_more_said_of_a_return_only_by_its_department_and_while_it_waits(rt: Runtime) -> None:
    code = await new_ticket(rt)
    await verify_dialog(
        rt,
        [
            ("demo-zhongli", f"/派单 {code} 住建局", "已将工单"),
            ("demo-yechunmei", f"/退单 {code} 1 占道经营属城管执法职责", "提出退单"),
        ],
    )
    ident = rt.bot.services.identity
    handler, other = await ident.whois("web", "demo-yechunmei"), await ident.whois("web", "demo-zhuli")
    with pytest.raises(TicketError, match="不在您所在部门办理"):
        await rt.tickets.explain_return(code, other, "其实系我哋嘅")
    objection = await rt.tickets.explain_return(code, handler, "依据梅江区城管执法事项清单第12项")
    assert objection.text == "占道经营属城管执法职责；依据梅江区城管执法事项清单第12项"
    assert "补充说明：依据梅江区城管执法事项清单第12项" in await inbox(rt, "demo-zhongli")
    await verify_dialog(rt, [("demo-zhongli", f"/审核退单 {code} 驳回 该夜市在住建局管理的安置区内", "已驳回")])
    with pytest.raises(TicketError, match="没有待审核的退单"):
        await rt.tickets.explain_return(code, handler, "再补充一点")
