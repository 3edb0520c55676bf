"""Hot topics for the dashboard: recent tickets clustered by place, then by meaning within a place.

Place = the address cut after its first road/street/village/community word (梅江区东路12号 → 梅江区东路),
so reports about the same stretch meet; meaning = ``admin.clusters.group`` over the ticket texts
(character bigrams; the same grouping as the unanswered-questions queue). A topic needs two tickets.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.clusters import group
from office_flows.tickets.models import Ticket

RECENT = timedelta(days=14)
MAX_TICKETS = 1000  # newest first; keeps the greedy grouping cheap on a busy fortnight
MIN_SIZE = 2
TOP = 10
_PLACE = re.compile(r"^(.*?(?:大道|路|街|巷|村|社区|小区|花园|广场|市场|镇))")
_PROVINCE = re.compile(r"^(广东省)?(梅州市)?")
UNKNOWN_PLACE = "（地点不详）"


@dataclass(frozen=True)
class Topic:
    place: str
    title: str
    codes: list[str]
    last_at: datetime


def place_of(address: str) -> str:
    text = _PROVINCE.sub("", re.sub(r"\s+", "", address or ""))
    if not text:
        return UNKNOWN_PLACE
    m = _PLACE.match(text)
    return m.group(1) if m else text[:6]


async def hot_topics(s: AsyncSession, now: datetime) -> list[Topic]:
    q = (
        select(Ticket.code, Ticket.address, Ticket.content, Ticket.created_at)
        .where(Ticket.created_at >= now - RECENT, Ticket.created_at <= now)
        .order_by(Ticket.created_at.desc())
        .limit(MAX_TICKETS)
    )
    by_place: dict[str, list[tuple[str, str, datetime]]] = defaultdict(list)
    for code, address, content, at in (await s.execute(q)).all():
        by_place[place_of(address)].append((code, content, at))
    topics = []
    for place, rows in by_place.items():
        for members in group([content for _, content, _ in rows]):
            if len(members) >= MIN_SIZE:
                picked = [rows[i] for i in members]
                topics.append(
                    Topic(place, picked[0][1][:40], [c for c, _, _ in picked], max(at for _, _, at in picked))
                )
    return sorted(topics, key=lambda t: (-len(t.codes), -t.last_at.timestamp()))[:TOP]
