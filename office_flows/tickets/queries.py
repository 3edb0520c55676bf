"""Ticket reads in one place, for chat, the REST API and the console alike: data in, data out.

Writes (each a transaction with its events and notifications) stay in ``service.TicketService``;
nothing here changes a row or words an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import SHANGHAI
from kernel.db import Database
from kernel.identity import Actor, Role
from office_flows.directory.models import Department
from office_flows.tickets.errors import TicketNotFound
from office_flows.tickets.models import (
    Rectification,
    Ticket,
    TicketAssist,
    TicketCitizen,
    TicketEvent,
    TicketObjection,
    TicketRating,
)
from office_flows.tickets.states import OPEN, Status

DISPATCHERS = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})


def fmt_time(at: datetime | None) -> str:
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if at else "—"


def awaiting_dispatch() -> ColumnElement[bool]:
    return Ticket.status == Status.ACCEPTED.value


def open_in(department_code: str) -> ColumnElement[bool]:
    """A department's tickets that wait for it to act: those it leads, and those it assists (协办) whose part
    it has not given yet."""
    assisting = select(TicketAssist.ticket_id).where(
        TicketAssist.department_code == department_code, TicketAssist.answered_at.is_(None)
    )
    return and_(
        or_(Ticket.department_code == department_code, Ticket.id.in_(assisting)),
        Ticket.status.in_([Status.DISPATCHED.value, Status.HANDLING.value]),
    )


async def staff_may_see(s: AsyncSession, t: Ticket, actor: Actor) -> bool:
    if actor.roles & DISPATCHERS:
        return True
    dept = actor.department_code
    if not dept:
        return False
    if dept in (t.departments_seen or []):
        return True
    q = select(TicketAssist.id).where(TicketAssist.ticket_id == t.id, TicketAssist.department_code == dept)
    return (await s.scalar(q.limit(1))) is not None


async def department_name(s: AsyncSession, code: str) -> str:
    if not code:
        return "未派单"
    return await s.scalar(select(Department.name).where(Department.code == code)) or code


async def owns(s: AsyncSession, t: Ticket, channel: str, sender: str, phone: str = "") -> bool:
    q = select(TicketCitizen.id).where(TicketCitizen.ticket_id == t.id)
    mine = and_(TicketCitizen.channel == channel, TicketCitizen.sender == sender)
    q = q.where(or_(mine, TicketCitizen.phone == phone) if phone else mine)
    return (await s.scalar(q.limit(1))) is not None


@dataclass(frozen=True)
class TicketStatusView:
    """What a citizen (or the staff handling it) may see of one ticket."""

    code: str
    kind: str
    status: Status
    department: str
    deadline_at: datetime | None
    paused: bool
    last_update: datetime | None
    result: str
    merged_into: str
    rectification_due: datetime | None  # an open rectification after a bad rating
    content: str = ""  # the appeal as filed
    address: str = ""


@dataclass(frozen=True)
class ObjectionRow:
    objection: TicketObjection
    code: str
    content: str


class TicketQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def status(self, code: str, actor: Actor, phone: str = "") -> TicketStatusView | None:
        """The ticket, only for its citizens or its staff; None both for "no such ticket" and "not yours"
        (ticket codes must not be probed)."""
        async with self.db.session() as s:
            t = await s.scalar(select(Ticket).where(Ticket.code == code.strip().upper()))
            staff_ok = t is not None and await staff_may_see(s, t, actor)
            if t is None or not (staff_ok or await owns(s, t, actor.channel, actor.sender, phone)):
                return None
            last = await s.scalar(select(func.max(TicketEvent.at)).where(TicketEvent.ticket_id == t.id))
            rect_due = await s.scalar(
                select(Rectification.due_at).where(Rectification.ticket_id == t.id, Rectification.done_at.is_(None))
            )
            return TicketStatusView(
                code=t.code,
                kind=t.kind,
                status=Status(t.status),
                department=await department_name(s, t.department_code),
                deadline_at=t.deadline_at,
                paused=t.paused_at is not None,
                last_update=last,
                result=t.result or "",
                merged_into=t.duplicate_of or "",
                rectification_due=rect_due,
                content=t.content or "",
                address=t.address or "",
            )

    async def may_see(self, t: Ticket, actor: Actor) -> bool:
        """Staff who may see a ticket: dispatchers, and departments that handled, handle or assist it."""
        async with self.db.session() as s:
            return await staff_may_see(s, t, actor)

    async def citizen_tickets(self, actor: Actor, limit: int = 10) -> list[Ticket]:
        """A citizen's own tickets, newest first: those filed from (or joined by) this chat address. A phone
        number typed into a ticket proves nothing (anyone can type anyone's number), so it does not widen
        the list; a phone verified by a one-time code opens one ticket at a time (bot/ticket_lookup.py)."""
        async with self.db.session() as s:
            mine = and_(TicketCitizen.channel == actor.channel, TicketCitizen.sender == actor.sender)
            ids = select(TicketCitizen.ticket_id).where(mine)
            q = (
                select(Ticket)
                .where(Ticket.id.in_(ids))
                .order_by(Ticket.created_at.desc(), Ticket.id.desc())
                .limit(limit)
            )
            return list(await s.scalars(q))

    async def phone_filed(self, code: str, phone: str) -> bool:
        """Whether this phone filed (or joined) the ticket: the only phones a lookup code is ever sent to."""
        if not phone:
            return False
        async with self.db.session() as s:
            q = (
                select(TicketCitizen.id)
                .join(Ticket, Ticket.id == TicketCitizen.ticket_id)
                .where(Ticket.code == code.strip().upper(), TicketCitizen.phone == phone)
            )
            return (await s.scalar(q.limit(1))) is not None

    async def latest_awaiting_rating(self, actor: Actor) -> str | None:
        async with self.db.session() as s:
            return await s.scalar(
                select(Ticket.code)
                .join(TicketCitizen, TicketCitizen.ticket_id == Ticket.id)
                .where(
                    TicketCitizen.channel == actor.channel,
                    TicketCitizen.sender == actor.sender,
                    Ticket.status.in_([Status.ANSWERED.value, Status.VISITED.value]),
                )
                .order_by(Ticket.updated_at.desc())
                .limit(1)
            )

    async def history(self, code: str) -> tuple[Ticket, list[TicketEvent]]:
        async with self.db.session() as s:
            t = await s.scalar(select(Ticket).where(Ticket.code == code.strip().upper()))
            if t is None:
                raise TicketNotFound(f"没有找到工单 {code}，请核对编号（GD 开头，共 15 位）。")
            events = list(
                await s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id).order_by(TicketEvent.id))
            )
            return t, events

    async def queue(self, limit: int = 10) -> list[Ticket]:
        """Tickets waiting for a dispatcher, oldest first."""
        async with self.db.session() as s:
            return list(
                await s.scalars(select(Ticket).where(awaiting_dispatch()).order_by(Ticket.created_at).limit(limit))
            )

    async def department_todo(self, actor: Actor, limit: int = 10) -> list[Ticket]:
        if not actor.department_code:
            return []
        async with self.db.session() as s:
            return list(
                await s.scalars(
                    select(Ticket).where(open_in(actor.department_code)).order_by(Ticket.deadline_at).limit(limit)
                )
            )

    async def open_in_department_of(self, code: str, actor: Actor) -> bool:
        """Is ticket ``code`` open in the speaker's department (as ``department_todo`` lists them)?"""
        if not actor.department_code:
            return False
        async with self.db.session() as s:
            found = await s.scalar(select(Ticket.id).where(Ticket.code == code, open_in(actor.department_code)))
        return found is not None

    async def waiting_for(self, actor: Actor) -> int:
        """How many tickets wait for this person to act: the dispatch queue for a dispatcher, else the
        open tickets of their department (for the summary of /待办)."""
        if actor.roles & DISPATCHERS:
            where = awaiting_dispatch()
        elif actor.department_code:
            where = open_in(actor.department_code)
        else:
            return 0
        async with self.db.session() as s:
            return int(await s.scalar(select(func.count()).select_from(Ticket).where(where)) or 0)

    async def listing(self, *, status: str = "", department: str = "", limit: int = 100) -> list[Ticket]:
        """Newest first, optionally of one status and one department."""
        q = select(Ticket).order_by(Ticket.created_at.desc())
        if status:
            q = q.where(Ticket.status == status)
        if department:
            q = q.where(Ticket.department_code == department)
        async with self.db.session() as s:
            return list(await s.scalars(q.limit(max(0, limit))))

    async def due_before(self, until: datetime, *, department: str = "", limit: int = 20) -> list[Ticket]:
        """Open tickets whose deadline falls before ``until`` (overdue ones first), optionally of one department."""
        q = select(Ticket).where(Ticket.status.in_([x.value for x in OPEN]), Ticket.deadline_at < until)
        if department:
            q = q.where(Ticket.department_code == department)
        async with self.db.session() as s:
            return list(await s.scalars(q.order_by(Ticket.deadline_at).limit(max(0, limit))))

    async def department_code(self, name: str) -> str | None:
        async with self.db.session() as s:
            return await s.scalar(select(Department.code).where(Department.name == name))

    async def objections(self, *, pending_only: bool = True, limit: int = 200) -> list[ObjectionRow]:
        """退单 for review (oldest first) or all of them (newest first), with the ticket's code and text."""
        q = select(TicketObjection, Ticket.code, Ticket.content).join(Ticket, Ticket.id == TicketObjection.ticket_id)
        if pending_only:
            q = q.where(TicketObjection.status == "pending").order_by(TicketObjection.review_due_at)
        else:
            q = q.order_by(TicketObjection.raised_at.desc())
        async with self.db.session() as s:
            return [ObjectionRow(o, code, content) for o, code, content in (await s.execute(q.limit(limit))).all()]

    async def objection_counts(self, start: datetime, end: datetime) -> dict[str, dict[str, int]]:
        """{department: {"total", "accepted", "rejected", "pending"}} for the 退单 raised in [start, end)."""
        q = (
            select(TicketObjection.department_code, TicketObjection.status, func.count())
            .where(TicketObjection.raised_at >= start, TicketObjection.raised_at < end)
            .group_by(TicketObjection.department_code, TicketObjection.status)
        )
        out: dict[str, dict[str, int]] = {}
        async with self.db.session() as s:
            for dept, status, n in (await s.execute(q)).all():
                row = out.setdefault(dept, {"total": 0, "accepted": 0, "rejected": 0, "pending": 0})
                row[status] = row.get(status, 0) + int(n)
                row["total"] += int(n)
        return out

    async def department_names(self, *, active_only: bool = False) -> dict[str, str]:
        q = select(Department.code, Department.name)
        if active_only:
            q = q.where(Department.active.is_(True))
        async with self.db.session() as s:
            return {code: name for code, name in (await s.execute(q)).all()}


# --- the supervisors' dashboard (each in the caller's session: the sections run side by side) ---------


async def names_in(s: AsyncSession) -> dict[str, str]:
    """Every department's name by code."""
    return {code: name for code, name in (await s.execute(select(Department.code, Department.name))).all()}


async def counts_by_status(s: AsyncSession, start: datetime, end: datetime) -> list[tuple[str, str, int]]:
    """(department, status, tickets) for the tickets created in [start, end)."""
    q = (
        select(Ticket.department_code, Ticket.status, func.count())
        .where(Ticket.created_at >= start, Ticket.created_at < end)
        .group_by(Ticket.department_code, Ticket.status)
    )
    return [(d or "", st, int(n)) for d, st, n in (await s.execute(q)).all()]


async def overdue(s: AsyncSession, now: datetime, limit: int) -> list[Ticket]:
    q = (
        select(Ticket)
        .where(Ticket.status.in_([x.value for x in OPEN]), Ticket.deadline_at < now)
        .order_by(Ticket.deadline_at)
        .limit(limit)
    )
    return list(await s.scalars(q))


def state_gauge_queries(now: datetime) -> tuple[Select[str, int], Select[int]]:
    """The two aggregates behind the ticket gauges: both are served by indexes (``ix_tickets_status`` for the count
    by state, an index-only scan; ``ix_tickets_status_deadline`` for the overdue open ones)."""
    by_state = select(Ticket.status, func.count()).group_by(Ticket.status)
    late = select(func.count()).where(Ticket.status.in_([x.value for x in OPEN]), Ticket.deadline_at < now)
    return by_state, late


async def state_gauges(s: AsyncSession, now: datetime) -> tuple[dict[str, int], int]:
    """Tickets by state, and the open ones past their deadline (for /metrics: two aggregate queries)."""
    by_state_q, late_q = state_gauge_queries(now)
    by_state = {str(st): int(n) for st, n in await s.execute(by_state_q)}
    return by_state, int(await s.scalar(late_q) or 0)


async def bad_ratings(
    s: AsyncSession, start: datetime, end: datetime, limit: int
) -> list[tuple[TicketRating, str, Rectification | None]]:
    q = (
        select(TicketRating, Ticket.code, Rectification)
        .join(Ticket, Ticket.id == TicketRating.ticket_id)
        .outerjoin(Rectification, Rectification.ticket_id == TicketRating.ticket_id)
        .where(TicketRating.level <= 2, TicketRating.at >= start, TicketRating.at < end)
        .order_by(TicketRating.at.desc())
        .limit(limit)
    )
    return [(r, code, rect) for r, code, rect in (await s.execute(q)).all()]


async def by_codes(s: AsyncSession, codes: list[str]) -> list[Ticket]:
    return list(await s.scalars(select(Ticket).where(Ticket.code.in_(codes)).order_by(Ticket.code)))
