"""From topic labels to counts per window and to alerts: pure functions over plain rows (no database).

Windows end at the run's day start (Asia/Shanghai midnight): the current window is the last
``window_days``; the baseline is the ``baseline_weeks`` windows before it (its average per window);
last year's same window is the one 52 weeks earlier (same weekdays).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from office_flows.alerts.places import UNKNOWN_PLACE

THEME, PLACE = "theme", "place"
GROWTH, COUNT = "growth", "count"
LAST_YEAR = timedelta(weeks=52)


@dataclass(frozen=True)
class AlertRules:
    growth: float = 3.0  # current ≥ growth × baseline average
    min_tickets: int = 5  # a growth alert needs at least this many tickets in the window
    count: int = 50  # or: this many tickets at one place in the window, whatever the baseline
    surprise: float = 0.001  # and a growth this unlikely by chance (Poisson tail at the baseline rate)
    window_days: int = 7
    baseline_weeks: int = 4
    join: float = 0.45  # centred cosine at which a ticket joins a fine topic (topics.py)
    merge: float = 0.30  # average centred cosine at which fine topics merge into one
    top: int = 10  # hot topics kept per scope


@dataclass(frozen=True)
class Windows:
    end: datetime
    current: datetime  # start of the current window
    baseline: datetime  # start of the baseline
    last_year: tuple[datetime, datetime]

    @classmethod
    def ending(cls, end: datetime, rules: AlertRules) -> Windows:
        w = timedelta(days=rules.window_days)
        cur = end - w
        return cls(end, cur, cur - rules.baseline_weeks * w, (cur - LAST_YEAR, end - LAST_YEAR))


@dataclass(frozen=True)
class TicketRow:
    id: int
    code: str
    created_at: datetime
    place: str
    department: str
    content: str


@dataclass
class TopicStat:
    scope: str
    place: str
    label: int
    title: str = ""
    current: list[TicketRow] = field(default_factory=list)
    baseline_count: int = 0
    last_year: int = 0
    baseline: float = 0.0  # per window

    @property
    def ratio(self) -> float | None:
        return self.current_count / self.baseline if self.baseline else None

    @property
    def current_count(self) -> int:
        return len(self.current)

    @property
    def departments(self) -> list[str]:
        return sorted({t.department for t in self.current if t.department})


@dataclass(frozen=True)
class Finding:
    topic: TopicStat
    reason: str  # growth | count


def topic_stats(
    rows: list[TicketRow],
    labels: np.ndarray,
    last_year_labels: np.ndarray,
    last_year_rows: list[TicketRow],
    win: Windows,
    rules: AlertRules,
) -> list[TopicStat]:
    """Counts per theme and per (theme, place) in the current window, the baseline and last year."""
    stats: dict[tuple[str, str, int], TopicStat] = {}

    def keys(label: int, place: str) -> list[tuple[str, str, int]]:
        out = [(THEME, "", label)]
        if place != UNKNOWN_PLACE:
            out.append((PLACE, place, label))
        return out

    for row, label in zip(rows, labels, strict=True):
        for key in keys(int(label), row.place):
            st = stats.get(key) or stats.setdefault(key, TopicStat(key[0], key[1], key[2]))
            if row.created_at >= win.current:
                st.current.append(row)
            elif row.created_at >= win.baseline:
                st.baseline_count += 1
    for row, label in zip(last_year_rows, last_year_labels, strict=True):
        if label < 0:
            continue
        for key in keys(int(label), row.place):
            if key in stats:
                stats[key].last_year += 1
    for st in stats.values():
        st.baseline = st.baseline_count / rules.baseline_weeks
    return [st for st in stats.values() if st.current]


MIN_RATE = 0.5  # the baseline rate assumed for a topic that had no tickets before


def chance(count: int, rate: float) -> float:
    """P(X ≥ count) for X ~ Poisson(rate): how often a window this full happens by chance at the baseline."""
    lam = max(rate, MIN_RATE)
    term, below = math.exp(-lam), 0.0
    for k in range(count):
        below += term
        term *= lam / (k + 1)
    return max(0.0, 1.0 - below)


def findings(stats: list[TopicStat], rules: AlertRules) -> list[Finding]:
    """Topics that grew to ``growth`` × their baseline with at least ``min_tickets`` and would hardly do so by
    chance (Poisson tail below ``surprise``: 5 tickets where 1.5 a window is usual is noise among hundreds of
    place topics), and places whose topic reached ``count`` tickets whatever the baseline (a district-wide theme
    is large by nature: it alerts by growth only).

    A theme whose window is mostly (≥ 80 %) one place's alert is left to that place's alert."""
    out: list[Finding] = []
    for st in stats:
        n = st.current_count
        if n >= rules.min_tickets and n >= rules.growth * st.baseline and chance(n, st.baseline) < rules.surprise:
            out.append(Finding(st, GROWTH))
        elif st.scope == PLACE and n >= rules.count:
            out.append(Finding(st, COUNT))
    by_label: dict[int, list[Finding]] = defaultdict(list)
    for f in out:
        if f.topic.scope == PLACE:
            by_label[f.topic.label].append(f)
    kept = []
    for f in out:
        if f.topic.scope == THEME and any(
            p.topic.current_count >= 0.8 * f.topic.current_count for p in by_label[f.topic.label]
        ):
            continue
        kept.append(f)
    return sorted(kept, key=lambda f: (-f.topic.current_count, f.topic.scope, f.topic.place))


def seasonal_note(st: TopicStat) -> str:
    return f"去年同期该主题 {st.last_year} 件" + ("，请参考去年的季节性处置预案" if st.last_year >= 3 else "")
