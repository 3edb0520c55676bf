"""A citizen's follow-up on their own ticket (SQLite and PostgreSQL): a supplement on the timeline, a reminder at
most once a day and counted, a withdrawal that closes the ticket without counting it as late or unresolved."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from admin.tickets_api import ticket_out
from govchat.runtime import Runtime
from kernel.clock import SHANGHAI, FakeClock
from kernel.config import Settings
from kernel.identity import Actor, Role
from office_flows.directory.models import Person
from office_flows.reports.month import _unresolved
from office_flows.tickets.errors import TicketError, TicketForbidden
from office_flows.tickets.escalation import TicketTicker
from office_flows.tickets.followup import RemindedRecently, TicketClosed
from office_flows.tickets.models import Ticket, TicketEvent, TicketObjection
from office_flows.tickets.queries import state_gauges
from office_flows.tickets.rules import LEVEL_OF
from office_flows.tickets.states import Status
from office_flows.tickets.stats import compute
from tests.support.demo_runtime import demo_runtime, inbox

START = datetime(2026, 11, 18, 9, 0, tzinfo=SHANGHAI)  # a Wednesday
CITIZEN = Actor("web", "citizen-7", frozenset({Role.CITIZEN}))
STRANGER = Actor("web", "citizen-8", frozenset({Role.CITIZEN}))


@pytest.fixture
async def rt(settings: Settings) -> AsyncIterator[Runtime]:
    async with demo_runtime(settings, START) as runtime:
        yield runtime


def clock(rt: Runtime) -> FakeClock:
    assert isinstance(rt.clock, FakeClock)
    return rt.clock


async def new_ticket(rt: Runtime) -> str:
    created = await rt.tickets.create(
        kind="投诉",
        content="江南路工地每晚十一点后还在打桩，吵得睡不着",
        channel="web",
        sender=CITIZEN.sender,
        address="梅江区江南路28号",
        actor=CITIZEN,
    )
    return created.code


async def staff(rt: Runtime, sender: str) -> Actor:
    return await rt.bot.services.identity.whois("web", sender)


async def events(rt: Runtime, code: str, action: str) -> list[TicketEvent]:
    async with rt.db.session() as s:
        t = await s.scalar(select(Ticket).where(Ticket.code == code))
        assert t is not None
        q = select(TicketEvent).where(TicketEvent.ticket_id == t.id, TicketEvent.action == action)
        return list(await s.scalars(q))


async def ticket(rt: Runtime, code: str) -> Ticket:
    async with rt.db.session() as s:
        t = await s.scalar(select(Ticket).where(Ticket.code == code))
        assert t is not None
        return t


async def test_supplement_goes_on_the_timeline_and_to_whoever_holds_the_ticket(rt: Runtime) -> None:
    code = await new_ticket(rt)
    await inbox(rt, "demo-zhongli")
    done = await rt.tickets.followup.supplement(code, CITIZEN, "今晚又在施工，十二点还有搅拌车进出")
    assert done.holder == "派单员" and done.status is Status.ACCEPTED
    assert "反映人补充：今晚又在施工" in await inbox(rt, "demo-zhongli")
    [event] = await events(rt, code, "supplement")
    assert event.comment == "今晚又在施工，十二点还有搅拌车进出" and event.actor_name == "市民"

    await rt.tickets.dispatch(code, await staff(rt, "demo-zhongli"), "住建局")
    await inbox(rt, "demo-yechunmei")
    done = await rt.tickets.followup.supplement(code, CITIZEN, "附近的学校也受影响")
    assert done.holder == "梅江区住房和城乡建设局"
    assert "反映人补充：附近的学校也受影响" in await inbox(rt, "demo-yechunmei")
    assert "附近的学校" not in await inbox(rt, "demo-zhongli")

    with pytest.raises(TicketForbidden, match="没有找到您反映的工单"):
        await rt.tickets.followup.supplement(code, STRANGER, "我也来补充一句")
    with pytest.raises(TicketForbidden, match="只能由反映人本人"):
        await rt.tickets.followup.supplement(code, await staff(rt, "demo-yechunmei"), "内部补充")
    with pytest.raises(TicketError, match="具体内容"):
        await rt.tickets.followup.supplement(code, CITIZEN, " ")


async def test_reminder_is_counted_and_limited_to_once_a_day(rt: Runtime) -> None:
    code = await new_ticket(rt)
    await rt.tickets.dispatch(code, await staff(rt, "demo-zhongli"), "住建局")
    await inbox(rt, "demo-yechunmei")
    first = await rt.tickets.followup.remind(code, CITIZEN)
    assert first.remind_count == 1 and first.deadline_at is not None
    assert "反映人第 1 次催办" in await inbox(rt, "demo-yechunmei")
    clock(rt).advance(timedelta(hours=23))
    with pytest.raises(RemindedRecently, match="24 小时内只能催办一次"):
        await rt.tickets.followup.remind(code, CITIZEN)
    clock(rt).advance(timedelta(hours=2))
    second = await rt.tickets.followup.remind(code, CITIZEN)
    assert second.remind_count == 2
    assert (await ticket(rt, code)).remind_count == 2
    assert ticket_out(await ticket(rt, code)).remind_count == 2  # GET /api/tickets/{code} shows it to staff
    assert len(await events(rt, code, "remind")) == 2


async def test_closed_ticket_refuses_follow_up_with_its_state(rt: Runtime) -> None:
    code = await new_ticket(rt)
    await rt.tickets.dispatch(code, await staff(rt, "demo-zhongli"), "住建局")
    head = await staff(rt, "demo-yechunmei")
    await rt.tickets.sign(code, head)
    await rt.tickets.reply(code, head, "已责令施工单位停止夜间施工")
    with pytest.raises(TicketClosed) as closed:
        await rt.tickets.followup.remind(code, CITIZEN)
    assert closed.value.status is Status.ANSWERED
    with pytest.raises(TicketClosed):
        await rt.tickets.followup.withdraw(code, CITIZEN, "不想投诉了")


async def test_withdrawn_ticket_is_closed_and_never_late_nor_unresolved(rt: Runtime) -> None:
    code = await new_ticket(rt)
    await rt.tickets.dispatch(code, await staff(rt, "demo-zhongli"), "住建局")
    head = await staff(rt, "demo-yechunmei")
    await rt.tickets.sign(code, head)
    await rt.tickets.return_(code, head, "非本部门职责", "工地噪音属城管执法职责")
    await inbox(rt, "demo-yechunmei")
    await inbox(rt, "demo-zhongli")

    done = await rt.tickets.followup.withdraw(code, CITIZEN, "已经和工地协商好了")
    assert done.status is Status.WITHDRAWN
    t = await ticket(rt, code)
    assert t.status == "withdrawn" and t.closed_at == rt.clock.now() and t.next_escalation_at is None
    assert "已经和工地协商好了" in t.result
    assert "已由反映人撤回" in await inbox(rt, "demo-zhongli")  # the 退单 was waiting for the dispatchers
    async with rt.db.session() as s:
        objection = await s.scalar(select(TicketObjection).where(TicketObjection.ticket_id == t.id))
    assert objection is not None and objection.status == "withdrawn"
    with pytest.raises(TicketClosed, match="已撤回"):
        await rt.tickets.followup.supplement(code, CITIZEN, "还有一件事")

    # months later: no escalation, no rating, and nothing counts it as late or unresolved
    clock(rt).advance(timedelta(days=60))
    assert await TicketTicker(rt.tickets)(rt.clock.now()) == 0
    assert await inbox(rt, "demo-yechunmei") == ""
    async with rt.db.session() as s:
        month = (START - timedelta(days=1), rt.clock.now())
        table = await compute(s, *month, rt.clock.now())
        by_state, late = await state_gauges(s, rt.clock.now())
        unresolved, _ = await _unresolved(s, [t.id], rt.clock.now())
    for metric in ("ontime_rate", "sign_rate", "callback_rate"):
        cell = table.get(t.department_code, {}).get(metric, {"total": 0, "good": 0})
        assert cell["total"] == cell["good"], (metric, cell)  # on time or not counted: never a miss
    assert table.get(t.department_code, {}).get("ontime_rate", {"total": 0})["total"] == 0
    assert by_state == {"withdrawn": 1} and late == 0
    assert unresolved == set()


async def test_withdrawal_before_signing_is_no_sign_for_miss(rt: Runtime) -> None:
    code = await new_ticket(rt)
    await rt.tickets.dispatch(code, await staff(rt, "demo-zhongli"), "住建局")
    await inbox(rt, "demo-yechunmei")
    await rt.tickets.followup.withdraw(code, CITIZEN, "")
    assert "市民主动撤回" in await inbox(rt, "demo-yechunmei")
    clock(rt).advance(timedelta(days=3))
    async with rt.db.session() as s:
        table = await compute(s, START - timedelta(days=1), rt.clock.now(), rt.clock.now())
    assert all(cell["total"] == 0 for metrics in table.values() for cell in metrics.values())


async def test_a_department_without_a_head_is_told_of_its_rectification_whole(rt: Runtime) -> None:
    """The heads answer for a rectification; when the department has none (its head left), everyone in it is
    told, so that the notice and the citizen's supplement never reach nobody."""
    async with rt.db.session() as s:
        await s.execute(update(Person).where(Person.name == "黄志强").values(active=False))
    code = await new_ticket(rt)
    await rt.tickets.dispatch(code, await staff(rt, "demo-zhongli"), "住建局")
    handler = await staff(rt, "demo-yechunmei")
    await rt.tickets.sign(code, handler)
    await rt.tickets.reply(code, handler, "已责令施工单位停止夜间施工")
    await inbox(rt, "demo-yechunmei")
    await rt.tickets.rate(code, CITIZEN, LEVEL_OF["不满意"], "昨晚还在施工")
    assert "收到差评" in await inbox(rt, "demo-yechunmei")
    done = await rt.tickets.followup.supplement(code, CITIZEN, "今晚十点又开始打桩")
    assert done.rectification_due is not None and done.status is Status.VISITED
    assert "【市民补充】整改中的工单" in await inbox(rt, "demo-yechunmei")
