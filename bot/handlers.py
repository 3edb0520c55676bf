"""A tiny handler contract in python-telegram-bot style: check, then handle with what check found.

The bot asks each handler in order whether it wants the message (``check`` returns a ``Match``, or
None) and lets the first that does answer it (``handle(ctx, match)``), like python-telegram-bot's
``check_update`` → ``handle_update``. Handlers never see the channel: they get a Context and return
Replies.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.messages import Incoming, Reply
from bot.services import BotServices
from integrations.contract import SessionData
from kernel.identity import Actor
from knowledge_base.normalize import tidy_text


class ConversationOpener(Protocol):
    async def open(self, ctx: Context, data: Mapping[str, object]) -> list[Reply]: ...


@dataclass
class TurnTrace:
    """What answered a turn, for the transcript: the handler, the intent run, the knowledge base's decision."""

    handler: str = ""
    intent: str = ""
    kb: str = ""  # answer / choices / decline (office_flows.transcripts.models)


@dataclass
class Context:
    message: Incoming
    session: SessionData
    services: BotServices
    actor: Actor  # who is speaking, resolved once per message
    text: str = ""  # cleaned text of the message
    notices: list[str] = field(default_factory=list)  # said before the answer (e.g. "上次登记已超时")
    conversations: Mapping[str, ConversationOpener] = field(default_factory=dict)  # by name, to open one
    trace: TurnTrace = field(default_factory=TurnTrace)


@dataclass(frozen=True)
class Match:
    """What ``check`` found, handed to ``handle``: a command's arguments, or just "mine"."""

    args: tuple[str, ...] = ()
    raw_rest: str = ""  # a command's arguments as written (punctuation kept), for free text

    def tail(self, skip: int) -> str:
        """The arguments after the first ``skip``, as written (full-width punctuation kept)."""
        parts = self.raw_rest.split(maxsplit=skip)
        return parts[skip].strip() if len(parts) > skip else ""


MATCHED = Match()


class Handler(Protocol):
    """``check`` says whether (and how) the handler takes the message; ``handle`` gets that finding."""

    async def check(self, ctx: Context) -> Match | None: ...

    async def handle(self, ctx: Context, match: Match) -> list[Reply]: ...


Callback = Callable[[Context, Match], Awaitable[list[Reply]]]

_COMMAND = re.compile(r"^[/／](\S+)\s*(.*)$", re.S)


def is_command(text: str) -> bool:
    return text.startswith(("/", "／"))


def command_name(text: str) -> str | None:
    """The name of the slash command ``text`` starts with ("/派单 GD…" → "派单"), else None."""
    m = _COMMAND.match(text)
    return m.group(1) if m else None


Step = dict[str, str]


def answers_waiting_step(
    ctx: Context,
    key: str,
    waiting: Callable[[SessionData, datetime], Step | None],
    answers: Callable[[Step, str], bool],
) -> bool:
    """A step kept in the session under ``key`` waits (``waiting``: still fresh) and this message answers it
    (``answers``); a message that does not answer it moves on, and the step is dropped. Commands never answer."""
    if is_command(ctx.text):
        return False
    step = waiting(ctx.session, ctx.services.clock.now())
    if step is None:
        return False
    if answers(step, ctx.text):
        return True
    ctx.session.pop(key, None)
    return False


def command_match(names: set[str], ctx: Context) -> Match | None:
    """``/命令 参数…``; the leading slash may be ASCII or full width."""
    m = _COMMAND.match(ctx.text)
    if not m or m.group(1).lower() not in names:
        return None
    raw = _COMMAND.match(tidy_text(ctx.message.text))
    return Match(tuple(m.group(2).split()), raw.group(2) if raw else m.group(2))


class CommandHandler:
    def __init__(self, names: set[str], callback: Callback) -> None:
        self.names = {n.lower() for n in names}
        self.callback = callback

    async def check(self, ctx: Context) -> Match | None:
        return command_match(self.names, ctx)

    async def handle(self, ctx: Context, match: Match) -> list[Reply]:
        return await self.callback(ctx, match)


class MessageHandler:
    """Any message that passes the filter."""

    def __init__(self, filter_: Callable[[Context], bool], callback: Callback) -> None:
        self.filter = filter_
        self.callback = callback

    async def check(self, ctx: Context) -> Match | None:
        return MATCHED if self.filter(ctx) else None

    async def handle(self, ctx: Context, match: Match) -> list[Reply]:
        return await self.callback(ctx, match)
