"""The scheduler tick: APScheduler only ticks; what is due lives in the database.

Every deadline (ticket escalation, document reminder, meeting reminder) is a column of
the row it belongs to. Each registered ``tick(now)`` claims its due rows with a
conditional UPDATE, so a tick fires each thing exactly once, also after a restart and
with several workers on one PostgreSQL. APScheduler's own store is memory only and
drops late runs after ``misfire_grace_time``: coalescing and no grace limit make a late
tick simply run once, and nothing is lost because the rows are still due.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from kernel.clock import Clock
from kernel.metrics import Metrics

log = logging.getLogger(__name__)
TickFn = Callable[[datetime], Awaitable[int]]  # tick(now: datetime) -> number of things fired


class Ticker:
    def __init__(self, clock: Clock, interval_seconds: float = 30.0, metrics: Metrics | None = None) -> None:
        self.clock = clock
        self.interval = interval_seconds
        self.ticks: list[tuple[str, TickFn]] = []
        self._scheduler: object | None = None
        self.metrics = metrics
        self.last_tick_at: datetime | None = None  # when the last tick started (the scheduler's lag and age)

    def register(self, name: str, fn: TickFn) -> None:
        self.ticks.append((name, fn))

    async def tick(self) -> dict[str, int]:
        """Run every registered tick once with the clock's time; a failing one does not stop the others."""
        now = self.clock.now()
        if self.metrics is not None and self.last_tick_at is not None:
            late = (now - self.last_tick_at).total_seconds() - self.interval
            self.metrics.scheduler_lag.set(max(late, 0.0))
        self.last_tick_at = now
        fired: dict[str, int] = {}
        for name, fn in self.ticks:
            try:
                fired[name] = await fn(now)
            except Exception:
                log.exception("scheduler tick %s failed; it will be retried at the next tick", name)
                fired[name] = -1
                if self.metrics is not None:
                    self.metrics.scheduler_failures.labels(name).inc()
        return fired

    def start(self) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        scheduler = AsyncIOScheduler()
        scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.interval,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            id="govchat-tick",
        )
        scheduler.start()
        self._scheduler = scheduler

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)  # type: ignore[attr-defined]
            self._scheduler = None
