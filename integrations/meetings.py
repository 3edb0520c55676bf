"""Meetings' chat face: book (with alternatives on a conflict), cancel, reschedule, reply to an invitation, list.

Context: the meeting just booked (or talked about) stays in focus for ten minutes (``FOCUS``), so that a
correction ("唔系三点，系四点") moves it and "叫埋李娜同刘洋" invites more people to it. Without a meeting code,
a reply, a reschedule or a cancellation is about the speaker's coming meetings that fit the words ("明天的会",
"下午那个会", "周五的会", the topic): the only one is taken, several are offered as numbered choices. A
cancellation said in words waits for a yes (``CONFIRM_CANCEL``), since it notifies everyone.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from integrations.context import fresh_entry, offer
from integrations.contract import Entities, FlowCall, IntentRegistry, Outcome, SessionData, texts
from integrations.office_common import Action, after, message_of, run, strip_lead
from kernel.clock import SHANGHAI
from kernel.identity import Actor
from nlu.booking import match_room, parse_booking
from nlu.entities import MEETING_ID
from nlu.timeparse import TimeMatch, on_day_of, parse_time, week_asked
from office_flows.common import OfficeError, person_required
from office_flows.meetings.service import DEFAULT_MINUTES, Booking, MeetingItem, Request
from office_flows.office import Office

BOOKING = "office_booking"  # alternatives offered after a conflict: a reply with a number books one
DRAFT = "office_booking_draft"  # a booking waiting for its time or room: {"text", "time", "at"}
DRAFT_TTL = timedelta(minutes=10)
_NAMED_ROOM = re.compile(r"([^\s在到去用订约借，,。、；;：:]{1,6}(?:会议室|会商室))")
# "订个会议室", "搵间会议室", "一间会议室": any room, not one named so.
_ANY_ROOM = re.compile(r"(?:[个间张只这那哪呢嗰啲某]|随便|任何)(?:会议室|会商室)$")


def _named_room(text: str) -> str | None:
    """A room the sentence names though the directory has none by that name ("火星会议室"), for the service
    to say which exist; None for a room asked for without a name."""
    named = _NAMED_ROOM.search(text)
    return named.group(1) if named and not _ANY_ROOM.search(named.group(1)) else None


# Declining in Mandarin, Cantonese or Hakka: a negated coming (不去, 唔嚟, 去唔到, 参加不了), or being busy or on leave.
DECLINE_WORDS = re.compile(
    r"请假|(?:不|唔|冇|没|毋|无法)(?:能|可以|得闲|会)?(?:参加|出席|去|来|嚟|到场)|"
    r"(?:参加|出席|去|来|嚟|到)(?:不|唔)(?:了|到|得|成)|(?:没|冇)(?:空|时间)|唔得闲|赶不|赶唔"
)
FOCUS = "office_meeting_focus"  # {"id", "start", "at", "awaiting"}: the meeting booked or talked about just now
FOCUS_TTL = timedelta(minutes=10)
CONFIRM_CANCEL = "office_meeting_cancel"  # {"id", "reason", "label", "at"}: a cancellation waiting for a yes
# A correction of what was just said: a negation, "wrong", or a change verb.
CORRECTION = re.compile(
    r"不是|唔系|唔係|毋系|错了|错咗|搞错|弄错|写错|讲错|说错|改成|改为|改到|改做|改喺|改在|改去|应该是|应系|换成|"
    r"推迟|推后|延后|提前|挪到|调到"
)
WRONG = re.compile(r"不是|唔系|唔係|毋系|错")  # the time said first was a mistake (not just a change of plan)
# Bringing more people in ("叫埋李娜同刘洋", "再加上王强", "把王强也叫上").
INVITE = re.compile(
    r"再加上|叫[埋上齐]|喊上|拉[上埋]|加[上埋多]|再加|也叫|也请|也邀请|请埋|通知埋|约[埋上]|[搵揾找]埋|找上|再请|再叫|邀请|"
    r"一[齐起]叫"
)
_INVITE_FILLER = re.compile(
    INVITE.pattern + r"|把|将|帮我|麻烦|一齐|一起|都|也|再|埋|过来|参加|参会|开会|出席|入嚟|嚟|来|啦|吧|呀|啊|喔|嘅|了"
)
_AND = re.compile(r"[同和与及跟、，,。！!\s]+")
# Where a reschedule names the new time: what comes before is the meeting, what comes after the new time.
MOVE_TO = re.compile(
    r"(?:改|推迟|推后|延后|延期|顺延|挪|移|调整?|换|提前|往后推|往前提|推)(?:到|成|为|去|喺|在|至)|改期|重新安排"
)
# Any word of changing a time; a sentence without one only names a time (a booking, not a reschedule).
CHANGE = re.compile(r"改|推迟|推后|延后|延期|顺延|挪|提前|调整|往后|往前|换个?时间|换到|换成|押后|迟啲|早啲")
_CLAUSE = re.compile(r"[，,。；;！!]")


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


async def book_text(
    office: Office, actor: Actor, text: str, session: SessionData, entities: Entities, at: datetime | None = None
) -> str:
    """Book from a sentence; what is missing (time or room) is asked for, and what was given is kept
    in the session (``DRAFT``) so the next turn only has to add it. ``at``: the time already settled."""
    now = office.clock.now()
    # The whole sentence first ("这周日凌晨三点"): the NLU may have tagged only part of the time expression.
    t = parse_time(text, now)
    when = at or (t.value if t else None)
    when = when or (datetime.fromisoformat(str(entities["time"])) if entities.get("time") else None)
    person_required(actor)  # only people of the directory book rooms: say so before asking for details
    rooms = await office.meetings.room_names()
    parsed = parse_booking(text, rooms)
    room = parsed.room or (match_room(str(entities["room"]), rooms) if entities.get("room") else None)
    room = room or _named_room(text)  # an unknown room: the service says which exist
    if when is None or not room:
        session[DRAFT] = {"text": text, "time": when.isoformat() if when else "", "at": now.isoformat()}
        if when is None:
            return "请说明会议时间，例如：明天下午三点在三楼会议室开一小时会，请李娜参加，议题是汛期值班。"
        if not rooms:
            return "目前没有可预约的会议室，请联系办公室。"
        return f"好的，{when.astimezone(SHANGHAI):%m月%d日 %H:%M}。" + await _which_room(office, parsed.headcount)
    session.pop(DRAFT, None)
    people = parsed.people or ([str(entities["person"])] if entities.get("person") else [])
    if parsed.people_said:
        people = await _people_in(office, parsed.people_said, people)
    req = Request(when, parsed.minutes or DEFAULT_MINUTES, room, people, parsed.topic)
    booking = await office.meetings.book(actor, req)
    if booking.alternatives:
        session[BOOKING] = [a.to_json() for a in booking.alternatives]
    else:
        session.pop(BOOKING, None)
        focus_on(session, booking.outcome.ref, when, now)
    note = "" if parsed.minutes else f"（未说明时长，按 {DEFAULT_MINUTES} 分钟预约）"
    return (
        booking.outcome.message
        + note
        + _warnings(booking, when)
        + await _too_small(office, booking, room, parsed.headcount)
    )


async def _too_small(office: Office, booking: Booking, room: str, headcount: int | None) -> str:
    """A note when the room booked seats fewer people than were said to come."""
    if headcount is None or booking.alternatives:
        return ""
    seats = await office.meetings.room_capacities()
    if seats.get(room, headcount) >= headcount:
        return ""
    bigger = [name for name, n in seats.items() if n >= headcount]  # smallest first
    change = f"可说“换到{bigger[0]}”" if bigger else "没有更大的会议室，可分场或改用视频会议"
    return f"（提示：{room}只能坐 {seats[room]} 人，少于所说的 {headcount} 人；{change}。）"


async def _which_room(office: Office, headcount: int | None) -> str:
    """The room question: every room with the people it seats, or, with a headcount, those that seat them."""
    seats = await office.meetings.room_capacities()
    listed = [f"{name}（{n} 人）" for name, n in seats.items()]
    if headcount is None:
        return "请问在哪间会议室？可选：" + "、".join(listed) + "。"
    fitting = [f"{name}（{n} 人）" for name, n in seats.items() if n >= headcount]
    if not fitting:
        return f"没有能坐下 {headcount} 人的会议室（可选：{'、'.join(listed)}），请问在哪间？也可以分场或改用视频会议。"
    return f"能坐下 {headcount} 人的会议室有：" + "、".join(fitting) + "。请问在哪间？"


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
    said = parsed.room or parsed.people or parsed.minutes or parsed.headcount
    return bool(said or parse_time(text, now) is not None)


async def continue_draft(office: Office, actor: Actor, session: SessionData, text: str) -> str:
    """The next turn of a booking: what it adds joins what was already said."""
    raw = session.pop(DRAFT, None)
    draft = raw if isinstance(raw, dict) else {}
    said = datetime.fromisoformat(str(draft["time"])) if draft.get("time") else None
    new = parse_time(text, office.clock.now())
    # A time in this turn corrects the one said before ("唔系三点，系四点"); a bare hour keeps its day.
    at = (on_day_of(new, said) if said else new.value) if new else said
    merged = f"{draft.get('text', '')}，{text}".strip("，")
    return await run(lambda: book_text(office, actor, merged, session, {}, at))


async def book_offered(office: Office, actor: Actor, session: SessionData, n: int) -> str:
    """Book alternative ``n`` (1-based) of those offered after a conflict."""
    raw = session.pop(BOOKING, None)
    options = raw if isinstance(raw, list) else []
    if not 1 <= n <= len(options):
        session[BOOKING] = options
        return f"请回复 1 到 {len(options)} 之间的序号，或回复“取消”。"

    async def go() -> str:
        request = Request.from_json(options[n - 1])
        booking = await office.meetings.book(actor, request)
        if booking.alternatives:  # taken meanwhile: offer the fresh alternatives
            session[BOOKING] = [a.to_json() for a in booking.alternatives]
        else:
            focus_on(session, booking.outcome.ref, request.start, office.clock.now())
        return booking.outcome.message

    return await run(go)


def rsvp_text(office: Office, actor: Actor, meeting_id: str, accept: bool, reason: str) -> Action:
    return lambda: message_of(office.meetings.rsvp(actor, meeting_id, accept, reason))


# --- the meeting in focus: corrections and more invitees right after a booking -------------------------


def focus_on(session: SessionData, meeting_id: str, start: datetime, now: datetime, awaiting: str = "") -> None:
    session[FOCUS] = {"id": meeting_id, "start": start.isoformat(), "at": now.isoformat(), "awaiting": awaiting}


def _focus(session: SessionData, now: datetime) -> dict[str, str] | None:
    focus = fresh_entry(session, FOCUS, now, FOCUS_TTL)
    return focus if focus and focus.get("id") else None


def _new_time(text: str, now: datetime) -> TimeMatch | None:
    """The time a change names: the one after "改到…" when the sentence has it, else the one it says."""
    m = MOVE_TO.search(text)
    after_move = parse_time(text[m.end() :], now) if m else None
    return after_move or parse_time(text, now)


def room_change(text: str, rooms: list[str], now: datetime) -> str | None:
    """The room a change moves a meeting to ("改去五楼", "换到大会议室") when it names one and no new time."""
    m = MOVE_TO.search(text)
    if m is None:
        return None
    after = text[m.end() :]
    room = match_room(after, rooms)
    return room if room is not None and parse_time(after, now) is None else None


async def _people_in(office: Office, said: str, parsed: list[str]) -> list[str]:
    """The directory's people named where people were said, then the names it does not know: a list that ran
    into the time ("张伟同王强听日下昼") loses nobody, and no unknown name is made of a known one."""
    known = await office.meetings.people_named_in(said)
    return known + [p for p in parsed if not any(k in p or p in k for k in known)]


def invitee_names(text: str) -> list[str]:
    """Names in "叫埋李娜同刘洋" / "再加上王强" (when the directory knows none of them by full name)."""
    return [n for n in _AND.split(_INVITE_FILLER.sub(" ", text)) if 2 <= len(n) <= 4]


def _names_another_meeting(text: str, focus: dict[str, str], now: datetime) -> bool:
    """ "明天上午的会改到…" about a meeting that is not the one in focus (by its code or its time)."""
    code = MEETING_ID.search(text.upper())
    if code is not None:
        return code.group(0) != focus["id"]
    move = MOVE_TO.search(text)
    which = text[: move.start()] if move else ""
    said = parse_time(which, now) if "会" in which else None
    return said is not None and not _fits_start(datetime.fromisoformat(focus["start"]), said)


def amends_focus(session: SessionData, text: str, now: datetime, rooms: list[str]) -> bool:
    """Does this turn change the meeting in focus: a corrected time, a new time asked for, another room, or more
    people?"""
    focus = _focus(session, now)
    if focus is None or _names_another_meeting(text, focus, now):
        return False
    has_time = _new_time(text, now) is not None
    if has_time and (focus.get("awaiting") == "time" or CORRECTION.search(text)):
        return True
    if room_change(text, rooms, now) is not None:
        return True
    return bool(INVITE.search(text) and invitee_names(text))


async def amend_focus(office: Office, actor: Actor, session: SessionData, text: str) -> str:
    """Move the meeting in focus to the corrected time (a bare hour keeps its day), or invite the people named."""
    now = office.clock.now()
    focus = _focus(session, now)
    assert focus is not None
    meeting_id, start = focus["id"], datetime.fromisoformat(focus["start"])
    room = room_change(text, await office.meetings.room_names(), now)
    if room is not None:
        focus_on(session, meeting_id, start, now)
        return await run(lambda: message_of(office.meetings.move_room(actor, meeting_id, room)))
    t = _new_time(text, now)
    if t is not None and (focus.get("awaiting") == "time" or CORRECTION.search(text)):
        new = on_day_of(t, start)
        answer = await run(lambda: message_of(office.meetings.reschedule(actor, meeting_id, new)))
        if answer.startswith("已将会议"):
            focus_on(session, meeting_id, new, now)
            return ("好的，已更正。" if WRONG.search(text) else "") + answer
        return answer
    names = await office.meetings.people_named_in(text) or invitee_names(text)
    focus_on(session, meeting_id, start, now)
    return await run(lambda: message_of(office.meetings.invite(actor, meeting_id, names)))


# --- a meeting named by its words instead of its code ------------------------------------------------


def _fits_time(item: MeetingItem, t: TimeMatch) -> bool:
    return _fits_start(item.starts_at, t)


def _fits_start(start: datetime, t: TimeMatch) -> bool:
    """Does a meeting starting at ``start`` fit the day, part of day or hour said?"""
    local, said = start.astimezone(SHANGHAI), t.value.astimezone(SHANGHAI)
    if t.has_day and local.date() != said.date():
        return False
    if t.has_clock:
        return (local.hour, local.minute) == (said.hour, said.minute)
    if t.has_part:
        return (local.hour >= 12) == (said.hour >= 12)
    return True


def fitting(items: list[MeetingItem], words: str, now: datetime) -> list[MeetingItem]:
    """The meetings ``words`` point at: by the day, part of day or hour they name, and by the topic when named."""
    t = parse_time(words, now)
    out = [i for i in items if _fits_time(i, t)] if t else list(items)
    by_topic = [i for i in out if i.topic != "工作会议" and i.topic in words]
    return by_topic or out


async def meeting_of(office: Office, call: FlowCall, words: str, organised: bool) -> str | Outcome:
    """The meeting named, else the speaker's only coming meeting that fits ``words``, else a choice among them.
    Those the speaker organises (``organised``) or is invited to come first; the others still fit, and the
    service says why one may not be changed."""
    if call.entities.get("meeting_id"):
        return str(call.entities["meeting_id"])
    try:
        items = await office.meetings.upcoming(call.actor)
    except OfficeError as exc:
        return Outcome.say(str(exc))
    if not items:
        return Outcome.say("您近期没有会议安排。如要处理其他会议，请说明会议编号（如 HY-2026-0042）。")
    found = fitting(items, words, office.clock.now())
    found = [i for i in found if i.organized == organised] or found
    if not found:
        listed = "\n".join(f"· {i.label}" for i in items)
        ask = "请说明是哪个会议（如会议编号 HY-2026-0042）。"
        return Outcome.say(f"没有找到您说的会议。您近期的会议：\n{listed}\n{ask}")
    if len(found) == 1:
        return found[0].meeting_id
    return offer(call, "meeting_id", [(i.meeting_id, i.label) for i in found], "会议", measure="个")


def decline_reason(text: str, now: datetime) -> str:
    """Why one declines: the clause after the declining one ("去唔到，要落乡"), else what follows the words in
    its clause, else the clause before it when that names no time ("我身体不舒服，HY-… 请假")."""
    clauses = [c.strip() for c in _CLAUSE.split(text) if c.strip()]
    for i, clause in enumerate(clauses):
        m = DECLINE_WORDS.search(clause)
        if m is None:
            continue
        later = [c for c in clauses[i + 1 :] if DECLINE_WORDS.sub("", c).strip("了啦呀吧个 ")]
        tail = strip_lead(clause[m.end() :]).strip("了啦呀吧 ")
        before = clauses[i - 1] if i and parse_time(clauses[i - 1], now) is None else ""
        reason = later[0] if later else tail or before
        return re.sub(r"^(因为|因|由于)", "", after(MEETING_ID, reason) or reason)
    return ""


def cancel_reason(text: str) -> str:
    """A cancellation's reason: the clauses after the one that cancels ("取消明天那个会，领导出差")."""
    return "，".join(c.strip() for c in _CLAUSE.split(text)[1:] if c.strip())


