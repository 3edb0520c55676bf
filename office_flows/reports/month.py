"""The month's analysis report as data: volumes, rates, overdue and reworked tickets, bad ratings and
rectification, quality findings (hook), hot topics and alerts, and the 每月一题 candidates.

See docs/alerts_and_report.md."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import SHANGHAI
from kernel.db import Database
from office_flows.alerts import queries as alert_queries
from office_flows.alerts.detect import TicketRow
from office_flows.alerts.models import TopicAlert
from office_flows.alerts.places import without_place
from office_flows.alerts.service import TITLE_CHARS, AlertService
from office_flows.alerts.store import tickets_between
from office_flows.alerts.topics import central, find_topics
from office_flows.reports.quality import QualityProvider, QualitySection
from office_flows.reports.rates import Rate, beijing, guangdong, per_department
from office_flows.tickets import queries
from office_flows.tickets.models import Rectification, Ticket, TicketRating
from office_flows.tickets.states import LABELS, OPEN, Status

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
LIST_LIMIT = 500
TOPICS = 15
CANDIDATES = 5
CHANNELS = {
    "web": "网页聊天",
    "matrix": "Matrix 即时通讯",
    "rest": "接口",
    "phone": "电话（热线平台）",
    "ivr": "电话（热线平台）",
}


class ReportError(ValueError):
    """The request cannot make a report; the message says why, in Chinese."""


def month_span(text: str) -> tuple[datetime, datetime]:
    """ "2026-11" → [2026-11-01, 2026-12-01) in Asia/Shanghai."""
    m = MONTH.match(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
        raise ReportError(f"月份格式应为 YYYY-MM（例如 2026-11），收到：{text!r}")
    start = datetime(int(m.group(1)), int(m.group(2)), 1, tzinfo=SHANGHAI)
    return start, (start + timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class TicketLine:
    code: str
    department: str
    kind: str
    status: str  # its label (已办结，待评价 …)
    created_at: datetime
    deadline_at: datetime | None
    content: str
    note: str = ""


@dataclass(frozen=True)
class BadLine:
    code: str
    department: str
    level: int
    comment: str
    at: datetime
    callback_on_time: bool | None  # None: no rectification opened
    rectified: bool
    rerated: int | None  # the re-rating's level after rectification


@dataclass(frozen=True)
class TopicLine:
    title: str
    place: str  # the commonest place of its tickets
    count: int
    departments: list[str]
    unresolved: int  # open, overdue, reworked or badly rated
    codes: list[str]


@dataclass(frozen=True)
class Candidate:
    topic: TopicLine
    reason: str


@dataclass
class MonthReport:
    month: str
    start: datetime
    end: datetime
    generated_at: datetime
    total: int = 0
    withdrawn: int = 0  # of the total: withdrawn by the citizen (撤单) before an answer
    by_channel: list[tuple[str, int]] = field(default_factory=list)
    by_kind: list[tuple[str, int]] = field(default_factory=list)
    by_department: list[tuple[str, int]] = field(default_factory=list)
    daily: list[tuple[date, int]] = field(default_factory=list)
    beijing: list[Rate] = field(default_factory=list)
    guangdong: list[Rate] = field(default_factory=list)
    department_rates: dict[str, list[Rate]] = field(default_factory=dict)
    overdue: list[TicketLine] = field(default_factory=list)
    overdue_total: int = 0
    reworked: list[TicketLine] = field(default_factory=list)
    reworked_total: int = 0
    bad: list[BadLine] = field(default_factory=list)
    quality: QualitySection = field(default_factory=QualitySection)
    topics: list[TopicLine] = field(default_factory=list)
    topics_note: str = ""
    alerts: list[TopicAlert] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def bad_summary(self) -> dict[str, int]:
        return {
            "差评": len(self.bad),
            "按时回访": sum(1 for b in self.bad if b.callback_on_time),
            "已整改": sum(1 for b in self.bad if b.rectified),
            "整改后满意": sum(1 for b in self.bad if b.rerated is not None and b.rerated >= 3),
        }


def _line(t: Ticket, names: dict[str, str], note: str = "") -> TicketLine:
    return TicketLine(
        t.code,
        names.get(t.department_code, t.department_code or "未派单"),
        t.kind,
        LABELS[Status(t.status)],
        t.created_at,
        t.deadline_at,
        t.content,
        note,
    )


async def _volumes(s: AsyncSession, r: MonthReport, names: dict[str, str]) -> None:
    made = and_(Ticket.created_at >= r.start, Ticket.created_at < r.end, Ticket.status != Status.MERGED.value)

    async def count_by(col: object) -> list[tuple[str, int]]:
        rows = (await s.execute(select(col, func.count()).where(made).group_by(col))).all()  # type: ignore[call-overload]
        return sorted(((k or "", int(n)) for k, n in rows), key=lambda x: -x[1])

    channels: Counter[str] = Counter()
    for ch, n in await count_by(Ticket.channel):
        channels[CHANNELS.get(ch.split(":")[0], ch or "未知")] += n
    r.by_channel = channels.most_common()
    r.by_kind = await count_by(Ticket.kind)
    r.by_department = [(names.get(d, d or "未派单"), n) for d, n in await count_by(Ticket.department_code)]
    r.total = sum(n for _, n in r.by_kind)
    gone = and_(made, Ticket.status == Status.WITHDRAWN.value)
    r.withdrawn = int(await s.scalar(select(func.count()).select_from(Ticket).where(gone)) or 0)
    days: Counter[date] = Counter(
        at.astimezone(SHANGHAI).date() for at in await s.scalars(select(Ticket.created_at).where(made))
    )
    d = r.start.date()
    while d < r.end.date():
        r.daily.append((d, days.get(d, 0)))
        d += timedelta(days=1)


async def _overdue_and_reworked(s: AsyncSession, r: MonthReport, names: dict[str, str], now: datetime) -> None:
    due_in_month = and_(Ticket.deadline_at >= r.start, Ticket.deadline_at < min(r.end, now))
    late = or_(
        Ticket.on_time.is_(False), and_(Ticket.status.in_([x.value for x in OPEN]), Ticket.answered_at.is_(None))
    )
    where = and_(due_in_month, late)
    r.overdue_total = int(await s.scalar(select(func.count()).select_from(Ticket).where(where)) or 0)
    for t in await s.scalars(select(Ticket).where(where).order_by(Ticket.deadline_at).limit(LIST_LIMIT)):
        r.overdue.append(_line(t, names, "超期办结" if t.answered_at else "超期未办结"))
    reworked = and_(
        Ticket.rework_count > 0,
        or_(
            and_(Ticket.answered_at >= r.start, Ticket.answered_at < r.end),
            and_(Ticket.updated_at >= r.start, Ticket.updated_at < r.end),
        ),
    )
    r.reworked_total = int(await s.scalar(select(func.count()).select_from(Ticket).where(reworked)) or 0)
    for t in await s.scalars(select(Ticket).where(reworked).order_by(Ticket.code).limit(LIST_LIMIT)):
        r.reworked.append(_line(t, names, f"发回重办 {t.rework_count} 次"))


async def _bad(s: AsyncSession, r: MonthReport, names: dict[str, str]) -> None:
    rows = await queries.bad_ratings(s, r.start, r.end, LIST_LIMIT)
    ids = [rating.ticket_id for rating, _, _ in rows]
    rerated = (
        dict(
            (
                await s.execute(
                    select(TicketRating.ticket_id, TicketRating.level).where(
                        TicketRating.ticket_id.in_(ids), TicketRating.round >= 2, TicketRating.level.is_not(None)
                    )
                )
            ).all()
        )
        if ids
        else {}
    )
    for rating, code, rect in rows:
        if rating.round >= 2:
            continue  # a re-rating is the outcome of the first one's rectification
        r.bad.append(
            BadLine(
                code,
                names.get(rating.department_code, rating.department_code),
                int(rating.level or 0),
                rating.comment,
                rating.at,
                None if rect is None else bool(rect.callback_at and rect.callback_at <= rect.callback_due_at),
                bool(rect and rect.done_at),
                rerated.get(rating.ticket_id),
            )
        )


async def _unresolved(s: AsyncSession, ids: list[int], now: datetime) -> tuple[set[int], dict[int, list[str]]]:
    """Which tickets are unresolved (open, overdue, reworked, badly rated and not rectified), and the
    departments each passed through."""
    bad = (
        set(
            await s.scalars(
                select(TicketRating.ticket_id)
                .outerjoin(Rectification, Rectification.ticket_id == TicketRating.ticket_id)
                .where(TicketRating.ticket_id.in_(ids), TicketRating.level <= 2, Rectification.done_at.is_(None))
            )
        )
        if ids
        else set()
    )
    out, depts = set(), {}
    for i in range(0, len(ids), 2000):
        q = select(
            Ticket.id, Ticket.status, Ticket.on_time, Ticket.rework_count, Ticket.deadline_at, Ticket.departments_seen
        ).where(Ticket.id.in_(ids[i : i + 2000]))
        for tid, status, on_time, rework, deadline, seen in (await s.execute(q)).all():
            depts[tid] = list(seen or [])
            open_late = Status(status) in OPEN and deadline is not None and deadline < now
            if Status(status) in OPEN or on_time is False or rework or open_late or tid in bad:
                out.add(tid)
    return out, depts


async def _topics(db: Database, r: MonthReport, alerts: AlertService, names: dict[str, str], now: datetime) -> None:
    async with db.session() as s:
        rows: list[TicketRow] = await tickets_between(s, [(r.start, r.end)])
    if not rows:
        r.topics_note = "本月没有工单。"
        return
    vecs, _ = await alerts.vectors(rows)
    labels, model = find_topics(vecs, alerts.rules.join, alerts.rules.merge, await alerts.reference())
    async with db.session() as s:
        unresolved, depts = await _unresolved(s, [t.id for t in rows], now)
    lines = []
    for topic in range(len(model.centroids)):
        idx = [i for i, lab in enumerate(labels) if lab == topic]
        if len(idx) < 2:
            continue
        members = [rows[i] for i in idx]
        typical = members[central(vecs[idx], model, topic)]
        title = without_place(typical.content, typical.place)[:TITLE_CHARS]
        seen = sorted({names.get(d, d) for t in members for d in (depts.get(t.id) or [t.department]) if d})
        place = Counter(t.place for t in members).most_common(1)[0][0]
        lines.append(
            TopicLine(
                title,
                place,
                len(members),
                seen,
                sum(1 for t in members if t.id in unresolved),
                [t.code for t in members],
            )
        )
    lines.sort(key=lambda t: -t.count)
    r.topics = lines[:TOPICS]
    r.topics_note = f"按工单内容的语义向量聚类（知识库向量模型），共 {len(lines)} 个主题（2 件及以上）。"
    picks = [t for t in lines if len(t.departments) >= 2 and t.unresolved >= 1 and t.count >= 3]
    picks.sort(key=lambda t: (-(t.unresolved * len(t.departments)), -t.count))
    r.candidates = [
        Candidate(
            t,
            f"本月 {t.count} 件，涉及 {len(t.departments)} 个部门（{'、'.join(t.departments[:4])}），"
            f"其中 {t.unresolved} 件未解决（在办、超期、重办或差评未整改）",
        )
        for t in picks[:CANDIDATES]
    ]


async def build_month_report(
    db: Database,
    month: str,
    now: datetime,
    *,
    alerts: AlertService | None = None,
    quality: QualityProvider | None = None,
) -> MonthReport:
    start, end = month_span(month)
    if start > now:
        raise ReportError(f"{month} 尚未开始，无法生成月报。")
    r = MonthReport(month, start, end, now)
    async with db.session() as s:
        names = await queries.names_in(s)
        await _volumes(s, r, names)
        per = await per_department(s, start, end, now)
        r.guangdong, by_dept = guangdong(per)
        r.department_rates = {names.get(d, d or "未派单"): v for d, v in by_dept.items()}
        r.beijing = await beijing(s, start, end, per)
        await _overdue_and_reworked(s, r, names, now)
        await _bad(s, r, names)
        r.alerts = await alert_queries.alerts(s, since=start, until=end)
        if quality is not None:
            r.quality = await quality(s, start, end)
    if alerts is not None:
        await _topics(db, r, alerts, names, now)
    else:
        r.topics_note = "未加载向量模型，本节从略（命令行和服务启动时会加载）。"
    return r
