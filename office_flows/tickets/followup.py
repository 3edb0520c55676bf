"""A citizen's follow-up on their own ticket: 补充诉求 (a supplement on the timeline), 催单 (a reminder, at most
once a day per ticket, counted for staff), 撤单 (withdrawal: the ticket closes as withdrawn, never rated),
更正联系电话 (the number the department and the callback will ring, also once the ticket is answered and the
callback is still to come) and 更正事发地址 (where the matter is, while the department still has to go there).

A ticket under rectification after a bad rating (整改, its state stays 已回访) still takes supplements and
reminders: the citizen was just told it is being put right. They go to the department's heads, who answer for
the rectification; the ticket's state does not move.

Each action is one transaction of the ticket service (state check, event, notification to whoever holds the
ticket: the handling department once dispatched, else the dispatchers). Only the citizen who filed or joined
the ticket acts; someone else learns nothing about it, not even whether it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.identity import Actor, Role
from office_flows.tickets.errors import TicketError, TicketForbidden, TicketNotFound
from office_flows.tickets.models import (
    Rectification,
    Ticket,
    TicketCitizen,
    TicketEvent,
    TicketExtension,
    TicketObjection,
)
from office_flows.tickets.phones import mask_phone, phone_number
from office_flows.tickets.queries import department_name, fmt_time, owns
from office_flows.tickets.states import LABELS, OPEN, Status

if TYPE_CHECKING:
    from office_flows.tickets.service import TicketService

REMIND_INTERVAL = timedelta(hours=24)
MIN_SUPPLEMENT = 2
ADDRESS_MAX = 200  # the ticket's address column


class TicketClosed(TicketError):
    """The citizen's ticket is no longer open: the chat face offers what fits its state (a new ticket, a rating)."""

    def __init__(self, message: str, code: str, status: Status) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class RemindedRecently(TicketError):
    """A second reminder of the same ticket within ``REMIND_INTERVAL``."""


@dataclass(frozen=True)
class FollowUp:
    code: str
    kind: str
    status: Status
    holder: str  # who was told: the handling department's name, or "派单员" before dispatch
    deadline_at: datetime | None
    remind_count: int = 0
    rectification_due: datetime | None = None  # an open rectification after a bad rating, and its deadline


