"""A handler's plain sentence right after acting on a ticket ("已经派人去查，老板话以后十点收档") that the NLU
cannot place: offered as that ticket's result. It is an offer in the menu, never sent on a guess: what a handler
writes reaches the citizen only when they pick it."""

from __future__ import annotations

from bot.handlers import Context
from integrations.arbitration import is_question
from integrations.intents import SPECS, IntentSpec
from integrations.knowledge import is_staff
from integrations.tickets import shown_ticket

REPLY = SPECS["reply_ticket"]
_MIN_CHARS = 6  # shorter is no result ("好的", "收到")


async def result_offered(ctx: Context, options: list[IntentSpec]) -> str | None:
    """The code of the ticket to offer this sentence to as its result: the one the speaker acted on or looked at
    in the last half hour, open in their department; None when the sentence is no such result."""
    tickets = ctx.services.tickets
    if tickets is None or not is_staff(ctx.actor) or not ctx.actor.roles & REPLY.roles:
        return None
    if REPLY in options or len(ctx.text) < _MIN_CHARS or is_question(ctx.text):
        return None
    code = shown_ticket(ctx.session, ctx.services.clock.now())
    if code is None or not await tickets.queries.open_in_department_of(code, ctx.actor):
        return None
    return code


def offer_label(spec: IntentSpec, code: str | None) -> str:
    return f"回复工单 {code}（以这句话作为办理结果）" if spec is REPLY and code else spec.label
