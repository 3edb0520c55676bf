"""Random ticket histories (dispatches, sign-fors, answers, reworks, ratings and re-ratings, overdue open
tickets, every state; across month boundaries and departments): the month's statistics, the weekly series and
the drill-down equal the definitions of STATS.md computed here in plain Python over the same histories.

The SQL reads the ``rated`` flag for 回访率; the reference reads the ratings themselves (a rating with a level),
so a flag that disagreed with the ratings would fail here. SQLite and PostgreSQL (the ``db_url`` fixture)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert

from govchat.migrate import upgrade
from kernel.clock import SHANGHAI
from kernel.db import Database
from office_flows.tickets.models import Ticket, TicketRating
from office_flows.tickets.states import Status
from office_flows.tickets.stats import METRICS, compute, compute_series, drill_down

NOW = datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI)  # early in a month: open tickets, recent answers
MONTH = (datetime(2026, 10, 1, tzinfo=SHANGHAI), datetime(2026, 11, 1, tzinfo=SHANGHAI))
CURRENT = (datetime(2026, 11, 1, tzinfo=SHANGHAI), datetime(2026, 12, 1, tzinfo=SHANGHAI))  # ends after NOW
MONDAY = datetime(2026, 11, 2, tzinfo=SHANGHAI)
WEEKS = [(MONDAY - timedelta(weeks=i), MONDAY - timedelta(weeks=i - 1)) for i in range(8, -1, -1)]
DEPARTMENTS = ["D1", "D2", "D3"]
OPEN_STATES = [Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING, Status.OBJECTED]
CLOSED_STATES = [Status.ANSWERED, Status.VISITED, Status.ARCHIVED, Status.MERGED]
Counts = dict[str, dict[str, list[int]]]


@dataclass
class Rating:
    level: int | None
    at: datetime
    department: str


@dataclass
class History:
    code: str
    department: str
    status: Status
    created: datetime
    updated: datetime
    dispatched: datetime | None
    signed_on_time: bool | None
    deadline: datetime | None
    answered: datetime | None
    on_time: bool | None
    rework_count: int
    ratings: list[Rating] = field(default_factory=list)

    @property
    def rated(self) -> bool:
        return any(r.level is not None for r in self.ratings)

    @property
    def sign_deadline(self) -> datetime | None:
        return None if self.dispatched is None else self.dispatched + timedelta(hours=2)


def _hours(lo: float, hi: float) -> st.SearchStrategy[timedelta]:
    return st.floats(lo, hi, allow_nan=False).map(lambda h: timedelta(hours=h))


@st.composite
def history(draw: st.DrawFn, i: int) -> History:
    created = NOW - draw(_hours(0, 24 * 75))
    dispatched = None if draw(st.integers(0, 9)) == 0 else created + draw(_hours(0, 30))
    dispatched = dispatched if dispatched is None or dispatched < NOW else None
    deadline = None if dispatched is None else dispatched + timedelta(days=draw(st.sampled_from([3, 14, 21])))
    answered = None if dispatched is None else dispatched + draw(_hours(1, 24 * 30))
    answered = answered if answered is not None and answered < NOW else None
    status = draw(st.sampled_from(CLOSED_STATES if answered else OPEN_STATES))
    reworks = draw(st.sampled_from([0, 0, 0, 1, 2]))
    updated = created + (NOW - created) * draw(st.floats(0, 1))
    h = History(
        code=f"GT{i:013d}",
        department=draw(st.sampled_from(DEPARTMENTS)),
        status=status,
        created=created,
        updated=updated,
        dispatched=dispatched,
        signed_on_time=None if dispatched is None else draw(st.sampled_from([None, True, False])),
        deadline=deadline,
        answered=answered,
        on_time=None if answered is None or deadline is None else answered <= deadline,
        rework_count=reworks,
    )
    if answered is not None and status != Status.ANSWERED:
        for _ in range(draw(st.integers(0, 2))):  # a rating, 未评价, a re-rating after rectification
            at = answered + draw(_hours(0.5, 24 * 20))
            if at < NOW:
                level = draw(st.sampled_from([None, 1, 2, 3, 4, 5]))
                h.ratings.append(Rating(level, at, draw(st.sampled_from(DEPARTMENTS))))
    return h


histories = st.integers(1, 40).flatmap(lambda n: st.tuples(*(history(i) for i in range(n))))


def _in(t: datetime | None, a: datetime, b: datetime) -> bool:
    return t is not None and a <= t < b


# The definitions of STATS.md, one (counted, good) pair of predicates per metric, over a ticket (or a rating).
Rule = tuple[Callable[[History, datetime, datetime], bool], Callable[[History], bool]]
TICKET_RULES: dict[str, Rule] = {
    "sign_rate": (
        lambda h, a, b: (
            _in(h.dispatched, a, b)
            and (h.signed_on_time is not None or (h.sign_deadline is not None and h.sign_deadline < NOW))
        ),
        lambda h: h.signed_on_time is True,
    ),
    "ontime_rate": (
        lambda h, a, b: (
            _in(h.answered, a, b)
            or (
                h.answered is None
                and h.status in (Status.DISPATCHED, Status.HANDLING)
                and _in(h.deadline, a, min(b, NOW))
            )
        ),
        lambda h: h.on_time is True,
    ),
    "callback_rate": (lambda h, a, b: _in(h.answered, a, b) and h.status != Status.ANSWERED, lambda h: h.rated),
    "rework_rate": (
        lambda h, a, b: _in(h.answered, a, b) or (h.rework_count > 0 and _in(h.updated, a, b)),
        lambda h: h.rework_count > 0,
    ),
}


def reference(hs: tuple[History, ...], a: datetime, b: datetime) -> tuple[Counts, dict[str, dict[str, set[str]]]]:
    """{department: {metric: [total, good]}} and {metric: {"all"/"good"/"bad": codes}} by the definitions."""
    counts: Counts = {}
    codes: dict[str, dict[str, set[str]]] = {k: {"all": set(), "good": set(), "bad": set()} for k in METRICS}

    def count(dept: str, key: str, code: str, good: bool) -> None:
        pair = counts.setdefault(dept, {k: [0, 0] for k in METRICS})[key]
        pair[0] += 1
        pair[1] += good
        codes[key]["all"].add(code)
        codes[key]["good" if good else "bad"].add(code)

    for h in hs:
        for key, (counted, good) in TICKET_RULES.items():
            if counted(h, a, b):
                count(h.department, key, h.code, good(h))
        for r in h.ratings:
            if r.level is not None and a <= r.at < b:
                count(r.department, "satisfaction_rate", h.code, r.level >= 3)
    return counts, codes


def _rows(hs: tuple[History, ...]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    tickets, ratings = [], []
    for i, h in enumerate(hs, start=1):
        tickets.append(
            {
                "id": i,
                "code": h.code,
                "kind": "投诉",
                "status": h.status.value,
                "content": "测试",
                "channel": "test",
                "sender": f"c{i}",
                "department_code": h.department,
                "departments_seen": [h.department],
                "created_at": h.created,
                "updated_at": h.updated,
                "dispatched_at": h.dispatched,
                "sign_deadline_at": h.sign_deadline,
                "deadline_at": h.deadline,
                "answered_at": h.answered,
                "on_time": h.on_time,
                "signed_on_time": h.signed_on_time,
                "rework_count": h.rework_count,
                "rated": h.rated,  # what TicketService.rate sets in the rating's transaction
            }
        )
        ratings += [
            {"ticket_id": i, "round": n, "level": r.level, "department_code": r.department, "at": r.at}
            for n, r in enumerate(h.ratings, start=1)
        ]
    return tickets, ratings


async def check(url: str, hs: tuple[History, ...]) -> None:
    db = Database(url)
    try:
        tickets, ratings = _rows(hs)
        async with db.session() as s:
            await s.execute(delete(TicketRating))
            await s.execute(delete(Ticket))
            await s.execute(insert(Ticket), tickets)
            if ratings:
                await s.execute(insert(TicketRating), ratings)
        async with db.session() as s:
            for a, b in (MONTH, CURRENT):
                want, codes = reference(hs, a, b)
                got = await compute(s, a, b, NOW)
                assert {d: {k: [v["total"], v["good"]] for k, v in m.items()} for d, m in got.items()} == want
                for key in METRICS:
                    for part in ("all", "good", "bad"):
                        assert set(await drill_down(s, key, a, b, NOW, part=part)) == codes[key][part], (key, part)
            series = await compute_series(s, WEEKS, NOW)
        for (a, b), week in zip(WEEKS, series, strict=True):
            want, _ = reference(hs, a, b)
            for key in METRICS:
                total = sum(m[key][0] for m in want.values())
                good = sum(m[key][1] for m in want.values())
                assert (week[key]["total"], week[key]["good"]) == (total, good), (a, key)
    finally:
        await db.dispose()


@pytest.fixture
def migrated(db_url: str) -> str:
    asyncio.run(upgrade(db_url))
    return db_url


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(hs=histories)
def test_statistics_equal_the_definitions(migrated: str, hs: tuple[History, ...]) -> None:
    asyncio.run(check(migrated, hs))
