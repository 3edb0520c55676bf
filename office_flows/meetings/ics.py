"""A person's meetings as an iCalendar feed (RFC 5545) for phone and desktop calendars."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event

from office_flows.meetings.models import CANCELLED, Meeting, Room


def feed(person_name: str, meetings: list[tuple[Meeting, Room]], now: datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//govchat//梅江区移动办公//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{person_name}的会议")
    for m, room in meetings:
        ev = Event()
        ev.add("uid", f"{m.meeting_id}@govchat")
        ev.add("summary", m.topic)
        ev.add("dtstart", m.starts_at)
        ev.add("dtend", m.ends_at)
        ev.add("dtstamp", now)
        ev.add("location", room.name)
        ev.add("sequence", m.sequence)
        ev.add("status", "CANCELLED" if m.status == CANCELLED else "CONFIRMED")
        if m.minutes:
            ev.add("description", f"纪要：{m.minutes}")
        cal.add_component(ev)
    return bytes(cal.to_ical())
