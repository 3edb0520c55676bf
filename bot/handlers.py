"""A tiny handler contract in python-telegram-bot style: check, then handle.

The bot asks each handler in order whether it wants the message (``check``)
and lets the first that does answer it (``handle``). Flows never see the
channel: they get a Context and return Replies.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.messages import Incoming, Reply
from knowledge_base.normalize import tidy_text


@dataclass
class Context:
    message: Incoming
    session: dict[str, Any]
    services: Any
    text: str = ""  # cleaned text of the message
    actor: Any = None  # kernel.identity.Actor: who is speaking, resolved once per message
    args: list[str] = field(default_factory=list)  # command arguments, when a command matched
    raw_rest: str = ""  # the command's arguments as written (punctuation kept), for free text
    conv: Any = None  # the active ConversationState, when a conversation handles the message
    notices: list[str] = field(default_factory=list)  # said before the answer (e.g. "上次登记已超时")


class Handler(Protocol):
    async def check(self, ctx: Context) -> bool: ...

    async def handle(self, ctx: Context) -> list[Reply]: ...


Callback = Callable[[Context], Awaitable[list[Reply]]]

_COMMAND = re.compile(r"^[/／](\S+)\s*(.*)$", re.S)


class CommandHandler:
    """``/命令 参数…``; the leading slash may be ASCII or full width."""

    def __init__(self, names: set[str], callback: Callback) -> None:
        self.names = {n.lower() for n in names}
        self.callback = callback

    async def check(self, ctx: Context) -> bool:
        m = _COMMAND.match(ctx.text)
        if not m or m.group(1).lower() not in self.names:
            return False
        ctx.args = m.group(2).split()
        raw = _COMMAND.match(tidy_text(ctx.message.text))
        ctx.raw_rest = raw.group(2) if raw else m.group(2)
        return True

    async def handle(self, ctx: Context) -> list[Reply]:
        return await self.callback(ctx)


class MessageHandler:
    """Any message that passes the filter."""

    def __init__(self, filter_: Callable[[Context], bool], callback: Callback) -> None:
        self.filter = filter_
        self.callback = callback

    async def check(self, ctx: Context) -> bool:
        return self.filter(ctx)

    async def handle(self, ctx: Context) -> list[Reply]:
        return await self.callback(ctx)
