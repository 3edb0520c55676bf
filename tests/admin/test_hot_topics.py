"""Hot topics: recent tickets about the same thing at the same place form one topic; others do not."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import insert

from admin.hot_topics import UNKNOWN_PLACE, hot_topics, place_of
from office_flows.directory.demo import load_demo_directory
from office_flows.tickets.models import Ticket
from tests.support.tickets_data import NOW, ticket_rows


def test_place_is_the_address_up_to_its_road_or_community() -> None:
    assert place_of("广东省梅州市梅江区东路12号") == "梅江区东路"
    assert place_of("梅江区 金山街道 江南社区3栋") == "梅江区金山街"
    assert place_of("") == UNKNOWN_PLACE


async def test_same_complaint_at_the_same_place_is_one_topic(database: Any) -> None:
    reports = [
        ("梅江区东路12号", "东路12号工地夜间施工噪音扰民"),
        ("梅江区东路15号", "东路工地夜间施工噪音很大扰民"),
        ("梅江区东路3号", "东路工地晚上施工噪音扰民"),
        ("梅江区西街8号", "西街垃圾桶满了没人清运"),
        ("梅江区西街2号", "西街垃圾没人清运很臭"),
        ("梅江区西街9号", "路灯不亮"),
        ("梅江区北路1号", "夜间施工噪音扰民"),  # same complaint, another place
    ]
    rows, _ = ticket_rows(len(reports) + 1, random.Random(1))
    for i, (row, (address, content)) in enumerate(zip(rows, reports, strict=False)):
        row.update(address=address, content=content, created_at=NOW - timedelta(days=1, minutes=i))
    rows[-1].update(address="梅江区东路1号", content="东路工地夜间施工噪音扰民", created_at=NOW - timedelta(days=30))
    async with database.session() as s:
        await load_demo_directory(s)
        await s.execute(insert(Ticket), rows)
    async with database.session() as s:
        topics = await hot_topics(s, NOW)
    assert [(t.place, len(t.codes)) for t in topics] == [("梅江区东路", 3), ("梅江区西街", 2)]
    assert topics[0].codes == [r["code"] for r in rows[:3]]  # newest first; the month-old one is not recent
