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


async def test_the_quality_section_shows_the_months_inspections(database: Any) -> None:
    from office_flows.directory.demo import load_demo_directory
    from office_flows.quality.models import Inspection
    from office_flows.reports.quality import inspection_findings

    month = NOW.astimezone(SHANGHAI).strftime("%Y-%m")
    async with database.session() as s:
        await load_demo_directory(s)
        empty = await inspection_findings(s, NOW.replace(day=1), NOW)
        s.add_all(
            [
                Inspection(
                    subject="ticket",
                    ref=f"GD2026111000{i:03d}",
                    department_code="MJ-CGJ",
                    month=month,
                    score=score,
                    must_fix=must,
                    advice=0,
                    version=NOW,
                    inspected_at=NOW,
                    notes={},
                )
                for i, (score, must) in enumerate([(100.0, 0), (70.0, 1), (85.0, 0)])
            ]
            + [
                Inspection(
                    subject="ticket",
                    ref="GD2026101000001",
                    department_code="MJ-CGJ",
                    month="2026-10",
                    score=10.0,
                    must_fix=3,
                    advice=0,
                    version=NOW,
                    inspected_at=NOW,
                    notes={},
                )
            ]
        )
    assert not empty.available  # before any inspection: 质检数据暂无
    r = await build_month_report(database, month, NOW, quality=inspection_findings)
    rows = {x.name: x for x in r.quality.rows}
    assert rows["梅江区城市管理和综合执法局"].inspected == 3 and rows["梅江区城市管理和综合执法局"].must_fix == 1
    assert rows["全区合计"].score == 0.85 and "本月自动质检 3 件" in r.quality.note
