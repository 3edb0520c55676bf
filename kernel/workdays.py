"""Working days and working hours of a Guangdong district government.

Statutory holidays and 调休 make-up days come from ``chinesecalendar`` for the years it
knows; an admin-editable override table (``work_calendar_overrides``) wins over it and
covers later years. Beyond known data the calendar falls back to Monday–Friday and says
so (``beyond_known``), so that a deadline computed there is shown with a warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

from sqlalchemy import Boolean, Date, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from kernel.clock import SHANGHAI
from kernel.db import Base, BigId, UTCDateTime

# Office hours: morning and afternoon sessions (Guangdong government offices).
PERIODS = ((time(8, 30), time(12, 0)), (time(14, 30), time(17, 30)))
HOURS_PER_DAY = sum((datetime.combine(date.min, b) - datetime.combine(date.min, a)).seconds for a, b in PERIODS) / 3600


class CalendarOverride(Base):
    __tablename__ = "work_calendar_overrides"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(100), default="")
    updated_by: Mapped[str] = mapped_column(String(64), default="system")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


def within_office_hours(start: datetime, end: datetime) -> bool:
    """Whether [start, end] lies inside one of the office periods of its day (Shanghai time)."""
    a, b = start.astimezone(SHANGHAI), end.astimezone(SHANGHAI)
    if a.date() != b.date():
        return False
    return any(p0 <= a.time() and b.time() <= p1 for p0, p1 in PERIODS)


def _package_years() -> frozenset[int]:
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - it is a dependency; keep the calendar usable without it
        return frozenset()
    return frozenset(d.year for d in chinese_calendar.holidays)


def holiday_name(d: date) -> str:
    """The Chinese name of the statutory holiday on ``d`` ("国庆节"), "" when none or the package does not know."""
    if d.year not in _package_years():
        return ""
    import chinese_calendar

    _, holiday = chinese_calendar.get_holiday_detail(d)
    return next((str(h.chinese) for h in chinese_calendar.Holiday if h.value == holiday), "")


@dataclass(frozen=True)
class Deadline:
    at: datetime
    beyond_known: bool  # computed over days neither the package nor an override knows

    @property
    def warning(self) -> str:
        return (
            "（注意：该期限跨入节假日数据未覆盖的年份，按周一至周五计算，请管理员补充节假日安排）"
            if self.beyond_known
            else ""
        )


class WorkCalendar:
    def __init__(self, overrides: dict[date, bool] | None = None) -> None:
        self.overrides = dict(overrides or {})
        self.package_years = _package_years()
        self.override_years = frozenset(d.year for d in self.overrides)
        self._workdays: dict[date, bool] = {}  # the statutory calendar is slow to ask; days do not change

    @classmethod
    async def load(cls, s: AsyncSession) -> WorkCalendar:
        rows = await s.execute(select(CalendarOverride.day, CalendarOverride.is_workday))
        return cls({d: w for d, w in rows.all()})

    def known(self, d: date) -> bool:
        return d in self.overrides or d.year in self.package_years or d.year in self.override_years

    def is_workday(self, d: date) -> bool:
        if d in self.overrides:
            return self.overrides[d]
        known = self._workdays.get(d)
        if known is None:
            if d.year in self.package_years:
                import chinese_calendar

                known = bool(chinese_calendar.is_workday(d))
            else:
                known = d.weekday() < 5
            self._workdays[d] = known
        return known

    def _beyond(self, days: Iterable[date]) -> bool:
        return any(not self.known(d) for d in days)

    def add_workdays(self, start: datetime, n: int) -> Deadline:
        """The end of office hours of the n-th working day after ``start``'s day (the day itself not counted)."""
        day = start.astimezone(SHANGHAI).date()
        seen = []
        counted = 0
        while counted < n:
            day += timedelta(days=1)
            seen.append(day)
            if self.is_workday(day):
                counted += 1
        at = datetime.combine(day, PERIODS[-1][1], SHANGHAI)
        return Deadline(at, self._beyond(seen))

    def add_work_hours(self, start: datetime, hours: float) -> Deadline:
        """``start`` plus ``hours`` of office time (time outside office hours does not count)."""
        left = timedelta(hours=hours)
        cur = start.astimezone(SHANGHAI)
        seen = []
        while True:
            day = cur.date()
            seen.append(day)
            if self.is_workday(day):
                for a, b in PERIODS:
                    begin = max(cur, datetime.combine(day, a, SHANGHAI))
                    end = datetime.combine(day, b, SHANGHAI)
                    if begin >= end:
                        continue
                    if end - begin >= left:
                        return Deadline(begin + left, self._beyond(seen))
                    left -= end - begin
                    cur = end
            cur = datetime.combine(day + timedelta(days=1), time(0, 0), SHANGHAI)

    def back_work_hours(self, end: datetime, hours: float) -> datetime:
        """The moment ``hours`` of office time before ``end`` (for "remind N working hours before")."""
        left = timedelta(hours=hours)
        cur = end.astimezone(SHANGHAI)
        for _ in range(3660):  # at most ten years back: a bound, never reached in practice
            day = cur.date()
            if self.is_workday(day):
                for a, b in reversed(PERIODS):
                    start = datetime.combine(day, a, SHANGHAI)
                    stop = min(cur, datetime.combine(day, b, SHANGHAI))
                    if stop <= start:
                        continue
                    if stop - start >= left:
                        return stop - left
                    left -= stop - start
                    cur = start
            cur = datetime.combine(day, time(0, 0), SHANGHAI) - timedelta(microseconds=1)
        raise ValueError("no working time found within ten years")

    def work_hours_between(self, a: datetime, b: datetime) -> float:
        """Office hours elapsed from ``a`` to ``b`` (0 if b <= a)."""
        if b <= a:
            return 0.0
        total = timedelta()
        day = a.astimezone(SHANGHAI).date()
        last = b.astimezone(SHANGHAI).date()
        while day <= last:
            if self.is_workday(day):
                for p0, p1 in PERIODS:
                    begin = max(a, datetime.combine(day, p0, SHANGHAI))
                    end = min(b, datetime.combine(day, p1, SHANGHAI))
                    if end > begin:
                        total += end - begin
            day += timedelta(days=1)
        return total.total_seconds() / 3600


async def set_override(s: AsyncSession, day: date, is_workday: bool, note: str, *, by: str, now: datetime) -> None:
    row = await s.scalar(select(CalendarOverride).where(CalendarOverride.day == day))
    if row is None:
        s.add(CalendarOverride(day=day, is_workday=is_workday, note=note, updated_by=by, updated_at=now))
    else:
        row.is_workday, row.note, row.updated_by, row.updated_at = is_workday, note, by, now


class WorkingCalendar(Protocol):
    """What deadlines need from the calendar; ``WorkCalendar`` in production, a fake in tests."""

    def add_workdays(self, start: datetime, n: int) -> Deadline: ...

    def add_work_hours(self, start: datetime, hours: float) -> Deadline: ...

    def back_work_hours(self, end: datetime, hours: float) -> datetime: ...

    def work_hours_between(self, a: datetime, b: datetime) -> float: ...


async def calendar_for(s: AsyncSession, injected: WorkingCalendar | None = None) -> WorkingCalendar:
    """The injected calendar, or the statutory one with today's admin overrides, loaded in ``s``'s transaction."""
    return injected if injected is not None else await WorkCalendar.load(s)
