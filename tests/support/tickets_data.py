"""Ticket rows for statistics tests: tickets in realistic states over the last 120 days, and the ratings of the
answered ones, inserted directly (no service calls). Deterministic for a given `random.Random`."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from kernel.clock import SHANGHAI
from office_flows.tickets.rules import KINDS

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
# departments of the demo directory
DEPARTMENTS = [
    "MJ-ZJJ",
    "MJ-RSJ",
    "MJ-JYJ",
    "MJ-WJJ",
    "MJ-JTJ",
    "MJ-SWJ",
    "MJ-STJ",
    "MJ-CGJ",
    "MJ-SJJ",
]  # demo directory


def ticket_rows(n: int, rng: random.Random, now: datetime = NOW) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`n` ticket rows (ids 1…n in insertion order, codes GT + 13 digits) and their rating rows."""
    tickets: list[dict[str, Any]] = []
    ratings: list[dict[str, Any]] = []
    for i in range(n):
        created = now - timedelta(days=rng.uniform(0, 120))
        dept = rng.choice(DEPARTMENTS)
        dispatched = created + timedelta(hours=rng.uniform(0.2, 8))
        deadline = dispatched + timedelta(days=rng.choice([3, 14, 21]))
        answered = dispatched + timedelta(days=rng.uniform(1, 25))
        done = answered < now
        status = rng.choice(["visited", "archived", "answered"]) if done else rng.choice(["dispatched", "handling"])
        tickets.append(
            {
                "code": f"GT{i:013d}",
                "kind": rng.choice(KINDS),
                "status": status,
                "content": "测试工单",
                "address": f"梅江区某路{i % 500}号",
                "phone": f"139{i:08d}",
                "channel": "test",
                "sender": f"c{i}",
                "department_code": dept,
                "departments_seen": [dept],
                "created_at": created,
                "updated_at": created,
                "dispatched_at": dispatched,
                "sign_deadline_at": dispatched + timedelta(hours=2),
                "signed_at": dispatched + timedelta(hours=rng.uniform(0.1, 4)),
                "signed_on_time": rng.random() < 0.8,
                "deadline_at": deadline,
                "next_escalation_at": None if done else deadline - timedelta(hours=8),
                "answered_at": answered if done else None,
                "on_time": (answered <= deadline) if done else None,
                "rework_count": 1 if rng.random() < 0.05 else 0,
                "return_count": 0,
                "escalation": 0,
                "rated": False,
            }
        )
        if done and status != "answered":
            level = rng.choice([5, 5, 4, 4, 3, 2, 1, None])
            ratings.append({"ticket_id": i + 1, "round": 1, "level": level, "department_code": dept, "at": answered})
            tickets[-1]["rated"] = level is not None  # as the rating's transaction sets it
    return tickets, ratings
