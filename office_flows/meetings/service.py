"""Meeting actions, pure of transport: book (with conflict checks and alternatives), reply, cancel,
reschedule, minutes, and the reminder tick. Invitations and changes go through the notify outbox
in the same transaction as the change."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import SHANGHAI, Clock
from kernel.db import Database, claim
from kernel.identity import Actor
from kernel.workdays import WorkCalendar, within_office_hours
from office_flows.common import OfficeError, Outcome, find_person, person_required
from office_flows.counters import next_value
from office_flows.directory.models import Person
from office_flows.directory.notify import notify_person
from office_flows.directory.store import person_by
from office_flows.meetings.models import (
    ACCEPTED,
    CANCELLED,
    DECLINED,
    SCHEDULED,
    Attendee,
    Meeting,
    MeetingEvent,
    Room,
)

DEFAULT_MINUTES = 60
SLOT = timedelta(minutes=30)
DAY_START, DAY_END = 8 * 60 + 30, 17 * 60 + 30  # alternatives are sought within office hours


def when(t: datetime) -> str:
    return t.astimezone(SHANGHAI).strftime("%m月%d日 %H:%M")


@dataclass(frozen=True)
class Reminders:
    """How long before a meeting its attendees are reminded (configurable)."""

    early: timedelta = timedelta(days=1)
    soon: timedelta = timedelta(minutes=30)

    @classmethod
    def parse(cls, spec: str) -> Reminders:
        """ "1440,30" → a day and half an hour before."""
        try:
            early, soon = (int(p) for p in spec.split(","))
        except ValueError:
            raise ValueError(f"meeting reminders must be two minute counts like '1440,30', not {spec!r}") from None
        if not early > soon > 0:
            raise ValueError(f"meeting reminders: the early one must come before the late one ({spec!r})")
        return cls(timedelta(minutes=early), timedelta(minutes=soon))


@dataclass
class Request:
    start: datetime
    minutes: int
    room: str
    people: list[str]
    topic: str

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "start": self.start.isoformat()}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Request:
        return cls(**{**d, "start": datetime.fromisoformat(d["start"])})


@dataclass(frozen=True)
class MeetingItem:
    """One of a person's coming meetings, as the chat names it when no code is given."""

    meeting_id: str
    topic: str
    starts_at: datetime
    room: str
    organized: bool  # the person organises it (may reschedule or cancel it)
    response: str  # the person's reply: invited / accepted / declined
    others: int  # attendees besides the organiser (who are notified of a change)

    @property
    def label(self) -> str:
        return f"{self.meeting_id} {when(self.starts_at)} {self.room}“{self.topic}”"


@dataclass
class Booking:
    outcome: Outcome
    alternatives: list[Request] = field(default_factory=list)
    non_working_day: bool = False  # booked on a weekend or holiday (the calendar with its overrides)
    outside_office_hours: bool = False  # starts or ends outside 08:30–12:00 / 14:30–17:30


