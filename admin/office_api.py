"""REST API for the office flows: /api/office/… (JSON in and out; errors as {"error": "…"} in Chinese).

Callers authenticate like the ticket API: ``Authorization: Bearer <token>`` names a person of the
directory (``GOVCHAT_API_TOKENS``), whose steps, meetings and notices the same domain rules then guard.
Calendar apps cannot send headers, so the iCalendar feed takes ``?token=``: a read-only, revocable calendar
token of its own person (admin/calendar_tokens.py), never an API token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel

from admin import api_models as m
from admin import calendar_tokens
from admin.api_auth import api_actor
from admin.contract import api, body_as
from admin.guard import PUBLIC
from kernel.contract import Operation, refuse, respond
from kernel.identity import Actor, Role
from office_flows.common import OfficeError, Outcome
from office_flows.directory.store import person_by
from office_flows.meetings.ics import feed
from office_flows.meetings.service import Request
from office_flows.office import Office

OFFICE: web.AppKey[Office] = web.AppKey("office")
B = TypeVar("B", bound=BaseModel)
Result = Outcome | BaseModel | web.StreamResponse
Handler = Callable[[web.Request, Actor, Any], Awaitable[Result]]


def _error(message: str, status: int) -> web.Response:
    return refuse(status, message)


def route(
    fn: Callable[[web.Request, Actor, B], Awaitable[Result]], model: type[B]
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Resolve the speaker, validate the JSON body through its model, run the action, turn refusals into 4xx."""

    async def handler(request: web.Request) -> web.StreamResponse:
        actor = await api_actor(request)
        body = await body_as(request, model)
        try:
            result = await fn(request, actor, body)
        except OfficeError as exc:
            return _error(str(exc), exc.status)
        except (KeyError, TypeError, ValueError) as exc:
            return _error(f"请求参数不完整或格式不对：{exc}", 400)
        if isinstance(result, web.StreamResponse):
            return result
        if isinstance(result, Outcome):
            return respond(
                m.OfficeOutcome.model_validate({**result.data, "message": result.message, "ref": result.ref})
            )
        return respond(result)

    return handler


def _office(request: web.Request) -> Office:
    return request.app[OFFICE]


def _doc(request: web.Request) -> str:
    return request.match_info["doc_id"]


async def todo(request: web.Request, actor: Actor, _body: m.Empty) -> Result:
    items = await _office(request).documents.todo(actor)
    return m.TodoOut(
        items=[
            m.TodoItemOut(**{**it.__dict__, "since": it.since.isoformat(), "due_at": it.due_at.isoformat()})
            for it in items
        ]
    )


async def register(request: web.Request, actor: Actor, body: m.DocumentIn) -> Result:
    return await _office(request).documents.register(
        actor, body.kind, body.title, body.body, urgency=body.urgency, security=body.security
    )


async def query(request: web.Request, actor: Actor, _body: m.Empty) -> Result:
    return await _office(request).documents.query(actor, _doc(request))


async def approve(request: web.Request, actor: Actor, body: m.ApproveIn) -> Result:
    return await _office(request).documents.approve(actor, _doc(request), body.comment)


async def reject(request: web.Request, actor: Actor, body: m.RejectIn) -> Result:
    return await _office(request).documents.reject(actor, _doc(request), body.reason, to_previous=body.to == "previous")


async def transfer(request: web.Request, actor: Actor, body: m.PersonIn) -> Result:
    return await _office(request).documents.transfer(actor, _doc(request), body.person, body.comment)


async def consult(request: web.Request, actor: Actor, body: m.PersonIn) -> Result:
    return await _office(request).documents.consult(actor, _doc(request), body.person, body.comment)


async def resubmit(request: web.Request, actor: Actor, body: m.ResubmitIn) -> Result:
    return await _office(request).documents.resubmit(actor, _doc(request), body.body)


async def verify(request: web.Request, actor: Actor, body: m.VerifyIn) -> Result:
    """GET verifies the stored document; POST a copy's fields (e.g. {"body": "…"}) to check that copy."""
    fields = body.model_dump(exclude_unset=True, exclude_none=True)
    v = await _office(request).documents.verify(_doc(request), fields or None, actor)
    return m.VerifyOut(doc_id=_doc(request).upper(), valid=v.ok, message=v.reason)