def wants_cancel(session: SessionData, now: datetime) -> bool:
    raw = session.get(CONFIRM_CANCEL)
    if not isinstance(raw, dict):
        return False
    try:
        return now - datetime.fromisoformat(str(raw.get("at"))) <= FOCUS_TTL
    except ValueError:
        return False


def cancel_asked_again(session: SessionData) -> str:
    """A bare "取消" to "确认取消会议……吗？" could mean either: the question again, the cancellation still waiting."""
    raw = session.get(CONFIRM_CANCEL)
    meeting_id = raw.get("id") if isinstance(raw, dict) else ""
    return f"请确认：要取消会议 {meeting_id} 请回复“确认”（会通知参会人）；要保留会议请回复“不用”。"


async def confirm_cancel(office: Office, actor: Actor, session: SessionData, yes: bool) -> str:
    raw = session.pop(CONFIRM_CANCEL, None)
    state = raw if isinstance(raw, dict) else {}
    if not yes:
        return f"好的，会议 {state.get('id')} 照常举行。"
    meeting_id, reason = str(state.get("id")), str(state.get("reason") or "")
    return await run(lambda: message_of(office.meetings.cancel(actor, meeting_id, reason)))


def register(registry: IntentRegistry, office: Office) -> None:
    async def book(call: FlowCall) -> str:
        return await run(lambda: book_text(office, call.actor, call.text, call.session, call.entities))

    async def cancel(call: FlowCall) -> Outcome:
        meeting_id = await meeting_of(office, call, call.text, organised=True)
        if isinstance(meeting_id, Outcome):
            return meeting_id
        reason = after(MEETING_ID, call.written) if call.entities.get("meeting_id") else cancel_reason(call.written)
        items = {i.meeting_id: i for i in await office.meetings.upcoming(call.actor)}
        item = items.get(meeting_id.upper())
        if item is None or not item.organized:  # not the organiser's, or gone: the service says why
            return Outcome.say(await run(lambda: message_of(office.meetings.cancel(call.actor, meeting_id, reason))))
        now = office.clock.now().isoformat()
        call.session[CONFIRM_CANCEL] = {"id": item.meeting_id, "reason": reason, "at": now}
        told = f"取消后将通知 {item.others} 位参会人。" if item.others else ""
        return Outcome.say(f"确认取消会议 {item.label}吗？{told}回复“确认”取消，回复“不用”保留。")

    async def reschedule(call: FlowCall) -> Outcome:
        if not CHANGE.search(call.text) and not call.entities.get("meeting_id"):
            return Outcome.say(await book(call))  # "听日下昼三点开会": a time and no change is a new meeting
        now = office.clock.now()
        move = MOVE_TO.search(call.text)
        which = call.text[: move.start()] if move else ""
        meeting_id = await meeting_of(office, call, which, organised=True)
        if isinstance(meeting_id, Outcome):
            return meeting_id
        room = room_change(call.text, await office.meetings.room_names(), now)
        if room is not None:  # "听日嘅会改去大会议室": the room, the time unchanged
            answer = await run(lambda: message_of(office.meetings.move_room(call.actor, meeting_id, room)))
            return Outcome.say(answer)
        t = parse_time(call.text[move.end() :], now) if move else parse_time(call.text, now)
        items = {i.meeting_id: i for i in await office.meetings.upcoming(call.actor)}
        item = items.get(meeting_id.upper())
        start = item.starts_at if item else now
        if t is None:
            focus_on(call.session, meeting_id, start, now, awaiting="time")
            return Outcome.say(f"请问把会议 {item.label if item else meeting_id} 改到什么时间？例如“后天上午十点”。")
        new = on_day_of(t, start) if item else t.value
        answer = await run(lambda: message_of(office.meetings.reschedule(call.actor, meeting_id, new)))
        if answer.startswith("已将会议"):
            focus_on(call.session, meeting_id, new, now)
        return Outcome.say(answer)

    async def mine(call: FlowCall) -> list[str]:
        now = office.clock.now()
        t, week = parse_time(call.text, now), week_asked(call.text, now)
        on = until = None
        if t is not None and t.has_day:
            on = t.value.astimezone(SHANGHAI).date()
        elif week is not None:  # "我呢个礼拜有咩会": Monday to Sunday
            on, until = week.first, week.last
        return [await run(lambda: message_of(office.meetings.mine(call.actor, on=on, until=until)))]

    async def rsvp(call: FlowCall) -> Outcome:
        meeting_id = await meeting_of(office, call, call.text, organised=False)
        if isinstance(meeting_id, Outcome):
            return meeting_id
        declined = DECLINE_WORDS.search(call.text) is not None
        reason = decline_reason(call.written, office.clock.now()) if declined else ""
        return Outcome.say(await run(rsvp_text(office, call.actor, meeting_id, not declined, reason)))

    async def book_one(call: FlowCall) -> list[str]:
        return [await book(call)]

    registry.register("book_meeting", texts(book_one))
    registry.register("query_meetings", texts(mine))
    registry.register("cancel_meeting", cancel)
    registry.register("reschedule_meeting", reschedule)
    registry.register("rsvp_meeting", rsvp)
