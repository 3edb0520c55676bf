"""Overdue document steps: remind the holder at ``due_at``, then the holder's department head at ``escalate_at``.

Each reminder is claimed with a conditional UPDATE (``… WHERE reminded_at IS NULL``, one row
changed) in the same transaction as its notification, so two workers ticking at once fire it once,
and a crash before commit fires it again on the next tick rather than never.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import Clock
from kernel.db import Database, claim
from kernel.identity import Role
from office_flows.directory.models import Department, Person
from office_flows.directory.notify import notify_person
from office_flows.directory.store import people_of
from office_flows.documents.models import PENDING, Document, Step
from office_flows.documents.service import fmt


async def _claim(s: AsyncSession, step_id: int, column: Any, now: datetime) -> bool:
    return await claim(s, Step, step_id, and_(column.is_(None), Step.status == PENDING), **{column.key: now})


async def _heads_above(s: AsyncSession, dept: Department | None, holder: int) -> list[int]:
    """The holder's department heads; a head holding the step is escalated to the parent department's heads."""
    while dept is not None:
        heads = [p.id for p in await people_of(s, dept.code, Role.HEAD) if p.id != holder]
        if heads:
            return heads
        dept = (
            await s.scalar(select(Department).where(Department.code == dept.parent_code)) if dept.parent_code else None
        )
    return []


async def fire_due(db: Database, clock: Clock) -> int:
    """Send every reminder and escalation that is due; returns how many were sent."""
    now = clock.now()
    sent = 0
    async with db.session() as s:
        due = (
            await s.execute(
                select(Step, Document)
                .join(Document, Document.id == Step.document_id)
                .where(Step.status == PENDING, Step.reminded_at.is_(None), Step.due_at <= now)
                .order_by(Step.due_at)
                .limit(200)
            )
        ).all()
        for step, doc in due:
            if await _claim(s, step.id, Step.reminded_at, now):
                await notify_person(
                    s,
                    step.assignee_id,
                    f"提醒：{doc.doc_id}《{doc.title}》（{step.name}）已超过办理时限 {fmt(step.due_at)}，请尽快办理。",
                    kind="doc_reminder",
                    ref=doc.doc_id,
                    now=now,
                )
                sent += 1
    async with db.session() as s:
        late = (
            await s.execute(
                select(Step, Document)
                .join(Document, Document.id == Step.document_id)
                .where(
                    Step.status == PENDING,
                    Step.reminded_at.is_not(None),
                    Step.escalated_at.is_(None),
                    Step.escalate_at <= now,
                )
                .order_by(Step.escalate_at)
                .limit(200)
            )
        ).all()
        for step, doc in late:
            if not await _claim(s, step.id, Step.escalated_at, now):
                continue
            holder = await s.get(Person, step.assignee_id)
            dept = await s.get(Department, holder.department_id) if holder and holder.department_id else None
            heads = await _heads_above(s, dept, step.assignee_id)
            for head in heads:
                await notify_person(
                    s,
                    head,
                    f"督办提示：{holder.name if holder else ''}待办的 {doc.doc_id}《{doc.title}》（{step.name}）"
                    f"自 {fmt(step.created_at)} 起仍未办理，已超时，请督促。",
                    kind="doc_escalation",
                    ref=doc.doc_id,
                    now=now,
                )
                sent += 1
    return sent
