"""Console pages: 未诉先办 alerts (with their tickets), the latest hot topics, and the monthly report button."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import quote

from aiohttp import web

from admin.appkeys import ALERTS, CLOCK, DB
from admin.guard import REPORT, SUPERVISE, principal, route
from admin.report.fonts import NoChineseFont
from admin.report.pdf import report_pdf
from admin.report.xlsx import report_xlsx
from admin.web import render
from kernel.clock import SHANGHAI
from kernel.identity import Role
from office_flows.alerts import queries as alert_queries
from office_flows.reports.month import ReportError, build_month_report, month_span
from office_flows.reports.quality import inspection_findings
from office_flows.tickets import queries
from office_flows.tickets.states import LABELS, Status

RECENT = timedelta(days=90)
MIME = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _department_scope(request: web.Request) -> str | None:
    """None for supervisors and admins; a department head's own department ("" when linked to none)."""
    actor = principal(request).actor
    return None if actor.has(Role.SUPERVISOR, Role.ADMIN) else actor.department_code or ""


async def alerts_page(request: web.Request) -> web.Response:
    now = request.app[CLOCK].now()
    scope = _department_scope(request)
    async with request.app[DB].session() as s:
        alerts = await alert_queries.alerts(s, since=now - RECENT)
        topics = await alert_queries.hot_topics(s)
        run = await alert_queries.last_run(s)
    if scope is not None:
        alerts = [a for a in alerts if scope in a.departments]
    return render(
        request,
        "alerts.html",
        alerts=alerts,
        themes=[t for t in topics if t.scope == "theme"],
        places=[t for t in topics if t.scope == "place"],
        run=run,
        district=scope is None,
    )


async def alert_page(request: web.Request) -> web.Response:
    scope = _department_scope(request)
    async with request.app[DB].session() as s:
        alert = await alert_queries.alert(s, int(request.match_info["id"]))
        if alert is None or (scope is not None and scope not in alert.departments):
            raise web.HTTPNotFound(text="没有这条预警（或不属于本部门）")
        tickets = await queries.by_codes(s, list(alert.codes))
        names = await queries.names_in(s)
    if scope is not None:
        tickets = [t for t in tickets if t.department_code == scope]
    tickets.sort(key=lambda t: t.created_at, reverse=True)
    return render(
        request,
        "alert.html",
        alert=alert,
        tickets=tickets,
        names=names,
        labels={s.value: LABELS[s] for s in Status},
    )


async def report_page(request: web.Request) -> web.Response:
    now = request.app[CLOCK].now().astimezone(SHANGHAI)
    last = (now.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    return render(request, "report.html", month=request.query.get("month", last), current=now.strftime("%Y-%m"))


async def report_go(request: web.Request) -> web.Response:
    """The form's buttons: to the file's own address (so that a link to it can be shared)."""
    month, fmt = request.query.get("month", "").strip(), request.query.get("fmt", "pdf")
    try:
        month_span(month)
    except ReportError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    raise web.HTTPFound(f"/admin/report/{month}.{'xlsx' if fmt == 'xlsx' else 'pdf'}")


async def report_file(request: web.Request) -> web.Response:
    month, fmt = request.match_info["month"], request.match_info["ext"]
    try:
        report = await build_month_report(
            request.app[DB],
            month,
            request.app[CLOCK].now(),
            alerts=request.app.get(ALERTS),
            quality=inspection_findings,
        )
        body = await asyncio.to_thread(report_pdf if fmt == "pdf" else report_xlsx, report)
    except ReportError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    except NoChineseFont as exc:
        raise web.HTTPServiceUnavailable(text=str(exc)) from None
    name = f"12345月度分析报告-{month}.{fmt}"
    return web.Response(
        body=body,
        content_type=MIME[fmt],
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def setup(app: web.Application) -> None:
    route(app, "GET", "/admin/alerts", alerts_page, SUPERVISE)
    route(app, "GET", r"/admin/alerts/{id:\d{1,18}}", alert_page, SUPERVISE)
    route(app, "GET", "/admin/report", report_page, REPORT)
    route(app, "GET", "/admin/report/go", report_go, REPORT)
    route(app, "GET", r"/admin/report/{month:\d{4}-\d{2}}.{ext:(pdf|xlsx)}", report_file, REPORT)
