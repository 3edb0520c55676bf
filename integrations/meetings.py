"""Meetings' chat face: book (with alternatives on a conflict), cancel, reply to an invitation, list."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from integrations.contract import Entities, FlowCall, IntentRegistry, SessionData, texts
from integrations.office_common import Action, after, message_of, run, strip_lead
from kernel.clock import SHANGHAI
from kernel.identity import Actor
from nlu.booking import match_room, parse_booking
from nlu.entities import MEETING_ID
from nlu.timeparse import parse_time
from office_flows.common import person_required
from office_flows.meetings.service import DEFAULT_MINUTES, Booking, Request
from office_flows.office import Office

BOOKING = "office_booking"  # alternatives offered after a conflict: a reply with a number books one
DRAFT = "office_booking_draft"  # a booking waiting for its time or room: {"text", "time", "at"}
DRAFT_TTL = timedelta(minutes=10)
_NAMED_ROOM = re.compile(r"([^\s在到去用订，,。、；;：:]{1,6}(?:会议室|会商室))")
DECLINE_WORDS = re.compile(r"请假|不参加|不能参加|无法参加|参加不了|去不了|来不了")


def _warnings(booking: Booking, when: datetime) -> str:
    notes = []
    if booking.non_working_day:
        notes.append(f"{when.astimezone(SHANGHAI):%m月%d日}不是工作日")
    if booking.outside_office_hours:
        notes.append("会议时间不在办公时间（08:30–12:00、14:30–17:30）内")
    return (
        f"（提示：{'，'.join(notes)}，请确认参会人能到场；如需改期请说“/改期 {booking.outcome.ref} 新时间”。）"
        if notes
        else ""
    )


async def book_text(office: Office, actor: Actor, text: str, session: SessionData, entities: Entities) -> str:
    """Book from a sentence; what is missing (time or room) is asked for, and what was given is kept
    in the session (``DRAFT``) so the next turn only has to add it."""
    now = office.clock.now()
    # The whole sentence first ("这周日凌晨三点"): the NLU may have tagged only part of the time expression.
    t = parse_time(text, now)
    when = t.value if t else (datetime.fromisoformat(str(entities["time"])) if entities.get("time") else None)
    person_required(actor)  # only people of the directory book rooms: say so before asking for details
    rooms = await office.meetings.room_names()
    parsed = parse_booking(text, rooms)
    room = parsed.room or (match_room(str(entities["room"]), rooms) if entities.get("room") else None)
    named = _NAMED_ROOM.search(text)
    room = room or (named.group(1) if named else None)  # an unknown room: the service says which exist
    if when is None or not room:
        session[DRAFT] = {"text": text, "time": when.isoformat() if when else "", "at": now.isoformat()}
        if when is None:
            return "请说明会议时间，例如：明天下午三点在三楼会议室开一小时会，请李娜参加，议题是汛期值班。"
        if not rooms:
            return "目前没有可预约的会议室，请联系办公室。"
        return f"好的，{when.astimezone(SHANGHAI):%m月%d日 %H:%M}。请问在哪间会议室？可选：" + "、".join(rooms) + "。"
    session.pop(DRAFT, None)
    people = parsed.people or ([str(entities["person"])] if entities.get("person") else [])
    req = Request(when, parsed.minutes or DEFAULT_MINUTES, room, people, parsed.topic)
    booking = await office.meetings.book(actor, req)
    if booking.alternatives:
        session[BOOKING] = [a.to_json() for a in booking.alternatives]
    else:
        session.pop(BOOKING, None)
    note = "" if parsed.minutes else f"（未说明时长，按 {DEFAULT_MINUTES} 分钟预约）"
    return booking.outcome.message + note + _warnings(booking, when)


def has_draft(session: SessionData, now: datetime) -> bool:
    """A booking waiting for its time or room, started within the last ten minutes."""
    raw = session.get(DRAFT)
    if not isinstance(raw, dict):
        return False
    try:
        started = datetime.fromisoformat(str(raw.get("at")))
    except ValueError:
        return False
    return now - started <= DRAFT_TTL


def adds_to_draft(text: str, rooms: list[str], now: datetime) -> bool:
    """Does this turn add a room, a time, people or a duration to the booking under way?"""
    parsed = parse_booking(text, rooms)
    return bool(parsed.room or parsed.people or parsed.minutes or parse_time(text, now) is not None)


async def continue_draft(office: Office, actor: Actor, session: SessionData, text: str) -> str:
    """The next turn of a booking: what it adds joins what was already said."""
    raw = session.pop(DRAFT, None)
    draft = raw if isinstance(raw, dict) else {}
    entities: Entities = {}
    if draft.get("time") and parse_time(text, office.clock.now()) is None:
        entities["time"] = str(draft["time"])
    merged = f"{draft.get('text', '')}，{text}".strip("，")
    return await run(lambda: book_text(office, actor, merged, session, entities))


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
