"""A citizen's follow-up of a ticket filed earlier, said in the middle of filing another ("帮我催下我之前张单",
"点解冇人打电话畀我" when asked where the new matter is): acted on aside, never stored as the step's answer."""

from __future__ import annotations

import re

from bot.answers import deliver, run_intent
from bot.handlers import Context
from bot.messages import Reply
from integrations.intents import SPECS
from integrations.knowledge import is_staff
from integrations.tickets import answered_yet_unheard
from knowledge_base.normalize import tidy_text
from nlu.asking import complains_nobody_came, complains_of_delay

_URGES = re.compile(r"催")


def _speaks_of_a_follow_up(text: str) -> bool:
    """Words that urge, or complain that nobody came or acted: a follow-up, if the citizen has a ticket."""
    return bool(_URGES.search(text)) or _nobody_acted(text)


def _nobody_acted(text: str) -> bool:
    return complains_nobody_came(text) or complains_of_delay(text)


async def follow_up_aside(ctx: Context) -> list[Reply] | None:
    """Urging an earlier ticket (asked for, or a complaint that nobody came or acted): that ticket urged while
    it is open; nobody having called after its answer: the answer and the way to a bad rating. None when the
    words are no such follow-up or the citizen has no earlier ticket they could be about."""
    said = ctx.text
    tickets = ctx.services.tickets
    if tickets is None or is_staff(ctx.actor) or not _speaks_of_a_follow_up(said):
        return None
    if await tickets.followup.open_tickets(ctx.actor, rectifying=True):
        return await run_intent(ctx, SPECS["remind_ticket"], {})
    code = await tickets.queries.latest_awaiting_rating(ctx.actor) if _nobody_acted(said) else None
    if code is None:
        return None
    return await deliver(ctx, await answered_yet_unheard(tickets, ctx.actor, code, tidy_text(said), ctx.session))