async def book(request: web.Request, actor: Actor, body: m.MeetingIn) -> Result:
    try:
        start = datetime.fromisoformat(body.start)
    except ValueError:
        raise OfficeError("字段 start 须为 ISO 时间，例如 2026-11-19T15:00:00+08:00。") from None
    if start.tzinfo is None:
        raise OfficeError("字段 start 必须带时区，例如 2026-11-19T15:00:00+08:00。")
    if not 2000 <= start.year <= 2100:
        raise OfficeError("字段 start 须在 2000 年到 2100 年之间。")
    req = Request(start, body.minutes, body.room, body.people, body.topic)
    booking = await _office(request).meetings.book(actor, req)
    if booking.alternatives:
        conflict = m.MeetingConflict(
            error=booking.outcome.message,
            message=booking.outcome.message,
            meeting_id=booking.outcome.ref,
            alternatives=[a.to_json() for a in booking.alternatives],
        )
        return respond(conflict, 409)
    return m.MeetingBooked(message=booking.outcome.message, meeting_id=booking.outcome.ref)


async def rsvp(request: web.Request, actor: Actor, body: m.RsvpIn) -> Result:
    return await _office(request).meetings.rsvp(actor, request.match_info["meeting_id"], body.accept, body.reason)


async def cancel_meeting(request: web.Request, actor: Actor, body: m.ReasonOptIn) -> Result:
    return await _office(request).meetings.cancel(actor, request.match_info["meeting_id"], body.reason)


async def publish(request: web.Request, actor: Actor, body: m.NoticeIn) -> Result:
    return await _office(request).notices.publish(actor, body.to, body.title, body.body)


async def read_notice(request: web.Request, actor: Actor, _body: m.Empty) -> Result:
    return await _office(request).notices.read(actor, request.match_info["notice_id"])


async def receipts(request: web.Request, actor: Actor, _body: m.Empty) -> Result:
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


async def calendar_token(request: web.Request, actor: Actor, _body: m.Empty) -> Result:
    """A new read-only calendar token for the caller (the previous one stops working)."""
    code = await _person_code(request, actor)
    token = await calendar_tokens.issue(_office(request).db, code, _office(request).clock.now())
    return m.CalendarTokenOut(url=f"/api/office/calendar/{code}.ics?token={token}", token=token)


async def revoke_calendar_token(request: web.Request, actor: Actor, _body: m.Empty) -> Result:
    code = await _person_code(request, actor)
    return m.RevokedOut(revoked=await calendar_tokens.revoke(_office(request).db, code))


# Every directory role may call the office API; the domain rules then decide per step, meeting and notice.
OFFICE_API = frozenset(Role) - {Role.CITIZEN}
DOC = {"doc_id": {"type": "string", "maxLength": 64, "examples": ["FW-2026-001"]}}
MEETING = {"meeting_id": {"type": "string", "maxLength": 64, "examples": ["HY-2026-0001"]}}
NOTICE = {"notice_id": {"type": "string", "maxLength": 64, "examples": ["TZ-2026-001"]}}
OUTCOME = m.OfficeOutcome


