"""Handoff storage: open, take, relay and return, each inside the caller's transaction.

Relayed messages travel through the notification outbox, so the citizen's channel (Matrix,
the web chat's poll) delivers them and a crash between the write and the delivery loses nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.outbox import notify_address
from office_flows.handoff import skills as desk_skills
from office_flows.handoff.models import CLOSED, OPEN, RETURNED, TAKEN, WAITING, Handoff, HandoffMessage

KIND = "handoff"
URGENT = "emergency"  # reason prefix of a conversation flagged as an emergency (office_flows/handoff/urgent.py)


@dataclass(frozen=True)
class HandoffConfig:
    fail_limit: int = 3  # declined questions in a row before a human takes over; 0 = never automatically
    operators_channel: str = ""  # where new waiting conversations are announced (e.g. "matrix")
    operators_address: str = ""  # e.g. the operators' Matrix room id
    max_waiting: int = 200  # a longer queue takes no one new (urgent cases still join): a flood cannot grow it
    # A handoff that needs a skill (粤语 …) waits this long for an operator with it before anyone may take it.
    skill_wait_minutes: float = 5.0
    # Minutes an operator spends per citizen, for the wait estimate until there is history to average.
    minutes_per_citizen: float = 4.0


class Reserved(Exception):
    """The handoff is kept for an operator with a skill for a while longer."""

    def __init__(self, skill: str, minutes_left: int) -> None:
        super().__init__(skill)
        self.skill = skill
        self.minutes_left = minutes_left


@dataclass(frozen=True)
class Wait:
    ahead: int  # citizens served before this one
    minutes: int  # estimated minutes until an operator takes the conversation


class QueueFull(Exception):
    """The waiting queue is at its bound; the citizen is told to call the hotline instead."""


def is_urgent(reason: str) -> bool:
    return reason.startswith(URGENT)


_WHY = {"asked": "市民要求人工服务"}
# Emergencies first in the queue, then the oldest.
_QUEUE_ORDER = (case((Handoff.reason.startswith(URGENT), 0), else_=1), Handoff.id)


async def open_for(s: AsyncSession, channel: str, sender: str) -> Handoff | None:
    return await s.scalar(
        select(Handoff)
        .where(Handoff.channel == channel, Handoff.sender == sender, Handoff.status.in_(OPEN))
        .order_by(Handoff.id.desc())
        .limit(1)
    )


async def note(s: AsyncSession, h: Handoff, author: str, text: str, now: datetime) -> None:
    s.add(HandoffMessage(handoff_id=h.id, author=author, text=text, created_at=now))


async def start(
    s: AsyncSession,
    cfg: HandoffConfig,
    channel: str,
    sender: str,
    reason: str,
    text: str,
    now: datetime,
    *,
    skill: str = "",
) -> Handoff:
    """The citizen's open handoff, or a new waiting one announced to the operators (and, when it needs a
    skill, to each operator carrying it)."""
    existing = await open_for(s, channel, sender)
    if existing is not None:
        return existing
    if not is_urgent(reason):
        waiting = await s.scalar(select(func.count()).select_from(Handoff).where(Handoff.status == WAITING))
        if (waiting or 0) >= cfg.max_waiting:
            raise QueueFull
    h = Handoff(channel=channel, sender=sender, status=WAITING, reason=reason, created_at=now, skill=skill)
    s.add(h)
    await s.flush()
    await note(s, h, "citizen", text, now)
    await announce(s, cfg, h, text, now)
    return h


async def announce(s: AsyncSession, cfg: HandoffConfig, h: Handoff, text: str, now: datetime) -> None:
    why = "【紧急】疑似紧急警情" if is_urgent(h.reason) else _WHY.get(h.reason, "连续多个问题未能回答")
    desk = f"【{h.skill}专席】" if h.skill else ""
    message = (
        f"{desk}新的人工转接 #{h.id}（{why}）：{h.channel} 渠道的市民\n最近一句：{text}\n回复 /接入 {h.id} 接入对话。"
    )
    ref = str(h.id)
    if cfg.operators_channel and cfg.operators_address:
        await notify_address(s, cfg.operators_channel, cfg.operators_address, message, kind=KIND, ref=ref, now=now)
    if h.skill:
        for channel, operator in await desk_skills.holders(s, h.skill):
            if channel != "console":  # the console shows its queue on the page
                await notify_address(s, channel, operator, message, kind=KIND, ref=ref, now=now)


async def ask_skill(s: AsyncSession, cfg: HandoffConfig, h: Handoff, skill: str, text: str, now: datetime) -> None:
    """A waiting handoff turns out to need a skill (the citizen's later messages): tag it and tell those who have it."""
    h.skill = skill
    await note(s, h, "system", f"识别为{skill}，优先安排{skill}坐席", now)
    await announce(s, cfg, h, text, now)


def _reserved_for_others(skills: frozenset[str], cutoff: datetime) -> ColumnElement[bool]:
    """True for a waiting handoff this operator may not take yet: it needs a skill they lack, and is young."""
    mine = Handoff.skill.in_(sorted(skills)) if skills else false()
    return ~or_(Handoff.skill == "", mine, Handoff.created_at <= cutoff)


async def wait_of(s: AsyncSession, cfg: HandoffConfig, h: Handoff, now: datetime) -> Wait:
    """How many are served before this citizen and about how long it takes: urgent cases first, then the older
    ones of the same desk; minutes from the average handling time of the last 30 days (or the configured one)
    over the operators of the desk."""
    urgent = Handoff.reason.startswith(URGENT)
    ahead_q = select(func.count()).select_from(Handoff).where(Handoff.status == WAITING, Handoff.id != h.id)
    same_desk = (Handoff.id < h.id) & (Handoff.skill == h.skill)
    ahead_q = ahead_q.where(or_(urgent, same_desk) if not is_urgent(h.reason) else urgent & (Handoff.id < h.id))
    ahead = int(await s.scalar(ahead_q) or 0)
    spans = await s.execute(
        select(Handoff.taken_at, Handoff.ended_at).where(
            Handoff.status == RETURNED, Handoff.ended_at >= now - timedelta(days=30), Handoff.taken_at.is_not(None)
        )
    )
    minutes = [(e - t).total_seconds() / 60 for t, e in spans if t is not None and e is not None]
    per = sum(minutes) / len(minutes) if minutes else cfg.minutes_per_citizen
    if h.skill:
        servers = await desk_skills.count_holders(s, h.skill)
    else:
        servers = int(
            await s.scalar(
                select(func.count(func.distinct(Handoff.operator))).where(
                    Handoff.taken_at >= now - timedelta(days=7), Handoff.operator != ""
                )
            )
            or 0
        )
    return Wait(ahead, max(1, math.ceil(ahead * per / max(1, servers))))


async def waiting(s: AsyncSession) -> list[Handoff]:
    return list(await s.scalars(select(Handoff).where(Handoff.status == WAITING).order_by(*_QUEUE_ORDER)))


async def taken_by(s: AsyncSession, channel: str, operator: str) -> Handoff | None:
    return await s.scalar(
        select(Handoff).where(
            Handoff.status == TAKEN, Handoff.operator_channel == channel, Handoff.operator == operator
        )
    )


async def transcript(s: AsyncSession, h: Handoff) -> list[HandoffMessage]:
    return list(
        await s.scalars(select(HandoffMessage).where(HandoffMessage.handoff_id == h.id).order_by(HandoffMessage.id))
    )


async def take(
    s: AsyncSession,
    handoff_id: int | None,
    channel: str,
    operator: str,
    name: str,
    now: datetime,
    *,
    skill_wait: timedelta = timedelta(minutes=5),
) -> Handoff | None:
    """Claim a waiting handoff; None if it is gone or someone was faster.

    Without an id: the first the operator may take, urgent ones first, then those that need one of the
    operator's skills, then the oldest. A handoff that needs a skill the operator lacks is theirs only after
    ``skill_wait`` (asking for it by id raises ``Reserved`` until then)."""
    skills = await desk_skills.skills_of(s, channel, operator)
    cutoff = now - skill_wait
    q = select(Handoff).where(Handoff.status == WAITING)
    if handoff_id is not None:
        q = q.where(Handoff.id == handoff_id)
    else:
        order = [_QUEUE_ORDER[0]]
        if skills:
            order.append(case((Handoff.skill.in_(sorted(skills)), 0), else_=1))
        q = q.where(~_reserved_for_others(skills, cutoff)).order_by(*order, Handoff.id).limit(1)
    h = await s.scalar(q.with_for_update())
    if h is None:
        return None
    if h.skill and h.skill not in skills and h.created_at > cutoff:
        raise Reserved(h.skill, max(1, math.ceil((h.created_at - cutoff).total_seconds() / 60)))
    h.status, h.operator_channel, h.operator, h.operator_name, h.taken_at = TAKEN, channel, operator, name, now
    await note(s, h, "system", f"人工客服 {name} 接入", now)
    await notify_address(
        s, h.channel, h.sender, f"人工客服 {name} 已接入，您可以直接和我们对话。", kind=KIND, ref=str(h.id), now=now
    )
    return h


async def finish(s: AsyncSession, h: Handoff, now: datetime, *, status: str = RETURNED) -> None:
    h.status, h.ended_at = status, now
    await note(s, h, "system", "已交还智能助手" if status == RETURNED else "市民已退出排队", now)
    if status == RETURNED:
        await notify_address(
            s,
            h.channel,
            h.sender,
            "人工客服已结束本次对话。如还有问题，可以继续问我，或再次回复“人工”。",
            kind=KIND,
            ref=str(h.id),
            now=now,
        )


async def from_citizen(s: AsyncSession, h: Handoff, text: str, now: datetime) -> None:
    await note(s, h, "citizen", text, now)
    if h.status == TAKEN:
        await notify_address(
            s, h.operator_channel, h.operator, f"【#{h.id} 市民】{text}", kind=KIND, ref=str(h.id), now=now
        )


async def from_operator(s: AsyncSession, h: Handoff, text: str, now: datetime) -> None:
    await note(s, h, "operator", text, now)
    await notify_address(s, h.channel, h.sender, f"【人工客服】{text}", kind=KIND, ref=str(h.id), now=now)


__all__ = ["CLOSED", "KIND", "HandoffConfig", "Reserved", "Wait"]
