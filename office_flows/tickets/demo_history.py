"""A district that looks alive: months of demo tickets composed from the team's texts (``demo_texts``), loaded
once in demo mode when the ticket table is empty.

Each ticket has a believable life on the working calendar: 受理 → 派单 → 签收 (some late) → sometimes 退单
and its review, sometimes 协办 → 回复 (mostly on time, some overdue, some still open) → 评价 (some bad,
with rectification and a re-rating), some 重办, some 归档. Rows go in with bulk inserts in one transaction;
nothing is notified (it is history), and open tickets start past the escalation steps they would have fired.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import SHANGHAI
from kernel.workdays import WorkingCalendar, calendar_for
from office_flows.directory.models import Department
from office_flows.routing import catalogue
from office_flows.routing.dataset import Example
from office_flows.tickets import demo_texts as tx
from office_flows.tickets.models import (
    Rectification,
    Ticket,
    TicketAssist,
    TicketCitizen,
    TicketEvent,
    TicketObjection,
    TicketRating,
    TicketSequence,
)
from office_flows.tickets.rules import TicketRules

CHANNELS = [("phone", 0.55), ("web", 0.25), ("app", 0.12), ("matrix", 0.08)]
LEVELS = [(5, 0.45), (4, 0.3), (3, 0.12), (2, 0.08), (1, 0.05)]
DISPATCHER = ("person:demo-dispatcher", "钟丽")
SUPERVISOR = ("person:demo-supervisor", "赖建国")


@dataclass
class DemoReport:
    tickets: int = 0
    events: int = 0
    ratings: int = 0
    objections: int = 0
    assists: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


async def tickets_are_empty(s: AsyncSession) -> bool:
    return (await s.scalar(select(func.count()).select_from(Ticket))) == 0


def _pick(rng: random.Random, weighted: list[tuple[Any, float]]) -> Any:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _place(rng: random.Random) -> tuple[str, str]:
    """(how a citizen names the place in the text, the address recorded)."""
    district = "梅江区" if rng.random() < 0.85 else "源城区"
    street = rng.choice(list(tx.PLACES[district]))
    road = rng.choice(tx.PLACES[district][street])
    building = rng.choice(tx.BUILDINGS)
    said = f"{road}{building}" if rng.random() < 0.6 else f"{district}{road}{building}"
    return said, f"{district}{street}{road}{rng.randint(1, 199)}号"


def _objection_row(
    dept: str, reason: str, text: str, raised: datetime, review_due: datetime, *, notified: bool
) -> dict[str, Any]:
    """A pending 退单 by the department's handler (the review fills in the decision)."""
    return {
        "department_code": dept,
        "reason": reason,
        "text": text,
        "raised_by": f"dept:{dept}",
        "raised_by_name": "承办人",
        "raised_at": raised,
        "review_due_at": review_due,
        "status": "pending",
        "decided_by": "",
        "decided_by_name": "",
        "decided_at": None,
        "ruling": "",
        "redispatched_to": "",
        "overdue_notified": notified,
    }


class _Life:
    """One ticket's rows, built in memory."""

    def __init__(self, code: str, created: datetime) -> None:
        self.code = code
        self.created = created
        self.row: dict[str, Any] = {}
        self.events: list[dict[str, Any]] = []
        self.ratings: list[dict[str, Any]] = []
        self.objections: list[dict[str, Any]] = []
        self.assists: list[dict[str, Any]] = []
        self.rectification: dict[str, Any] | None = None
        self.citizen: dict[str, Any] = {}

    def event(
        self, action: str, at: datetime, frm: str, to: str, who: tuple[str, str], dept: str, comment: str = ""
    ) -> None:
        self.events.append(
            {
                "action": action,
                "from_status": frm,
                "to_status": to,
                "actor": who[0],
                "actor_name": who[1],
                "department_code": dept,
                "comment": comment,
                "data": {},
                "at": at,
            }
        )