class MeetingService:
    def __init__(self, db: Database, clock: Clock, reminders: Reminders | None = None) -> None:
        self.db = db
        self.clock = clock
        self._room_names: list[str] = []
        self.reminders = reminders or Reminders()

    async def room_names(self) -> list[str]:
        async with self.db.session() as s:
            self._room_names = list(await s.scalars(select(Room.name).where(Room.active.is_(True))))
        return list(self._room_names)

    async def room_capacities(self) -> dict[str, int]:
        """The active rooms and how many each seats, smallest first."""
        async with self.db.session() as s:
            rows = (await s.execute(select(Room.name, Room.capacity).where(Room.active.is_(True)))).all()
        return {name: capacity for name, capacity in sorted(rows, key=lambda r: (r[1], r[0]))}

    def known_room_names(self) -> list[str]:
        """The active rooms as last read by ``room_names`` (for quick checks that cannot wait on the database)."""
        return list(self._room_names)

    async def book(self, actor: Actor, req: Request) -> Booking:
        """Book, or explain the conflict and offer the nearest free alternatives (nothing is written then)."""
        pid = person_required(actor)
        now = self.clock.now()
        if req.start <= now:
            raise OfficeError(f"会议时间 {when(req.start)} 已经过去，请换一个时间。")
        if not 10 <= req.minutes <= 8 * 60:
            raise OfficeError("会议时长应在 10 分钟到 8 小时之间。")
        async with self.db.session() as s:
            room = await self._room(s, req.room)
            people = await self._people(s, req.people, pid)
            if len(people) > room.capacity:
                raise OfficeError(f"{room.name}只能容纳 {room.capacity} 人，本次 {len(people)} 人，请换一间会议室。")
            end = req.start + timedelta(minutes=req.minutes)
            await _lock_people(s, [p.id for p in people])
            problems = await self._conflicts(s, room.id, [p.id for p in people], req.start, end)
            if problems:
                alts = await self._alternatives(s, req, room, people)
                lines = [f"{when(req.start)} 无法预约：{'；'.join(problems)}。"]
                if alts:
                    lines.append("可选的最近空闲安排：")
                    lines += [f"{i}. {when(a.start)} {a.room}" for i, a in enumerate(alts, start=1)]
                    lines.append("请回复序号预约，或回复“取消”。")
                else:
                    lines.append("近几天没有找到合适的空闲时段，请换个时间。")
                return Booking(Outcome("\n".join(lines), data={"conflicts": problems}), alts)
            year = req.start.astimezone(SHANGHAI).year
            m = Meeting(
                meeting_id=f"HY-{year}-{await next_value(s, 'HY', year):04d}",
                topic=req.topic or "工作会议",
                room_id=room.id,
                organizer_id=pid,
                starts_at=req.start,
                ends_at=end,
                status=SCHEDULED,
                remind_early_at=req.start - self.reminders.early,
                remind_soon_at=req.start - self.reminders.soon,
                created_at=now,
                updated_at=now,
            )
            s.add(m)
            await s.flush()
            _audit(s, m, actor, "book", f"{room.name} {when(req.start)} {req.minutes} 分钟", now)
            for p in people:
                s.add(Attendee(meeting_id=m.id, person_id=p.id, response=ACCEPTED if p.id == pid else "invited"))
                if p.id != pid:
                    await notify_person(
                        s,
                        p.id,
                        f"会议邀请 {m.meeting_id}：{actor.display}邀请您于 {when(m.starts_at)} "
                        f"在{room.name}参加“{m.topic}”（{req.minutes} 分钟）。"
                        f"回复“/参加 {m.meeting_id}”或“/请假 {m.meeting_id} 理由”。",
                        kind="meeting_invite",
                        ref=m.meeting_id,
                        now=now,
                    )
            names = "、".join(p.name for p in people if p.id != pid)
            invited = f"已向{names}发出邀请。" if names else "本次没有邀请其他参会人。"
            calendar = await WorkCalendar.load(s)
            return Booking(
                Outcome(
                    f"已预约会议 {m.meeting_id}：{when(m.starts_at)}–{end.astimezone(SHANGHAI).strftime('%H:%M')}，"
                    f"{room.name}，议题“{m.topic}”。{invited}",
                    m.meeting_id,
                ),
                non_working_day=not calendar.is_workday(req.start.astimezone(SHANGHAI).date()),
                outside_office_hours=not within_office_hours(req.start, end),
            )

    async def rsvp(self, actor: Actor, meeting_id: str, accept: bool, reason: str = "") -> Outcome:
        pid = person_required(actor)
        if not accept and not reason.strip():
            raise OfficeError(f"请假需要写明理由，例如：/请假 {meeting_id} 出差")
        now = self.clock.now()
        async with self.db.session() as s:
            m = await self._meeting(s, meeting_id, live=True)
            att = await s.scalar(select(Attendee).where(Attendee.meeting_id == m.id, Attendee.person_id == pid))
            if att is None:
                raise OfficeError(f"您不在会议 {m.meeting_id} 的参会名单中。", 403)
            att.response, att.reason, att.responded_at = (ACCEPTED if accept else DECLINED), reason.strip(), now
            _audit(s, m, actor, "accept" if accept else "decline", reason.strip(), now)
            verdict = "参加" if accept else f"请假（{reason.strip()}）"
            if m.organizer_id != pid:
                await notify_person(
                    s,
                    m.organizer_id,
                    f"{actor.display}回复会议 {m.meeting_id}“{m.topic}”：{verdict}。",
                    kind="meeting_reply",
                    ref=m.meeting_id,
                    now=now,
                )
            return Outcome(f"已回复会议 {m.meeting_id}“{m.topic}”（{when(m.starts_at)}）：{verdict}。", m.meeting_id)

    async def cancel(self, actor: Actor, meeting_id: str, reason: str = "") -> Outcome:
        now = self.clock.now()
        async with self.db.session() as s:
            m = await self._own(s, actor, meeting_id)
            m.status, m.updated_at, m.sequence = CANCELLED, now, m.sequence + 1
            _audit(s, m, actor, "cancel", reason, now)
            why = f"，原因：{reason}" if reason else ""
            n = await self._tell_all(
                s, m, f"会议取消：{m.meeting_id}“{m.topic}”（原定 {when(m.starts_at)}）已取消{why}。", now
            )
            return Outcome(f"已取消会议 {m.meeting_id}，已通知 {n} 位参会人。", m.meeting_id)

    async def reschedule(self, actor: Actor, meeting_id: str, start: datetime) -> Outcome:
        now = self.clock.now()
        async with self.db.session() as s:
            m = await self._own(s, actor, meeting_id)
            if start <= now:
                raise OfficeError(f"新时间 {when(start)} 已经过去，请换一个时间。")
            end = start + (m.ends_at - m.starts_at)
            await s.scalar(select(Room.id).where(Room.id == m.room_id).with_for_update())  # as in book()
            ids = list(await s.scalars(select(Attendee.person_id).where(Attendee.meeting_id == m.id)))
            await _lock_people(s, ids)
            problems = await self._conflicts(s, m.room_id, ids, start, end, exclude=m.id)
            if problems:
                raise OfficeError(f"{when(start)} 无法改期：{'；'.join(problems)}。", 409)
            old = m.starts_at
            m.starts_at, m.ends_at, m.updated_at, m.sequence = start, end, now, m.sequence + 1
            _audit(s, m, actor, "reschedule", f"{when(old)} → {when(start)}", now)
            m.remind_early_at, m.remind_soon_at = start - self.reminders.early, start - self.reminders.soon
            m.early_sent_at = m.soon_sent_at = None
            await s.execute(
                update(Attendee)
                .where(Attendee.meeting_id == m.id, Attendee.person_id != m.organizer_id)
                .values(response="invited", responded_at=None)
                .execution_options(synchronize_session=False)
            )
            n = await self._tell_all(
                s,
                m,
                f"会议改期：{m.meeting_id}“{m.topic}”由 {when(old)} 改到 {when(start)}，请重新回复参加或请假。",
                now,
            )
            told = f"已通知 {n} 位参会人" if n else "没有其他参会人需要通知"
            return Outcome(f"已将会议 {m.meeting_id} 改到 {when(start)}，{told}。", m.meeting_id)

    async def move_room(self, actor: Actor, meeting_id: str, room_name: str) -> Outcome:
        """Hold the meeting in another room at the same time (organiser only): the room must be free then and big
        enough for everyone invited; the attendees are told."""
        now = self.clock.now()
        async with self.db.session() as s:
            m = await self._own(s, actor, meeting_id)
            room = await self._room(s, room_name)
            if room.id == m.room_id:
                return Outcome(f"会议 {m.meeting_id} 本来就在{room.name}，不用更改。", m.meeting_id)
            ids = list(await s.scalars(select(Attendee.person_id).where(Attendee.meeting_id == m.id)))
            if len(ids) > room.capacity:
                raise OfficeError(f"{room.name}只能容纳 {room.capacity} 人，本次 {len(ids)} 人，请换一间会议室。")
            problems = await self._conflicts(s, room.id, [], m.starts_at, m.ends_at, exclude=m.id)
            if problems:
                raise OfficeError(f"{when(m.starts_at)} 无法改到{room.name}：{'；'.join(problems)}。", 409)
            old = await s.get(Room, m.room_id)
            m.room_id, m.updated_at, m.sequence = room.id, now, m.sequence + 1
            _audit(s, m, actor, "move_room", f"{old.name if old else ''} → {room.name}", now)
            n = await self._tell_all(
                s,
                m,
                f"会议改地点：{m.meeting_id}“{m.topic}”（{when(m.starts_at)}）改在{room.name}召开，时间不变。",
                now,
            )
            told = f"已通知 {n} 位参会人" if n else "没有其他参会人需要通知"
            return Outcome(
                f"已将会议 {m.meeting_id} 改在{room.name}（{when(m.starts_at)}，时间不变），{told}。", m.meeting_id
            )

    async def invite(self, actor: Actor, meeting_id: str, names: list[str]) -> Outcome:
        """Add attendees to a meeting (organiser only): each must be free then and the room big enough;
        those already invited are skipped; the new ones get the invitation."""
        now = self.clock.now()
        async with self.db.session() as s:
            m = await self._own(s, actor, meeting_id)
            room = await s.get(Room, m.room_id)
            ids = set(await s.scalars(select(Attendee.person_id).where(Attendee.meeting_id == m.id)))
            found = [await find_person(s, name) for name in names]
            new = list({p.id: p for p in found if p.id not in ids}.values())
            if not new:
                already = "、".join(p.name for p in found)
                return Outcome(f"{already}已在会议 {m.meeting_id} 的参会名单中。", m.meeting_id)
            total = len(ids) + len(new)
            if room is not None and total > room.capacity:
                raise OfficeError(f"{room.name}只能容纳 {room.capacity} 人，加上新邀请的人共 {total} 人。")
            await _lock_people(s, [p.id for p in new])
            problems = await self._conflicts(s, 0, [p.id for p in new], m.starts_at, m.ends_at, exclude=m.id)
            if problems:
                raise OfficeError(f"{when(m.starts_at)} 无法邀请：{'；'.join(problems)}。", 409)
            minutes = int((m.ends_at - m.starts_at).total_seconds() // 60)
            for p in new:
                s.add(Attendee(meeting_id=m.id, person_id=p.id, response="invited"))
                await notify_person(
                    s,
                    p.id,
                    f"会议邀请 {m.meeting_id}：{actor.display}邀请您于 {when(m.starts_at)} "
                    f"在{room.name if room else ''}参加“{m.topic}”（{minutes} 分钟）。"
                    f"回复“/参加 {m.meeting_id}”或“/请假 {m.meeting_id} 理由”。",
                    kind="meeting_invite",
                    ref=m.meeting_id,
                    now=now,
                )
            m.updated_at, m.sequence = now, m.sequence + 1
            names_text = "、".join(p.name for p in new)
            _audit(s, m, actor, "invite", names_text, now)
            return Outcome(
                f"已邀请{names_text}参加会议 {m.meeting_id}（{when(m.starts_at)}，“{m.topic}”），邀请已发出。",
                m.meeting_id,
            )

    async def attach_minutes(self, actor: Actor, meeting_id: str, text: str) -> Outcome:
        now = self.clock.now()
        if not text.strip():
            raise OfficeError(f"请附上纪要内容，例如：/纪要 {meeting_id} 会议决定……")
        async with self.db.session() as s:
            m = await self._own(s, actor, meeting_id)
            if m.ends_at > now:
                raise OfficeError(f"会议 {m.meeting_id} 尚未结束（{when(m.ends_at)} 结束），结束后再上传纪要。", 409)
            m.minutes, m.updated_at = text.strip(), now
            _audit(s, m, actor, "minutes", "", now)
            await self._tell_all(s, m, f"会议 {m.meeting_id}“{m.topic}”的纪要已上传：{text.strip()[:200]}", now)
            return Outcome(f"已为会议 {m.meeting_id} 附上纪要，并发送给参会人。", m.meeting_id)

    async def people_named_in(self, text: str) -> list[str]:
        """Colleagues of the directory whose full names the text contains, in the order said."""
        async with self.db.session() as s:
            names = [n for n in await s.scalars(select(Person.name).where(Person.active.is_(True))) if n in text]
        return sorted(set(names), key=text.find)

    @staticmethod
    async def _coming(s: AsyncSession, pid: int, now: datetime) -> list[tuple[Meeting, Attendee, Room]]:
        """A person's scheduled meetings that have not ended, with their own attendance and the room, soonest first."""
        rows = await s.execute(
            select(Meeting, Attendee, Room)
            .join(Attendee, Attendee.meeting_id == Meeting.id)
            .join(Room, Room.id == Meeting.room_id)
            .where(Attendee.person_id == pid, Meeting.status == SCHEDULED, Meeting.ends_at > now)
            .order_by(Meeting.starts_at)
        )
        return [(m, a, r) for m, a, r in rows.all()]

    async def upcoming(self, actor: Actor) -> list[MeetingItem]:
        """The speaker's scheduled meetings that have not ended, soonest first."""
        pid = person_required(actor)
        now = self.clock.now()
        async with self.db.session() as s:
            rows = await self._coming(s, pid, now)
            counts = dict(
                (
                    await s.execute(
                        select(Attendee.meeting_id, func.count())
                        .where(Attendee.meeting_id.in_([m.id for m, _, _ in rows]))
                        .group_by(Attendee.meeting_id)
                    )
                ).all()
            )
        return [
            MeetingItem(m.meeting_id, m.topic, m.starts_at, r.name, m.organizer_id == pid, a.response, counts[m.id] - 1)
            for m, a, r in rows
        ]

    async def mine(self, actor: Actor, on: date | None = None, until: date | None = None) -> Outcome:
        """The speaker's coming meetings; with ``on``, only that day's, or with ``until`` too those days' (both
        included), and how many others are coming."""
        pid = person_required(actor)
        now = self.clock.now()
        async with self.db.session() as s:
            coming = await self._coming(s, pid, now)
        rows, days = coming, ""
        if on is not None:
            last = until or on
            rows = [r for r in coming if on <= r[0].starts_at.astimezone(SHANGHAI).date() <= last]
            days = _days_label(on, last)
        if not rows:
            if on is None:
                return Outcome("您近期没有会议安排。")
            others = f"近期另有 {len(coming)} 个会议，说“我的会议”查看全部。" if coming else "近期也没有其他会议。"
            return Outcome(f"您{days}没有会议安排。{others}")
        label = {"invited": "待回复", ACCEPTED: "参加", DECLINED: "请假"}
        lines = [f"您{days}的会议：" if days else "您近期的会议："] + [
            f"· {m.meeting_id} {when(m.starts_at)} {r.name}“{m.topic}”（{label[a.response]}）" for m, a, r in rows
        ]
        if on is not None and len(coming) > len(rows):
            lines.append(f"近期另有 {len(coming) - len(rows)} 个会议，说“我的会议”查看全部。")
        return Outcome("\n".join(lines))

    async def calendar_of(self, person_code: str) -> tuple[str, list[tuple[Meeting, Room]]]:
        async with self.db.session() as s:
            p = await person_by(s, code=person_code)
            if p is None:
                raise OfficeError(f"没有工号为 {person_code} 的人员。", 404)
            rows = (
                await s.execute(
                    select(Meeting, Room)
                    .join(Attendee, Attendee.meeting_id == Meeting.id)
                    .join(Room, Room.id == Meeting.room_id)
                    .where(Attendee.person_id == p.id)
                    .order_by(Meeting.starts_at)
                )
            ).all()
            return p.name, [(m, r) for m, r in rows]

    # --- internals -----------------------------------------------------------------------------

    async def _room(self, s: AsyncSession, name: str) -> Room:
        # Locked so that two bookings of one room queue instead of both seeing it free.
        room = await s.scalar(select(Room).where(Room.name == name, Room.active.is_(True)).with_for_update())
        if room is None:
            names = "、".join(await s.scalars(select(Room.name).where(Room.active.is_(True))))
            raise OfficeError(f"没有名为“{name}”的会议室。可选：{names}。", 404)
        return room

    async def _people(self, s: AsyncSession, names: list[str], organizer: int) -> list[Person]:
        out = [await s.get(Person, organizer)]
        for name in names:
            p = await s.get(Person, (await find_person(s, name)).id)
            if p not in out:
                out.append(p)
        return [p for p in out if p is not None]

    async def _conflicts(
        self, s: AsyncSession, room_id: int, people: list[int], start: datetime, end: datetime, exclude: int = 0
    ) -> list[str]:
        overlap = (Meeting.status == SCHEDULED, Meeting.starts_at < end, Meeting.ends_at > start, Meeting.id != exclude)
        out = []
        busy_room = await s.scalar(select(Meeting).where(Meeting.room_id == room_id, *overlap).limit(1))
        if busy_room is not None:
            room = await s.get(Room, room_id)
            out.append(
                f"{room.name if room else '会议室'}已被会议 {busy_room.meeting_id} 占用（{when(busy_room.starts_at)}–"
                f"{busy_room.ends_at.astimezone(SHANGHAI).strftime('%H:%M')}）"
            )
        rows = (
            await s.execute(
                select(Person.name, Meeting.meeting_id)
                .join(Attendee, Attendee.person_id == Person.id)
                .join(Meeting, Meeting.id == Attendee.meeting_id)
                .where(Attendee.person_id.in_(people), Attendee.response != DECLINED, *overlap)
            )
        ).all()
        out += [f"{name}已有会议 {mid}" for name, mid in rows]
        return out

    async def _alternatives(self, s: AsyncSession, req: Request, room: Room, people: list[Person]) -> list[Request]:
        """Other rooms at the same time, then the same room's next free slots (office hours, 5 days)."""
        ids = [p.id for p in people]
        end = req.start + timedelta(minutes=req.minutes)
        out: list[Request] = []
        if not await self._conflicts(s, 0, ids, req.start, end):  # people are free: only the room is taken
            rooms = await s.scalars(
                select(Room)
                .where(Room.active.is_(True), Room.id != room.id, Room.capacity >= len(people))
                .order_by(Room.capacity)
            )
            for r in rooms:
                if not await self._conflicts(s, r.id, ids, req.start, end):
                    out.append(Request(req.start, req.minutes, r.name, req.people, req.topic))
                    break
        t = req.start + SLOT
        limit = req.start + timedelta(days=5)
        while t < limit and len(out) < 3:
            local = t.astimezone(SHANGHAI)
            mins = local.hour * 60 + local.minute
            in_hours = local.weekday() < 5 and mins >= DAY_START and mins + req.minutes <= DAY_END
            if in_hours and not await self._conflicts(s, room.id, ids, t, t + timedelta(minutes=req.minutes)):
                out.append(Request(t, req.minutes, room.name, req.people, req.topic))
                t += timedelta(minutes=req.minutes)
                continue
            t += SLOT
        return out

    async def _meeting(self, s: AsyncSession, meeting_id: str, *, live: bool = False) -> Meeting:
        m = await s.scalar(select(Meeting).where(Meeting.meeting_id == meeting_id.upper()).with_for_update())
        if m is None:
            raise OfficeError(f"没有找到会议 {meeting_id}，请核对会议编号（如 HY-2026-0042）。", 404)
        if live and m.status == CANCELLED:
            raise OfficeError(f"会议 {m.meeting_id} 已取消。", 409)
        return m

    async def _own(self, s: AsyncSession, actor: Actor, meeting_id: str) -> Meeting:
        pid = person_required(actor)
        m = await self._meeting(s, meeting_id, live=True)
        if m.organizer_id != pid:
            organizer = await s.get(Person, m.organizer_id)
            raise OfficeError(f"只有会议发起人{organizer.name if organizer else ''}可以修改会议 {m.meeting_id}。", 403)
        return m

    async def _tell_all(self, s: AsyncSession, m: Meeting, text: str, now: datetime) -> int:
        ids = list(await s.scalars(select(Attendee.person_id).where(Attendee.meeting_id == m.id)))
        others = [i for i in ids if i != m.organizer_id]
        for pid in others:
            await notify_person(s, pid, text, kind="meeting_change", ref=m.meeting_id, now=now)
        return len(others)


def _audit(s: AsyncSession, m: Meeting, actor: Actor, action: str, comment: str, now: datetime) -> None:
    s.add(
        MeetingEvent(
            meeting_id=m.id, actor_id=actor.person_id, actor=actor.display, action=action, comment=comment, at=now
        )
    )


async def fire_due(db: Database, clock: Clock, calendar: Any = None) -> int:
    """Meeting reminders (early and soon), each claimed once with a conditional UPDATE."""
    now = clock.now()
    sent = 0
    async with db.session() as s:
        for due_col, sent_col, label in (
            (Meeting.remind_early_at, Meeting.early_sent_at, "明天"),
            (Meeting.remind_soon_at, Meeting.soon_sent_at, "即将"),
        ):
            rows = list(
                await s.scalars(
                    select(Meeting).where(
                        Meeting.status == SCHEDULED, sent_col.is_(None), due_col <= now, Meeting.starts_at > now
                    )
                )
            )
            for m in rows:
                if not await claim(s, Meeting, m.id, sent_col.is_(None), **{sent_col.key: now}):
                    continue
                room = await s.get(Room, m.room_id)
                people = await s.scalars(
                    select(Attendee.person_id).where(Attendee.meeting_id == m.id, Attendee.response != DECLINED)
                )
                for pid in people:
                    await notify_person(
                        s,
                        pid,
                        f"会议提醒：{m.meeting_id}“{m.topic}”将于 {when(m.starts_at)} 在{room.name if room else ''}"
                        f"召开（{label}）。",
                        kind="meeting_reminder",
                        ref=m.meeting_id,
                        now=now,
                    )
                    sent += 1
    return sent


async def _lock_people(s: AsyncSession, ids: list[int]) -> None:
    """Two bookings in different rooms that share a person queue here instead of both seeing them free.
    Taken after the room's lock and in id order, so that two bookings cannot wait on each other."""
    await s.execute(select(Person.id).where(Person.id.in_(ids)).order_by(Person.id).with_for_update())


async def rooms_are_empty(s: AsyncSession) -> bool:
    return (await s.scalar(select(func.count()).select_from(Room))) == 0


async def load_demo_rooms(s: AsyncSession) -> int:
    rows = json.loads((resources.files("office_flows.meetings") / "demo_rooms.json").read_text(encoding="utf-8"))
    for r in rows:
        s.add(Room(name=r["name"], capacity=r["capacity"], equipment=r["equipment"]))
    return len(rows)


def _days_label(first: date, last: date) -> str:
    """ "11月18日", or "11月16日至22日" / "11月30日至12月6日" for a span."""
    if first == last:
        return f"{first.month}月{first.day}日"
    end = f"{last.day}日" if last.month == first.month else f"{last.month}月{last.day}日"
    return f"{first.month}月{first.day}日至{end}"
