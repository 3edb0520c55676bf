"""The bot: guard the input, load the sender's session, let the first willing handler answer."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot import basic_handlers as basic
from bot import kb_handlers, nlu_handlers, office_handlers, ticket_handlers, ticket_intake
from bot.guard import problem_with
from bot.handlers import CommandHandler, Context, Handler, MessageHandler
from bot.handoff import handlers as handoff
from bot.messages import Incoming, Reply
from bot.sessions import SessionStore
from integrations.flows import FlowRegistry
from kernel.identity import StaticRoles
from knowledge_base.normalize import clean_input

log = logging.getLogger(__name__)
FAILURE = "抱歉，系统处理您的消息时出了点问题，请稍后再试；急事请拨打 12345 热线。"


@dataclass
class BotServices:
    """What handlers may use; later issues add ticket, document and meeting services."""

    kb: Any
    clock: Any
    nlu: Any = None  # NluService, or None when NLU is switched off
    identity: Any = field(default_factory=StaticRoles)
    flows: Any = field(default_factory=FlowRegistry)
    nlu_threshold: float = 0.55
    office: Any = None  # office_flows.services.Office: documents, meetings, notices
    tickets: Any = None  # office_flows.tickets.service.TicketService
    intake_timeout: timedelta = timedelta(minutes=30)
    db: Any = None  # kernel.db.Database, for handlers that keep records (handoff)
    handoff: Any = None  # office_flows.handoff.service.HandoffConfig, or None when human handoff is off


def default_handlers(services: BotServices) -> list[Handler]:
    return [
        *handoff.handoff_handlers(),
        CommandHandler({"帮助", "help", "start", "菜单"}, basic.help_text),
        ticket_intake.build(services.intake_timeout),  # an open dialogue owns the next message
        *ticket_handlers.handlers(),
        MessageHandler(basic.is_greeting, basic.welcome),
        MessageHandler(basic.is_thanks, basic.thanks),
        MessageHandler(basic.wants_human, handoff.start_handoff),
        *office_handlers.handlers(),
        MessageHandler(nlu_handlers.has_pending_entity, nlu_handlers.continue_pending),
        MessageHandler(nlu_handlers.has_pending_clarify, nlu_handlers.pick_clarified),
        MessageHandler(kb_handlers.has_pending_choice, kb_handlers.choose_offered),
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
        self.handlers = handlers if handlers is not None else default_handlers(services)

    async def process(self, message: Incoming) -> list[Reply]:
        problem = problem_with(message.text, self.max_chars)
        if problem is not None:
            return [Reply(problem)]
        text = clean_input(message.text)
        try:
            actor = await self.services.identity.whois(message.channel, message.sender)
            async with self.sessions.open(message.channel, message.sender) as session:
                ctx = Context(message=message, session=session, services=self.services, text=text, actor=actor)
                replies: list[Reply] = []
                for handler in self.handlers:
                    if await handler.check(ctx):
                        replies = await handler.handle(ctx)
                        break
                return [Reply(n) for n in ctx.notices] + replies
        except Exception:
            log.exception("handler failed for a %s message", message.channel)
            return [Reply(FAILURE)]
