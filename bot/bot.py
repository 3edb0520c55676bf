"""The bot: guard the input, load the sender's session, let the first willing handler answer."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bot import basic_handlers as basic
from bot import kb_handlers, nlu_handlers, office_commands, quality_commands, ticket_commands, ticket_intake
from bot.conversation import ConversationHandler
from bot.emergency_handler import EmergencyFirst
from bot.guard import problem_with
from bot.handlers import CommandHandler, Context, ConversationOpener, Handler, MessageHandler
from bot.handoff import handlers as handoff
from bot.messages import Incoming, Reply
from bot.services import BotServices
from bot.sessions import SessionStore
from kernel.identity import Role
from knowledge_base.normalize import clean_input

log = logging.getLogger(__name__)
FAILURE = "抱歉，系统处理您的消息时出了点问题，请稍后再试；急事请拨打 12345 热线。"


def default_conversations(services: BotServices) -> dict[str, ConversationHandler]:
    """The bot's conversations by name; one instance each, built with the configured timeouts."""
    intake = ticket_intake.build(services.intake_timeout)
    return {intake.name: intake}


def default_handlers(services: BotServices, conversations: Mapping[str, ConversationHandler]) -> list[Handler]:
    office = office_commands.handlers() if services.office is not None else []
    tickets = ticket_commands.handlers() if services.tickets is not None else []
    tickets += quality_commands.handlers() if services.quality is not None else []
    return [
        EmergencyFirst(),  # life-and-safety emergencies before everything else (bot/emergency_handler.py)
        *handoff.handoff_handlers(),
        MessageHandler(basic.is_junk, basic.junk),
        CommandHandler({"帮助", "help", "start", "菜单"}, basic.help_text),
        *conversations.values(),  # an open dialogue owns the next message
        *tickets,
        MessageHandler(basic.is_greeting, basic.welcome),
        MessageHandler(basic.is_thanks, basic.thanks),
        MessageHandler(basic.wants_human, handoff.start_handoff),
        *office,
        MessageHandler(nlu_handlers.has_pending_entity, nlu_handlers.continue_pending),
        MessageHandler(nlu_handlers.has_pending_pick, nlu_handlers.pick_entity),
        MessageHandler(nlu_handlers.has_pending_clarify, nlu_handlers.pick_clarified),
        MessageHandler(kb_handlers.has_pending_choice, kb_handlers.choose_offered),
        MessageHandler(basic.is_cancel, basic.nothing_to_cancel),
        MessageHandler(basic.wants_help, basic.help_text),
        MessageHandler(lambda ctx: True, nlu_handlers.understand_and_route),
    ]


class Bot:
    def __init__(
        self,
        services: BotServices,
        sessions: SessionStore,
        *,
        max_chars: int = 2000,
        handlers: list[Handler] | None = None,
    ) -> None:
        self.services = services
        self.sessions = sessions
        self.max_chars = max_chars
        conversations = default_conversations(services)
        self.conversations: dict[str, ConversationOpener] = dict(conversations)
        self.handlers = handlers if handlers is not None else default_handlers(services, conversations)

    async def process(self, message: Incoming) -> list[Reply]:
        problem = problem_with(message.text, self.max_chars)
        if problem is not None:
            return [Reply(problem)]
        text = clean_input(message.text)
        try:
            actor = await self.services.identity.whois(message.channel, message.sender)
            async with self.sessions.open(message.channel, message.sender) as session:
                ctx = Context(message, session, self.services, actor, text, conversations=self.conversations)
                if actor.has(Role.CITIZEN):
                    self.services.handoff.remember_dialect(session, text)  # for a later handoff's desk
                replies: list[Reply] = []
                for handler in self.handlers:
                    match = await handler.check(ctx)
                    if match is not None:
                        replies = await handler.handle(ctx, match)
                        break
                return [Reply(n) for n in ctx.notices] + replies
        except Exception:
            log.exception("handler failed for a %s message", message.channel)
            return [Reply(FAILURE)]
