"""From the integrations' outcomes to replies: render answers (cards, choices) and open conversations."""

from __future__ import annotations

from bot.cards import card_reply
from bot.handlers import Context
from bot.messages import Button, Reply
from integrations.contract import Answer, Entities, FlowCall, Outcome
from integrations.intents import IntentSpec
from integrations.knowledge import CardAnswer
from knowledge_base.normalize import tidy_text


def to_reply(answer: Answer) -> Reply:
    if isinstance(answer, CardAnswer) and answer.card is not None:
        return card_reply(answer.card, answer.aspect)
    return Reply(answer.text, buttons=[Button(c.title, c.payload) for c in answer.choices])


async def deliver(ctx: Context, outcome: Outcome) -> list[Reply]:
    replies = [to_reply(a) for a in outcome.answers]
    ctx.trace.kb = outcome.kb or ctx.trace.kb
    if outcome.start is not None:
        replies += await ctx.conversations[outcome.start.name].open(ctx, outcome.start.data)
    return replies


def call_for(ctx: Context, spec: IntentSpec, entities: Entities, text: str | None = None) -> FlowCall:
    raw = tidy_text(ctx.message.text) if text is None else text
    return FlowCall(spec, entities, ctx.actor, ctx.text if text is None else text, ctx.session, raw)


async def run_intent(ctx: Context, spec: IntentSpec, entities: Entities, text: str | None = None) -> list[Reply]:
    """Answer an understood intent through the one registry."""
    ctx.trace.intent = spec.name
    return await deliver(ctx, await ctx.services.intents.run(call_for(ctx, spec, entities, text)))
