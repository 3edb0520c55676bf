"""Supervision metrics per department and period, each with the tickets behind it. Definitions: STATS.md.

Every metric is one table of data: the rows it counts (base), the rows that count as good
(numerator) and the column that names the department. The aggregate and the drill-down
are built from the same definition, so a number and its list of tickets cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from kernel.db import Database
from office_flows.tickets.models import Ticket, TicketRating
from office_flows.tickets.states import Status

Clause = ColumnElement[bool]


SMALL_SAMPLE = 10  # a rate over fewer counted tickets (or ratings) is shown with "样本过少"


@dataclass(frozen=True)
class Arm:
    """One way a row enters a period: its time ``at`` falls in the period and ``when(now)`` holds."""

    at: Any
    when: Callable[[datetime], Clause]


@dataclass(frozen=True)
class Metric:
    """``good`` is the numerator's condition. For most metrics the numerator is the good side; for
    ``lower_is_better`` ones (发回重办率) it counts the problems, and the drill-down's labels say so.

    The counted rows of a period are those that enter it by any of ``arms`` (``base``); a row may enter
    different periods by different arms (发回重办率: answered in one week, sent back in another)."""

    key: str
    label: str
    rating_based: bool
    arms: tuple[Arm, ...]
    good: Clause
    lower_is_better: bool = False
    hit_label: str = "达标"  # what the numerator's tickets are (drill-down part=good)
    miss_label: str = "未达标"  # the rest of the counted tickets (part=bad)

    def base(self, start: datetime, end: datetime, now: datetime) -> Clause:
        """The rows counted for the period ``[start, end)``."""
        return or_(*(and_(_in(arm.at, start, end), arm.when(now)) for arm in self.arms))

    def entered(self, arm: Arm, start: datetime, end: datetime, now: datetime) -> Clause:
        return and_(_in(arm.at, start, end), arm.when(now))

    def by_arm(self, i: int, start: datetime, end: datetime, now: datetime) -> Clause:
        """The rows that enter ``[start, end)`` by arm ``i`` and by no earlier arm: the arms' counts add up to
        ``base``'s, each over one index range (an OR of two ranges reads the table's pages instead)."""
        earlier = [case((self.entered(a, start, end, now), 1), else_=0) == 0 for a in self.arms[:i]]
        return and_(self.entered(self.arms[i], start, end, now), *earlier)

    def period_of(self, periods: list[tuple[datetime, datetime]], arm: Arm, now: datetime) -> Any:
        """The index of the period the row enters by ``arm`` (NULL when it enters none by it)."""
        return case((arm.when(now), case(*((_in(arm.at, a, b), i) for i, (a, b) in enumerate(periods)))))

    @property
    def department(self) -> Any:
        return TicketRating.department_code if self.rating_based else Ticket.department_code

    @property
    def unit(self) -> str:
        return "次评价" if self.rating_based else "张工单"

    @property
    def problem_part(self) -> str:
        """The drill-down part that lists the tickets a supervisor acts on."""
        return "good" if self.lower_is_better else "bad"

    @property
    def caption(self) -> str:
        return f"{self.label}（越低越好）" if self.lower_is_better else self.label

    def part_label(self, part: str) -> str:
        return {"all": "全部计入", "good": self.hit_label, "bad": self.miss_label}[part]

    def sample_note(self, total: int) -> str:
        """How few the rate rests on, when it is few ("1 张工单，样本过少")."""
        return f"{total} {self.unit}，样本过少" if 0 < total < SMALL_SAMPLE else ""


def _in(col: Any, start: datetime, end: datetime) -> Clause:
    return and_(col >= start, col < end)


METRICS: dict[str, Metric] = {
    m.key: m
    for m in [
        Metric(
            "sign_rate",
            "按期签收率",
            False,
            (
                Arm(
                    Ticket.dispatched_at,
                    lambda now: or_(Ticket.signed_on_time.is_not(None), Ticket.sign_deadline_at < now),
                ),
            ),
            Ticket.signed_on_time.is_(True),
        ),
        Metric(
            "ontime_rate",
            "按时办结率",
            False,
            (
                Arm(Ticket.answered_at, lambda now: true()),
                # still open and its deadline has passed
                Arm(
                    Ticket.deadline_at,
                    lambda now: and_(
                        Ticket.answered_at.is_(None),
                        Ticket.status.in_([Status.DISPATCHED.value, Status.HANDLING.value]),
                        Ticket.deadline_at < now,
                    ),
                ),
            ),
            Ticket.on_time.is_(True),
        ),
        Metric(
            "satisfaction_rate",
            "满意率",
            True,
            (Arm(TicketRating.at, lambda now: TicketRating.level.is_not(None)),),
            TicketRating.level >= 3,
        ),
        Metric(
            "callback_rate",
            "回访率",
            False,
            (Arm(Ticket.answered_at, lambda now: Ticket.status != Status.ANSWERED.value),),
            # the flag set by the rating's transaction: no probe of the ratings per ticket (2M tickets: ~0.5 s)
            Ticket.rated.is_(True),
        ),
        Metric(
            "rework_rate",
            "发回重办率",
            False,
            (Arm(Ticket.answered_at, lambda now: true()), Arm(Ticket.updated_at, lambda now: Ticket.rework_count > 0)),
            Ticket.rework_count > 0,
            lower_is_better=True,
            hit_label="发回重办过",
            miss_label="未发回重办",
        ),
    ]
}


def _from(metric: Metric) -> Any:
    return (
        TicketRating.__table__.join(Ticket.__table__, TicketRating.ticket_id == Ticket.id)
        if metric.rating_based
        else Ticket.__table__
    )


def _counted_in(metric: Metric) -> Any:
    """What the counts read: a rating-based metric needs only the ratings (each has its ticket: a foreign key);
    the drill-down joins the ticket for its code. With the columns in the time indexes (models.py), PostgreSQL
    counts from the index alone."""
    return TicketRating.__table__ if metric.rating_based else Ticket.__table__


async def compute(
    s: AsyncSession, start: datetime, end: datetime, now: datetime, department: str | None = None
) -> dict[str, dict[str, dict[str, float | int | None]]]:
    """{department: {metric: {"good", "total", "rate"}}}; "rate" is None when nothing was counted."""
    out: dict[str, dict[str, dict[str, float | int | None]]] = {}
    for m in METRICS.values():
        counts: dict[str, list[int]] = {}
        for i in range(len(m.arms)):
            where = [m.by_arm(i, start, end, now)]
            if department:
                where.append(m.department == department)
            q = (
                select(m.department, func.count(), func.sum(case((m.good, 1), else_=0)))
                .select_from(_counted_in(m))
                .where(*where)
                .group_by(m.department)
            )
            for dept, total, good in (await s.execute(q)).all():
                pair = counts.setdefault(dept or "", [0, 0])
                pair[0] += int(total)
                pair[1] += int(good or 0)
        for dept, (total, good) in counts.items():
            out.setdefault(dept, {})[m.key] = {"good": good, "total": total, "rate": good / total if total else None}
    for metrics in out.values():
        for key in METRICS:
            metrics.setdefault(key, {"good": 0, "total": 0, "rate": None})
    return out


async def drill_down(
    s: AsyncSession,
    metric: str,
    start: datetime,
    end: datetime,
    now: datetime,
    department: str | None = None,
    part: str = "all",
    limit: int = 1000,
) -> list[str]:
    """The ticket codes behind a number: part = "all" (the denominator), "good" or "bad"."""
    m = METRICS[metric]
    where = [m.base(start, end, now)]
    if department:
        where.append(m.department == department)
    if part == "good":
        where.append(m.good)
    elif part == "bad":
        where.append(~m.good)
    # The rows first, then their order: with ORDER BY code LIMIT on the join itself, PostgreSQL walked the
    # code index from the start and probed every ticket (codes follow time, so a past month's are near the
    # end): 3.9 s over 2M tickets. OFFSET 0 keeps the inner query whole (bench/scale_bench.py).
    behind = select(Ticket.code).select_from(_from(m)).where(*where).distinct().offset(0).subquery()
    return list(await s.scalars(select(behind.c.code).order_by(behind.c.code).limit(limit)))


async def compute_for(
    db: Database, start: datetime, end: datetime, now: datetime, department: str | None = None
) -> dict[str, dict[str, dict[str, float | int | None]]]:
    """``compute`` in its own read transaction."""
    async with db.session() as s:
        return await compute(s, start, end, now, department)


async def compute_series(
    s: AsyncSession, periods: list[tuple[datetime, datetime]], now: datetime, keys: list[str] | None = None
) -> list[dict[str, dict[str, float | int | None]]]:
    """District-wide metrics for several disjoint periods (e.g. the weeks of a trend): one index range per arm
    of each metric.

    The rows an arm brings into the whole span are grouped by the period it places them in (a CASE, not a
    conditional sum per period) and by the periods the earlier arms place them in; a row counts in the arm's
    period unless an earlier arm already counted it there. So the counts equal ``compute`` for that period
    summed over departments. ``keys`` limits the metrics (callers may run one metric per connection in
    parallel).
    """
    if not periods:
        return []
    span = (min(a for a, _ in periods), max(b for _, b in periods))
    totals = [{k: [0, 0] for k in keys or METRICS} for _ in periods]
    for m in (METRICS[k] for k in keys or METRICS):
        for i, arm in enumerate(m.arms):
            placed = [m.period_of(periods, a, now).label(f"p{j}") for j, a in enumerate(m.arms[: i + 1])]
            rows = select(*placed, case((m.good, 1), else_=0).label("good"))
            inner = rows.select_from(_counted_in(m)).where(m.entered(arm, *span, now)).subquery()
            by = [inner.c[f"p{j}"] for j in range(i + 1)]
            q = select(*by, func.count(), func.sum(inner.c.good)).group_by(*by)
            for *earlier, p, total, good in (await s.execute(q)).all():
                if p is not None and p not in earlier:
                    totals[p][m.key][0] += int(total)
                    totals[p][m.key][1] += int(good or 0)
    return [
        {k: {"good": g, "total": n, "rate": g / n if n else None} for k, (n, g) in period.items()} for period in totals
    ]
