"""Flag a conversation as an emergency for the operators, inside the caller's transaction.

An emergency opens a handoff whose reason is ``emergency:<kind>`` (or turns the citizen's open handoff
into one): it goes first in the operators' queue, is announced as 【紧急】, and stays in the handoff
records with its transcript, which is what supervisors read back afterwards.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.outbox import notify_address
from office_flows.handoff import service
from office_flows.handoff.models import TAKEN, Handoff


def reason_for(kind: str) -> str:
    return f"{service.URGENT}:{kind}"[:32]


async def flag_emergency(
    s: AsyncSession,
    cfg: service.HandoffConfig,
    channel: str,
    sender: str,
    *,
    kind: str,
    label: str,
    numbers: tuple[str, ...],
    text: str,
    now: datetime,
) -> tuple[Handoff, bool]:
    """The citizen's handoff, flagged urgent; True when a new one was opened."""
    reason = reason_for(kind)
    h = await service.open_for(s, channel, sender)
    created = h is None
    if h is None:
        # Opened without the ordinary announcement: the urgent one below replaces it.
        quiet = replace(cfg, operators_channel="", operators_address="")
        h = await service.start(s, quiet, channel, sender, reason, text, now)
    else:
        await service.from_citizen(s, h, text, now)  # relayed at once when an operator holds it
        if not service.is_urgent(h.reason):
            h.reason = reason
    dial = " / ".join(numbers)
    await service.note(s, h, "system", f"疑似紧急警情（{label}），已提示市民拨打 {dial}", now)
    alert = f"【紧急】#{h.id} 疑似紧急警情（{label}），已提示市民拨打 {dial}：{channel} {sender}\n市民原话：{text}\n"
    if h.status == TAKEN and h.operator_channel and h.operator:
        await notify_address(
            s, h.operator_channel, h.operator, alert + "请立即核实情况。", kind=service.KIND, ref=str(h.id), now=now
        )
    elif cfg.operators_channel and cfg.operators_address:
        await notify_address(
            s,
            cfg.operators_channel,
            cfg.operators_address,
            alert + f"请立即回复 /接入 {h.id} 接入对话，核实是否已报警。",
            kind=service.KIND,
            ref=str(h.id),
            now=now,
        )
    return h, created