class HistoryBuilder:
    def __init__(self, rules: TicketRules, cal: WorkingCalendar, departments: dict[str, str], now: datetime, seed: int):
        self.rules = rules
        self.cal = cal
        self.dept_of = departments  # category → department code
        self.codes = sorted(set(departments.values()))
        self.now = now
        self.rng = random.Random(seed)
        self.problems = {k: v for k, v in tx.PROBLEMS.items() if k in departments}

    def pending_objections(self, lives: list[_Life], count: int = 3) -> None:
        """A few of the newest tickets being handled get a 退单 waiting for review, whatever the dice said."""
        waiting = sum(1 for life in lives if life.row["status"] == "objected")
        candidates = [
            life
            for life in reversed(lives)
            if life.row["status"] == "handling" and not life.objections and not life.assists
        ]
        for life in candidates:
            if waiting >= count:
                break
            waiting += _pending_objection(self, life)

    def _rate(self, life: _Life, at: datetime, dept: str, round_: int, level: int | None) -> None:
        comment = self.rng.choice(tx.RATING_COMMENTS[level]) if level and self.rng.random() < 0.6 else ""
        life.ratings.append(
            {
                "round": round_,
                "level": level,
                "comment": comment,
                "department_code": dept,
                "at": at,
                "collected_via": "chat:web" if level else "",
            }
        )
        if level is not None:
            life.row["rated"] = True  # as the rating's transaction sets it
        action = "unrated" if level is None else ("rate" if round_ == 1 else "rerate")
        frm = "answered" if round_ == 1 else "visited"
        life.event(action, at, frm, "visited", ("citizen", "市民") if level else ("system", "系统"), dept, comment)

    def build(self, code: str, created: datetime) -> _Life:
        rng, cal, now, rules = self.rng, self.cal, self.now, self.rules
        life = _Life(code, created)
        category = rng.choice(list(self.problems))
        kind, template = rng.choice(self.problems[category])
        said, address = _place(rng)
        dept = self.dept_of[category]
        if rng.random() < 0.03:
            kind, content = "表扬", rng.choice(tx.PRAISE).format(place=said, department="相关部门")
        else:
            content = template.format(place=said, time=rng.choice(tx.TIMES))
        channel = _pick(rng, CHANNELS)
        phone = f"13{rng.randint(100000000, 999999999)}"
        sender = phone if channel == "phone" else f"demo-{channel}-{code[-7:]}"
        row: dict[str, Any] = {
            "code": code,
            "kind": kind,
            "status": "accepted",
            "content": content,
            "address": address,
            "since": "",
            "phone": phone,
            "anonymous": False,
            "channel": channel,
            "sender": sender,
            "category": category,
            "proposed_department": dept,
            "proposal_confidence": round(rng.uniform(0.55, 0.97), 2),
            "department_code": "",
            "departments_seen": [],
            "duplicate_of": "",
            "created_at": created,
            "updated_at": created,
            "return_count": 0,
            "rework_count": 0,
            "escalation": 0,
            "raised": False,
            "sign_reminded": True,
            "deadline_beyond_known": False,
            "result": "",
            "first_contact": "channel:phone" if channel == "phone" else f"channel:{channel}",
            "first_contact_name": "热线话务员（电话受理）" if channel == "phone" else f"智能助手（{channel}渠道）",
        }
        life.row = row
        life.citizen = {"channel": channel, "sender": sender, "phone": phone}
        life.event("accept", created, "", "accepted", ("channel:" + channel, "市民"), "", "受理")
        dispatched = created + timedelta(hours=rng.uniform(0.3, 3))
        if dispatched > now:
            return life
        workdays = rules.workdays[kind]
        deadline = cal.add_workdays(dispatched, workdays).at
        first = dept
        objection = rng.random() < 0.06
        accepted_objection = objection and rng.random() < 0.7
        if accepted_objection:
            first = rng.choice([c for c in self.codes if c != dept])
        row.update(department_code=first, departments_seen=[first], dispatched_at=dispatched, deadline_at=deadline)
        life.event("dispatch", dispatched, "accepted", "dispatched", DISPATCHER, first)
        sign_by = cal.add_work_hours(dispatched, rules.sign_hours).at
        signed = dispatched + timedelta(hours=rng.uniform(0.1, 1.8) if rng.random() > 0.08 else rng.uniform(2.5, 10))
        row.update(sign_deadline_at=sign_by, status="dispatched")
        if signed > now:
            row["sign_reminded"] = sign_by <= now
            return life
        life.event("sign", signed, "dispatched", "handling", (f"dept:{first}", "承办人"), first, "签收")
        row.update(status="handling", signed_at=signed, signed_on_time=signed <= sign_by)
        at = signed
        if objection:
            raised = signed + timedelta(hours=rng.uniform(0.5, 3))
            reason = "非本部门职责" if accepted_objection else rng.choice(list(tx.OBJECTION_TEXTS))
            text = tx.OBJECTION_TEXTS[reason].format(department="其他部门")
            review_due = cal.add_work_hours(raised, rules.review_hours).at
            if raised > now:
                return life
            life.event(
                "return", raised, "handling", "objected", (f"dept:{first}", "承办人"), first, f"{reason}：{text}"
            )
            row.update(status="objected", return_count=1)
            decided = raised + timedelta(hours=rng.uniform(0.5, 6))
            o = _objection_row(first, reason, text, raised, review_due, notified=True)
            life.objections.append(o)
            if decided > now:
                o["overdue_notified"] = review_due <= now
                return life
            o.update(decided_by=DISPATCHER[0], decided_by_name=DISPATCHER[1], decided_at=decided)
            if accepted_objection:
                o.update(status="accepted", redispatched_to=dept, ruling="同意退单，改派")
                life.event("objection_accept", decided, "objected", "dispatched", DISPATCHER, dept, "同意退单，改派")
                row.update(department_code=dept, departments_seen=[first, dept])
            else:
                o.update(status="rejected", ruling="经核实属于本部门职责，请继续办理")
                life.event("objection_reject", decided, "objected", "dispatched", DISPATCHER, dept, o["ruling"])
            row["dispatched_at"] = decided
            resigned = decided + timedelta(hours=rng.uniform(0.2, 1.5))
            if resigned > now:
                row["status"] = "dispatched"
                return life
            life.event("sign", resigned, "dispatched", "handling", (f"dept:{dept}", "承办人"), dept, "签收")
            row.update(status="handling", signed_at=resigned)
            at = resigned
        on_time = rng.random() < 0.88
        span = (deadline - at).total_seconds()
        answered = (
            at + timedelta(seconds=span * rng.uniform(0.05, 0.9))
            if on_time
            else deadline + timedelta(days=rng.uniform(0.2, 5))
        )
        if rng.random() < 0.05:  # co-handled
            helpers = rng.sample([c for c in self.codes if c != dept], k=rng.choice([1, 1, 2]))
            assigned = at + timedelta(hours=1)
            for h in helpers:
                part_at = assigned + (answered - assigned) * rng.uniform(0.3, 0.8)
                a = {
                    "department_code": h,
                    "assigned_by": DISPATCHER[0],
                    "assigned_at": assigned,
                    "sign_deadline_at": cal.add_work_hours(assigned, rules.sign_hours).at,
                    "deadline_at": min(cal.add_workdays(assigned, rules.assist_days).at, deadline),
                    "signed_at": assigned + timedelta(hours=0.5) if assigned + timedelta(hours=0.5) <= now else None,
                    "signed_by": f"dept:{h}",
                    "part": "",
                    "answered_at": None,
                    "answered_by_name": "",
                    "sign_reminded": True,
                    "overdue_notified": True,
                }
                if part_at <= now and a["signed_at"] is not None:
                    a.update(
                        part=rng.choice(tx.ASSIST_PARTS).format(place=said),
                        answered_at=part_at,
                        answered_by_name="承办人",
                    )
                life.assists.append(a)
            life.event("assist", assigned, "handling", "handling", DISPATCHER, dept, "协办")
        result = rng.choice(tx.RESULTS[category]).format(place=said)
        if answered > now:  # still being handled
            if deadline < now:
                row.update(escalation=3, next_escalation_at=None)
            else:
                remind = cal.back_work_hours(deadline, rules.remind_hours)
                row.update(
                    escalation=1 if remind <= now else 0, next_escalation_at=deadline if remind <= now else remind
                )
            return life
        life.event("reply", answered, "handling", "answered", (f"dept:{dept}", "承办人"), dept, result)
        row.update(status="answered", answered_at=answered, on_time=answered <= deadline, result=result)
        if rng.random() < 0.04:  # sent back by a supervisor, answered again
            rework = answered + timedelta(hours=rng.uniform(4, 40))
            new_deadline = cal.add_workdays(rework, workdays).at
            again = rework + timedelta(days=rng.uniform(1, 6))
            if rework <= now:
                life.event("rework", rework, "answered", "handling", SUPERVISOR, dept, rng.choice(tx.REWORK_REASONS))
                row.update(status="handling", rework_count=1, deadline_at=new_deadline, answered_at=None, on_time=None)
                if again > now:
                    return life
                life.event("reply", again, "handling", "answered", (f"dept:{dept}", "承办人"), dept, result)
                row.update(status="answered", answered_at=again, on_time=again <= new_deadline)
                answered = again
        due = cal.add_workdays(answered, rules.rating_days).at
        rated_at = answered + timedelta(hours=rng.uniform(1, 40))
        if rated_at > now or (due > now and rng.random() < 0.5):
            row["rating_due_at"] = due
            return life
        level = _pick(rng, LEVELS) if rng.random() < 0.82 or rated_at > due else None
        at = min(rated_at, due) if level else due
        if at > now:
            row["rating_due_at"] = due
            return life
        self._rate(life, at, dept, 1, level)
        row.update(status="visited")
        if level is not None and level <= 2:
            callback = at + timedelta(hours=rng.uniform(2, 20))
            done = at + timedelta(days=rng.uniform(2, 10))
            life.rectification = {
                "opened_at": at,
                "callback_due_at": cal.add_workdays(at, rules.callback_days).at,
                "callback_at": callback if callback <= now else None,
                "callback_note": "已电话回访，说明整改安排" if callback <= now else "",
                "due_at": cal.add_workdays(at, rules.rectify_days).at,
                "done_at": done if done <= now and callback <= now else None,
                "note": "已重新现场处理并加强巡查" if done <= now and callback <= now else "",
                "overdue_notified": True,
            }
            life.event("rectify_open", at, "visited", "visited", ("system", "系统"), dept, "差评启动整改")
            again_at = done + timedelta(days=1)
            if life.rectification["done_at"] is not None and again_at <= now and rng.random() < 0.5:
                self._rate(life, again_at, dept, 2, rng.choice([3, 4, 4, 5]))
        if (now - at).days > 20 and rng.random() < 0.6:
            closed = at + timedelta(days=2)
            life.event("archive", closed, "visited", "archived", DISPATCHER, dept, "归档")
            row.update(status="archived", closed_at=closed)
        return life