def setup(app: web.Application, office: Office) -> None:
    """Office routes, declared to the console's guard (which also accepts console sessions)."""
    app[OFFICE] = office

    def add(method: str, path: str, fn: Handler, model: type[BaseModel], op: Operation) -> None:
        api(app, method, path, route(fn, model), OFFICE_API, replace(op, body=None if model is m.Empty else model))

    add(
        "GET",
        "/api/office/todo",
        todo,
        m.Empty,
        Operation("officeTodo", "我的待办公文（按紧急程度和时限）", response=m.TodoOut),
    )
    add(
        "POST",
        "/api/office/documents",
        register,
        m.DocumentIn,
        Operation(
            "registerDocument",
            "登记公文（kind FW/SW、title、body、urgency、security）",
            response=OUTCOME,
            example={"kind": "FW", "title": "关于做好冬季防火工作的通知", "body": "各单位：……"},
        ),
    )
    add(
        "GET",
        "/api/office/documents/{doc_id}",
        query,
        m.Empty,
        Operation("getDocument", "公文在哪、谁在办、从何时起", response=OUTCOME, params=DOC),
    )
    steps: dict[str, tuple[Handler, type[BaseModel], str]] = {
        "approve": (approve, m.ApproveIn, "同意（comment）"),
        "reject": (reject, m.RejectIn, "退回（reason、to: drafter/previous）"),
        "transfer": (transfer, m.PersonIn, "转交：任务交给对方（person）"),
        "consult": (consult, m.PersonIn, "加签：征求意见后回到本人（person）"),
        "resubmit": (resubmit, m.ResubmitIn, "拟稿人重新提交（body）"),
    }
    for name, (fn, model, summary) in steps.items():
        add(
            "POST",
            f"/api/office/documents/{{doc_id}}/{name}",
            fn,
            model,
            Operation(f"{name}Document", summary, response=OUTCOME, params=DOC),
        )
    add(
        "GET",
        "/api/office/documents/{doc_id}/verify",
        verify,
        m.Empty,
        Operation("verifyDocument", "验章（库中公文）", response=m.VerifyOut, params=DOC),
    )
    add(
        "POST",
        "/api/office/documents/{doc_id}/verify",
        verify,
        m.VerifyIn,
        Operation("verifyDocumentCopy", "验章（提交的副本字段）", response=m.VerifyOut, params=DOC),
    )
    add(
        "POST",
        "/api/office/meetings",
        book,
        m.MeetingIn,
        Operation(
            "bookMeeting",
            "预约会议（冲突时 409 并给出备选 alternatives）",
            response=m.MeetingBooked,
            error_models={409: m.MeetingConflict},
            example={
                "start": "2026-11-19T15:00:00+08:00",
                "minutes": 60,
                "room": "三楼会议室",
                "people": ["张伟"],
                "topic": "防汛工作部署",
            },
        ),
    )
    add(
        "POST",
        "/api/office/meetings/{meeting_id}/rsvp",
        rsvp,
        m.RsvpIn,
        Operation("rsvpMeeting", "参加或请假（accept、reason）", response=OUTCOME, params=MEETING),
    )
    add(
        "POST",
        "/api/office/meetings/{meeting_id}/cancel",
        cancel_meeting,
        m.ReasonOptIn,
        Operation("cancelMeeting", "取消会议（reason）", response=OUTCOME, params=MEETING),
    )
    add(
        "POST",
        "/api/office/notices",
        publish,
        m.NoticeIn,
        Operation(
            "publishNotice",
            "发布通知（to、title、body）",
            response=OUTCOME,
            example={"to": ["城管局"], "title": "周五消防演练", "body": "请各科室准时参加。"},
        ),
    )
    add(
        "GET",
        "/api/office/notices/{notice_id}",
        read_notice,
        m.Empty,
        Operation("readNotice", "阅读通知（即签收）", response=OUTCOME, params=NOTICE),
    )
    add(
        "GET",
        "/api/office/notices/{notice_id}/receipts",
        receipts,
        m.Empty,
        Operation("noticeReceipts", "通知签收情况（发布人）", response=OUTCOME, params=NOTICE),
    )
    add(
        "POST",
        "/api/office/calendar/token",
        calendar_token,
        m.Empty,
        Operation("issueCalendarToken", "生成本人的只读日历订阅令牌（旧令牌失效）", response=m.CalendarTokenOut),
    )
    add(
        "DELETE",
        "/api/office/calendar/token",
        revoke_calendar_token,
        m.Empty,
        Operation("revokeCalendarToken", "吊销本人的日历订阅令牌", response=m.RevokedOut),
    )
    # Calendar apps send no headers: the feed checks its ?token= (a calendar token) itself.
    api(
        app,
        "GET",
        "/api/office/calendar/{person_code}.ics",
        calendar,
        PUBLIC,
        Operation(
            "personCalendar",
            "个人会议日历 iCalendar（?token=，日历订阅令牌）",
            query=m.CalendarQuery,
            content_type="text/calendar",
            params={"person_code": {"type": "string", "maxLength": 64}},
            security=("calendarToken",),
            callers=("calendar token",),
            errors=(401, 403, 404),
        ),
    )
