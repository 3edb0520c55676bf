"""The scheduler's ticket tick: escalation (提醒 → 催办 → 督办), sign-for reminders, the rating window.

Each step is claimed with a conditional UPDATE on the ticket row, so it fires exactly once
however many workers tick, and a step missed while the product was down fires at the next tick.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from kernel.db import Database, claim
from kernel.identity import Role
from kernel.workdays import calendar_for
from office_flows.tickets.models import Ticket, TicketAssist, TicketObjection, TicketRating
from office_flows.tickets.service import TicketService, fmt_time
from office_flows.tickets.states import Status

LEVELS = {1: "提醒", 2: "催办", 3: "督办"}
BATCH = 500


class TicketTicker:
    def __init__(self, service: TicketService) -> None:
        self.service = service
        self.db: Database = service.db

    async def __call__(self, now: datetime) -> int:
        return (
            await self.escalate(now)
            + await self.sign_reminders(now)
            + await self.close_rating_window(now)
            + await self.overdue_reviews(now)
            + await self.assist_reminders(now)
        )

    async def assist_reminders(self, now: datetime) -> int:
        """协办: an assisting department that has not signed for by its limit is reminded once; one whose part
        is missing at its deadline is reported once to the lead department and the dispatchers."""
        svc = self.service
        fired = 0
        open_ticket = Ticket.status.in_([Status.DISPATCHED.value, Status.HANDLING.value])
        async with self.db.session() as s:
            late_sign = (
                select(TicketAssist, Ticket)
                .join(Ticket, Ticket.id == TicketAssist.ticket_id)
                .where(
                    open_ticket,
                    TicketAssist.signed_at.is_(None),
                    TicketAssist.sign_deadline_at <= now,
                    TicketAssist.sign_reminded.is_(False),
                )
                .limit(BATCH)
            )
            for a, t in (await s.execute(late_sign)).all():
                if not await claim(s, TicketAssist, a.id, TicketAssist.sign_reminded.is_(False), sign_reminded=True):
                    continue
                fired += 1
                text = (
                    f"【催签】工单 {t.code} 的协办任务已超过签收时限（{fmt_time(a.sign_deadline_at)}），"
                    f"请尽快签收：/签收 {t.code}"
                )
                await svc.notify_department(s, a.department_code, text, kind="ticket_assist", ref=t.code)
            late_part = (
                select(TicketAssist, Ticket)
                .join(Ticket, Ticket.id == TicketAssist.ticket_id)
                .where(
                    open_ticket,
                    TicketAssist.answered_at.is_(None),
                    TicketAssist.deadline_at <= now,
                    TicketAssist.overdue_notified.is_(False),
                )
                .limit(BATCH)
            )
            for a, t in (await s.execute(late_part)).all():
                if not await claim(
                    s, TicketAssist, a.id, TicketAssist.overdue_notified.is_(False), overdue_notified=True
                ):
                    continue
                fired += 1
                name = await svc.department_name(s, a.department_code)
                text = f"【协办超期】工单 {t.code} 的协办部门{name}未在 {fmt_time(a.deadline_at)} 前提交协办意见。"
                await svc.notify_department(s, a.department_code, text, kind="ticket_assist", ref=t.code)
                await svc.notify_department(s, t.department_code, text, kind="ticket_assist", ref=t.code)
                await svc.notify_role(
                    s, Role.DISPATCHER, text + f"可催办：/催办 {t.code}", kind="ticket_assist", ref=t.code
                )
        return fired

    async def overdue_reviews(self, now: datetime) -> int:
        """A 退单 not reviewed by its deadline: the supervisors are told once."""
        svc = self.service
        async with self.db.session() as s:
            rows = list(
                await s.scalars(
                    select(TicketObjection)
                    .where(
                        TicketObjection.status == "pending",
                        TicketObjection.review_due_at <= now,
                        TicketObjection.overdue_notified.is_(False),
                    )
                    .limit(BATCH)
                )
            )
            fired = 0
            for o in rows:
                if not await claim(
                    s, TicketObjection, o.id, TicketObjection.overdue_notified.is_(False), overdue_notified=True
                ):
                    continue
                fired += 1
                code = await s.scalar(select(Ticket.code).where(Ticket.id == o.ticket_id))
                dept = await svc.department_name(s, o.department_code)
                await svc.notify_role(
                    s,
                    Role.SUPERVISOR,
                    f"【退单审核超时】工单 {code} 被{dept}退单（{o.reason}），"
                    f"审核期限 {fmt_time(o.review_due_at)} 已过，请督促派单员审核。",
                    kind="ticket_review_overdue",
                    ref=code or "",
                )
        return fired

    async def escalate(self, now: datetime) -> int:
        fired = 0
        svc = self.service
        async with self.db.session() as s:
            due = list(
                await s.scalars(
                    select(Ticket)
                    .where(
                        Ticket.status.in_([Status.DISPATCHED.value, Status.HANDLING.value]),
                        Ticket.next_escalation_at <= now,
                        Ticket.paused_at.is_(None),
                    )
                    .order_by(Ticket.next_escalation_at)
                    .limit(BATCH)
                )
            )
            if not due:
                return 0
            cal = await calendar_for(s)
            for t in due:
                level = t.escalation + 1
                if level > 3 or t.deadline_at is None:
                    continue
                nxt = (
                    t.deadline_at
                    if level == 1
                    else (cal.add_work_hours(t.deadline_at, svc.rules.supervise_hours).at if level == 2 else None)
                )
                if not await claim(
                    s, Ticket, t.id, Ticket.escalation == t.escalation, escalation=level, next_escalation_at=nxt
                ):
                    continue  # another worker fired it
                fired += 1
                set_committed_value(t, "escalation", level)  # what the UPDATE wrote; not dirty
                set_committed_value(t, "next_escalation_at", nxt)
                name = LEVELS[level]
                svc.record_event(
                    s, t, f"escalate_{level}", None, f"{name}：期限 {fmt_time(t.deadline_at)}", level=level
                )
                if level == 1:
                    text = f"【提醒】工单 {t.code} 将于 {fmt_time(t.deadline_at)} 到期，请及时办结。"
                    await svc.notify_department(s, t.department_code, text, kind="ticket_remind", ref=t.code)
                elif level == 2:
                    text = (
                        f"【催办】工单 {t.code} 已到办理期限（{fmt_time(t.deadline_at)}）仍未办结，"
                        "请部门负责人督促办理。"
                    )
                    await svc.notify_department(
                        s, t.department_code, text, kind="ticket_urge", ref=t.code, heads_only=True
                    )
                else:
                    dept = await svc.department_name(s, t.department_code)
                    text = f"【督办】工单 {t.code}（{dept}）已超期未办结，期限 {fmt_time(t.deadline_at)}。"
                    await svc.notify_role(s, Role.SUPERVISOR, text, kind="ticket_supervise", ref=t.code)
        return fired

    async def sign_reminders(self, now: datetime) -> int:
        svc = self.service
        async with self.db.session() as s:
            due = (
                Ticket.status == Status.DISPATCHED.value,
                Ticket.sign_deadline_at <= now,
                Ticket.sign_reminded.is_(False),
            )
            claimed = await _claim_due(s, due, Ticket.sign_reminded.is_(False), sign_reminded=True)
            for t in claimed:
                text = (
                    f"【催签】工单 {t.code} 已超过签收时限（{fmt_time(t.sign_deadline_at)}），"
                    f"请尽快签收：/签收 {t.code}"
                )
                await svc.notify_department(s, t.department_code, text, kind="ticket_sign", ref=t.code)
        return len(claimed)

    async def close_rating_window(self, now: datetime) -> int:
        """No rating within the window counts as 未评价 (never as satisfied)."""
        svc = self.service
        async with self.db.session() as s:
            answered = Ticket.status == Status.ANSWERED.value
            claimed = await _claim_due(
                s,
                (answered, Ticket.rating_due_at <= now),
                answered,
                status=Status.VISITED.value,
                rating_due_at=None,
                updated_at=now,
            )
            for t in claimed:
                await s.refresh(t)
                s.add(
                    TicketRating(
                        ticket_id=t.id,
                        round=1,
                        level=None,
                        department_code=t.department_code,
                        handler_person_id=t.handler_person_id,
                        at=now,
                    )
                )
                svc.record_event(s, t, "unrated", None, "评价期限已过，记为未评价", from_status=Status.ANSWERED.value)
        return len(claimed)


async def _claim_due(s: AsyncSession, due: tuple[Any, ...], still: Any, **values: Any) -> list[Ticket]:
    """The due tickets (a batch) that this worker claimed: ``still`` must hold when its UPDATE runs."""
    rows = list(await s.scalars(select(Ticket).where(*due).limit(BATCH)))
    return [t for t in rows if await claim(s, Ticket, t.id, still, **values)]