def _table(model: Any) -> Table:
    """The model's Core table: Core executemany is several times faster than the ORM's bulk path."""
    table: Table = model.__table__
    return table


def _pending_objection(builder: HistoryBuilder, life: _Life) -> bool:
    """Turn a ticket being handled into one whose 退单 waits for review now (for the dispatchers to try)."""
    rng, row = builder.rng, life.row
    dept = row["department_code"]
    raised = max(row["signed_at"] + timedelta(minutes=10), builder.now - timedelta(minutes=rng.randint(20, 90)))
    if raised > builder.now:
        return False
    reason = rng.choice(["非本部门职责", "诉求不清无法办理"])
    text = tx.OBJECTION_TEXTS[reason].format(department="其他部门")
    life.event("return", raised, "handling", "objected", (f"dept:{dept}", "承办人"), dept, f"{reason}：{text}")
    row.update(status="objected", return_count=row["return_count"] + 1, paused_at=raised)
    review_due = builder.cal.add_work_hours(raised, builder.rules.review_hours).at
    life.objections.append(_objection_row(dept, reason, text, raised, review_due, notified=False))
    return True


def _created_times(rng: random.Random, now: datetime, count: int, days: int) -> list[datetime]:
    """More calls on weekdays and in office hours; a few in the evening."""
    out = []
    local_now = now.astimezone(SHANGHAI)
    for _ in range(count):
        day = local_now - timedelta(days=rng.triangular(0, days, 0))
        while day.weekday() >= 5 and rng.random() < 0.6:
            day -= timedelta(days=1)
        hour = rng.choice([8, 9, 9, 10, 10, 11, 14, 15, 15, 16, 17, 19, 20])
        at = day.replace(hour=hour, minute=rng.randint(0, 59), second=rng.randint(0, 59), microsecond=0)
        out.append(min(at, local_now - timedelta(minutes=rng.randint(5, 300))))
    return sorted(out)


