"""SQL of the alerts domain: the daily run's claim, the tickets of the windows, cached vectors, results."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.db import Database
from office_flows.alerts.detect import TicketRow, Windows
from office_flows.alerts.models import HotTopic, TicketVector, TopicAlert, TopicRun
from office_flows.alerts.places import place_of
from office_flows.tickets.models import Ticket
from office_flows.tickets.states import Status

CHUNK = 2000
STALE_RUN = timedelta(hours=2)  # a claim this old without a finish (a crashed worker) may be taken over


async def claim_run(db: Database, day: str, now: datetime) -> bool:
    """True for the one caller that may run ``day``: it inserted the day's row, or took over a stale claim."""
    try:
        async with db.session() as s:
            s.add(TopicRun(day=day, started_at=now))
        return True
    except IntegrityError:
        pass
    async with db.session() as s:
        taken = await s.execute(
            update(TopicRun)
            .where(TopicRun.day == day, TopicRun.finished_at.is_(None), TopicRun.started_at < now - STALE_RUN)
            .values(started_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(taken.rowcount == 1)  # type: ignore[attr-defined]


async def run_done(db: Database, day: str) -> bool:
    async with db.session() as s:
        return (await s.scalar(select(TopicRun.day).where(TopicRun.day == day))) is not None


async def release_run(db: Database, day: str) -> None:
    """A failed run gives its claim back so that the next tick retries."""
    async with db.session() as s:
        await s.execute(delete(TopicRun).where(TopicRun.day == day, TopicRun.finished_at.is_(None)))


def _row(r: tuple[int, str, datetime, str, str, str]) -> TicketRow:
    tid, code, at, address, dept, content = r
    return TicketRow(tid, code, at, place_of(address), dept or "", content or "")


async def tickets_between(s: AsyncSession, spans: Iterable[tuple[datetime, datetime]]) -> list[TicketRow]:
    """Tickets created in any of the spans, oldest first (merged duplicates left out)."""
    when = or_(*(and_(Ticket.created_at >= a, Ticket.created_at < b) for a, b in spans))
    q = (
        select(Ticket.id, Ticket.code, Ticket.created_at, Ticket.address, Ticket.department_code, Ticket.content)
        .where(when, Ticket.status != Status.MERGED.value)
        .order_by(Ticket.created_at, Ticket.id)
    )
    return [_row(tuple(r)) for r in (await s.execute(q)).all()]  # type: ignore[arg-type]


async def window_tickets(db: Database, win: Windows) -> list[TicketRow]:
    async with db.session() as s:
        return await tickets_between(s, [(win.baseline, win.end), win.last_year])


async def cached_vectors(db: Database, ids: list[int], model: str) -> dict[int, np.ndarray]:
    out: dict[int, np.ndarray] = {}
    async with db.session() as s:
        for i in range(0, len(ids), CHUNK):
            q = select(TicketVector.ticket_id, TicketVector.vector).where(
                TicketVector.ticket_id.in_(ids[i : i + CHUNK]), TicketVector.model == model
            )
            for tid, blob in (await s.execute(q)).all():
                out[tid] = np.frombuffer(blob, dtype=np.float32)
    return out


async def save_vectors(db: Database, ids: list[int], vecs: np.ndarray, model: str) -> None:
    """Store (or replace, when another model's vector is there) the vectors of these tickets."""
    async with db.session() as s:
        for i in range(0, len(ids), CHUNK):
            part = ids[i : i + CHUNK]
            await s.execute(delete(TicketVector).where(TicketVector.ticket_id.in_(part)))
            await s.execute(
                insert(TicketVector),
                [
                    {"ticket_id": tid, "model": model, "vector": np.ascontiguousarray(v, dtype=np.float32).tobytes()}
                    for tid, v in zip(part, vecs[i : i + CHUNK], strict=True)
                ],
            )


async def replace_hot_topics(s: AsyncSession, day: str, topics: list[HotTopic]) -> None:
    await s.execute(delete(HotTopic).where(HotTopic.day == day))
    s.add_all(topics)


async def recent_alerts(s: AsyncSession, since: datetime) -> list[TopicAlert]:
    return list(await s.scalars(select(TopicAlert).where(TopicAlert.updated_at >= since).order_by(TopicAlert.id)))


async def finish_run(s: AsyncSession, day: str, now: datetime, **counts: int) -> None:
    await s.execute(
        update(TopicRun)
        .where(TopicRun.day == day)
        .values(finished_at=now, **counts)
        .execution_options(synchronize_session=False)
    )
