"""Conversations in python-telegram-bot style: entry points, states, fallbacks and a timeout.

The state lives in the sender's session (``session["conv"]``: name, state, data, last
touch), which the database keeps, so a conversation survives a restart of the bot.
A callback moves the conversation with ``ctx.conv.goto(state)`` or ``ctx.conv.end()``.
An abandoned conversation expires at the next message after ``timeout``; its data is
dropped, never half-applied (flows write only on their final, confirmed step).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.handlers import CommandHandler, Context, Handler
from bot.messages import Reply

KEY = "conv"
END = "__end__"


@dataclass
class ConversationState:
    name: str
    state: str
    data: dict[str, Any] = field(default_factory=dict)

    def goto(self, state: str) -> None:
        self.state = state

    def end(self) -> None:
        self.state = END

    @property
    def ended(self) -> bool:
        return self.state == END


Callback = Callable[[Context], Awaitable[list[Reply]]]


class ConversationHandler:
    """One conversation. While it is active it owns the sender's messages, except "/" commands it does
    not know (so /帮助 still works); an unmatched message gets ``reprompt``."""

    def __init__(
        self,
        name: str,
        *,
        entry_points: list[Handler],
        states: dict[str, list[Handler]],
        fallbacks: list[Handler],
        reprompt: Callback,
        timeout: timedelta | None = None,
        on_timeout: str = "",
    ) -> None:
        self.name = name
        self.entry_points = entry_points
        self.states = states
        self.fallbacks = fallbacks
        self.reprompt = reprompt
        self.timeout = timeout
        self.on_timeout = on_timeout
        self._chosen: dict[int, Handler | None] = {}

    # --- state in the session ---

    def active(self, ctx: Context) -> dict[str, Any] | None:
        raw = ctx.session.get(KEY)
        return raw if isinstance(raw, dict) and raw.get("name") == self.name else None

    def _expired(self, raw: dict[str, Any], now: datetime) -> bool:
        if self.timeout is None:
            return False
        return now - datetime.fromisoformat(raw["touched"]) > self.timeout

    async def start(self, ctx: Context, state: str, data: dict[str, Any] | None = None) -> None:
        """Begin the conversation from outside its entry points (e.g. an intent routed by the NLU)."""
        ctx.conv = ConversationState(self.name, state, dict(data or {}))
        self._save(ctx)

    def _save(self, ctx: Context) -> None:
        conv = ctx.conv
        if conv is None or conv.ended:
            ctx.session.pop(KEY, None)
            return
        touched = ctx.services.clock.now().isoformat()
        ctx.session[KEY] = {"name": conv.name, "state": conv.state, "data": conv.data, "touched": touched}

    # --- the handler contract ---

    async def check(self, ctx: Context) -> bool:
        raw = self.active(ctx)
        chosen: Handler | None = None
        if raw is not None and self._expired(raw, ctx.services.clock.now()):
            ctx.session.pop(KEY, None)
            if self.on_timeout:
                ctx.notices.append(self.on_timeout)
            raw = None
        if raw is None:
            ctx.conv = None
            for h in self.entry_points:
                if await h.check(ctx):
                    chosen = h
                    break
            if chosen is None:
                return False
            ctx.conv = ConversationState(self.name, "", {})
        else:
            ctx.conv = ConversationState(self.name, raw["state"], dict(raw.get("data") or {}))
            is_command = ctx.text.startswith(("/", "／"))
            for h in [*self.fallbacks, *self.states.get(raw["state"], [])]:
                # A "/" message is a command: only command handlers may take it, never a free-text answer.
                if (not is_command or isinstance(h, CommandHandler)) and await h.check(ctx):
                    chosen = h
                    break
            if chosen is None and is_command:
                ctx.conv = None
                return False  # another command: let the rest of the chain answer it
        self._chosen[id(ctx)] = chosen
        return True

    async def handle(self, ctx: Context) -> list[Reply]:
        chosen = self._chosen.pop(id(ctx), None)
        replies = await (chosen.handle(ctx) if chosen is not None else self.reprompt(ctx))
        self._save(ctx)
        return replies
