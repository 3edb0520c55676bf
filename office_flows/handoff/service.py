"""Handoff storage: open, take, relay and return, each inside the caller's transaction.

Relayed messages travel through the notification outbox, so the citizen's channel (Matrix,
the web chat's poll) delivers them and a crash between the write and the delivery loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.outbox import notify_address
from office_flows.handoff.models import CLOSED, OPEN, RETURNED, TAKEN, WAITING, Handoff, HandoffMessage

KIND = "handoff"
URGENT = "emergency"  # reason prefix of a conversation flagged as an emergency (office_flows/handoff/urgent.py)


@dataclass(frozen=True)
class HandoffConfig:
    fail_limit: int = 3  # declined questions in a row before a human takes over; 0 = never automatically
    operators_channel: str = ""  # where new waiting conversations are announced (e.g. "matrix")
    operators_address: str = ""  # e.g. the operators' Matrix room id
    max_waiting: int = 200  # a longer queue takes no one new (urgent cases still join): a flood cannot grow it


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
    s: AsyncSession, cfg: HandoffConfig, channel: str, sender: str, reason: str, text: str, now: datetime
) -> Handoff:
    """The citizen's open handoff, or a new waiting one announced to the operators."""
    existing = await open_for(s, channel, sender)
    if existing is not None:
        return existing
    if not is_urgent(reason):
        waiting = await s.scalar(select(func.count()).select_from(Handoff).where(Handoff.status == WAITING))
        if (waiting or 0) >= cfg.max_waiting:
            raise QueueFull
    h = Handoff(channel=channel, sender=sender, status=WAITING, reason=reason, created_at=now)
    s.add(h)
    await s.flush()
    await note(s, h, "citizen", text, now)
    if cfg.operators_channel and cfg.operators_address:
        why = "【紧急】疑似紧急警情" if is_urgent(reason) else _WHY.get(reason, "连续多个问题未能回答")
        announce = (
            f"新的人工转接 #{h.id}（{why}）：{channel} 渠道的市民\n最近一句：{text}\n回复 /接入 {h.id} 接入对话。"
        )
        await notify_address(
            s, cfg.operators_channel, cfg.operators_address, announce, kind=KIND, ref=str(h.id), now=now
        )
    return h


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
    s: AsyncSession, handoff_id: int | None, channel: str, operator: str, name: str, now: datetime
) -> Handoff | None:
    """Claim a waiting handoff (the oldest when no id is given); None if it is gone or someone was faster."""
    q = select(Handoff).where(Handoff.status == WAITING)
    q = q.where(Handoff.id == handoff_id) if handoff_id is not None else q.order_by(*_QUEUE_ORDER).limit(1)
    h = await s.scalar(q.with_for_update())
    if h is None:
        return None
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


__all__ = ["CLOSED", "KIND", "HandoffConfig"]
