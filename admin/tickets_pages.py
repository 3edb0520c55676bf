"""Dispatcher and operator pages: the queue with the router's proposal, accept or override, merge."""

from __future__ import annotations

from aiohttp import web

from admin import audit
from admin.appkeys import CLOCK, DB, TICKETS
from admin.guard import DISPATCH, principal, route
from admin.web import back, form, render
from office_flows.tickets.service import TicketError


async def queue(request: web.Request) -> web.Response:
    tickets = await request.app[TICKETS].queries.queue(limit=200)
    names = await request.app[TICKETS].queries.department_names(active_only=True)
    return render(request, "tickets.html", tickets=tickets, departments=list(names.items()), names=names)


async def _audited(request: web.Request, code: str, action: str, detail: dict[str, str]) -> None:
    async with request.app[DB].session() as s:
        audit.record(
            s, actor=principal(request).audit_name, action=action, obj=code, now=request.app[CLOCK].now(), after=detail
        )


async def dispatch(request: web.Request) -> web.Response:
    code = request.match_info["code"]
    f = await form(request)
    department = f.get("department", "").strip() or None
    try:
        name = await request.app[TICKETS].dispatch(code, principal(request).actor, department, f.get("comment", ""))
    except TicketError as exc:
        raise back("/admin/tickets", f"未完成：{exc}") from None
    await _audited(request, code, "ticket.dispatch", {"department": department or "（采纳建议）"})
    raise back("/admin/tickets", f"工单 {code} 已派往 {name}")


async def merge(request: web.Request) -> web.Response:
    code = request.match_info["code"]
    f = await form(request)
    into = f.get("into", "").strip()
    try:
        await request.app[TICKETS].merge(code, into, principal(request).actor)
    except TicketError as exc:
        raise back("/admin/tickets", f"未完成：{exc}") from None
    await _audited(request, code, "ticket.merge", {"into": into})
    raise back("/admin/tickets", f"工单 {code} 已合并到 {into}")


def setup(app: web.Application) -> None:
    route(app, "GET", "/admin/tickets", queue, DISPATCH)
    route(app, "POST", "/admin/tickets/{code}/dispatch", dispatch, DISPATCH)
    route(app, "POST", "/admin/tickets/{code}/merge", merge, DISPATCH)
