"""The bot: guard the input, load the sender's session, let the first willing handler answer."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot import (
    alert_commands,
    kb_handlers,
    nlu_handlers,
    office_commands,
    quality_commands,
    ticket_commands,
    ticket_intake,
)
from bot import basic_handlers as basic
from bot.conversation import ConversationHandler
from bot.emergency_handler import EmergencyFirst
from bot.guard import problem_with
from bot.handlers import CommandHandler, Context, ConversationOpener, Handler, MessageHandler, TurnTrace, is_command
from bot.handoff import handlers as handoff
from bot.messages import Incoming, Reply
from bot.services import BotServices
from bot.sessions import SessionStore
from bot.unknown_command import UnknownCommand
from integrations.handoff import SESSION_KEY as HANDOFF_KEY
from kernel.identity import Actor, Role
from knowledge_base.normalize import clean_input
from office_flows.transcripts.store import TurnRecord

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
    tickets += alert_commands.handlers()
    commands: list[Handler] = [
        EmergencyFirst(),  # life-and-safety emergencies before everything else (bot/emergency_handler.py)
        *handoff.handoff_handlers(),
        MessageHandler(basic.is_junk, basic.junk),
        nlu_handlers.CommandDropsPending(),  # a command is a new request: an awaited entity is no longer asked
        CommandHandler({"帮助", "help", "start", "菜单"}, basic.help_text),
        *conversations.values(),  # an open dialogue owns the next message
        *tickets,
        MessageHandler(basic.is_greeting, basic.welcome),
        MessageHandler(basic.is_thanks, basic.thanks),
        MessageHandler(basic.asks_who, basic.who_answers),
        MessageHandler(basic.asks_the_day, basic.tells_the_day),
        MessageHandler(basic.wants_human, handoff.start_handoff),
        *office,
    ]
    return [
        *commands,
        UnknownCommand(commands),  # a slash that names none of the commands above
        MessageHandler(nlu_handlers.has_pending_entity, nlu_handlers.continue_pending),
        MessageHandler(nlu_handlers.has_pending_pick, nlu_handlers.pick_entity),
        MessageHandler(nlu_handlers.has_pending_clarify, nlu_handlers.pick_clarified),
        MessageHandler(kb_handlers.has_pending_choice, kb_handlers.choose_offered),
        MessageHandler(basic.says_cancel, basic.nothing_to_cancel),
        MessageHandler(basic.asks_to_keep, basic.nothing_dropped),
        MessageHandler(basic.wants_help, basic.help_text),
        MessageHandler(basic.only_a_phone, basic.phone_alone),
        MessageHandler(basic.confirms_nothing, basic.nothing_to_confirm),
        MessageHandler(basic.agrees_to_nothing, basic.nothing_asked),
        MessageHandler(basic.steps_back, basic.nothing_to_go_back_to),
        MessageHandler(basic.points_into_no_list, basic.no_list_to_point_into),
        MessageHandler(basic.announces_a_question, basic.ask_away),
        MessageHandler(basic.written_in_another_language, basic.only_chinese),
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
        turn = Turn()
        problem = problem_with(message.text, self.max_chars)
        if problem is not None:
            turn.trace.handler = "guard"
            replies = [Reply(problem)]
        else:
            try:
                replies = await self._answer(message, turn)
            except Exception:
                log.exception("handler failed for a %s message", message.channel)
                replies, turn.failure = [Reply(FAILURE)], True
        await self._record(message, replies, turn)
        return replies

    async def _answer(self, message: Incoming, turn: Turn) -> list[Reply]:
        """The replies of the first willing handler; ``turn`` learns who spoke and who answered."""
        text = clean_input(message.text)
        if is_command(text) and basic.is_control_word(text[1:].strip()):
            text = text[1:].strip()  # "/取消", "/人工": the words themselves, for whatever step waits
        actor = turn.actor = await self.services.identity.whois(message.channel, message.sender)
        async with self.sessions.open(message.channel, message.sender) as session:
            ctx = Context(message, session, self.services, actor, text, conversations=self.conversations)
            ctx.trace = turn.trace
            if actor.has(Role.CITIZEN):
                self.services.handoff.remember_dialect(session, text)  # for a later handoff's desk
            replies: list[Reply] = []
            for handler in self.handlers:
                match = await handler.check(ctx)
                if match is not None:
                    turn.trace.handler = handler_name(handler)
                    replies = await handler.handle(ctx, match)
                    break
            turn.handoff = HANDOFF_KEY in session
            return [Reply(n) for n in ctx.notices] + replies

    async def _record(self, message: Incoming, replies: list[Reply], turn: Turn) -> None:
        """A citizen's turn into the transcript store (staff commands are not citizens' conversations); a
        storage error is logged and the replies still go out."""
        store = self.services.transcripts
        if store is None:
            return
        try:
            actor = turn.actor or await self.services.identity.whois(message.channel, message.sender)
            if not actor.roles <= {Role.CITIZEN}:
                return
            await store.record(
                TurnRecord(
                    channel=message.channel,
                    sender=message.sender,
                    text=message.text if isinstance(message.text, str) else "",
                    replies=[r.text for r in replies],
                    handler=turn.trace.handler,
                    intent=turn.trace.intent,
                    kb=turn.trace.kb,
                    failure=turn.failure,
                    handoff=turn.handoff,
                )
            )
        except Exception:
            log.exception("recording a %s turn in the transcript failed; the reply goes out", message.channel)


@dataclass
class Turn:
    """What the bot learns while answering one message, for the transcript."""

    trace: TurnTrace = field(default_factory=TurnTrace)
    actor: Actor | None = None
    failure: bool = False  # the generic failure reply was given
    handoff: bool = False  # a handoff to a person is open after the turn


def handler_name(handler: Handler) -> str:
    """A handler's name for the transcript: a conversation's name, a callback's, or the handler's class."""
    name = getattr(handler, "name", None)
    if isinstance(name, str) and name:
        return name
    callback = getattr(handler, "callback", None)
    if callback is not None:
        return str(getattr(callback, "__name__", type(handler).__name__))
    return type(handler).__name__
