"""The daily 未诉先办 run: encode new tickets, find topics, count the windows, store and send alerts.

``tick(now)`` (the scheduler) starts the day's run once the local hour reaches ``run_hour``; the run's
row in ``alert_runs`` is the claim, so it happens once a day however many workers tick.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from kernel.clock import SHANGHAI, Clock
from kernel.db import Database
from kernel.identity import Role
from office_flows.alerts import store
from office_flows.alerts.detect import (
    PLACE,
    AlertRules,
    Finding,
    TicketRow,
    TopicStat,
    Windows,
    findings,
    seasonal_note,
    topic_stats,
)
from office_flows.alerts.models import HotTopic, TopicAlert
from office_flows.alerts.places import without_place
from office_flows.alerts.topics import central, find_topics, reference_sentences
from office_flows.directory.notify import notify_person
from office_flows.directory.store import people_with_role
from office_flows.text_encoder import TextEncoder

log = logging.getLogger(__name__)
MAX_TEXT = 160  # characters of a ticket encoded (the opening says what it is about)
ENCODE_BATCH = 256
SAME_ALERT_OVERLAP = 0.5  # an alert sharing this share of tickets with a recent one is that one, grown
TITLE_CHARS = 40


@dataclass(frozen=True)
class RunReport:
    day: str
    tickets: int
    encoded: int
    topics: int
    alerts: list[TopicAlert]
    new_alerts: int


def day_start(when: datetime) -> datetime:
    local = when.astimezone(SHANGHAI)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


class AlertService:
    def __init__(
        self, db: Database, clock: Clock, encoder: TextEncoder, rules: AlertRules | None = None, run_hour: int = 6
    ) -> None:
        self.db = db
        self.clock = clock
        self.encoder = encoder
        self.rules = rules or AlertRules()
        self.run_hour = run_hour
        self._reference: np.ndarray | None = None

    async def tick(self, now: datetime) -> int:
        """The scheduler's tick: run today's analysis once, after ``run_hour`` (local time)."""
        if now.astimezone(SHANGHAI).hour < self.run_hour:
            return 0
        day = day_start(now)
        if await store.run_done(self.db, day.date().isoformat()):
            return 0
        report = await self.run(day)
        return report.new_alerts if report else 0

    async def run(self, end: datetime) -> RunReport | None:
        """The analysis of the windows ending at ``end`` (a day start); None when another worker has it."""
        day = end.astimezone(SHANGHAI).date().isoformat()
        if not await store.claim_run(self.db, day, self.clock.now()):
            return None
        try:
            return await self._run(day, end)
        except BaseException:
            await store.release_run(self.db, day)
            raise

    async def reference(self) -> np.ndarray:
        """The reference sentences' vectors (encoded once per service)."""
        if self._reference is None:
            self._reference = await asyncio.to_thread(self.encoder.encode, reference_sentences())
        return self._reference

    async def vectors(self, rows: list[TicketRow]) -> tuple[np.ndarray, int]:
        """Vectors of the rows' texts, from the cache or encoded now (and cached); and how many were encoded."""
        ids = [r.id for r in rows]
        cached = await store.cached_vectors(self.db, ids, self.encoder.name)
        missing = [r for r in rows if r.id not in cached]
        if missing:
            texts = [r.content[:MAX_TEXT] or "（无内容）" for r in missing]
            vecs = await asyncio.to_thread(self.encoder.encode, texts, batch_size=ENCODE_BATCH)
            await store.save_vectors(self.db, [r.id for r in missing], vecs, self.encoder.name)
            cached.update({r.id: v for r, v in zip(missing, vecs, strict=True)})
        dim = next(iter(cached.values())).shape[0] if cached else 0
        out = np.vstack([cached[i] for i in ids]) if ids else np.zeros((0, dim), dtype=np.float32)
        return out.astype(np.float32, copy=False), len(missing)

    async def topics(self, end: datetime) -> tuple[list[TopicStat], int, int]:
        """Every topic with tickets in the current window ending at ``end``; tickets read; tickets encoded."""
        win = Windows.ending(end, self.rules)
        rows = await store.window_tickets(self.db, win)
        recent = [r for r in rows if r.created_at >= win.baseline]
        last_year = [r for r in rows if r.created_at < win.baseline]
        vecs, encoded = await self.vectors(rows)
        recent_vecs, ly_vecs = vecs[len(last_year) :], vecs[: len(last_year)]
        labels, model = await asyncio.to_thread(
            find_topics, recent_vecs, self.rules.join, self.rules.merge, await self.reference()
        )
        ly_labels = model.assign(ly_vecs, self.rules.join)
        stats = topic_stats(recent, labels, ly_labels, last_year, win, self.rules)
        index = {r.id: i for i, r in enumerate(recent)}
        for st in stats:
            members = [index[t.id] for t in st.current]
            typical = st.current[central(recent_vecs[members], model, st.label)]
            st.title = without_place(typical.content, typical.place)[:TITLE_CHARS]
        return stats, len(rows), encoded

    async def _run(self, day: str, end: datetime) -> RunReport:
        stats, n_rows, encoded = await self.topics(end)
        found = findings(stats, self.rules)
        now = self.clock.now()
        alerts: list[TopicAlert] = []
        new = 0
        async with self.db.session() as s:
            await store.replace_hot_topics(s, day, self._hot(day, stats))
            recent = await store.recent_alerts(s, now - timedelta(days=2 * self.rules.window_days))
            supervisors = await people_with_role(s, Role.SUPERVISOR)
            for f in found:
                alert, created = self._merge(day, f, recent, now)
                if created:
                    s.add(alert)
                    await s.flush()
                    recent.append(alert)
                    new += 1
                    for pid in supervisors:
                        alert.notified += await notify_person(
                            s,
                            pid,
                            alert_text(alert, self.rules.window_days),
                            kind="topic_alert",
                            ref=f"alert:{alert.id}",
                            now=now,
                        )
                alerts.append(alert)
            await store.finish_run(s, day, now, tickets=n_rows, encoded=encoded, topics=len(stats), alerts=new)
        log.info(
            "alerts run %s: %d tickets (%d encoded), %d topics, %d new alerts", day, n_rows, encoded, len(stats), new
        )
        return RunReport(day, n_rows, encoded, len(stats), alerts, new)

    def _hot(self, day: str, stats: list[TopicStat]) -> list[HotTopic]:
        out = []
        for scope in ("theme", PLACE):
            ranked = sorted(
                (st for st in stats if st.scope == scope and st.current_count >= 2),
                key=lambda st: (-st.current_count, -max(t.created_at for t in st.current).timestamp()),
            )
            for rank, st in enumerate(ranked[: self.rules.top], 1):
                out.append(
                    HotTopic(
                        day=day,
                        rank=rank,
                        scope=scope,
                        place=st.place,
                        title=st.title,
                        current=st.current_count,
                        baseline=st.baseline,
                        last_year=st.last_year,
                        codes=[t.code for t in reversed(st.current)],
                        last_at=max(t.created_at for t in st.current),
                    )
                )
        return out

    def _merge(self, day: str, f: Finding, recent: list[TopicAlert], now: datetime) -> tuple[TopicAlert, bool]:
        """The recent alert this finding continues (updated in place), or a new alert."""
        st = f.topic
        codes = [t.code for t in st.current]
        mine = set(codes)
        for a in recent:
            if (
                a.scope == st.scope
                and a.place == st.place
                and len(mine & set(a.codes)) >= SAME_ALERT_OVERLAP * len(mine)
            ):
                a.codes = sorted(set(a.codes) | mine)
                a.current, a.baseline, a.updated_at = st.current_count, st.baseline, now
                return a, False
        alert = TopicAlert(
            day=day,
            created_at=now,
            updated_at=now,
            scope=st.scope,
            place=st.place,
            title=st.title,
            reason=f.reason,
            current=st.current_count,
            baseline=st.baseline,
            last_year=st.last_year,
            seasonal_note=seasonal_note(st),
            departments=st.departments,
            codes=codes,
            notified=0,
        )
        return alert, True


def alert_text(a: TopicAlert, window_days: int = 7) -> str:
    where = f"{a.place}" if a.place else "全区"
    if a.reason == "growth":
        base = f"前四周周均 {a.baseline:.1f} 件" + (
            f"，增长到 {a.current / a.baseline:.1f} 倍" if a.baseline else "，此前没有"
        )
    else:
        base = f"达到预警数量（前四周周均 {a.baseline:.1f} 件）"
    return (
        f"【未诉先办预警】{where}：“{a.title}”近 {window_days} 天 {a.current} 件，{base}。{a.seasonal_note}。"
        f"请研判是否主动处置。明细：/admin/alerts/{a.id}"
    )