class CitizenFollowUp:
    def __init__(self, service: TicketService) -> None:
        self.service = service

    async def open_tickets(self, actor: Actor, *, rectifying: bool = False, answered: bool = False) -> list[Ticket]:
        """The citizen's own open tickets, newest first; with ``rectifying``, also those under rectification;
        with ``answered``, also those waiting for their callback."""
        mine = await self.service.queries.citizen_tickets(actor)
        wanted = OPEN | {Status.ANSWERED} if answered else OPEN
        if not rectifying:
            return [t for t in mine if Status(t.status) in wanted]
        async with self.service.db.session() as s:
            return [t for t in mine if Status(t.status) in wanted or await _open_rectification(s, t) is not None]

    async def supplement(self, code: str, actor: Actor, text: str) -> FollowUp:
        text = (text or "").strip()
        async with self.service.db.session() as s:
            t, rect = await self._own_open(s, code, actor, "补充", rectifying=True)
            if len(text) < MIN_SUPPLEMENT:
                raise TicketError("请说明要补充的具体内容。")
            if len(text) > 2000:
                raise TicketError(f"补充内容过长（{len(text)} 字），请控制在 2000 字以内。")
            await self._note(s, t, rect, "supplement", actor, text)
            what = "整改中的工单" if rect else "工单"
            await self._tell_holder(
                s, t, rect, f"【市民补充】{what} {t.code}（{t.kind}）反映人补充：{text}", "ticket_supplement"
            )
            return await self._view(s, t, rect)

    async def remind(self, code: str, actor: Actor) -> FollowUp:
        now = self.service.clock.now()
        async with self.service.db.session() as s:
            t, rect = await self._own_open(s, code, actor, "催单", rectifying=True)
            last = await s.scalar(
                select(TicketEvent.at)
                .where(TicketEvent.ticket_id == t.id, TicketEvent.action == "remind")
                .order_by(TicketEvent.at.desc())
                .limit(1)
            )
            if last is not None and now - last < REMIND_INTERVAL:
                raise RemindedRecently(
                    f"您已于 {fmt_time(last)} 催办过工单 {t.code}，24 小时内只能催办一次，"
                    f"{fmt_time(last + REMIND_INTERVAL)} 后可以再次催办。"
                    f"工单目前{LABELS[Status(t.status)]}，办理期限 {fmt_time(t.deadline_at)}，我们会尽快办理。"
                )
            t.remind_count += 1
            await self._note(s, t, rect, "remind", actor, f"市民第 {t.remind_count} 次催单", count=t.remind_count)
            state, due = ("整改中", rect.due_at) if rect else (LABELS[Status(t.status)], t.deadline_at)
            await self._tell_holder(
                s,
                t,
                rect,
                f"【市民催单】工单 {t.code}（{t.kind}，{state}，期限 {fmt_time(due)}）"
                f"反映人第 {t.remind_count} 次催办，请抓紧办理：{t.content[:60]}",
                "ticket_reminded",
            )
            return await self._view(s, t, rect)

    async def change_phone(self, code: str, actor: Actor, phone: str) -> FollowUp:
        """更正联系电话: the citizen's number on the ticket (and the ticket's own, when they filed it), so the
        department's call and the callback reach them; an anonymous ticket stops being anonymous. The holder is
        told that the number changed (the number itself is in the ticket, for staff only)."""
        number = phone_number(phone)
        if number is None:
            raise TicketError(
                "请提供正确的联系电话：11 位手机号码（如 13912345678）或带区号的固定电话（如 0753-2123456）。"
            )
        async with self.service.db.session() as s:
            t, rect = await self._own_open(s, code, actor, "更正电话", rectifying=True, answered=True)
            mine = await s.scalar(
                select(TicketCitizen).where(
                    TicketCitizen.ticket_id == t.id,
                    TicketCitizen.channel == actor.channel,
                    TicketCitizen.sender == actor.sender,
                )
            )
            if mine is not None and mine.phone == number and (t.phone == number or not _filed_by(t, actor)):
                raise TicketError(f"工单 {t.code} 登记的联系电话已经是 {mask_phone(number)}，无需更正。")
            if mine is not None:
                mine.phone = number
            if _filed_by(t, actor):
                t.phone, t.anonymous = number, False
            await self._note(s, t, rect, "contact", actor, f"联系电话更正为 {mask_phone(number)}")
            if Status(t.status) in OPEN or rect is not None:
                await self._tell_holder(
                    s,
                    t,
                    rect,
                    f"【市民更正电话】工单 {t.code}（{t.kind}）反映人已更正联系电话，"
                    "联系或回访请以工单中的新号码为准。",
                    "ticket_contact",
                )
            return await self._view(s, t, rect)

    async def change_address(self, code: str, actor: Actor, address: str) -> FollowUp:
        """更正事发地址: where the matter is, as the citizen who filed the ticket corrects it, while the ticket is
        open or under rectification (the department still goes there). The holder is told the new place and
        the old one; the timeline keeps both."""
        place = " ".join(address.split())[:ADDRESS_MAX]
        if len(place) < 2:
            raise TicketError("请说明新的事发地址，例如“江南街道鸿都社区 3 栋”。")
        async with self.service.db.session() as s:
            t, rect = await self._own_open(s, code, actor, "更正地址", rectifying=True)
            if not _filed_by(t, actor):
                raise TicketError(
                    f"工单 {t.code} 的事发地址只能由登记人更正。您可以说“我想补充一下”，把准确地址补充给办理部门。"
                )
            if t.address == place:
                raise TicketError(f"工单 {t.code} 登记的事发地址已经是“{place}”，无需更正。")
            before, t.address = t.address, place
            await self._note(s, t, rect, "address", actor, f"事发地址更正为“{place}”（原为“{before or '未填写'}”）")
            await self._tell_holder(
                s,
                t,
                rect,
                f"【市民更正地址】工单 {t.code}（{t.kind}）反映人更正了事发地址：{place}"
                f"（原为：{before or '未填写'}），请按新地址办理。",
                "ticket_address",
            )
            return await self._view(s, t, rect)

    async def withdraw(self, code: str, actor: Actor, reason: str) -> FollowUp:
        """撤单: the ticket closes as withdrawn; its clocks stop (no escalation, no sign-for or handling miss
        later, no rating); a pending 退单 review or extension request is closed with it."""
        reason = (reason or "").strip()[:500] or "市民主动撤回"
        now = self.service.clock.now()
        async with self.service.db.session() as s:
            t, _ = await self._own_open(s, code, actor, "撤回")
            held_by_department = _held_by_department(t)
            await self.service.move(s, t, "withdraw", actor, reason)
            t.closed_at = now
            t.result = f"市民撤回：{reason}"
            t.next_escalation_at = None
            t.paused_at = None
            if t.signed_at is None and t.sign_deadline_at is not None and t.sign_deadline_at > now:
                t.sign_deadline_at = None  # nothing left to sign for: not a sign-for miss when the deadline passes
            await self._close_pending(s, t, now)
            text = f"【市民撤单】工单 {t.code}（{t.kind}）已由反映人撤回，无需继续办理。撤回说明：{reason}"
            if held_by_department:
                await self.service.notify_department(s, t.department_code, text, kind="ticket_withdrawn", ref=t.code)
            else:
                await self.service.notify_role(s, Role.DISPATCHER, text, kind="ticket_withdrawn", ref=t.code)
            return await self._view(s, t)

    async def _close_pending(self, s: AsyncSession, t: Ticket, now: datetime) -> None:
        objections = await s.scalars(
            select(TicketObjection).where(TicketObjection.ticket_id == t.id, TicketObjection.status == "pending")
        )
        extensions = await s.scalars(
            select(TicketExtension).where(TicketExtension.ticket_id == t.id, TicketExtension.status == "pending")
        )
        for row in [*objections, *extensions]:
            row.status, row.decided_at = "withdrawn", now

    async def _own_open(
        self, s: AsyncSession, code: str, actor: Actor, what: str, *, rectifying: bool = False, answered: bool = False
    ) -> tuple[Ticket, Rectification | None]:
        """The citizen's own open ticket (locked), with ``rectifying`` also one under rectification (with
        its open rectification), with ``answered`` also one waiting for its callback; else why not."""
        if actor.person_id is not None or actor.roles - {Role.CITIZEN}:
            raise TicketForbidden(f"{what}工单只能由反映人本人提交；工作人员请使用相应的办理命令。")
        try:
            t = await self.service.get_for_update(s, code)
        except TicketNotFound:
            t = None
        if t is None or not await owns(s, t, actor.channel, actor.sender):
            raise TicketForbidden(f"没有找到您反映的工单 {code.strip()[:20]}，请核对编号。")
        status = Status(t.status)
        if status in OPEN or (answered and status is Status.ANSWERED):
            return t, None
        rect = await _open_rectification(s, t) if rectifying else None
        if rect is None:
            raise TicketClosed(f"工单 {t.code} {LABELS[status]}，不能再{what}。", t.code, status)
        return t, rect

    async def _note(
        self,
        s: AsyncSession,
        t: Ticket,
        rect: Rectification | None,
        action: str,
        actor: Actor,
        comment: str,
        **data: Any,
    ) -> None:
        """The follow-up on the ticket's timeline: a transition of an open ticket, or an event of one under
        rectification (whose state does not move)."""
        if rect is None:
            await self.service.move(s, t, action, actor, comment, **data)
        else:
            self.service.record_event(s, t, action, actor, comment, **data)

    async def _tell_holder(self, s: AsyncSession, t: Ticket, rect: Rectification | None, text: str, kind: str) -> None:
        if rect is not None:  # the department's heads answer for a rectification
            await self.service.notify_department(s, t.department_code, text, kind=kind, ref=t.code, heads_only=True)
        elif _held_by_department(t):
            await self.service.notify_department(s, t.department_code, text, kind=kind, ref=t.code)
        else:
            await self.service.notify_role(s, Role.DISPATCHER, text, kind=kind, ref=t.code)

    async def _view(self, s: AsyncSession, t: Ticket, rect: Rectification | None = None) -> FollowUp:
        holder = await department_name(s, t.department_code) if _held_by_department(t) or rect else "派单员"
        due = rect.due_at if rect else None
        return FollowUp(t.code, t.kind, Status(t.status), holder, t.deadline_at, t.remind_count, due)


async def _open_rectification(s: AsyncSession, t: Ticket) -> Rectification | None:
    """The ticket's rectification after a bad rating, while it is not done."""
    return await s.scalar(select(Rectification).where(Rectification.ticket_id == t.id, Rectification.done_at.is_(None)))


def _filed_by(t: Ticket, actor: Actor) -> bool:
    return t.channel == actor.channel and t.sender == actor.sender


def _held_by_department(t: Ticket) -> bool:
    """Dispatched or being handled: the department holds it; before dispatch, or while a 退单 waits for its
    review, the dispatchers do."""
    return bool(t.department_code) and t.status in (Status.DISPATCHED.value, Status.HANDLING.value)
