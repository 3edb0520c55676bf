"""What office deadlines need from a working-day calendar, and a fallback until govchat.workdays lands.

Flows take any object with ``add_work_hours``; the composition root passes the statutory
calendar (holidays and 调休) when it exists, else ``WeekdayHours``, which knows office hours
and weekends but not holidays.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Protocol

from govchat.clock import SHANGHAI

SPANS = ((time(8, 30), time(12, 0)), (time(14, 30), time(17, 30)))


class WorkHours(Protocol):
    def add_work_hours(self, start: datetime, hours: float) -> datetime: ...


class WeekdayHours:
    """Working hours 08:30–12:00 and 14:30–17:30 Asia/Shanghai, Monday to Friday."""

    def add_work_hours(self, start: datetime, hours: float) -> datetime:
        left = timedelta(hours=hours)
        cur = start.astimezone(SHANGHAI)
        while True:
            if cur.weekday() < 5:
                for a, b in SPANS:
                    lo = cur.replace(hour=a.hour, minute=a.minute, second=0, microsecond=0)
                    hi = cur.replace(hour=b.hour, minute=b.minute, second=0, microsecond=0)
                    if cur >= hi:
                        continue
                    cur = max(cur, lo)
                    if cur + left <= hi:
                        return cur + left
                    left -= hi - cur
                    cur = hi
            cur = (cur + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
