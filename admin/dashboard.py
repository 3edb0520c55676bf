"""Supervisor dashboard: counts, the five rates by department, weekly trend, overdue, bad ratings.

Every rate comes from ``office_flows.tickets.stats.compute`` and links to ``drill_down`` with the
same arguments, so a number and its list of tickets cannot disagree. Every table exports to XLSX.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from admin.appkeys import CLOCK, DB
from admin.guard import SUPERVISE, principal, route
from admin.hot_topics import hot_topics, place_of
from admin.web import render, xlsx_response
from kernel.clock import SHANGHAI
from kernel.db import Database
from kernel.identity import Role
from office_flows.tickets import queries
from office_flows.tickets.states import LABELS, Status
from office_flows.tickets.stats import METRICS, SMALL_SAMPLE, compute, compute_series, drill_down

T = TypeVar("T")
TREND_WEEKS = 8
CODE = re.compile(r"G[DB]\d{8,13}")  # GB = the benchmark's bulk rows
LIST_LIMIT = 200


@dataclass
class Period:
    start: datetime
    end: datetime

    @property
    def query(self) -> str:
        return f"from={self.start.date().isoformat()}&to={self.end.date().isoformat()}"


def period_of(request: web.Request) -> Period:
    """``from``/``to`` as dates (to exclusive); the current month by default."""
    now = request.app[CLOCK].now().astimezone(SHANGHAI)
    try:
        start = datetime.fromisoformat(request.query["from"]).replace(tzinfo=SHANGHAI)
    except (KeyError, ValueError):
        start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    try:
        end = datetime.fromisoformat(request.query["to"]).replace(tzinfo=SHANGHAI)
    except (KeyError, ValueError):
        end = (start + timedelta(days=32)).replace(day=1)
    if end <= start or end - start > timedelta(days=400):
        raise web.HTTPBadRequest(text="统计区间无效（结束须晚于开始，且不超过 400 天）")
    return Period(start, end)


async def _in_session(db: Database, fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async with db.session() as s:
        return await fn(s)


async def trend(db: Database, end: datetime, now: datetime) -> list[dict[str, Any]]:
    """District-wide rates for each of the last weeks before ``end`` (Monday to Monday).

    One scan per metric for all weeks, each metric on its own connection so PostgreSQL runs them in
    parallel (on SQLite the sessions simply take turns).
    """
    monday = (end - timedelta(days=end.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    weeks = [(monday - timedelta(weeks=i), monday - timedelta(weeks=i - 1)) for i in range(TREND_WEEKS, 0, -1)]
    parts = await asyncio.gather(
        *(_in_session(db, partial(compute_series, periods=weeks, now=now, keys=[key])) for key in METRICS)
    )
    out = []
    for i, (a, _) in enumerate(weeks):
        row: dict[str, Any] = {"week": a.date().isoformat()}
        for part in parts:
            row.update({k: None if v["rate"] is None else round(float(v["rate"]), 4) for k, v in part[i].items()})
        out.append(row)
    return out


async def load(db: Database, p: Period, now: datetime) -> dict[str, Any]:
    """All sections; the month's rates and the trend run beside the small queries (own connections)."""

    async def small(s: AsyncSession) -> dict[str, Any]:
        return {
            "names": await queries.names_in(s),
            "status_rows": await queries.counts_by_status(s, p.start, p.end),
            "overdue": await queries.overdue(s, now, LIST_LIMIT),
            "bad": await queries.bad_ratings(s, p.start, p.end, LIST_LIMIT),
            "topics": await hot_topics(s, now),
        }

    data, metrics, weekly = await asyncio.gather(
        _in_session(db, small),
        _in_session(db, partial(compute, start=p.start, end=p.end, now=now)),
        trend(db, p.end, now),
    )
    return {**data, "metrics": metrics, "trend": weekly}


def scope_of(request: web.Request) -> str | None:
    """None for supervisors and admins (every department); a department head's own department code ("" when
    the account is linked to no department: they see nothing)."""
    actor = principal(request).actor
    if actor.has(Role.SUPERVISOR, Role.ADMIN):
        return None
    return actor.department_code or ""


async def _scoped(db: Database, data: dict[str, Any], dept: str | None) -> dict[str, Any]:
    """The dashboard's sections cut to one department (a department head's view)."""
    if dept is None:
        return data
    data["status_rows"] = [r for r in data["status_rows"] if r[0] == dept]
    data["overdue"] = [t for t in data["overdue"] if t.department_code == dept]
    data["bad"] = [b for b in data["bad"] if b[0].department_code == dept]
    data["metrics"] = {d: v for d, v in data["metrics"].items() if d == dept}
    codes = [c for t in data["topics"] for c in t.codes]
    async with db.session() as s:
        own = {t.code for t in await queries.by_codes(s, codes) if t.department_code == dept} if codes else set()
    topics = []
    for t in data["topics"]:
        mine = [c for c in t.codes if c in own]
        if mine:
            topics.append(replace(t, codes=mine))
    data["topics"] = topics
    return data


