"""REST API for the office flows: /api/office/… (JSON in and out; errors as {"error": "…"} in Chinese).

Callers authenticate like the ticket API: ``Authorization: Bearer <token>`` names a person of the
directory (``GOVCHAT_API_TOKENS``), whose steps, meetings and notices the same domain rules then guard.
Calendar apps cannot send headers, so the iCalendar feed takes ``?token=``: a read-only, revocable calendar
token of its own person (admin/calendar_tokens.py), never an API token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from admin import calendar_tokens
from admin.api_auth import api_actor
from admin.guard import PUBLIC
from admin.guard import route as guarded_route
from kernel.identity import Actor, Role
from kernel.jsonbody import BadJson, parse_json
from office_flows.common import OfficeError, Outcome
from office_flows.directory.store import person_by
from office_flows.meetings.ics import feed
from office_flows.meetings.service import DEFAULT_MINUTES, Request
from office_flows.office import Office

OFFICE: web.AppKey[Office] = web.AppKey("office")
Handler = Callable[[web.Request, Actor, dict[str, Any]], Awaitable[Any]]


def _error(message: str, status: int) -> web.Response:
    return web.json_response({"error": message}, status=status)


def route(fn: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Resolve the speaker, parse the JSON body, run the action, turn refusals into 4xx."""

    async def handler(request: web.Request) -> web.StreamResponse:
        actor = await api_actor(request)
        body: dict[str, Any] = {}
        if request.can_read_body:
            try:
                raw = parse_json(await request.read() or b"{}")
            except BadJson as exc:
                return _error(str(exc), 400)
            if not isinstance(raw, dict):
                return _error("请求体必须是 JSON 对象。", 400)
            body = raw
        try:
            result = await fn(request, actor, body)
        except OfficeError as exc:
            return _error(str(exc), exc.status)
        except (KeyError, TypeError, ValueError) as exc:
            return _error(f"请求参数不完整或格式不对：{exc}", 400)
        if isinstance(result, web.StreamResponse):
            return result
        if isinstance(result, Outcome):
            return web.json_response({"message": result.message, "ref": result.ref, **result.data})
        return web.json_response(result)

    return handler


def _office(request: web.Request) -> Office:
    return request.app[OFFICE]


def _doc(request: web.Request) -> str:
    return request.match_info["doc_id"]


def _str(body: dict[str, Any], key: str, default: str | None = None) -> str:
    value = body.get(key, default)
    if value is None:
        raise OfficeError(f"缺少字段 {key}。")
    if not isinstance(value, str):
        raise OfficeError(f"字段 {key} 必须是字符串。")
    return value


async def todo(request: web.Request, actor: Actor, _body: dict[str, Any]) -> Any:
    items = await _office(request).documents.todo(actor)
    return {"items": [{**it.__dict__, "since": it.since.isoformat(), "due_at": it.due_at.isoformat()} for it in items]}


async def register(request: web.Request, actor: Actor, body: dict[str, Any]) -> Any:
    return await _office(request).documents.register(
        actor,
        _str(body, "kind", "FW"),
        _str(body, "title"),
        _str(body, "body"),
        urgency=_str(body, "urgency", "平件"),
        security=_str(body, "security", "非密"),
    )


async def query(request: web.Request, actor: Actor, _body: dict[str, Any]) -> Any:
    return await _office(request).documents.query(actor, _doc(request))


async def approve(request: web.Request, actor: Actor, body: dict[str, Any]) -> Any:
    return await _office(request).documents.approve(actor, _doc(request), _str(body, "comment", ""))


async def reject(request: web.Request, actor: Actor, body: dict[str, Any]) -> Any:
    to = _str(body, "to", "drafter")
    if to not in ("drafter", "previous"):
        raise OfficeError("字段 to 只能是 drafter（退回拟稿人）或 previous（退回上一环节）。")
    return await _office(request).documents.reject(
        actor, _doc(request), _str(body, "reason"), to_previous=to == "previous"
    )


async def transfer(request: web.Request, actor: Actor, body: dict[str, Any]) -> Any:
    return await _office(request).documents.transfer(
        actor, _doc(request), _str(body, "person"), _str(body, "comment", "")
    )


async def consult(request: web.Request, actor: Actor, body: dict[str, Any]) -> Any:
    return await _office(request).documents.consult(
        actor, _doc(request), _str(body, "person"), _str(body, "comment", "")
    )


async def resubmit(request: web.Request, actor: Actor, body: dict[str, Any]) -> Any:
    return await _office(request).documents.resubmit(actor, _doc(request), _str(body, "body", ""))


async def verify(request: web.Request, actor: Actor, body: dict[str, Any]) -> Any:
    """GET verifies the stored document; POST a copy's fields (e.g. {"body": "…"}) to check that copy."""
    v = await _office(request).documents.verify(_doc(request), body or None, actor)
    return {"doc_id": _doc(request).upper(), "valid": v.ok, "message": v.reason}


