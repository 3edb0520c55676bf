"""Hot topics for the dashboard: the place topics of the latest daily 未诉先办 run (office_flows/alerts).

The run finds topics from the ticket texts with the KB encoder (by meaning, then by place: community,
street or road) over the last window; the dashboard only reads what it stored, so a page costs no
model pass. Before the first run there are no hot topics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from office_flows.alerts import queries
from office_flows.alerts.detect import PLACE
from office_flows.alerts.places import UNKNOWN_PLACE, place_of

__all__ = ["UNKNOWN_PLACE", "Topic", "hot_topics", "place_of"]
TOP = 10


@dataclass(frozen=True)
class Topic:
    place: str
    title: str
    codes: list[str]
    last_at: datetime


async def hot_topics(s: AsyncSession, now: datetime) -> list[Topic]:
    """The latest run's topics by place, largest first (``now`` kept for the dashboard's call)."""
    rows = await queries.hot_topics(s, scope=PLACE)
    return [Topic(t.place, t.title, list(t.codes), t.last_at) for t in rows[:TOP]]
