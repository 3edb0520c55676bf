"""Reads of the alerts domain for the console, the chat and the monthly report."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.identity import Actor, Role
from office_flows.alerts.models import HotTopic, TopicAlert, TopicRun

# An alert is current while its topic still grows: raised or updated by a daily run in the last two windows.
CURRENT = timedelta(days=14)


def reader_scope(actor: Actor) -> str | None:
    """The alerts a reader sees: None for every alert (supervisors, admins), else their own department's ("" when
    linked to none)."""
    return None if actor.has(Role.SUPERVISOR, Role.ADMIN) else actor.department_code or ""


def may_read(actor: Actor) -> bool:
    return actor.has(Role.SUPERVISOR, Role.HEAD, Role.ADMIN)


async def alerts(
    s: AsyncSession, *, since: datetime | None = None, until: datetime | None = None, limit: int = 200
) -> list[TopicAlert]:
    """Alerts raised in [since, until), newest first."""
    q = select(TopicAlert).order_by(TopicAlert.created_at.desc(), TopicAlert.id.desc())
    if since is not None:
        q = q.where(TopicAlert.created_at >= since)
    if until is not None:
        q = q.where(TopicAlert.created_at < until)
    return list(await s.scalars(q.limit(limit)))


async def current(s: AsyncSession, since: datetime, limit: int = 50) -> list[TopicAlert]:
    """Alerts still current: raised or grown since ``since``, most recently grown first."""
    q = select(TopicAlert).where(TopicAlert.updated_at >= since)
    return list(await s.scalars(q.order_by(TopicAlert.updated_at.desc(), TopicAlert.id.desc()).limit(limit)))


async def current_in(s: AsyncSession, since: datetime, department: str | None) -> list[TopicAlert]:
    """``current`` as one reader sees them: every alert (``department`` None) or those touching a department."""
    found = await current(s, since)
    return found if department is None else [a for a in found if department in a.departments]


async def alert(s: AsyncSession, alert_id: int) -> TopicAlert | None:
    return await s.get(TopicAlert, alert_id)


async def latest_day(s: AsyncSession) -> str | None:
    return await s.scalar(select(func.max(TopicRun.day)).where(TopicRun.finished_at.is_not(None)))


async def hot_topics(s: AsyncSession, *, scope: str | None = None, day: str | None = None) -> list[HotTopic]:
    """The hot topics of the latest finished run (or of ``day``), by rank."""
    day = day or await latest_day(s)
    if day is None:
        return []
    q = select(HotTopic).where(HotTopic.day == day)
    if scope:
        q = q.where(HotTopic.scope == scope)
    return list(await s.scalars(q.order_by(HotTopic.scope, HotTopic.rank)))


async def last_run(s: AsyncSession) -> TopicRun | None:
    return await s.scalar(select(TopicRun).order_by(TopicRun.day.desc()).limit(1))
