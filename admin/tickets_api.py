"""REST API of the ticket flow: the same actions and rights as the chat commands, as JSON."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from admin.api_auth import api_actor, error, json_body
from admin.appkeys import CLOCK, DB, TICKETS
from admin.guard import PUBLIC, SUPERVISE, TICKET_API, principal, route
from admin.idempotency import once
from integrations.tickets import rating_text
from kernel.clock import SHANGHAI
from kernel.credentials import INTEGRATIONS, MATRIX, RESERVED_CHANNELS, WEB, authenticate, presents_credential
from kernel.identity import Actor, Role
from office_flows.tickets.models import Ticket
from office_flows.tickets.rules import LEVEL_OF, RATINGS
from office_flows.tickets.service import (
    DISPATCHERS,
    STATS_ROLES,
    TicketError,
    TicketForbidden,
    TicketNotFound,
    TicketService,
)
from office_flows.tickets.states import LABELS, Status
from office_flows.tickets.stats import METRICS, compute, drill_down

Action = Callable[[TicketService, Actor, str, dict[str, Any]], Awaitable[Any]]
MAX_LIST = 500


def _iso(at: datetime | None) -> str | None:
    return at.astimezone(SHANGHAI).isoformat() if at else None


def ticket_json(t: Ticket) -> dict[str, Any]:
    return {
        "code": t.code,
        "kind": t.kind,
        "status": t.status,
        "status_label": LABELS[Status(t.status)],
        "content": t.content,
        "address": t.address,
        "department": t.department_code,
        "proposal": {"department": t.proposed_department, "category": t.category, "confidence": t.proposal_confidence}
        if t.proposed_department
        else None,
        "duplicate_of": t.duplicate_of or None,
        "created_at": _iso(t.created_at),
        "deadline_at": _iso(t.deadline_at),
        "deadline_beyond_known": t.deadline_beyond_known,
        "answered_at": _iso(t.answered_at),
        "result": t.result,
        "return_count": t.return_count,
        "rework_count": t.rework_count,
        "escalation": t.escalation,
        "raised": t.raised,
        "on_time": t.on_time,
        "first_contact": t.first_contact_name,
    }


def _status_of(exc: TicketError) -> int:
    if isinstance(exc, TicketNotFound):
        return 404
    if isinstance(exc, TicketForbidden):
        return 403
    return 409


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key, "")
    if not isinstance(value, str):
        raise TicketError(f"字段 {key} 必须是字符串")
    return value


async def _create(request: web.Request) -> web.Response:
    actor = await api_actor(request)
    if actor.person_id is None:
        return error(403, "需要工作人员令牌")
    body = await json_body(request)
    return await once(
        request.app[DB],
        request,
        principal(request).audit_name,
        request.app[CLOCK].now(),
        lambda: _do_create(request, actor, body),
    )


async def _do_create(request: web.Request, actor: Actor, body: dict[str, Any]) -> web.Response:
    svc = request.app[TICKETS]
    channel = body.get("channel") or "phone"
    if channel in (MATRIX, WEB) or channel in RESERVED_CHANNELS - {"phone"} or not isinstance(channel, str):
        # a chat identity is the citizen's own: staff must not file in its name (and so own, and rate, for it)
        return error(400, "channel 只能是电话等集成渠道（默认 phone），不能是网页或 Matrix 等市民聊天渠道")
    try:
        phone = _text(body, "phone")
        created = await svc.create(
            kind=_text(body, "kind") or "咨询",
            content=_text(body, "content"),
            address=_text(body, "address"),
            since=_text(body, "since"),
            phone=phone,
            anonymous=bool(body.get("anonymous")),
            channel=channel,
            sender=_text(body, "sender") or (phone or f"anonymous-{actor.sender}"),
            actor=actor,
        )
    except TicketError as exc:
        return error(400, str(exc))
    return web.json_response(
        {"code": created.code, "deadline": created.deadline_text, "duplicate_of": created.duplicate_of or None},
        status=201,
    )


def _decision(body: dict[str, Any]) -> bool:
    value = body.get("decision")
    if value not in ("accept", "reject"):
        raise TicketError("decision 须为 accept（同意退单并改派）或 reject（驳回退单）")
    return value == "accept"


def _names(body: dict[str, Any], key: str) -> list[str]:
    value = body.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TicketError(f"字段 {key} 必须是部门名称的列表")
    return [v for v in value if v.strip()]


ACTIONS: dict[str, Action] = {
    "dispatch": lambda svc, a, code, b: svc.dispatch(code, a, _text(b, "department") or None, _text(b, "comment")),
    "sign": lambda svc, a, code, b: svc.sign(code, a),
    "return": lambda svc, a, code, b: svc.return_(code, a, _text(b, "reason"), _text(b, "text")),
    "objection-review": lambda svc, a, code, b: svc.review_objection(
        code, a, _decision(b), _text(b, "ruling"), _text(b, "department") or None
    ),
    "assist": lambda svc, a, code, b: svc.cohandling.assign(code, a, _names(b, "departments")),
    "reply": lambda svc, a, code, b: svc.reply(code, a, _text(b, "result")),
    "extension": lambda svc, a, code, b: svc.request_extension(code, a, int(b.get("days") or 0), _text(b, "reason")),
    "extension-decision": lambda svc, a, code, b: svc.decide_extension(
        code, a, bool(b.get("approve")), _text(b, "comment")
    ),
    "urge": lambda svc, a, code, b: svc.urge(code, a, _text(b, "comment")),
    "rework": lambda svc, a, code, b: svc.rework(code, a, _text(b, "reason")),
    "merge": lambda svc, a, code, b: svc.merge(code, _text(b, "into"), a),
    "callback": lambda svc, a, code, b: svc.record_callback(code, a, _text(b, "note")),
    "rectified": lambda svc, a, code, b: svc.rectified(code, a, _text(b, "note")),
    "archive": lambda svc, a, code, b: svc.archive(code, a),
}


async def _action(request: web.Request) -> web.Response:
    actor = await api_actor(request)
    name = request.match_info["action"]
    action = ACTIONS.get(name)
    if action is None:
        return error(404, f"未知操作：{name}（可用：{'、'.join(ACTIONS)}）")
    body = await json_body(request) if request.can_read_body else {}
    svc = request.app[TICKETS]
    code = request.match_info["code"]
    try:
        await action(svc, actor, code, body)
        t, _ = await svc.queries.history(code)
    except TicketError as exc:
        return error(_status_of(exc), str(exc))
    except (TypeError, ValueError, OverflowError) as exc:
        return error(400, f"参数有误：{exc}")
    return web.json_response(ticket_json(t))


async def _rate(request: web.Request) -> web.Response:
    """A citizen's rating collected by an integration allowed to (the phone system's IVR), for its caller.

    Staff tokens and console sessions are refused: ratings are the citizen's. The integration proves itself
    with its own credential (kernel/credentials.py) and names its user as ``sender``; the rating counts only
    if that user (on the integration's channel) filed the ticket."""
    raw = await request.read()
    integration = authenticate(request.app[INTEGRATIONS], request.headers, raw, request.app[CLOCK].now().timestamp())
    if integration is None:
        if presents_credential(request.headers) or request.cookies:
            return error(403, "评价只能由市民本人或获准收集评价的系统（如热线语音评价）提交，工作人员不能代为评价")
        return error(401, "需要获准收集评价的集成凭据")
    if not integration.may_collect_ratings:
        return error(403, f"集成 {integration.name} 无权收集评价")
    body = await json_body(request)
    label, sender = _text(body, "rating"), _text(body, "sender")
    if label not in LEVEL_OF:
        return error(400, f"rating 必须是：{'、'.join(RATINGS.values())}")
    if not sender:
        return error(400, "请提供 sender（来电市民在该系统中的编号，例如来电号码）")
    citizen = Actor(integration.channel, sender, frozenset({Role.CITIZEN}))
    try:
        rated = await request.app[TICKETS].rate(
            request.match_info["code"],
            citizen,
            LEVEL_OF[label],
            _text(body, "comment"),
            collected_via=f"integration:{integration.name}",
        )
    except TicketError as exc:
        return error(_status_of(exc), str(exc))
    return web.json_response({"message": rating_text(rated), "rectification": rated.rectification_opened})


async def _get(request: web.Request) -> web.Response:
    actor = await api_actor(request)
    svc = request.app[TICKETS]
    code = request.match_info["code"]
    try:
        t, events = await svc.queries.history(code)
    except TicketError as exc:
        return error(_status_of(exc), str(exc))
    if not await svc.queries.may_see(t, actor):
        return error(404, f"没有找到工单 {code}")
    out = ticket_json(t)
    out["assists"] = [
        {
            "department": a.department_code,
            "department_name": a.department,
            "deadline_at": _iso(a.deadline_at),
            "signed_at": _iso(a.signed_at),
            "answered_at": _iso(a.answered_at),
            "part": a.part,
        }
        for a in await svc.cohandling.views(code)
    ]
    out["events"] = [
        {
            "action": e.action,
            "from": e.from_status,
            "to": e.to_status,
            "actor": e.actor_name,
            "comment": e.comment,
            "department": e.department_code,
            "at": _iso(e.at),
        }
        for e in events
    ]
    return web.json_response(out)


async def _list(request: web.Request) -> web.Response:
    actor = await api_actor(request)
    department = request.query.get("department", "")
    if not actor.roles & DISPATCHERS:
        department = actor.department_code or "-"
    try:
        limit = int(request.query.get("limit", "100"))
    except ValueError:
        return error(400, "limit 必须是整数")
    if not 1 <= limit <= MAX_LIST:
        return error(400, f"limit 必须在 1 到 {MAX_LIST} 之间")
    queries = request.app[TICKETS].queries
    rows = await queries.listing(status=request.query.get("status", ""), department=department, limit=limit)
    return web.json_response({"tickets": [ticket_json(t) for t in rows]})


def _period(request: web.Request) -> tuple[datetime, datetime]:
    try:
        start = datetime.fromisoformat(request.query["from"]).replace(tzinfo=SHANGHAI)
        end = datetime.fromisoformat(request.query["to"]).replace(tzinfo=SHANGHAI)
    except (KeyError, ValueError):
        raise web.HTTPBadRequest(
            text='{"error": "需要 from 和 to 参数，格式 YYYY-MM-DD（to 不含当天）"}', content_type="application/json"
        ) from None
    if not (2000 <= start.year <= 2100 and 2000 <= end.year <= 2100):
        raise web.HTTPBadRequest(text='{"error": "日期须在 2000 年到 2100 年之间"}', content_type="application/json")
    if end <= start or end - start > timedelta(days=400):
        raise web.HTTPBadRequest(text='{"error": "统计区间无效或超过 400 天"}', content_type="application/json")
    return start, end


async def _stats(request: web.Request) -> web.Response:
    actor = await api_actor(request)
    if not actor.roles & STATS_ROLES:
        return error(403, "查询统计需要督办人员或部门负责人身份")
    start, end = _period(request)
    svc = request.app[TICKETS]
    async with svc.db.session() as s:
        table = await compute(s, start, end, svc.clock.now(), request.query.get("department") or None)
    return web.json_response(
        {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "metrics": {k: m.label for k, m in METRICS.items()},
            "lower_is_better": [k for k, m in METRICS.items() if m.lower_is_better],
            "departments": table,
        }
    )


async def _drill(request: web.Request) -> web.Response:
    actor = await api_actor(request)
    if not actor.roles & STATS_ROLES:
        return error(403, "查询统计需要督办人员或部门负责人身份")
    metric = request.query.get("metric", "")
    if metric not in METRICS:
        return error(400, f"metric 必须是：{'、'.join(METRICS)}")
    part = request.query.get("part", "all")
    if part not in {"all", "good", "bad"}:
        return error(400, "part 必须是 all、good 或 bad")
    start, end = _period(request)
    svc = request.app[TICKETS]
    async with svc.db.session() as s:
        codes = await drill_down(s, metric, start, end, svc.clock.now(), request.query.get("department") or None, part)
    return web.json_response({"metric": metric, "part": part, "tickets": codes})


async def _objections(request: web.Request) -> web.Response:
    """Dispatch objections: pending ones for review (oldest deadline first), or all with ``all=1``; and the
    count per department for a period (``from``/``to``, default this month)."""
    actor = await api_actor(request)
    if not actor.roles & DISPATCHERS:
        return error(403, "查看退单审核需要派单员或督办人员权限")
    queries = request.app[TICKETS].queries
    rows = await queries.objections(pending_only=request.query.get("all") != "1")
    if "from" in request.query or "to" in request.query:
        start, end = _period(request)
    else:
        local = request.app[CLOCK].now().astimezone(SHANGHAI)
        start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        end = (start + timedelta(days=32)).replace(day=1)
    return web.json_response(
        {
            "objections": [
                {
                    "code": r.code,
                    "department": r.objection.department_code,
                    "reason": r.objection.reason,
                    "text": r.objection.text,
                    "raised_by": r.objection.raised_by_name,
                    "raised_at": _iso(r.objection.raised_at),
                    "review_due_at": _iso(r.objection.review_due_at),
                    "status": r.objection.status,
                    "ruling": r.objection.ruling,
                    "redispatched_to": r.objection.redispatched_to or None,
                }
                for r in rows
            ],
            "per_department": await queries.objection_counts(start, end),
            "reasons": list(request.app[TICKETS].rules.return_reasons),
        }
    )


def setup(app: web.Application) -> None:
    # Coarse rights here (any ticket role); TicketService checks each action against the actor.
    route(app, "POST", "/api/tickets", _create, TICKET_API)
    route(app, "GET", "/api/tickets", _list, TICKET_API)
    route(app, "GET", "/api/tickets/stats", _stats, SUPERVISE)
    route(app, "GET", "/api/tickets/stats/drill", _drill, SUPERVISE)
    route(app, "GET", "/api/tickets/objections", _objections, TICKET_API)
    route(app, "GET", "/api/tickets/{code}", _get, TICKET_API)
    # PUBLIC to the guard: the handler itself accepts only an integration allowed to collect ratings
    route(app, "POST", "/api/tickets/{code}/rating", _rate, PUBLIC)
    route(app, "POST", "/api/tickets/{code}/{action}", _action, TICKET_API)
