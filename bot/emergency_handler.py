"""Emergencies first: the first handler of the chain, before commands, open dialogues, the NLU and the KB.

A message the classifier (nlu/emergency.py: rules plus a model) takes for a life-and-safety emergency
gets one immediate reply: the number(s) to call (110 / 119 / 120 / 122), the hotline's transfer
wording and safety advice for that kind. The conversation is flagged for an operator (an urgent
handoff, first in the queue), the event is logged with phone and ID numbers masked, and nothing
else runs: no KB answer, no ticket. An open dialogue (e.g. a ticket intake) is left exactly as it
was in the session and resumes once the handoff ends.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.handlers import Context
from bot.handoff.handlers import SESSION_KEY as HANDOFF_KEY
from bot.messages import Reply
from kernel.identity import Role
from kernel.logging_setup import mask_sensitive
from nlu.emergency import KINDS, NUMBER_NAMES, EmergencyClassifier, Verdict, default_classifier
from office_flows.handoff import service as handoff_service
from office_flows.handoff import urgent
from office_flows.handoff.models import TAKEN

log = logging.getLogger(__name__)

FLAGGED = "12345 热线已为您标记紧急，人工客服将尽快联系您；您也可以继续在这里补充详细地址和现场情况。"
OPERATOR_HERE = "12345 热线已为您标记紧急，正在与您对话的人工客服会立即看到这条消息。"
NO_OPERATORS = "12345 热线已为您标记紧急；如需人工协助，请拨打 12345 热线（7×24 小时）。"
KEPT = "您之前正在办理的登记已为您保留，紧急情况处理完后可以继续。"


def dial_text(numbers: tuple[str, ...]) -> str:
    """ "122 交通事故报警电话和 120 急救电话"; three: "110 报警电话、119 火警电话和 120 急救电话"."""
    names = [NUMBER_NAMES[n] for n in numbers]
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + "和 " + names[-1]


def emergency_reply(verdict: Verdict, flagged: str, *, kept: bool) -> str:
    kind = KINDS[verdict.kind or "medical"]
    lines = [
        f"【紧急】这可能是紧急情况（{kind.label}）！请立即拨打 {dial_text(kind.numbers)}，"
        "说清楚详细地址、现场情况和您的联系电话，并保持电话畅通。",
        f"安全提示：{kind.advice}",
        flagged,
    ]
    if kept:
        lines.append(KEPT)
    return "\n".join(lines)


def _classifier(ctx: Context) -> EmergencyClassifier:
    return getattr(ctx.services, "emergency", None) or default_classifier()


class EmergencyFirst:
    """Takes the message when the classifier says emergency; otherwise lets the chain run as before."""

    def __init__(self) -> None:
        self._verdicts: dict[int, Verdict] = {}

    async def check(self, ctx: Context) -> bool:
        if ctx.text.startswith(("/", "／")):
            return False  # commands are never emergencies
        verdict = _classifier(ctx).classify(ctx.text)
        if not verdict.emergency:
            return False
        if await self._operator_relaying(ctx):
            return False  # an operator's words to a citizen (relayed by OperatorRelay), not a report
        self._verdicts[id(ctx)] = verdict
        return True

    async def _operator_relaying(self, ctx: Context) -> bool:
        if ctx.actor is None or not ctx.actor.has(Role.OPERATOR, Role.ADMIN) or ctx.services.db is None:
            return False
        async with ctx.services.db.session() as s:
            return await handoff_service.taken_by(s, ctx.message.channel, ctx.message.sender) is not None

    async def handle(self, ctx: Context) -> list[Reply]:
        verdict = self._verdicts.pop(id(ctx))
        kind = KINDS[verdict.kind or "medical"]
        log.warning(
            "emergency (%s, score %.2f) on %s from %s: %s",
            kind.code,
            verdict.score,
            ctx.message.channel,
            mask_sensitive(ctx.message.sender),
            mask_sensitive(ctx.text)[:200],
        )
        flagged = await self._flag(ctx, verdict)
        kept = isinstance(ctx.session.get("conv"), dict)  # an open dialogue: left untouched
        return [Reply(emergency_reply(verdict, flagged, kept=kept))]

    async def _flag(self, ctx: Context, verdict: Verdict) -> str:
        """Open (or mark) an urgent handoff; the sentence telling the citizen what happens next."""
        cfg: Any = getattr(ctx.services, "handoff", None)
        if cfg is None or ctx.services.db is None:
            log.warning("emergency not flagged for an operator: human handoff is switched off")
            return NO_OPERATORS
        kind = KINDS[verdict.kind or "medical"]
        async with ctx.services.db.session() as s:
            h, _created = await urgent.flag_emergency(
                s,
                cfg,
                ctx.message.channel,
                ctx.message.sender,
                kind=kind.code,
                label=kind.label,
                numbers=kind.numbers,
                text=ctx.message.text.strip(),
                now=ctx.services.clock.now(),
            )
            ctx.session[HANDOFF_KEY] = h.id
            status = h.status
        return OPERATOR_HERE if status == TAKEN else FLAGGED