async def book(request: web.Request, actor: Actor, body: dict[str, Any]) -> Any:
    people = body.get("people", [])
    if not isinstance(people, list) or not all(isinstance(p, str) for p in people):
        raise OfficeError("字段 people 必须是姓名列表。")
    minutes = body.get("minutes", DEFAULT_MINUTES)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 5 <= minutes <= 24 * 60:
        raise OfficeError("字段 minutes 必须是 5 到 1440 之间的整数（分钟）。")
    try:
        start = datetime.fromisoformat(_str(body, "start"))
    except ValueError:
        raise OfficeError("字段 start 须为 ISO 时间，例如 2026-11-19T15:00:00+08:00。") from None
    if start.tzinfo is None:
        raise OfficeError("字段 start 必须带时区，例如 2026-11-19T15:00:00+08:00。")
    if not 2000 <= start.year <= 2100:
        raise OfficeError("字段 start 须在 2000 年到 2100 年之间。")
    req = Request(start, minutes, _str(body, "room"), people, _str(body, "topic", ""))
    booking = await _office(request).meetings.book(actor, req)
    out: dict[str, Any] = {"message": booking.outcome.message, "meeting_id": booking.outcome.ref}
    if booking.alternatives:
        out["alternatives"] = [a.to_json() for a in booking.alternatives]
        return web.json_response({**out, "error": booking.outcome.message}, status=409)
    return out


async def rsvp(request: web.Request, actor: Actor, body: dict[str, Any]) -> Any:
    accept = body.get("accept")
    if not isinstance(accept, bool):
        raise OfficeError("字段 accept 必须是 true（参加）或 false（请假）。")
    return await _office(request).meetings.rsvp(
        actor, request.match_info["meeting_id"], accept, _str(body, "reason", "")
    )


async def cancel_meeting(request: web.Request, actor: Actor, body: dict[str, Any]) -> Any:
    return await _office(request).meetings.cancel(actor, request.match_info["meeting_id"], _str(body, "reason", ""))


async def publish(request: web.Request, actor: Actor, body: dict[str, Any]) -> Any:
    targets = body.get("to", [])
    if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
        raise OfficeError("字段 to 必须是部门或人员名称的列表。")
    return await _office(request).notices.publish(actor, targets, _str(body, "title"), _str(body, "body"))


async def read_notice(request: web.Request, actor: Actor, _body: dict[str, Any]) -> Any:
    return await _office(request).notices.read(actor, request.match_info["notice_id"])


async def receipts(request: web.Request, actor: Actor, _body: dict[str, Any]) -> Any:
    return await _office(request).notices.receipts(actor, request.match_info["notice_id"])


async def calendar(request: web.Request) -> web.StreamResponse:
    """The person's meetings as iCalendar; calendars subscribe without chat headers, with the person's own
    read-only calendar token (``POST /api/office/calendar/token``), never an API token."""
    office = _office(request)
    code = request.match_info["person_code"]
    owner = await calendar_tokens.owner_of(office.db, request.query.get("token", ""))
    if owner is None:
        return _error("需要有效的日历订阅令牌（?token=…，由 POST /api/office/calendar/token 获取）。", 401)
    if owner != code:
        return _error("只能订阅本人的会议日历。", 403)
    try:
        name, meetings = await office.meetings.calendar_of(code)
    except OfficeError as exc:
        return _error(str(exc), exc.status)
    return web.Response(body=feed(name, meetings, office.clock.now()), content_type="text/calendar", charset="utf-8")


async def _person_code(request: web.Request, actor: Actor) -> str:
    if actor.person_id is None:
        raise OfficeError("日历订阅需要通讯录中的人员身份。", 403)
    async with _office(request).db.session() as s:
        person = await person_by(s, id=actor.person_id)
    if person is None:
        raise OfficeError("日历订阅需要通讯录中的人员身份。", 403)
    return person.code


async def calendar_token(request: web.Request, actor: Actor, body: dict[str, Any]) -> Any:
    """A new read-only calendar token for the caller (the previous one stops working)."""
    code = await _person_code(request, actor)
    token = await calendar_tokens.issue(_office(request).db, code, _office(request).clock.now())
    return {"url": f"/api/office/calendar/{code}.ics?token={token}", "token": token}


async def revoke_calendar_token(request: web.Request, actor: Actor, body: dict[str, Any]) -> Any:
    code = await _person_code(request, actor)
    return {"revoked": await calendar_tokens.revoke(_office(request).db, code)}


# Every directory role may call the office API; the domain rules then decide per step, meeting and notice.
OFFICE_API = frozenset(Role) - {Role.CITIZEN}


def setup(app: web.Application, office: Office) -> None:
    """Office routes, declared to the console's guard (which also accepts console sessions)."""
    app[OFFICE] = office

    def add(method: str, path: str, fn: Handler) -> None:
        guarded_route(app, method, path, route(fn), OFFICE_API)

    add("GET", "/api/office/todo", todo)
    add("POST", "/api/office/documents", register)
    add("GET", "/api/office/documents/{doc_id}", query)
    for name, fn in {
        "approve": approve,
        "reject": reject,
        "transfer": transfer,
        "consult": consult,
        "resubmit": resubmit,
    }.items():
        add("POST", f"/api/office/documents/{{doc_id}}/{name}", fn)
    add("GET", "/api/office/documents/{doc_id}/verify", verify)
    add("POST", "/api/office/documents/{doc_id}/verify", verify)
    add("POST", "/api/office/meetings", book)
    add("POST", "/api/office/meetings/{meeting_id}/rsvp", rsvp)
    add("POST", "/api/office/meetings/{meeting_id}/cancel", cancel_meeting)
    add("POST", "/api/office/notices", publish)
    add("GET", "/api/office/notices/{notice_id}", read_notice)
    add("GET", "/api/office/notices/{notice_id}/receipts", receipts)
    add("POST", "/api/office/calendar/token", calendar_token)
    add("DELETE", "/api/office/calendar/token", revoke_calendar_token)
    # Calendar apps send no headers: the feed checks its ?token= (a calendar token) itself.
    guarded_route(app, "GET", "/api/office/calendar/{person_code}.ics", calendar, PUBLIC)
