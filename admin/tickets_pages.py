"""Dispatcher and operator pages: the queue with the router's proposal, accept or override, merge; the review
of dispatch objections (退单审核) with the count per department; assisting departments (协办)."""

from __future__ import annotations

from aiohttp import web

from admin import audit
from admin.appkeys import CLOCK, DB, TICKETS
from admin.errors import error_page
from admin.guard import DISPATCH, principal, route
from admin.web import back, form, render
from kernel.clock import SHANGHAI
from office_flows.tickets.errors import DepartmentUnknown, NoDepartment
from office_flows.tickets.service import TicketError

PICK = "请在下拉框中选择承办部门（或在派单目录中为它的类别配置部门），再点“派单”。"


async def queue(request: web.Request) -> web.Response:
    svc = request.app[TICKETS]
    tickets = await svc.queries.queue(limit=200)
    names = await svc.queries.department_names(active_only=True)
    local = request.app[CLOCK].now().astimezone(SHANGHAI)
    start = local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    counts = await svc.queries.objection_counts(start, start.replace(year=start.year + 1))
    return render(
        request,
        "tickets.html",
        tickets=tickets,
        departments=list(names.items()),
        names=names,
        router_note=svc.router_note(),
        objections=await svc.queries.objections(),
        objection_counts=sorted(counts.items(), key=lambda kv: -kv[1]["total"]),
        year=start.year,
        reasons=svc.rules.return_reasons,
    )


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
    except (NoDepartment, DepartmentUnknown) as exc:
        return error_page(request, 400, str(exc), PICK)
    except TicketError as exc:
        raise back("/admin/tickets", f"未完成：{exc}") from None
    await _audited(request, code, "ticket.dispatch", {"department": department or "（采纳建议）"})
    raise back("/admin/tickets", f"工单 {code} 已派往 {name}")


async def review(request: web.Request) -> web.Response:
    """退单审核: accept and re-dispatch to the chosen department, or reject with a ruling."""
    code = request.match_info["code"]
    f = await form(request)
    accept = f.get("decision") == "accept"
    department = f.get("department", "").strip() or None
    try:
        name = await request.app[TICKETS].review_objection(
            code, principal(request).actor, accept, f.get("ruling", ""), department
        )
    except (NoDepartment, DepartmentUnknown) as exc:
        return error_page(request, 400, str(exc), "同意退单时请在下拉框中选择改派的部门。")
    except TicketError as exc:
        return error_page(request, 409, str(exc))
    await _audited(request, code, "ticket.objection", {"decision": "同意" if accept else "驳回", "department": name})
    verdict = f"已同意退单并改派{name}" if accept else f"已驳回退单，退回{name}继续办理"
    raise back("/admin/tickets", f"工单 {code}：{verdict}")


async def assist(request: web.Request) -> web.Response:
    f = await request.post()
    code = str(f.get("code", "")).strip()
    departments = [str(v) for v in f.getall("departments", []) if str(v).strip()]
    try:
        names = await request.app[TICKETS].cohandling.assign(code, principal(request).actor, departments)
    except TicketError as exc:
        return error_page(request, 400, str(exc), "请填写已派单的工单编号，并至少选择一个协办部门。")
    await _audited(request, code, "ticket.assist", {"departments": "、".join(names)})
    raise back("/admin/tickets", f"工单 {code} 已指定协办部门：{'、'.join(names)}")


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
    route(app, "POST", "/admin/tickets/assist", assist, DISPATCH)
    route(app, "POST", "/admin/tickets/{code}/dispatch", dispatch, DISPATCH)
    route(app, "POST", "/admin/tickets/{code}/review", review, DISPATCH)
    route(app, "POST", "/admin/tickets/{code}/merge", merge, DISPATCH)
