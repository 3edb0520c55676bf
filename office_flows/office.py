"""The office flows as one object the composition root builds and the bot, API and scheduler use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from kernel.clock import Clock
from kernel.db import Database
from kernel.workdays import WorkingCalendar
from office_flows.documents import reminders as doc_reminders
from office_flows.documents.seal import Sealer
from office_flows.documents.service import DocumentService
from office_flows.meetings import service as meetings
from office_flows.notices.service import NoticeService


class _At:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


@dataclass
class Office:
    db: Database
    clock: Clock
    calendar: WorkingCalendar | None
    documents: DocumentService
    meetings: meetings.MeetingService
    notices: NoticeService

    async def tick(self, now: datetime) -> int:
        """The scheduler's callable: fire every due document, meeting and notice reminder (each exactly once)."""
        at = _At(now)
        docs = await doc_reminders.fire_due(self.db, at)
        return docs + await meetings.fire_due(self.db, at) + await self.notices.fire_due(now)


def build_office(
    db: Database,
    clock: Clock,
    calendar: WorkingCalendar | None,
    key_dir: Path,
    reminders: meetings.Reminders | None = None,
    notice_remind_after: timedelta = timedelta(days=1),
) -> Office:
    return Office(
        db,
        clock,
        calendar,
        DocumentService(db, clock, calendar, Sealer(key_dir)),
        meetings.MeetingService(db, clock, reminders),
        NoticeService(db, clock, notice_remind_after),
    )
