"""The three Beijing rates (接诉即办: 响应率, 解决率, 满意率), per ticket, beside the five Guangdong rates of
office_flows/tickets/stats.py. Definitions: office_flows/tickets/STATS.md and DEFINITIONS below."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from office_flows.tickets.models import Ticket, TicketRating
from office_flows.tickets.stats import METRICS, compute

BEIJING = {
    "bj_response": "响应率",
    "bj_resolution": "解决率",
    "bj_satisfaction": "满意率（北京口径）",
}
DEFINITIONS = {
    "bj_response": "本月派单的工单中，承办部门在签收时限内签收（即响应诉求）的比例；分母为已签收或已过签收时限的工单。",
    "bj_resolution": "本月办结的工单中，问题已解决的比例：未被发回重办，且市民最后一次评价不是“不满意/非常不满意”"
    "（差评后整改、重新评价为满意的算已解决）。",
    "bj_satisfaction": "本月有评价的工单中，市民最后一次评价为非常满意、满意或基本满意的比例；"
    "每张工单只按最后一次评价计一次（整改后重新评价的，以重新评价为准），未评价不计入。",
    "sign_rate": "本月派单且已签收或已过签收时限的工单中，"
    "在签收时限（GOVCHAT_TICKET_SIGN_HOURS 个工作小时）内签收的比例。",
    "ontime_rate": "本月办结的工单，加上办理期限在本月且已过期仍未办结的工单中，"
    "在办理期限（含延期和暂停）内办结的比例。",
    "satisfaction_rate": "本月收到的每一次评价（未评价不计）中，非常满意、满意或基本满意的比例；"
    "整改后的重新评价另计一次。",
    "callback_rate": "本月办结且已过评价期或已评价的工单中，市民作出评价（回访成功）的比例。",
    "rework_rate": "本月办结（或本月被发回）的工单中，至少被发回重办一次的比例（越低越好）。",
}
LOWER_IS_BETTER = frozenset({"rework_rate"})


@dataclass(frozen=True)
class Rate:
    key: str
    label: str
    definition: str
    good: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.good / self.total if self.total else None


def _rate(key: str, label: str, good: int, total: int) -> Rate:
    return Rate(key, label, DEFINITIONS[key], good, total)


PerDepartment = dict[str, dict[str, dict[str, float | int | None]]]


async def per_department(s: AsyncSession, start: datetime, end: datetime, now: datetime) -> PerDepartment:
    return await compute(s, start, end, now)


def guangdong(per: PerDepartment) -> tuple[list[Rate], dict[str, list[Rate]]]:
    """District-wide and per-department Guangdong rates from ``stats.compute`` (office_flows/tickets/stats.py)."""
    district = []
    for key, m in METRICS.items():
        good = sum(int(v[key]["good"] or 0) for v in per.values())
        total = sum(int(v[key]["total"] or 0) for v in per.values())
        district.append(_rate(key, m.label, good, total))
    by_dept = {
        dept: [_rate(k, METRICS[k].label, int(v[k]["good"] or 0), int(v[k]["total"] or 0)) for k in METRICS]
        for dept, v in per.items()
    }
    return district, by_dept


async def beijing(s: AsyncSession, start: datetime, end: datetime, per: PerDepartment) -> list[Rate]:
    sign_good = sum(int(v["sign_rate"]["good"] or 0) for v in per.values())
    sign_total = sum(int(v["sign_rate"]["total"] or 0) for v in per.values())
    answered = dict(
        (
            await s.execute(
                select(Ticket.id, Ticket.rework_count).where(Ticket.answered_at >= start, Ticket.answered_at < end)
            )
        ).all()
    )
    latest: dict[int, tuple[int, datetime, int]] = {}  # ticket → (round, at, level) of its last rating
    q = select(TicketRating.ticket_id, TicketRating.round, TicketRating.at, TicketRating.level).where(
        TicketRating.level.is_not(None), TicketRating.at < end
    )
    for tid, rnd, at, level in (await s.execute(q)).all():
        if tid not in latest or (rnd, at) > latest[tid][:2]:
            latest[tid] = (rnd, at, int(level or 0))  # level is not None here (the query)
    solved = sum(1 for tid, rework in answered.items() if not rework and (tid not in latest or latest[tid][2] >= 3))
    rated = [v for v in latest.values() if v[1] >= start]
    return [
        _rate("bj_response", BEIJING["bj_response"], sign_good, sign_total),
        _rate("bj_resolution", BEIJING["bj_resolution"], solved, len(answered)),
        _rate("bj_satisfaction", BEIJING["bj_satisfaction"], sum(1 for v in rated if v[2] >= 3), len(rated)),
    ]
