"""未诉先办: a seeded surge at one place fires one alert (with last year's note) to the supervisors' chat;
a flat history fires none; the day's run happens once however often the scheduler ticks."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import insert, select

from kernel.clock import SHANGHAI, FakeClock
from kernel.identity import Role
from kernel.outbox import OutboxMessage
from office_flows.alerts import queries
from office_flows.alerts.detect import LAST_YEAR, AlertRules
from office_flows.alerts.places import UNKNOWN_PLACE, place_of
from office_flows.alerts.service import AlertService
from office_flows.directory.demo import load_demo_directory
from office_flows.directory.store import people_with_role
from office_flows.tickets.models import Ticket
from tests.support.topic_data import history, surge

pytestmark = pytest.mark.slow
END = datetime(2026, 11, 23, tzinfo=SHANGHAI)  # a Monday, 00:00
SURGE_PLACE = "梅江区西郊街道东山社区"


class MemoEncoder:
    """The real KB encoder, remembering texts across the SQLite and PostgreSQL runs of a test."""

    memo: dict[str, np.ndarray] = {}  # noqa: RUF012

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name

    def encode(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if todo:
            self.memo.update(zip(todo, self.inner.encode(todo, batch_size=batch_size), strict=True))
        return np.vstack([self.memo[t] for t in texts])


def test_place_is_the_community_else_the_street_else_the_road() -> None:
    assert place_of("广东省梅州市梅江区金山街道江南社区3栋") == "梅江区金山街道江南社区"
    assert place_of("梅江区 西郊街道 办事处旁") == "梅江区西郊街道"
    assert place_of("梅江区东路12号") == "梅江区东路"
    assert place_of("") == UNKNOWN_PLACE
    from office_flows.alerts.places import without_place

    assert without_place("西郊街道东山社区十字路口的垃圾桶满了", "梅江区西郊街道东山社区") == "十字路口的垃圾桶满了"
    assert without_place("路灯不亮", "梅江区东路") == "路灯不亮"


async def _seed(database: Any, rows: list[dict[str, Any]]) -> None:
    async with database.session() as s:
        await load_demo_directory(s)
        await s.execute(insert(Ticket), rows)


def _service(database: Any, encoder: Any) -> tuple[AlertService, FakeClock]:
    clock = FakeClock(END + timedelta(hours=6, minutes=1))
    return AlertService(database, clock, MemoEncoder(encoder), AlertRules(), run_hour=6), clock


async def test_a_surge_at_one_place_alerts_the_supervisors_with_last_years_note(database: Any, encoder: Any) -> None:
    rng = random.Random(7)
    rows = history(END, 5, rng, scale=0.6)
    burst = surge(END, "噪音", SURGE_PLACE, 18, rng, start_index=len(rows))
    last_year = surge(END - LAST_YEAR, "噪音", SURGE_PLACE, 6, rng, start_index=len(rows) + len(burst))
    await _seed(database, rows + burst + last_year)
    svc, clock = _service(database, encoder)

    assert await svc.tick(END + timedelta(hours=5)) == 0  # before the run hour: nothing
    fired = await svc.tick(clock.now())
    assert fired >= 1
    async with database.session() as s:
        alerts = await queries.alerts(s)
        supervisors = await people_with_role(s, Role.SUPERVISOR)
        outbox = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "topic_alert")))
        topics = await queries.hot_topics(s, scope="place")
    mine = [a for a in alerts if a.place == SURGE_PLACE]
    assert len(mine) == 1, [(a.scope, a.place, a.title, a.current, a.baseline) for a in alerts]
    alert = mine[0]
    assert any(w in alert.title for w in ("施工", "噪音", "工地")), alert.title
    surge_codes = {r["code"] for r in burst}
    assert len(surge_codes & set(alert.codes)) >= 0.8 * len(surge_codes)
    assert alert.current >= 3 * alert.baseline and alert.current >= 14
    assert alert.last_year >= 4 and alert.seasonal_note.startswith(f"去年同期该主题 {alert.last_year} 件")
    # every supervisor of the demo directory got the alert in chat, with the numbers and the drill-down link
    to_them = [m for m in outbox if m.ref == f"alert:{alert.id}"]
    assert supervisors and {m.person_id for m in to_them} == set(supervisors)
    assert all(
        "【未诉先办预警】" in m.text and SURGE_PLACE in m.text and f"/admin/alerts/{alert.id}" in m.text
        for m in to_them
    )
    # the alert surge is also the place's hottest topic of the day
    assert topics[0].place == SURGE_PLACE and topics[0].current >= 14

    # the day's run is done once: more ticks (another worker, a restart) fire nothing and send nothing more
    assert await svc.tick(clock.now() + timedelta(minutes=1)) == 0
    assert await svc.run(END) is None
    async with database.session() as s:
        again = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "topic_alert")))
    assert len(again) == len(outbox)


async def test_a_flat_history_raises_no_alert(database: Any, encoder: Any) -> None:
    rows = history(END, 5, random.Random(11), scale=0.6)
    await _seed(database, rows)
    svc, _ = _service(database, encoder)
    report = await svc.run(END)
    assert report is not None and report.tickets == len(rows) and report.topics >= 8
    assert report.alerts == [], [(a.place, a.title, a.current, a.baseline) for a in report.alerts]
    async with database.session() as s:
        assert await queries.alerts(s) == []
        assert await queries.hot_topics(s)  # the hot topics of the day are there all the same


def test_a_few_tickets_about_one_thing_are_one_topic(encoder: Any) -> None:
    """Centring on the window's own mean would scatter a window of three like tickets; the reference
    sentences keep them together, and keep other subjects apart."""
    from office_flows.alerts.topics import find_topics, reference_sentences

    texts = ["东路12号工地夜间施工噪音扰民", "东路工地半夜施工太吵", "东路工地晚上施工噪音很大"]
    reference = encoder.encode(reference_sentences())
    labels, _ = find_topics(encoder.encode(texts), reference=reference)
    assert len(set(labels)) == 1
    labels, _ = find_topics(encoder.encode([*texts, "西街垃圾没人清运", "社保卡怎么补办"]), reference=reference)
    assert len(set(labels[:3])) == 1 and len(set(labels)) == 3


def _stat(scope: str, current: int, baseline: float, label: int = 0) -> Any:
    from office_flows.alerts.detect import TicketRow, TopicStat

    row = TicketRow(1, "GD2026112200001", END, "梅江区金山街道江南社区", "MJ-CGJ", "路灯不亮")
    place = "" if scope == "theme" else "梅江区金山街道江南社区"
    return TopicStat(scope, place, label, "路灯不亮", [row] * current, round(baseline * 4), 0, baseline)


def test_the_rules_growth_beyond_chance_and_a_places_count() -> None:
    from office_flows.alerts.detect import chance, findings

    assert chance(5, 1.5) > 0.01 and chance(6, 0.0) < 0.001  # 5 where 1.5 is usual happens; 6 from nothing rarely
    rules = AlertRules()
    cases = {
        ("place", 5, 1.5): None,  # noise among hundreds of place topics
        ("place", 6, 0.0): "growth",  # a new topic at one place
        ("place", 18, 2.0): "growth",
        ("place", 55, 50.0): "count",  # a busy place crosses the configured count
        ("theme", 278, 272.5): None,  # a large district theme, flat
        ("theme", 300, 90.0): "growth",
    }
    for (scope, current, baseline), reason in cases.items():
        found = findings([_stat(scope, current, baseline)], rules)
        assert [f.reason for f in found] == ([reason] if reason else []), (scope, current, baseline)