def _pivot(rows: list[tuple[str, str, int]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for dept, status, n in rows:
        out.setdefault(dept, {})[status] = n
    return out


async def page(request: web.Request) -> web.Response:
    p = period_of(request)
    data = await _scoped(request.app[DB], await load(request.app[DB], p, request.app[CLOCK].now()), scope_of(request))
    return render(
        request,
        "dashboard.html",
        p=p,
        statuses=[(s.value, LABELS[s]) for s in Status],
        pivot=_pivot(data.pop("status_rows")),
        metric_labels={k: m.caption for k, m in METRICS.items()},
        metrics_def=METRICS,
        small_sample=SMALL_SAMPLE,
        **data,
    )


async def drill(request: web.Request) -> web.Response:
    p = period_of(request)
    metric, part = request.query.get("metric", ""), request.query.get("part", "all")
    if metric not in METRICS or part not in {"all", "good", "bad"}:
        raise web.HTTPBadRequest(text=f"metric 须为 {'、'.join(METRICS)}；part 须为 all、good 或 bad")
    department = request.query.get("department") or None
    scope = scope_of(request)
    if scope is not None:
        department = scope  # a department head drills into their own department only
    now = request.app[CLOCK].now()
    async with request.app[DB].session() as s:
        codes = await drill_down(s, metric, p.start, p.end, now, department, part)
        tickets = await queries.by_codes(s, codes[:LIST_LIMIT])
        names = await queries.names_in(s)
    if request.query.get("format") == "xlsx":
        return xlsx_response(
            f"{METRICS[metric].label}-明细.xlsx",
            ["工单号", "类别", "状态", "部门", "受理时间", "办理时限", "发回重办次数", "内容"],
            [
                [
                    t.code,
                    t.kind,
                    LABELS[Status(t.status)],
                    names.get(t.department_code, t.department_code),
                    t.created_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                    t.deadline_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if t.deadline_at else "",
                    t.rework_count,
                    t.content,
                ]
                for t in tickets
            ],
            sheet=f"{METRICS[metric].label}{METRICS[metric].part_label(part)}"[:31],
        )
    return render(
        request,
        "drill.html",
        p=p,
        metric=METRICS[metric],
        part=part,
        department=department or "",
        names=names,
        total=len(codes),
        tickets=tickets,
        labels={s.value: LABELS[s] for s in Status},
        qs=request.query_string,
    )


async def topic(request: web.Request) -> web.Response:
    """The tickets of one hot topic (the codes come from the dashboard's link)."""
    codes = [c for c in request.query.get("codes", "").split(",") if CODE.fullmatch(c)][:LIST_LIMIT]
    if not codes:
        raise web.HTTPBadRequest(text="缺少工单号（codes=GD…,GD…）")
    scope = scope_of(request)
    async with request.app[DB].session() as s:
        tickets = [t for t in await queries.by_codes(s, codes) if scope is None or t.department_code == scope]
        names = await queries.names_in(s)
    return render(
        request,
        "topic.html",
        place=place_of(tickets[0].address) if tickets else "",
        tickets=tickets,
        names=names,
        labels={s.value: LABELS[s] for s in Status},
    )


def _rate_cell(v: dict[str, Any]) -> float | None:
    """A rate as a number (0.875), shown with a percent format in the sheet; empty when nothing counted."""
    return None if v["rate"] is None else round(float(v["rate"]), 4)


async def export(request: web.Request) -> web.Response:
    table = request.match_info["table"]
    percent: set[int] = set()
    p = period_of(request)
    data = await _scoped(request.app[DB], await load(request.app[DB], p, request.app[CLOCK].now()), scope_of(request))
    names = data["names"]
    if table == "metrics":
        header = ["部门"]
        for m in METRICS.values():
            header += [m.caption, f"{m.label}·{m.hit_label}", f"{m.label}·计入总数"]
        rows = []
        for d, v in sorted(data["metrics"].items()):
            row: list[Any] = [names.get(d, d or "（未派单）")]
            for k in METRICS:
                row += [_rate_cell(v[k]), v[k]["good"], v[k]["total"]]
            rows.append(row)
        percent = {1 + 3 * i for i in range(len(METRICS))}
    elif table == "status":
        pivot = _pivot(data["status_rows"])
        header = ["部门"] + [LABELS[s] for s in Status]
        rows = [[names.get(d, d or "（未派单）")] + [pivot[d].get(s.value, 0) for s in Status] for d in sorted(pivot)]
    elif table == "trend":
        header = ["周（起）"] + [m.caption for m in METRICS.values()]
        rows = [[r["week"]] + [r[k] for k in METRICS] for r in data["trend"]]
        percent = set(range(1, len(METRICS) + 1))
    elif table == "overdue":
        header = ["工单号", "部门", "状态", "办理时限", "内容"]
        rows = [
            [
                t.code,
                names.get(t.department_code, t.department_code),
                LABELS[Status(t.status)],
                t.deadline_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if t.deadline_at else "",
                t.content,
            ]
            for t in data["overdue"]
        ]
    elif table == "bad":
        header = ["工单号", "部门", "评价", "意见", "评价时间", "整改完成", "整改说明"]
        rows = [
            [
                code,
                names.get(r.department_code, r.department_code),
                r.level,
                r.comment,
                r.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                "是" if rect and rect.done_at else "否",
                rect.note if rect else "",
            ]
            for r, code, rect in data["bad"]
        ]
    else:
        raise web.HTTPNotFound(text="没有这个表格")
    return xlsx_response(
        f"督办看板-{table}-{p.start.date()}.xlsx", header, rows, sheet=SHEETS[table], percent_columns=percent
    )


SHEETS = {"metrics": "考核指标", "status": "工单状态", "trend": "周趋势", "overdue": "超期工单", "bad": "不满意评价"}


def setup(app: web.Application) -> None:
    route(app, "GET", "/admin/dashboard", page, SUPERVISE)
    route(app, "GET", "/admin/dashboard/drill", drill, SUPERVISE)
    route(app, "GET", "/admin/dashboard/topic", topic, SUPERVISE)
    route(app, "GET", "/admin/dashboard/export/{table:(metrics|status|trend|overdue|bad)}.xlsx", export, SUPERVISE)
