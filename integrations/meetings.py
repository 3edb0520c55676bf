"""Meetings' chat face: book (with alternatives on a conflict), cancel, reply to an invitation, list."""

from __future__ import annotations

import re
from datetime import datetime

from integrations.contract import Entities, FlowCall, IntentRegistry, SessionData, texts
from integrations.office_common import Action, after, message_of, run, strip_lead
from kernel.identity import Actor
from nlu.booking import parse_booking
from nlu.entities import MEETING_ID
from nlu.timeparse import parse_time
from office_flows.meetings.service import DEFAULT_MINUTES, Request
from office_flows.office import Office

BOOKING = "office_booking"  # alternatives offered after a conflict: a reply with a number books one
DECLINE_WORDS = re.compile(r"请假|不参加|不能参加|无法参加|参加不了|去不了|来不了")


async def book_text(office: Office, actor: Actor, text: str, session: SessionData, entities: Entities) -> str:
    now = office.clock.now()
    when: datetime | None = None
    if entities.get("time"):
        when = datetime.fromisoformat(str(entities["time"]))
    else:
        t = parse_time(text, now)
        when = t.value if t else None
    if when is None:
        return "请说明会议时间，例如：明天下午三点在三楼会议室开一小时会，请李娜参加，议题是汛期值班。"
    parsed = parse_booking(text, await office.meetings.room_names())
    room = parsed.room or (str(entities["room"]) if entities.get("room") else "")
    if not room:
        return "请说明在哪间会议室，可选：" + "、".join(await office.meetings.room_names()) + "。"
    people = parsed.people or ([str(entities["person"])] if entities.get("person") else [])
    req = Request(when, parsed.minutes or DEFAULT_MINUTES, room, people, parsed.topic)
    booking = await office.meetings.book(actor, req)
    if booking.alternatives:
        session[BOOKING] = [a.to_json() for a in booking.alternatives]
    else:
        session.pop(BOOKING, None)
    note = "" if parsed.minutes else f"（未说明时长，按 {DEFAULT_MINUTES} 分钟预约）"
    return booking.outcome.message + note


async def book_offered(office: Office, actor: Actor, session: SessionData, n: int) -> str:
    """Book alternative ``n`` (1-based) of those offered after a conflict."""
    raw = session.pop(BOOKING, None)
    options = raw if isinstance(raw, list) else []
    if not 1 <= n <= len(options):
        session[BOOKING] = options
        return f"请回复 1 到 {len(options)} 之间的序号，或回复“取消”。"

    async def go() -> str:
        booking = await office.meetings.book(actor, Request.from_json(options[n - 1]))
        if booking.alternatives:  # taken meanwhile: offer the fresh alternatives
            session[BOOKING] = [a.to_json() for a in booking.alternatives]
        return booking.outcome.message

    return await run(go)


def rsvp_text(office: Office, actor: Actor, meeting_id: str, accept: bool, reason: str) -> Action:
    return lambda: message_of(office.meetings.rsvp(actor, meeting_id, accept, reason))


def register(registry: IntentRegistry, office: Office) -> None:
    async def book(call: FlowCall) -> list[str]:
        return [await run(lambda: book_text(office, call.actor, call.text, call.session, call.entities))]

    async def cancel(call: FlowCall) -> list[str]:
        reason = after(MEETING_ID, call.written)
        meeting_id = str(call.entities["meeting_id"])
        return [await run(lambda: message_of(office.meetings.cancel(call.actor, meeting_id, reason)))]

    async def mine(call: FlowCall) -> list[str]:
        return [await run(lambda: message_of(office.meetings.mine(call.actor)))]

    async def rsvp(call: FlowCall) -> list[str]:
        m = DECLINE_WORDS.search(call.text)
        reason = strip_lead(call.text[m.end() :]) if m else ""
        reason = reason or (after(MEETING_ID, call.text) if m else "")
        reason = re.sub(r"^(因为|因|由于)", "", reason)
        return [await run(rsvp_text(office, call.actor, str(call.entities["meeting_id"]), m is None, reason))]

    for intent, handler in {
        "book_meeting": book,
        "cancel_meeting": cancel,
        "query_meetings": mine,
        "rsvp_meeting": rsvp,
    }.items():
        registry.register(intent, texts(handler))
