"""The report's rates on tickets whose outcome is known: Beijing's per-ticket 满意率 reads one ticket rated
满意 after rectification as 1/1 where the Guangdong per-rating 满意率 reads 1/2; a reworked ticket is not solved."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import insert

from kernel.clock import SHANGHAI
from office_flows.reports.month import build_month_report
from office_flows.tickets.models import Ticket, TicketRating
from tests.support.tickets_data import NOW, ticket_rows


async def test_beijing_and_guangdong_rates_on_three_known_tickets(database: Any) -> None:
    from office_flows.directory.demo import load_demo_directory

    rows, _ = ticket_rows(3, random.Random(2))
    day = NOW.replace(day=10, hour=10)
    for i, row in enumerate(rows):
        row.update(
            department_code="MJ-CGJ",
            departments_seen=["MJ-CGJ"],
            created_at=day,
            updated_at=day,
            dispatched_at=day + timedelta(hours=1),
            sign_deadline_at=day + timedelta(hours=3),
            signed_at=day + timedelta(hours=2),
            signed_on_time=True,
            deadline_at=day + timedelta(days=5),
            answered_at=day + timedelta(days=2),
            on_time=True,
            status="visited",
            next_escalation_at=None,
            rework_count=1 if i == 2 else 0,
        )
    async with database.session() as s:
        await load_demo_directory(s)
        await s.execute(insert(Ticket), rows)
        rated = day + timedelta(days=3)
        await s.execute(
            insert(TicketRating),
            [
                {"ticket_id": 1, "round": 1, "level": 2, "department_code": "MJ-CGJ", "at": rated},  # bad …
                {"ticket_id": 1, "round": 2, "level": 4, "department_code": "MJ-CGJ", "at": rated + timedelta(days=5)},
                {"ticket_id": 2, "round": 1, "level": 5, "department_code": "MJ-CGJ", "at": rated},
                {"ticket_id": 3, "round": 1, "level": 4, "department_code": "MJ-CGJ", "at": rated},  # reworked
            ],
        )
    month = NOW.astimezone(SHANGHAI).strftime("%Y-%m")
    r = await build_month_report(database, month, NOW)
    bj = {x.key: (x.good, x.total) for x in r.beijing}
    gd = {x.key: (x.good, x.total) for x in r.guangdong}
    assert bj == {"bj_response": (3, 3), "bj_resolution": (2, 3), "bj_satisfaction": (3, 3)}
    assert gd["satisfaction_rate"] == (3, 4)  # every rating counts, the bad first one included
    assert gd["rework_rate"] == (1, 3)
    assert all(x.definition for x in r.beijing + r.guangdong)
    assert r.total == 3 and r.reworked_total == 1 and [b.rerated for b in r.bad] == [4]
    assert r.quality.rows == [] and r.topics_note.startswith("未加载向量模型")
