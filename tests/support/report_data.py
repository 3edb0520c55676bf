"""A month of tickets for the report's tests and benchmark: team-written texts by theme and place
(topic_data.py), handled by the theme's departments, with ratings, reworks, overdue cases and
rectifications in realistic shares. Rows go in with bulk inserts (no service calls)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert

from office_flows.directory.demo import load_demo_directory
from office_flows.tickets.models import Rectification, Ticket, TicketRating
from tests.support.topic_data import PLACES, RATES, text_of

# the departments that handle each theme (the first one most often; a second one for co-handled or re-routed)
HANDLERS = {
    "噪音": ["MJ-CGJ", "MJ-STJ", "MJ-ZJJ"],
    "垃圾": ["MJ-CGJ"],
    "路灯": ["MJ-CGJ", "MJ-ZJJ"],
    "停水": ["MJ-ZJJ"],
    "停车": ["MJ-JTJ", "MJ-CGJ"],
    "流浪狗": ["MJ-CGJ", "MJ-SJJ"],
    "社保": ["MJ-RSJ"],
    "入学": ["MJ-JYJ"],
    "占道经营": ["MJ-CGJ", "MJ-SJJ"],
    "漏水": ["MJ-ZJJ"],
    "油烟": ["MJ-STJ", "MJ-CGJ", "MJ-SJJ"],
    "公交": ["MJ-JTJ"],
}
KINDS = {"社保": "咨询", "入学": "咨询", "公交": "建议"}
CHANNELS = ["phone"] * 6 + ["web"] * 2 + ["matrix", "rest"]


async def seed_month(db: Any, start: datetime, end: datetime, n: int, rng: random.Random, now: datetime) -> list[str]:
    """``n`` tickets created in [start, end); returns their codes. Loads the demo directory first."""
    themes = list(RATES)
    weights = [RATES[t] for t in themes]
    tickets: list[dict[str, Any]] = []
    meta: list[tuple[str, bool, int | None, bool]] = []
    span = (end - start).total_seconds()
    for i in range(n):
        theme = rng.choices(themes, weights)[0]
        created = start + timedelta(seconds=rng.uniform(0, span - 1))
        handlers = HANDLERS[theme]
        dept = handlers[0] if rng.random() < 0.7 else rng.choice(handlers)
        seen = [dept] if rng.random() < 0.85 or len(handlers) == 1 else [rng.choice(handlers), dept]
        dispatched = created + timedelta(hours=rng.uniform(0.2, 6))
        deadline = dispatched + timedelta(days=rng.choice([3, 5, 10]))
        answered = dispatched + timedelta(days=rng.uniform(0.5, 12))
        done = answered < now
        reworked = done and rng.random() < 0.06
        status = (
            rng.choice(["visited", "visited", "archived", "answered"])
            if done
            else rng.choice(["dispatched", "handling"])
        )
        place = rng.choice(PLACES)
        tickets.append(
            {
                "code": f"GR{i:013d}",
                "kind": KINDS.get(theme, rng.choice(["投诉", "投诉", "求助", "举报"])),
                "status": status,
                "content": text_of(theme, rng, place),
                "address": place + rng.choice(["3号", "12栋", "附近", ""]),
                "phone": f"136{i:08d}",
                "channel": rng.choice(CHANNELS),
                "sender": f"r{i}",
                "department_code": dept,
                "departments_seen": list(dict.fromkeys(seen)),
                "created_at": created,
                "updated_at": answered if done else created,
                "dispatched_at": dispatched,
                "sign_deadline_at": dispatched + timedelta(hours=2),
                "signed_at": dispatched + timedelta(hours=rng.uniform(0.1, 3)),
                "signed_on_time": rng.random() < 0.9,
                "deadline_at": deadline,
                "next_escalation_at": None if done else deadline - timedelta(hours=8),
                "answered_at": answered if done else None,
                "on_time": (answered <= deadline) if done else None,
                "rework_count": 1 if reworked else 0,
                "return_count": 0,
                "escalation": 0,
            }
        )
        level = rng.choice([5, 5, 5, 4, 4, 3, 2, 1, None]) if done and status != "answered" else None
        tickets[-1]["rated"] = level is not None  # as the rating's transaction sets it
        meta.append((dept, done and status != "answered", level, reworked))
    async with db.session() as s:
        await load_demo_directory(s)
        await s.execute(insert(Ticket), tickets)
        ratings, rects = [], []
        for i, ((dept, rated, level, _), t) in enumerate(zip(meta, tickets, strict=True)):
            if not rated:
                continue
            at = t["answered_at"] + timedelta(days=1)
            ratings.append({"ticket_id": i + 1, "round": 1, "level": level, "department_code": dept, "at": at})
            if level is not None and level <= 2:
                fixed = rng.random() < 0.7
                rects.append(
                    {
                        "ticket_id": i + 1,
                        "opened_at": at,
                        "callback_due_at": at + timedelta(days=1),
                        "callback_at": at + timedelta(hours=rng.uniform(2, 40)),
                        "due_at": at + timedelta(days=15),
                        "done_at": at + timedelta(days=rng.uniform(2, 10)) if fixed else None,
                        "note": "已上门核实并整改" if fixed else "",
                    }
                )
                if fixed:
                    ratings.append(
                        {
                            "ticket_id": i + 1,
                            "round": 2,
                            "level": rng.choice([4, 3, 2]),
                            "department_code": dept,
                            "at": at + timedelta(days=11),
                        }
                    )
        if ratings:
            await s.execute(insert(TicketRating), ratings)
        if rects:
            await s.execute(insert(Rectification), rects)
    return [t["code"] for t in tickets]
