"""Co-handling (主办/协办): a dispatcher adds assisting departments to a ticket; each signs for it, has its own
deadline and gives its part of the answer; the lead department (``Ticket.department_code``) answers the
citizen once every part is in (or is told which are missing).

Runs inside the ticket service's transactions (``TicketService.sign``/``reply`` call ``sign``/``answer``
here when the actor's department assists rather than leads).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.identity import Actor
from kernel.workdays import calendar_for
from office_flows.tickets.errors import TicketError
from office_flows.tickets.models import Ticket, TicketAssist
from office_flows.tickets.queries import DISPATCHERS
from office_flows.tickets.queries import fmt_time as fmt

if TYPE_CHECKING:
    from office_flows.tickets.service import TicketService

MAX_ASSISTS = 5


@dataclass(frozen=True)
class AssistView:
    department_code: str
    department: str
    deadline_at: datetime
    signed_at: datetime | None
    answered_at: datetime | None
    part: str


async def assists_of(s: AsyncSession, ticket_id: int) -> list[TicketAssist]:
    q = select(TicketAssist).where(TicketAssist.ticket_id == ticket_id).order_by(TicketAssist.id)
    return list(await s.scalars(q))


async def assist_for(s: AsyncSession, t: Ticket, actor: Actor) -> TicketAssist | None:
    """The actor's department's assisting role on this ticket, if it assists (and does not lead)."""
    if actor.person_id is None or not actor.department_code or actor.department_code == t.department_code:
        return None
    q = select(TicketAssist).where(
        TicketAssist.ticket_id == t.id, TicketAssist.department_code == actor.department_code
    )
    return await s.scalar(q)


class CoHandling:
    def __init__(self, svc: TicketService) -> None:
        self.svc = svc

    async def assign(self, code: str, actor: Actor, departments: list[str]) -> list[str]:
        """Add assisting departments (names, aliases or codes); returns their names."""
        svc = self.svc
        if not actor.roles & DISPATCHERS:
            raise TicketError("抱歉，指定协办部门需要派单员或督办人员权限。")
        if not departments:
            raise TicketError("请写明协办部门，可写多个，用空格分开。")
        async with svc.db.session() as s:
            t = await svc.get_for_update(s, code)
            if not t.department_code:
                raise TicketError(f"工单 {t.code} 还没有主办部门，请先派单再指定协办部门。")
            have = {a.department_code for a in await assists_of(s, t.id)}
            codes: list[str] = []
            for typed in departments:
                dept = await svc.resolve_department(s, typed)
                name = await svc.department_name(s, dept)
                if dept == t.department_code:
                    raise TicketError(f"{name}是工单 {t.code} 的主办部门，不能同时协办。")
                if dept in have or dept in codes:
                    raise TicketError(f"{name}已是工单 {t.code} 的协办部门。")
                codes.append(dept)
            if len(have) + len(codes) > MAX_ASSISTS:
                raise TicketError(f"一张工单最多 {MAX_ASSISTS} 个协办部门。")
            now = svc.clock.now()
            cal = await calendar_for(s)
            sign_by = cal.add_work_hours(now, svc.rules.sign_hours).at
            due = cal.add_workdays(now, svc.rules.assist_days).at
            if t.deadline_at is not None:
                due = min(due, t.deadline_at)
            names = [await svc.department_name(s, d) for d in codes]
            for dept in codes:
                s.add(
                    TicketAssist(
                        ticket_id=t.id,
                        department_code=dept,
                        assigned_by=actor.key,
                        assigned_at=now,
                        sign_deadline_at=sign_by,
                        deadline_at=due,
                    )
                )
            await svc.move(s, t, "assist", actor, "协办：" + "、".join(names), departments=codes)
            lead = await svc.department_name(s, t.department_code)
            for dept in codes:
                await svc.notify_department(
                    s,
                    dept,
                    f"工单 {t.code}（{t.kind}）请贵单位协办，主办：{lead}。内容：{t.content[:80]}\n"
                    f"请于 {fmt(sign_by)} 前签收（/签收 {t.code}），{fmt(due)} 前提交协办意见（/回复 {t.code} 意见）。",
                    kind="ticket_assist",
                    ref=t.code,
                )
            await svc.notify_department(
                s,
                t.department_code,
                f"工单 {t.code} 增加协办部门：{'、'.join(names)}。请汇总协办意见后统一答复市民。",
                kind="ticket_assist",
                ref=t.code,
            )
            return names

    async def sign(self, s: AsyncSession, t: Ticket, assist: TicketAssist, actor: Actor) -> None:
        if assist.signed_at is not None:
            raise TicketError(f"贵单位已于 {fmt(assist.signed_at)} 签收工单 {t.code} 的协办任务。")
        assist.signed_at, assist.signed_by = self.svc.clock.now(), actor.key
        await self.svc.move(s, t, "assist_sign", actor, "协办签收", department=assist.department_code)

    async def answer(self, s: AsyncSession, t: Ticket, assist: TicketAssist, actor: Actor, part: str) -> None:
        if assist.signed_at is None:
            raise TicketError(f"请先签收协办任务（/签收 {t.code}），再提交协办意见。")
        if assist.answered_at is not None:
            raise TicketError(f"贵单位已于 {fmt(assist.answered_at)} 提交过工单 {t.code} 的协办意见。")
        assist.part, assist.answered_at = part, self.svc.clock.now()
        assist.answered_by_name = actor.display
        await self.svc.move(s, t, "assist_reply", actor, part, department=assist.department_code)
        name = await self.svc.department_name(s, assist.department_code)
        await self.svc.notify_department(
            s, t.department_code, f"工单 {t.code} 收到{name}的协办意见：{part[:120]}", kind="ticket_assist", ref=t.code
        )

    async def parts_or_missing(self, s: AsyncSession, t: Ticket) -> tuple[list[tuple[str, str]], list[str]]:
        """(department name, part) of the answered assists, and the names of those still missing."""
        parts: list[tuple[str, str]] = []
        missing: list[str] = []
        for a in await assists_of(s, t.id):
            name = await self.svc.department_name(s, a.department_code)
            if a.answered_at is None:
                missing.append(name)
            else:
                parts.append((name, a.part))
        return parts, missing

    async def views(self, code: str) -> list[AssistView]:
        async with self.svc.db.session() as s:
            t = await self.svc.get_for_update(s, code, lock=False)
            return [
                AssistView(
                    a.department_code,
                    await self.svc.department_name(s, a.department_code),
                    a.deadline_at,
                    a.signed_at,
                    a.answered_at,
                    a.part,
                )
                for a in await assists_of(s, t.id)
            ]
