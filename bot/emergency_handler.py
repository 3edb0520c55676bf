"""Emergencies first: the first handler of the chain, before commands, open dialogues, the NLU and the KB.

A message the classifier (``nlu/emergency.py``: rules plus a model) takes for a life-and-safety emergency
gets one immediate reply, worded in ``integrations/emergency.py`` (the number(s) to call, the hotline's
transfer wording, safety advice), and the conversation is flagged as an urgent handoff; nothing else
runs: no KB answer, no ticket. An open dialogue (e.g. a ticket intake) is left exactly as it was in the
session and resumes once the handoff ends. Commands and hotline operators' messages (they handle
emergencies, and relay words like 煤气泄漏 to citizens) are never taken for an emergency.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.answers import deliver
from bot.conversation import KEY as CONVERSATION_KEY
from bot.handlers import Context, Match, is_command
from bot.messages import Reply
from integrations import emergency
from kernel.identity import Role
from nlu.emergency import Verdict, default_classifier
from office_flows.handoff import service as handoff_service


@dataclass(frozen=True)
class EmergencyMatch(Match):
    verdict: Verdict | None = None


class EmergencyFirst:
    async def check(self, ctx: Context) -> Match | None:
        if is_command(ctx.text):
            return None
        verdict = default_classifier().classify(ctx.text)
        if not verdict.emergency or await self._operator_relaying(ctx):
            return None
        return EmergencyMatch(verdict=verdict)

    async def _operator_relaying(self, ctx: Context) -> bool:
        """Hotline operators handle emergencies, they do not report them (e.g. discussing one in their room);
        an administrator holding a conversation writes to the citizen (OperatorRelay)."""
        if ctx.actor.has(Role.OPERATOR):
            return True
        if not ctx.actor.has(Role.ADMIN):
            return False
        async with ctx.services.db.session() as s:
            return await handoff_service.taken_by(s, ctx.message.channel, ctx.message.sender) is not None

    async def handle(self, ctx: Context, match: Match) -> list[Reply]:
        assert isinstance(match, EmergencyMatch) and match.verdict is not None
        outcome = await emergency.respond(
            ctx.services.handoff,
            match.verdict,
            ctx.message.channel,
            ctx.message.sender,
            ctx.message.text.strip(),
            ctx.session,
            dialogue_open=isinstance(ctx.session.get(CONVERSATION_KEY), dict),
        )
        return await deliver(ctx, outcome)
