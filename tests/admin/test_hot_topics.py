"""Hot topics on the dashboard are the place topics of the latest finished 未诉先办 run, largest first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from admin.hot_topics import UNKNOWN_PLACE, hot_topics, place_of
from office_flows.alerts.models import HotTopic, TopicRun
from tests.support.tickets_data import NOW


def test_place_is_the_address_up_to_its_community_street_or_road() -> None:
    assert place_of("广东省梅州市梅江区东路12号") == "梅江区东路"
    assert place_of("梅江区 金山街道 江南社区3栋") == "梅江区金山街道江南社区"
    assert place_of("") == UNKNOWN_PLACE


def _topic(day: str, rank: int, place: str, n: int, scope: str = "place") -> HotTopic:
    return HotTopic(
        day=day,
        rank=rank,
        scope=scope,
        place=place,
        title=f"{place}夜间施工噪音扰民",
        current=n,
        baseline=1.0,
        last_year=0,
        codes=[f"GD20261124{i:05d}" for i in range(n)],
        last_at=NOW,
    )


async def test_the_latest_finished_runs_place_topics(database: Any) -> None:
    async with database.session() as s:
        s.add_all(
            [
                TopicRun(day="2026-11-24", started_at=NOW - timedelta(days=1), finished_at=NOW - timedelta(days=1)),
                TopicRun(day="2026-11-25", started_at=NOW),  # still running: not shown yet
                _topic("2026-11-24", 1, "梅江区东路", 3),
                _topic("2026-11-24", 2, "梅江区西街", 2),
                _topic("2026-11-24", 1, "", 9, scope="theme"),
                _topic("2026-11-25", 1, "梅江区北路", 7),
            ]
        )
    async with database.session() as s:
        topics = await hot_topics(s, NOW)
    assert [(t.place, len(t.codes)) for t in topics] == [("梅江区东路", 3), ("梅江区西街", 2)]


async def test_no_run_yet_no_topics(database: Any) -> None:
    async with database.session() as s:
        assert await hot_topics(s, NOW) == []