async def load_demo_history(
    s: AsyncSession, rules: TicketRules, now: datetime, *, count: int = 3000, days: int = 180, seed: int = 12345
) -> DemoReport:
    """Insert ``count`` tickets of the last ``days`` days (the caller checks the table is empty)."""
    cat = await catalogue.current(s) or catalogue.shipped()
    codes = {n: c for n, c in (await s.execute(select(Department.name, Department.code))).all()}
    departments = {category: codes[name] for category, name in cat.categories.items() if name in codes}
    departments = {k: v for k, v in departments.items() if k in tx.PROBLEMS}
    if not departments:
        return DemoReport()
    builder = HistoryBuilder(rules, await calendar_for(s), departments, now, seed)
    lives: list[_Life] = []
    per_day: dict[str, int] = {}
    for created in _created_times(builder.rng, now, count, days):
        day = created.astimezone(SHANGHAI).strftime("%Y%m%d")
        per_day[day] = per_day.get(day, 0) + 1
        lives.append(builder.build(f"GD{day}{per_day[day]:05d}", created.astimezone(SHANGHAI)))
    builder.pending_objections(lives)
    columns = {c.name for c in Ticket.__table__.columns}
    rows = [{k: v for k, v in life.row.items() if k in columns} for life in lives]
    nullable = [c.name for c in Ticket.__table__.columns if c.nullable]
    for r in rows:  # every row names every column (one executemany)
        for name in nullable:
            r.setdefault(name, None)
        r.setdefault("rated", False)
    table = _table(Ticket)
    returned = await s.execute(insert(table).returning(table.c.id, table.c.code), rows)  # Core: fast executemany
    ids = {code: tid for tid, code in returned.all()}
    report = DemoReport(tickets=len(lives))
    events, citizens, ratings, objections, assists, rects = [], [], [], [], [], []
    for life in lives:
        tid = ids[life.code]
        report.by_status[life.row["status"]] = report.by_status.get(life.row["status"], 0) + 1
        citizens.append({"ticket_id": tid, "from_code": "", **life.citizen})
        events += [{"ticket_id": tid, **e} for e in life.events]
        ratings += [{"ticket_id": tid, "handler_person_id": None, **r} for r in life.ratings]
        objections += [{"ticket_id": tid, **o} for o in life.objections]
        assists += [{"ticket_id": tid, **a} for a in life.assists]
        if life.rectification:
            rects.append({"ticket_id": tid, **life.rectification})
    for model, batch in (
        (TicketCitizen, citizens),
        (TicketEvent, events),
        (TicketRating, ratings),
        (TicketObjection, objections),
        (TicketAssist, assists),
        (Rectification, rects),
    ):
        if batch:
            await s.execute(insert(_table(model)), batch)
    existing = {d: n for d, n in (await s.execute(select(TicketSequence.day, TicketSequence.last))).all()}
    for day, n in per_day.items():
        if day in existing:
            await s.execute(update(TicketSequence).where(TicketSequence.day == day).values(last=max(n, existing[day])))
        else:
            await s.execute(insert(TicketSequence).values(day=day, last=n))
    report.events, report.ratings = len(events), len(ratings)
    report.objections, report.assists = len(objections), len(assists)
    return report


def demo_training_examples(per_category: int = 120, seed: int = 7) -> list[Example]:
    """The demo router's training set: texts composed from the team's problem descriptions, labelled with
    their category (the dispatch catalogue maps categories to departments)."""
    rng = random.Random(seed)
    frames = ["{}", "您好，{}", "我要反映一下，{}", "{}麻烦尽快处理。", "打电话是想说，{}", "{}谢谢。"]
    out = []
    for category, problems in tx.PROBLEMS.items():
        for _ in range(per_category):
            _, template = rng.choice(problems)
            said, _ = _place(rng)
            text = rng.choice(frames).format(template.format(place=said, time=rng.choice(tx.TIMES)))
            out.append(Example(text, category))
    return out
