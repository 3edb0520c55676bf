"""Ticket actions: each one transaction that checks who acts, moves the state, records the event,
updates the deadlines and writes the notifications it causes (kernel.outbox)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import Clock
from kernel.db import Database
from kernel.identity import Actor, Role
from kernel.outbox import notify_address
from kernel.workdays import WorkingCalendar, calendar_for
from office_flows.directory.models import Department
from office_flows.directory.notify import notify_person
from office_flows.directory.store import people_of, people_with_role
from office_flows.routing import catalogue
from office_flows.tickets import codes
from office_flows.tickets.cohandling import CoHandling, assist_for
from office_flows.tickets.errors import DepartmentUnknown, NoDepartment, TicketError, TicketForbidden, TicketNotFound
from office_flows.tickets.followup import CitizenFollowUp
from office_flows.tickets.models import (
    Rectification,
    Ticket,
    TicketCitizen,
    TicketEvent,
    TicketExtension,
    TicketObjection,
    TicketRating,
)
from office_flows.tickets.queries import DISPATCHERS, TicketQueries, department_name, fmt_time, owns
from office_flows.tickets.rules import KINDS, RATINGS, TicketRules, return_reason
from office_flows.tickets.states import LABELS, OPEN, IllegalTransition, Status, check

SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})
NO_MODEL_NOTE = (
    "暂无分派建议：尚未训练分派模型。管理员可用历史工单训练："
    "govchat tickets router train --data 历史工单.jsonl（每行 text、label），重启服务后生效；"
    "演示模式首次启动时会用演示训练集自动训练。"
)


def _shown_name(actor: Actor | None) -> str:
    """The name in a ticket's history: a citizen is "市民" (their chat address is never shown to staff)."""
    if actor is None:
        return "系统"
    return actor.display if actor.person_id is not None or actor.name else "市民"


STATS_ROLES = frozenset({Role.SUPERVISOR, Role.HEAD, Role.ADMIN})
MAX_TEXT = 2000
DUPLICATE_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class RatingResult:
    code: str
    level: int
    label: str
    rectification_opened: bool  # a bad first rating opens a rectification (整改) and one re-rating


class Router(Protocol):
    """office_flows.routing.service.Router: proposes a category and a department name for a text."""

    def propose(self, text: str) -> Any: ...

    @property
    def ready(self) -> bool: ...

    def use_catalogue(self, departments: Any) -> None: ...


@dataclass(frozen=True)
class Signed:
    code: str
    kind: str
    content: str
    deadline_at: datetime | None  # the lead's handling deadline, or an assisting department's own
    lead: str  # the lead department's name when the signer assists (协办), else ""


@dataclass(frozen=True)
class Created:
    code: str
    kind: str
    deadline_text: str
    duplicate_of: str
    proposal: str  # the router's proposal as the dispatcher sees it ("" without a model)
    dispatched_to: str  # department name when auto-dispatched


def first_contact_name(actor: Actor | None, channel: str) -> str:
    """首接负责: the person who took the contact, else the channel's assistant that did."""
    if actor is not None and actor.person_id is not None:
        return f"{actor.display}（{actor.department_name or actor.department_code or '工作人员'}）"[:100]
    return f"智能助手（{channel or '聊天'}渠道）"


