"""A citizen's follow-up on their own ticket in the bot: the message a waiting step asks for (a supplement's
content, a withdrawal's yes or no, a new phone number or place) and the explicit commands /补充, /催单, /撤单,
/改电话, /改地址 (also what buttons send).
The decisions are in ``integrations.ticket_followup``."""

from __future__ import annotations

from bot.answers import deliver, run_intent
from bot.handlers import CommandHandler, Context, Handler, Match, MessageHandler, answers_waiting_step
from bot.messages import Reply
from integrations import ticket_followup as follow
from integrations.contract import Entities
from integrations.intents import SPECS
from integrations.tickets import find_code
from knowledge_base.normalize import tidy_text


def has_waiting_step(ctx: Context) -> bool:
    """A follow-up step waits and this message answers it (a command or other words move on)."""
    if ctx.services.tickets is None:
        return False
    return answers_waiting_step(ctx, follow.STEP, follow.waiting_step, follow.answers_step)


async def continue_step(ctx: Context, m: Match) -> list[Reply]:
    svc = ctx.services.tickets
    assert svc is not None
    return await deliver(ctx, await follow.continue_step(svc, ctx.actor, ctx.session, tidy_text(ctx.message.text)))


def _as_intent(intent: str) -> CommandHandler:
    """/补充 [编号] 内容, /催单 [编号], /撤单 [编号] [说明]: the intent with the code, if one is given."""

    async def handle(ctx: Context, m: Match) -> list[Reply]:
        if ctx.services.tickets is None:
            return [Reply("工单功能暂未启用。")]
        code = find_code(m.raw_rest)
        entities: Entities = {"ticket_id": code} if code else {}
        return await run_intent(ctx, SPECS[intent], entities, m.raw_rest)

    names = {
        "supplement_ticket": {"补充", "补充诉求"},
        "remind_ticket": {"催单"},
        "withdraw_ticket": {"撤单", "撤回"},
        "change_ticket_phone": {"改电话", "更正电话"},
        "change_ticket_address": {"改地址", "更正地址"},
    }
    return CommandHandler(names[intent], handle)


def handlers() -> list[Handler]:
    return [
        MessageHandler(has_waiting_step, continue_step),
        _as_intent("supplement_ticket"),
        _as_intent("remind_ticket"),
        _as_intent("withdraw_ticket"),
        _as_intent("change_ticket_phone"),
        _as_intent("change_ticket_address"),
    ]
