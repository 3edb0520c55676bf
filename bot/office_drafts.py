"""Office papers drafted in words, in the bot: the message the waiting draft asks for (a title, recipients, the
content, the read-back's yes, no or correction). The decisions are in ``integrations.office_drafts``."""

from __future__ import annotations

from bot import nlu_handlers
from bot.answers import deliver
from bot.handlers import Context, Handler, Match, MessageHandler, answers_waiting_step
from bot.messages import Reply
from integrations import office_drafts as drafting


def has_waiting_draft(ctx: Context) -> bool:
    """A draft waits and this message answers it (a command, or other words at the read-back, move on)."""
    if ctx.services.office is None:
        return False
    return answers_waiting_step(ctx, drafting.DRAFT, drafting.waiting, drafting.answers)


async def continue_draft(ctx: Context, m: Match) -> list[Reply]:
    office, tickets = ctx.services.office, ctx.services.tickets
    assert office is not None

    async def find_targets(text: str) -> list[str]:
        return await drafting.targets_named(office, tickets, text)

    now = ctx.services.clock.now()
    draft = drafting.waiting(ctx.session, now)
    if draft is not None and drafting.asked_aside(draft, ctx.text):
        # "我嘅公文去到边" while the body is asked: answered as any question, then the draft is recalled
        replies = await nlu_handlers.understand_and_route(ctx, m)
        if drafting.waiting(ctx.session, now) is not None:
            replies.append(Reply(drafting.still_waiting(draft)))
        return replies
    outcome = await drafting.advance(office, ctx.actor, ctx.session, ctx.message.text, now, find_targets)
    return await deliver(ctx, outcome)


def handlers() -> list[Handler]:
    return [MessageHandler(has_waiting_draft, continue_draft)]