def _clip(text: str, what: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise TicketError(f"{what}过长（{len(text)} 字），请控制在 {MAX_TEXT} 字以内。")
    return text


_ADDR_NOISE = re.compile(r"[\s，,。.、\-—（）()#号]")


def address_key(address: str) -> str:
    return _ADDR_NOISE.sub("", address)


async def _rating_round(s: AsyncSession, t: Ticket) -> tuple[str, int]:
    """Whether the ticket may be rated now, and as which round ("rate" after the answer, "rerate" once after a
    rectification); a TicketError says why not (already rated, under rectification, still open, too late)."""
    rect = await s.scalar(select(Rectification).where(Rectification.ticket_id == t.id))
    rated = await s.scalar(
        select(func.count())
        .select_from(TicketRating)
        .where(TicketRating.ticket_id == t.id, TicketRating.level.is_not(None))
    )
    if t.status == Status.ANSWERED:
        return "rate", (rated or 0) + 1
    if rect is not None and rect.done_at is not None and (rated or 0) < 2:
        return "rerate", 2
    if rect is not None and rect.done_at is None:
        raise TicketError(f"工单 {t.code} 正在整改，整改完成后可以重新评价一次。")
    if t.status in OPEN:
        raise TicketError(f"工单 {t.code} 还在办理中，答复后才能评价。")
    given = await s.scalar(
        select(TicketRating.level)
        .where(TicketRating.ticket_id == t.id, TicketRating.level.is_not(None))
        .order_by(TicketRating.round.desc())
        .limit(1)
    )
    if given in RATINGS:  # "好满意，多谢晒" right after rating: thanked, not refused
        raise TicketError(f"工单 {t.code} 您已评价过（{RATINGS[given]}），感谢您的反馈！评价已记录，不能重复评价。")
    raise TicketError(f"工单 {t.code} 已过评价期限，不能再评价。")


class TicketService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        rules: TicketRules,
        router: Router | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.rules = rules
        self.router = router
        self.queries = TicketQueries(db)
        # Called with the code after an answer or an archiving is committed (quality inspection runs there).
        self.closed_listeners: list[Callable[[str], Awaitable[None]]] = []
        self.cohandling = CoHandling(self)
        self.followup = CitizenFollowUp(self)  # the citizen's supplement, reminder and withdrawal

    async def _closed(self, code: str) -> None:
        for listener in self.closed_listeners:
            await listener(code)

    def router_note(self) -> str:
        """Why there is no department proposal and how to get one ("" when the router has a model)."""
        if self.router is not None and self.router.ready:
            return ""
        return NO_MODEL_NOTE

    def catalogue_changed(self, departments: Any) -> None:
        """A new dispatch catalogue version: the router proposes departments through it from now on."""
        if self.router is not None:
            self.router.use_catalogue(departments)

    # --- helpers ------------------------------------------------------------------------------

    async def _get(self, s: AsyncSession, code: str, *, lock: bool = True) -> Ticket:
        q = select(Ticket).where(Ticket.code == code.strip().upper())
        if lock and not self.db.is_sqlite:
            q = q.with_for_update()
        ticket = await s.scalar(q)
        if ticket is None:
            raise TicketNotFound(f"没有找到工单 {code}，请核对编号（GD 开头，共 15 位）。")
        return ticket

    async def get_for_update(self, s: AsyncSession, code: str, *, lock: bool = True) -> Ticket:
        """The ticket row (locked on PostgreSQL) for a transaction of a collaborator (co-handling)."""
        return await self._get(s, code, lock=lock)

    async def move(
        self, s: AsyncSession, t: Ticket, action: str, actor: Actor | None, comment: str = "", **data: Any
    ) -> None:
        await self._move(s, t, action, actor, comment, **data)

    def record_event(
        self, s: AsyncSession, t: Ticket, action: str, actor: Actor | None, comment: str = "", **data: Any
    ) -> None:
        now = self.clock.now()
        s.add(
            TicketEvent(
                ticket_id=t.id,
                action=action,
                from_status=data.pop("from_status", t.status),
                to_status=t.status,
                actor=actor.key if actor else "system",
                # a citizen is "市民" to staff: their chat address (a channel id) is never shown
                actor_name=(actor.display if actor.person_id is not None or actor.name else "市民")
                if actor
                else "系统",
                department_code=t.department_code,
                comment=comment,
                data=data,
                at=now,
            )
        )
        t.updated_at = now

    async def _move(
        self, s: AsyncSession, t: Ticket, action: str, actor: Actor | None, comment: str = "", **data: Any
    ) -> None:
        """Check the transition, apply it (pausing or resuming the clock), record the event."""
        try:
            tr = check(action, t.status)
        except IllegalTransition as exc:
            raise TicketError(f"工单 {t.code}：{exc}") from None
        before = Status(t.status)
        if tr.target is not None:
            t.status = tr.target.value
            await self._clock_between(s, t, before, tr.target)
        self.record_event(s, t, action, actor, comment, from_status=before.value, **data)

    async def _clock_between(self, s: AsyncSession, t: Ticket, before: Status, after: Status) -> None:
        stopped = self.rules.clock_stopped
        now = self.clock.now()
        if after in stopped and before not in stopped and t.deadline_at is not None:
            t.paused_at = now
        elif before in stopped and after not in stopped and t.paused_at is not None:
            cal = await calendar_for(s)
            hours = cal.work_hours_between(t.paused_at, now)
            if t.deadline_at is not None and hours > 0:
                shifted = cal.add_work_hours(t.deadline_at, hours)
                self._set_deadline(t, cal, shifted.at, shifted.beyond_known)
            t.paused_at = None

    def _set_deadline(self, t: Ticket, cal: WorkingCalendar, at: datetime, beyond: bool) -> None:
        """A new handling deadline restarts the escalation ladder from 提醒."""
        t.deadline_at = at
        t.deadline_beyond_known = beyond
        t.escalation = 0
        t.next_escalation_at = cal.back_work_hours(at, self.rules.remind_hours)

    def _require(self, actor: Actor, roles: frozenset[Role], what: str) -> None:
        if not actor.roles & roles:
            raise TicketForbidden(f"抱歉，{what}需要派单员或督办人员权限。")

    def _require_department(self, actor: Actor, t: Ticket, what: str) -> None:
        if Role.ADMIN in actor.roles:
            return
        if actor.person_id is None or actor.department_code != t.department_code or not t.department_code:
            raise TicketForbidden(f"工单 {t.code} 不在您所在部门办理，不能{what}。")

    async def department_name(self, s: AsyncSession, code: str) -> str:
        return await department_name(s, code)

    async def notify_role(self, s: AsyncSession, role: Role, text: str, *, kind: str, ref: str) -> None:
        for pid in await people_with_role(s, role):
            await notify_person(s, pid, text, kind=kind, ref=ref, now=self.clock.now())

    async def notify_department(
        self, s: AsyncSession, code: str, text: str, *, kind: str, ref: str, heads_only: bool = False
    ) -> None:
        """Everyone in the department, or with ``heads_only`` its heads; a department without a head is told
        whole, so that a rectification or an escalation never reaches nobody."""
        people = await people_of(s, code, Role.HEAD) if heads_only else []
        for p in people or await people_of(s, code, None):
            await notify_person(s, p.id, text, kind=kind, ref=ref, now=self.clock.now())

    async def _notify_citizens(self, s: AsyncSession, t: Ticket, text: str, *, kind: str) -> None:
        rows = await s.execute(
            select(TicketCitizen.channel, TicketCitizen.sender).where(TicketCitizen.ticket_id == t.id)
        )
        for channel, sender in rows.all():
            await notify_address(s, channel, sender, text, kind=kind, ref=t.code, now=self.clock.now())

    # --- intake -------------------------------------------------------------------------------

    async def create(
        self,
        *,
        kind: str,
        content: str,
        channel: str,
        sender: str,
        address: str = "",
        since: str = "",
        phone: str = "",
        anonymous: bool = False,
        actor: Actor | None = None,
    ) -> Created:
        if kind not in KINDS:
            raise TicketError(f"未知的工单类型：{kind}（可选：{'、'.join(KINDS)}）")
        content = _clip(content, "诉求内容")
        if len(content) < 4:
            raise TicketError("诉求内容太短，请具体说明发生了什么。")
        address, since = _clip(address, "地址")[:200], _clip(since, "时间")[:100]
        # The model runs outside the transaction and the event loop: it needs no row, and a model trained with
        # sentence embeddings encodes the text (one e5 pass, tens of milliseconds).
        proposal = await asyncio.to_thread(self.router.propose, content) if self.router else None
        now = self.clock.now()
        async with self.db.session() as s:
            code = await codes.next_code(s, now, self.db.is_sqlite)
            duplicate = await self._find_duplicate(s, address, phone, now)
            proposed_dept = ""
            if proposal is not None and proposal.department:
                proposed_dept = (
                    await s.scalar(select(Department.code).where(Department.name == proposal.department)) or ""
                )
            t = Ticket(
                code=code,
                kind=kind,
                status=Status.ACCEPTED.value,
                content=content,
                address=address,
                since=since,
                phone="" if anonymous else phone,
                anonymous=anonymous,
                channel=channel,
                sender=sender,
                category=(proposal.category or "") if proposal else "",
                proposed_department=proposed_dept,
                proposal_confidence=proposal.confidence if proposal and proposal.category else None,
                duplicate_of=duplicate,
                departments_seen=[],
                first_contact=(actor.key if actor and actor.person_id is not None else f"channel:{channel}")[:100],
                first_contact_name=first_contact_name(actor, channel),
                created_at=now,
                updated_at=now,
            )
            s.add(t)
            await s.flush()
            s.add(TicketCitizen(ticket_id=t.id, channel=channel, sender=sender, phone=t.phone))
            self.record_event(s, t, "accept", actor, "受理", from_status="")
            dispatched_to = ""
            auto = self.rules.auto_dispatch
            if proposed_dept and auto and proposal is not None and proposal.confidence >= auto and not duplicate:
                await self._dispatch(
                    s, t, None, proposed_dept, f"按分派模型自动派单（置信度 {proposal.confidence:.0%}）"
                )
                dispatched_to = str(proposal.department)
            else:
                note = f"新工单 {code}（{kind}）待派单：{content[:60]}"
                if proposal is not None:
                    note += "\n" + proposal.describe()
                if duplicate:
                    note += f"\n疑似与 {duplicate} 重复，可用 /合并 {code} {duplicate}"
                await self.notify_role(s, Role.DISPATCHER, note, kind="ticket_new", ref=code)
            cal = await calendar_for(s)
            expected = cal.add_workdays(now, self.rules.workdays[kind])
        deadline_text = (
            f"{self.rules.workdays[kind]} 个工作日内（预计 {fmt_time(expected.at)} 前）办结{expected.warning}"
        )
        return Created(code, kind, deadline_text, duplicate, proposal.describe() if proposal else "", dispatched_to)

    async def _find_duplicate(self, s: AsyncSession, address: str, phone: str, now: datetime) -> str:
        conds = []
        if phone:
            conds.append(Ticket.phone == phone)
        key = address_key(address)
        if len(key) >= 4:
            conds.append(Ticket.address == address)
        if not conds:
            return ""
        code = await s.scalar(
            select(Ticket.code)
            .where(or_(*conds), Ticket.status.in_([x.value for x in OPEN]), Ticket.created_at >= now - DUPLICATE_WINDOW)
            .order_by(Ticket.created_at.desc())
            .limit(1)
        )
        return code or ""

    # --- dispatcher ---------------------------------------------------------------------------

    async def dispatch(self, code: str, actor: Actor, department: str | None = None, comment: str = "") -> str:
        """Send to a department: the router's proposal when none is named. Returns the department's name."""
        self._require(actor, DISPATCHERS, "派单")
        async with self.db.session() as s:
            t = await self._get(s, code)
            target = await self.resolve_department(s, department) if department else t.proposed_department
            if not target:
                raise NoDepartment(f"工单 {t.code} 没有分类建议，请指明派往哪个部门。")
            if t.status == Status.OBJECTED.value:  # re-dispatching a returned ticket accepts the objection
                await self._decide_objection(s, t, actor, True, comment or "同意退单，改派", target)
            else:
                await self._dispatch(s, t, actor, target, comment)
            return await self.department_name(s, target)

    async def department_mentioned(self, text: str) -> str | None:
        """The department a sentence names by a name or alias of the dispatch catalogue, or by its full name."""
        async with self.db.session() as s:
            cat = await catalogue.current(s)
            named = cat.mentioned(text) if cat else None
            if named is not None:
                return named
            names = await s.scalars(select(Department.name).where(Department.active.is_(True)))
            hits = [n for n in names if n in text]
            return hits[0] if len(hits) == 1 else None

    async def resolve_department(self, s: AsyncSession, name_or_code: str) -> str:
        """A department's code from what a dispatcher typed: its code, its name, or a name or alias of the
        dispatch catalogue (城管局 → 梅江区城市管理和综合执法局)."""
        key = name_or_code.strip()
        active = Department.active.is_(True)
        dept = await s.scalar(
            select(Department.code).where(or_(Department.code == key, Department.name == key), active)
        )
        if dept is not None:
            return dept
        cat = await catalogue.current(s)
        named = cat.match(key) if cat else None
        if named:
            dept = await s.scalar(select(Department.code).where(Department.name == named, active))
            if dept is not None:
                return dept
        guesses = cat.candidates(key) if cat else []
        if not guesses:
            guesses = list(
                await s.scalars(select(Department.name).where(Department.name.contains(key), active).limit(3))
            )
        hint = f"（您是指：{'、'.join(guesses)}？）" if guesses else ""
        raise DepartmentUnknown(f"没有找到部门“{key}”{hint}")

    async def _dispatch(
        self, s: AsyncSession, t: Ticket, actor: Actor | None, dept: str, comment: str, action: str = "dispatch"
    ) -> None:
        overridden = bool(t.proposed_department) and dept != t.proposed_department
        t.department_code = dept
        seen = list(t.departments_seen or [])
        if dept not in seen:
            seen.append(dept)
        t.departments_seen = seen
        now = self.clock.now()
        cal = await calendar_for(s)
        t.dispatched_at = now
        t.sign_deadline_at = cal.add_work_hours(now, self.rules.sign_hours).at
        t.signed_at = None
        t.signed_on_time = None
        t.sign_reminded = False
        t.handler_person_id = None
        if t.deadline_at is None:
            d = cal.add_workdays(now, self.rules.workdays[t.kind])
            self._set_deadline(t, cal, d.at, d.beyond_known)
        await self._move(s, t, action, actor, comment, department=dept, overridden=overridden)
        name = await self.department_name(s, dept)
        await self.notify_department(
            s,
            dept,
            f"新派工单 {t.code}（{t.kind}）：{t.content[:80]}\n地址：{t.address or '—'}\n"
            f"请于 {fmt_time(t.sign_deadline_at)} 前签收，{fmt_time(t.deadline_at)} 前办结。回复“/签收 {t.code}”签收。",
            kind="ticket_dispatched",
            ref=t.code,
        )
        if len(seen) >= self.rules.raise_after:
            await self._raise(s, t, f"已流转 {len(seen)} 个部门（{name} 为第 {len(seen)} 个）")

    async def _raise(self, s: AsyncSession, t: Ticket, why: str) -> None:
        if t.raised:
            return
        t.raised = True
        self.record_event(s, t, "raise", None, f"提级：{why}")
        await self.notify_role(
            s,
            Role.SUPERVISOR,
            f"工单 {t.code} 已提级督办：{why}。内容：{t.content[:60]}",
            kind="ticket_raised",
            ref=t.code,
        )

    async def merge(self, code: str, into: str, actor: Actor) -> None:
        """Close ``code`` as a duplicate of ``into``; its citizens are linked to ``into`` for the callback."""
        self._require(actor, DISPATCHERS, "合并工单")
        if code.strip().upper() == into.strip().upper():
            raise TicketError("不能把工单合并到它自己。")
        async with self.db.session() as s:
            t = await self._get(s, code)
            target = await self._get(s, into)
            if target.status not in {x.value for x in OPEN}:
                raise TicketError(f"工单 {target.code} 已{LABELS[Status(target.status)]}，不能再合并进去。")
            t.duplicate_of = target.code
            await self._move(s, t, "merge", actor, f"合并到 {target.code}", into=target.code)
            linked = {
                (c, a)
                for c, a in (
                    await s.execute(
                        select(TicketCitizen.channel, TicketCitizen.sender).where(TicketCitizen.ticket_id == target.id)
                    )
                ).all()
            }
            for c in list(await s.scalars(select(TicketCitizen).where(TicketCitizen.ticket_id == t.id))):
                if (c.channel, c.sender) not in linked:
                    s.add(
                        TicketCitizen(
                            ticket_id=target.id, channel=c.channel, sender=c.sender, phone=c.phone, from_code=t.code
                        )
                    )
            self.record_event(s, target, "merged_in", actor, f"合并了 {t.code}", source=t.code)
            await self._notify_citizens(
                s,
                t,
                f"您的工单 {t.code} 与 {target.code} 反映的是同一问题，已合并办理，办理结果将一并告知您。",
                kind="ticket_merged",
            )

    async def decide_extension(self, code: str, actor: Actor, approve: bool, comment: str = "") -> str:
        self._require(actor, DISPATCHERS, "审批延期")
        async with self.db.session() as s:
            t = await self._get(s, code)
            ext = await s.scalar(
                select(TicketExtension).where(TicketExtension.ticket_id == t.id, TicketExtension.status == "pending")
            )
            if ext is None:
                raise TicketError(f"工单 {t.code} 没有待审批的延期申请。")
            ext.status = "approved" if approve else "rejected"
            ext.decided_by = actor.key
            ext.decided_at = self.clock.now()
            if approve:
                cal = await calendar_for(s)
                assert t.deadline_at is not None
                d = cal.add_workdays(t.deadline_at, ext.days)
                self._set_deadline(t, cal, d.at, d.beyond_known)
            verdict = f"同意延期 {ext.days} 个工作日，新期限 {fmt_time(t.deadline_at)}" if approve else "不同意延期"
            await self._move(s, t, "extend_decide", actor, comment or verdict, approved=approve, days=ext.days)
            await self.notify_department(
                s, t.department_code, f"工单 {t.code} 延期申请结果：{verdict}。", kind="ticket_extension", ref=t.code
            )
            return verdict

    # --- department ---------------------------------------------------------------------------

    async def sign(self, code: str, actor: Actor) -> Signed:
        """签收 by the lead department, or by an assisting department for its part (协办签收)."""
        async with self.db.session() as s:
            t = await self._get(s, code)
            assist = await assist_for(s, t, actor)
            if assist is not None:
                await self.cohandling.sign(s, t, assist, actor)
                lead = await self.department_name(s, t.department_code)
                return Signed(t.code, t.kind, t.content, assist.deadline_at, lead)
            self._require_department(actor, t, "签收")
            now = self.clock.now()
            t.signed_at = now
            t.signed_on_time = t.sign_deadline_at is None or now <= t.sign_deadline_at
            t.handler_person_id = actor.person_id
            await self._move(s, t, "sign", actor, "签收")
            return Signed(t.code, t.kind, t.content, t.deadline_at, "")

    async def return_(self, code: str, actor: Actor, reason: str, text: str = "") -> TicketObjection:
        """退单: the department objects to the dispatch with a reason from the configured list (and its own
        words); the ticket waits for the dispatchers' review (``review_objection``) by its own deadline."""
        listed = return_reason(self.rules, reason)
        if listed is None:
            options = "、".join(f"{i}.{r}" for i, r in enumerate(self.rules.return_reasons, start=1))
            raise TicketError(f"退单理由须从以下选择（可写序号）：{options}。")
        text = _clip(text, "退单说明")
        if len(text) < 4:
            raise TicketError("请写明退单说明（至少 4 个字），例如该诉求应由哪个部门办理、依据是什么。")
        async with self.db.session() as s:
            t = await self._get(s, code)
            self._require_department(actor, t, "退单")
            dept = t.department_code
            now = self.clock.now()
            cal = await calendar_for(s)
            objection = TicketObjection(
                ticket_id=t.id,
                department_code=dept,
                reason=listed,
                text=text,
                raised_by=actor.key,
                raised_by_name=_shown_name(actor),
                raised_at=now,
                review_due_at=cal.add_work_hours(now, self.rules.review_hours).at,
            )
            await self._move(s, t, "return", actor, f"{listed}：{text}", department=dept, reason=listed)
            t.return_count += 1
            s.add(objection)
            await s.flush()
            await self.notify_role(
                s,
                Role.DISPATCHER,
                f"工单 {t.code} 被{await self.department_name(s, dept)}退单（{listed}）：{text}。\n"
                f"请于 {fmt_time(objection.review_due_at)} 前审核：同意并改派“/审核退单 {t.code} 同意 部门”，"
                f"或驳回“/审核退单 {t.code} 驳回 裁定意见”。",
                kind="ticket_returned",
                ref=t.code,
            )
            if t.return_count >= self.rules.raise_after:
                await self._raise(s, t, f"已被退回 {t.return_count} 次")
            return objection

    async def explain_return(self, code: str, actor: Actor, text: str) -> TicketObjection:
        """More said of a 退单 while it waits for the review ("因为系住建局管嘅"): added to its explanation, with an
        event, and the dispatchers told."""
        text = _clip(text, "退单说明")
        async with self.db.session() as s:
            t = await self._get(s, code)
            self._require_department(actor, t, "补充退单说明")
            objection = await self._pending_objection(s, t)
            if objection is None:
                raise TicketError(f"工单 {t.code} 没有待审核的退单，无法补充说明。")
            objection.text = _clip(f"{objection.text}；{text}", "退单说明")
            await self._move(s, t, "return_note", actor, text)
            await self.notify_role(
                s,
                Role.DISPATCHER,
                f"工单 {t.code} 的退单（{objection.reason}）补充说明：{text}",
                kind="ticket_returned",
                ref=t.code,
            )
            return objection

    async def review_objection(
        self, code: str, actor: Actor, accept: bool, ruling: str = "", department: str | None = None
    ) -> str:
        """The dispatchers' review of a 退单: accept and re-dispatch (to ``department``, else the router's
        proposal), or reject with a ruling, back to the objecting department. Returns the department's name."""
        self._require(actor, DISPATCHERS, "审核退单")
        ruling = _clip(ruling, "审核意见")
        if not accept and len(ruling) < 4:
            raise TicketError("驳回退单须写明裁定意见（至少 4 个字），例如该诉求为何属于该部门职责。")
        async with self.db.session() as s:
            t = await self._get(s, code)
            target = ""
            if accept:
                target = await self.resolve_department(s, department) if department else t.proposed_department
                if not target:
                    raise NoDepartment(f"同意退单须指明改派的部门，工单 {t.code} 没有分类建议。")
            await self._decide_objection(s, t, actor, accept, ruling, target)
            return await self.department_name(s, target or t.department_code)

    @staticmethod
    async def _pending_objection(s: AsyncSession, t: Ticket) -> TicketObjection | None:
        """The ticket's 退单 waiting for review (the latest, should there be more)."""
        return await s.scalar(
            select(TicketObjection)
            .where(TicketObjection.ticket_id == t.id, TicketObjection.status == "pending")
            .order_by(TicketObjection.id.desc())
            .limit(1)
        )

    async def _decide_objection(
        self, s: AsyncSession, t: Ticket, actor: Actor, accept: bool, ruling: str, target: str
    ) -> None:
        objection = await self._pending_objection(s, t)
        if objection is None or t.status != Status.OBJECTED.value:
            try:
                check("objection_accept" if accept else "objection_reject", t.status)
            except IllegalTransition as exc:
                raise TicketError(f"工单 {t.code}：{exc}") from None
            raise TicketError(f"工单 {t.code} 没有待审核的退单。")
        objecting = objection.department_code
        if accept and target == objecting:
            raise TicketError(f"同意退单须改派到其他部门，不能再派回{await self.department_name(s, objecting)}。")
        now = self.clock.now()
        objection.status = "accepted" if accept else "rejected"
        objection.decided_by, objection.decided_by_name = actor.key, _shown_name(actor)
        objection.decided_at, objection.ruling = now, ruling
        if accept:
            objection.redispatched_to = target
            await self._dispatch(s, t, actor, target, ruling or "同意退单，改派", action="objection_accept")
            verdict = f"退单审核：同意，已改派{await self.department_name(s, target)}。{ruling}"
        else:
            cal = await calendar_for(s)
            t.dispatched_at = now
            t.sign_deadline_at = cal.add_work_hours(now, self.rules.sign_hours).at
            t.signed_at, t.signed_on_time, t.sign_reminded, t.handler_person_id = None, None, False, None
            await self._move(s, t, "objection_reject", actor, ruling, department=objecting)
            verdict = (
                f"退单审核：驳回，请继续办理并于 {fmt_time(t.sign_deadline_at)} 前重新签收（/签收 {t.code}）。"
                f"裁定意见：{ruling}"
            )
        await self.notify_department(s, objecting, f"工单 {t.code} {verdict}", kind="ticket_review", ref=t.code)

    async def reply(self, code: str, actor: Actor, result: str) -> bool:
        """回复办结 by the lead department (after every assisting department's part), or an assisting
        department's part (协办意见). Returns True for an assisting part."""
        result = _clip(result, "办理结果")
        if len(result) < 4:
            raise TicketError("请写明办理结果，例如：/回复 GD2026111800123 已责令施工单位停止夜间施工。")
        async with self.db.session() as s:
            t = await self._get(s, code)
            assist = await assist_for(s, t, actor)
            if assist is not None:
                await self.cohandling.answer(s, t, assist, actor, result)
                return True
            self._require_department(actor, t, "回复")
            parts, missing = await self.cohandling.parts_or_missing(s, t)
            if missing and t.status == Status.HANDLING.value:
                raise TicketError(
                    f"工单 {t.code} 的协办部门尚未提交协办意见：{'、'.join(missing)}。"
                    f"请待其提交后再统一答复市民（可请派单员催办：/催办 {t.code}）。"
                )
            now = self.clock.now()
            t.result = result
            t.answered_at = now
            t.on_time = t.deadline_at is None or now <= t.deadline_at
            cal = await calendar_for(s)
            t.rating_due_at = cal.add_workdays(now, self.rules.rating_days).at
            t.next_escalation_at = None
            await self._move(s, t, "reply", actor, result)
            dept = await self.department_name(s, t.department_code)
            assisted = "".join(f"\n协办部门 {name}：{part}" for name, part in parts)
            await self._notify_citizens(
                s,
                t,
                f"您的工单 {t.code} 已办结。\n办理部门：{dept}{'（主办）' if parts else ''}\n办理结果：{result}"
                f"{assisted}\n"
                f"请对办理结果评价：非常满意、满意、基本满意、不满意、非常不满意（可附意见），"
                f"例如回复“/评价 {t.code} 满意”。",
                kind="ticket_answered",
            )
        await self._closed(code)
        return False

    async def request_extension(self, code: str, actor: Actor, days: int, reason: str) -> None:
        reason = _clip(reason, "延期理由")
        if not 1 <= days <= 30:
            raise TicketError("延期天数应在 1 到 30 个工作日之间。")
        if not reason:
            raise TicketError("申请延期需要说明理由。")
        async with self.db.session() as s:
            t = await self._get(s, code)
            self._require_department(actor, t, "申请延期")
            pending = await s.scalar(
                select(TicketExtension.id).where(TicketExtension.ticket_id == t.id, TicketExtension.status == "pending")
            )
            if pending is not None:
                raise TicketError(f"工单 {t.code} 已有一项延期申请在审批中。")
            s.add(
                TicketExtension(
                    ticket_id=t.id, days=days, reason=reason, requested_by=actor.key, requested_at=self.clock.now()
                )
            )
            await self._move(s, t, "extend_request", actor, reason, days=days)
            await self.notify_role(
                s,
                Role.DISPATCHER,
                f"工单 {t.code} 申请延期 {days} 个工作日：{reason}。回复“/批准延期 {t.code}”或“/驳回延期 {t.code}”。",
                kind="ticket_extension",
                ref=t.code,
            )

    # --- citizens -----------------------------------------------------------------------------

    async def rating_refused(self, code: str, actor: Actor) -> str | None:
        """Why the citizen cannot rate this ticket now ("您已评价过（满意）…"), or None when they can: asked before
        a level is requested, so that "我想改评价" is not asked for a level the service would refuse."""
        async with self.db.session() as s:
            try:
                await _rating_round(s, await self._owned(s, code, actor, lock=False))
            except TicketError as exc:  # TicketForbidden included: not theirs, or no such ticket
                return str(exc)
            return None

    async def _owned(self, s: AsyncSession, code: str, actor: Actor, *, lock: bool = True) -> Ticket:
        """The citizen's own ticket; anyone else learns nothing about it, not even whether it exists."""
        try:
            t: Ticket | None = await self._get(s, code, lock=lock)
        except TicketNotFound:
            t = None
        if t is None or not await owns(s, t, actor.channel, actor.sender):
            raise TicketForbidden(f"没有找到您反映的工单 {code.strip()[:20]}，请核对编号。")
        return t

    async def rate(
        self, code: str, actor: Actor, level: int, comment: str = "", *, collected_via: str = ""
    ) -> RatingResult:
        """The citizen's own rating, from their authenticated channel (or an integration allowed to collect
        ratings, e.g. the IVR, speaking for its caller). Staff never rate; ``collected_via`` records how it
        was collected (default: ``chat:<channel>``). Someone who does not own the ticket learns nothing
        about it, not even whether it exists."""
        if actor.person_id is not None or actor.roles - {Role.CITIZEN}:
            raise TicketForbidden("评价只能由市民本人提交，工作人员不能代为评价。")
        if level not in RATINGS:
            raise TicketError("评价请选择：非常满意、满意、基本满意、不满意、非常不满意。")
        comment = _clip(comment, "评价意见")
        async with self.db.session() as s:
            t = await self._owned(s, code, actor)
            action, round_ = await _rating_round(s, t)
            rect = await s.scalar(select(Rectification).where(Rectification.ticket_id == t.id))
            s.add(
                TicketRating(
                    ticket_id=t.id,
                    round=round_,
                    level=level,
                    comment=comment,
                    department_code=t.department_code,
                    handler_person_id=t.handler_person_id,
                    at=self.clock.now(),
                    collected_via=(collected_via or f"chat:{actor.channel}")[:64],
                )
            )
            await self._move(s, t, action, actor, comment, level=level, label=RATINGS[level], round=round_)
            t.rating_due_at = None
            t.rated = True  # 回访率 reads the flag, not the ratings (stats.py)
            if t.handler_person_id is not None:
                said = f"：{comment}" if comment else ""
                await notify_person(
                    s,
                    t.handler_person_id,
                    f"您办理的工单 {t.code} 收到评价：{RATINGS[level]}{said}。",
                    kind="ticket_rating",
                    ref=t.code,
                    now=self.clock.now(),
                )
            opened = level <= 2 and rect is None
            if opened:
                await self._open_rectification(s, t, level, comment)
            return RatingResult(t.code, level, RATINGS[level], rectification_opened=opened)

    async def _open_rectification(self, s: AsyncSession, t: Ticket, level: int, comment: str) -> None:
        cal = await calendar_for(s)
        now = self.clock.now()
        s.add(
            Rectification(
                ticket_id=t.id,
                opened_at=now,
                callback_due_at=cal.add_workdays(now, self.rules.callback_days).at,
                due_at=cal.add_workdays(now, self.rules.rectify_days).at,
            )
        )
        self.record_event(s, t, "rectify_open", None, f"差评（{RATINGS[level]}）启动整改：{comment}")
        text = (
            f"工单 {t.code} 收到差评（{RATINGS[level]}）{('：' + comment) if comment else ''}。"
            f"请 1 个工作日内回访（/回访 {t.code} 情况），15 个工作日内完成整改（/整改完成 {t.code} 说明）。"
        )
        await self.notify_department(s, t.department_code, text, kind="ticket_rectify", ref=t.code, heads_only=True)
        await self.notify_role(s, Role.SUPERVISOR, text, kind="ticket_rectify", ref=t.code)

    async def record_callback(self, code: str, actor: Actor, note: str) -> None:
        await self._rectification_step(code, actor, note, "callback")

    async def rectified(self, code: str, actor: Actor, note: str) -> None:
        await self._rectification_step(code, actor, note, "done")

    async def _rectification_step(self, code: str, actor: Actor, note: str, step: str) -> None:
        note = _clip(note, "说明")
        if not note:
            raise TicketError("请附上说明，例如回访情况或整改措施。")
        async with self.db.session() as s:
            t = await self._get(s, code)
            if not actor.roles & SUPERVISORS:
                self._require_department(actor, t, "登记整改")
            rect = await s.scalar(select(Rectification).where(Rectification.ticket_id == t.id))
            if rect is None:
                raise TicketError(f"工单 {t.code} 没有整改任务。")
            now = self.clock.now()
            if step == "callback":
                if rect.callback_at is not None:
                    raise TicketError(f"工单 {t.code} 已于 {fmt_time(rect.callback_at)} 登记回访。")
                rect.callback_at, rect.callback_note = now, note
                self.record_event(s, t, "rectify_callback", actor, note, on_time=now <= rect.callback_due_at)
            else:
                if rect.done_at is not None:
                    raise TicketError(f"工单 {t.code} 的整改已于 {fmt_time(rect.done_at)} 完成。")
                if rect.callback_at is None:
                    raise TicketError(f"请先登记回访（/回访 {t.code} 情况），再登记整改完成。")
                rect.done_at, rect.note = now, note
                self.record_event(s, t, "rectify_done", actor, note, on_time=now <= rect.due_at)
                await self._notify_citizens(
                    s,
                    t,
                    f"您反映的工单 {t.code} 已完成整改：{note}\n欢迎重新评价一次，例如回复“/评价 {t.code} 满意”。",
                    kind="ticket_rectified",
                )

    # --- supervisors --------------------------------------------------------------------------

    async def rework(self, code: str, actor: Actor, reason: str) -> None:
        self._require(actor, SUPERVISORS | {Role.DISPATCHER}, "发回重办")
        reason = _clip(reason, "重办理由")
        if not reason:
            raise TicketError("发回重办需要说明理由。")
        async with self.db.session() as s:
            t = await self._get(s, code)
            if not t.department_code:
                raise TicketError(f"工单 {t.code} 没有办理部门，不能发回重办。")
            await self._move(s, t, "rework", actor, reason)
            t.rework_count += 1
            cal = await calendar_for(s)
            d = cal.add_workdays(self.clock.now(), self.rules.workdays[t.kind])
            self._set_deadline(t, cal, d.at, d.beyond_known)
            t.answered_at, t.on_time, t.rating_due_at = None, None, None
            await self.notify_department(
                s,
                t.department_code,
                f"工单 {t.code} 被发回重办：{reason}。新期限 {fmt_time(t.deadline_at)}。",
                kind="ticket_rework",
                ref=t.code,
            )

    async def urge(self, code: str, actor: Actor, comment: str = "") -> None:
        self._require(actor, SUPERVISORS | {Role.DISPATCHER, Role.HEAD}, "催办")
        async with self.db.session() as s:
            t = await self._get(s, code)
            await self._move(s, t, "urge", actor, comment or "催办")
            target = t.department_code
            text = (
                f"【催办】工单 {t.code}（{LABELS[Status(t.status)]}，期限 {fmt_time(t.deadline_at)}）"
                f"请抓紧办理。{comment}"
            )
            if target:
                await self.notify_department(s, target, text, kind="ticket_urged", ref=t.code)
            else:
                await self.notify_role(s, Role.DISPATCHER, text, kind="ticket_urged", ref=t.code)

    async def archive(self, code: str, actor: Actor) -> None:
        self._require(actor, DISPATCHERS, "归档")
        async with self.db.session() as s:
            t = await self._get(s, code)
            t.closed_at = self.clock.now()
            await self._move(s, t, "archive", actor, "归档")
        await self._closed(code)
