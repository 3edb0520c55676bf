"""The inspection service on SQLite and PostgreSQL: batches, idempotence, scores and the stratified sample."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert

from govchat.runtime import open_database
from kernel.clock import FakeClock
from kernel.config import Settings
from office_flows.handoff.models import Handoff, HandoffMessage
from office_flows.quality import queries
from office_flows.quality.service import QualityConfig, QualityService
from office_flows.tickets.models import Ticket, TicketRating
from tests.support.tickets_data import NOW, ticket_rows


async def test_bulk_inspection_is_idempotent_and_scored_per_dimension(settings: Settings) -> None:
    db = await open_database(settings)
    try:
        tickets, ratings = ticket_rows(300, random.Random(3), NOW)
        for t in tickets:
            t["result"] = "已处理。" if t["answered_at"] else ""
            t["updated_at"] = t["answered_at"] or t["created_at"]
        closed = sum(1 for t in tickets if t["status"] in ("answered", "visited", "archived"))
        async with db.session() as s:
            await s.execute(insert(Ticket), tickets)
            await s.execute(insert(TicketRating), ratings)
            s.add(
                Handoff(
                    channel="rest",
                    sender="c",
                    status="returned",
                    reason="asked",
                    operator_name="陈晓",
                    created_at=NOW - timedelta(minutes=20),
                    taken_at=NOW - timedelta(minutes=10),
                    ended_at=NOW,
                )
            )
            await s.flush()
            s.add(HandoffMessage(handoff_id=1, author="operator", text="你听不懂吗？", created_at=NOW))
        clock = FakeClock(NOW + timedelta(hours=1))
        service = QualityService(db, clock, QualityConfig(batch=100))
        assert await service.tick(clock.now()) == 101  # a batch of tickets and one of conversations per tick
        assert await service.run_all(clock.now()) == closed - 100
        assert await service.run_all(clock.now()) == 0  # nothing changed: nothing re-inspected

        async with db.session() as s:
            total = await queries.totals(s)
            by_dept = await queries.scores(s, "department")
            by_op = await queries.scores(s, "operator")
            by_month = await queries.scores(s, "month")
            convo = await queries.for_subject(s, "conversation", "1")
        assert total["inspected"] == closed + 1 and total["must_fix"] >= closed  # every reply lacks basis and contact
        assert sum(r.inspected for r in by_dept) == closed + 1 and by_dept == sorted(by_dept, key=lambda r: r.score)
        assert any(r.label == "陈晓" for r in by_op)
        assert [r.key for r in by_month] == sorted({r.key for r in by_month}, reverse=True)
        assert convo is not None
        insp, rows = convo
        assert {f.rule for f in rows} == {"handoff_wait", "forbidden_phrase"} and insp.operator == "陈晓"

        month = by_month[0].key
        added = await service.draw_sample(month, 2)
        async with db.session() as s:
            sampled = await queries.findings(s, month=month, sampled=True, limit=10_000)
        cells: dict[tuple[str, str], int] = {}
        for f in sampled:
            cells[(f.rule, f.department or f.subject)] = cells.get((f.rule, f.department or f.subject), 0) + 1
        assert added == len(sampled) and max(cells.values()) == 2 and len(cells) > 5
        assert await service.draw_sample(month, 2) == 0  # every cell already has its two
    finally:
        await db.dispose()
