"""Conversations in python-telegram-bot style: entry points, states, fallbacks and a timeout.

The state lives in the sender's session (``session["conv"]``: name, state, data, last touch), which
the database keeps, so a conversation survives a restart of the bot. Every step returns the next
state (``Step``); a state the conversation does not declare is an error, never a silent dead end.
An abandoned conversation expires at the next message after ``timeout``; its data is dropped, never
half-applied (flows write only on their final, confirmed step).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.handlers import Context, Match, command_match, is_command
from bot.messages import Reply

KEY = "conv"
END = "__end__"


class ConversationError(RuntimeError):
    """A step moved the conversation to a state it does not declare."""


@dataclass
class ConversationState:
    name: str
    state: str
    data: dict[str, object] = field(default_factory=dict)


@dataclass
class Step:
    replies: list[Reply]
    next: str  # a declared state, or END


StepFn = Callable[[Context, Match, ConversationState], Awaitable[Step]]
OpenFn = Callable[[Context, Mapping[str, object], ConversationState], Awaitable[Step]]
Matcher = Callable[[Context], Match | None]


@dataclass(frozen=True)
class Route:
    """One way through a state: a matcher for the message, and the step it leads to."""

    matcher: Matcher
    step: StepFn
    takes_commands: bool = False  # a "/" message may only be taken by a command route


def on_command(names: set[str], step: StepFn) -> Route:
    lowered = {n.lower() for n in names}
    return Route(lambda ctx: command_match(lowered, ctx), step, takes_commands=True)


def on_text(pred: Callable[[Context], bool], step: StepFn) -> Route:
    return Route(lambda ctx: Match() if pred(ctx) else None, step)


@dataclass(frozen=True)
class ConversationMatch(Match):
    """What ``check`` found: the conversation's state, and the route (None: reprompt)."""

    conv: ConversationState | None = None
    route: Route | None = None


class ConversationHandler:
    """One conversation. While it is active it owns the sender's messages, except "/" commands it does
    not know (so /帮助 still works); an unmatched message gets ``reprompt``."""

    def __init__(
        self,
        name: str,
        *,
        entry_points: list[Route],
        states: dict[str, list[Route]],
        fallbacks: list[Route],
        reprompt: StepFn,
        opener: OpenFn | None = None,
        timeout: timedelta | None = None,
        on_timeout: str = "",
    ) -> None:
        self.name = name
        self.entry_points = entry_points
        self.states = states
        self.fallbacks = fallbacks
        self.reprompt = reprompt
        self.opener = opener
        self.timeout = timeout
        self.on_timeout = on_timeout

    # --- state in the session ---

    def _active(self, ctx: Context) -> dict[str, object] | None:
        raw = ctx.session.get(KEY)
        return raw if isinstance(raw, dict) and raw.get("name") == self.name else None

    def _expired(self, raw: Mapping[str, object], now: datetime) -> bool:
        if self.timeout is None:
            return False
        return now - datetime.fromisoformat(str(raw["touched"])) > self.timeout

    def _apply(self, ctx: Context, conv: ConversationState, step: Step) -> list[Reply]:
        if step.next != END and step.next not in self.states:
            raise ConversationError(f"conversation {self.name!r} has no state {step.next!r}")
        if step.next == END:
            ctx.session.pop(KEY, None)
        else:
            touched = ctx.services.clock.now().isoformat()
            ctx.session[KEY] = {"name": self.name, "state": step.next, "data": conv.data, "touched": touched}
        return step.replies

    async def open(self, ctx: Context, data: Mapping[str, object]) -> list[Reply]:
        """Begin the conversation from outside its entry points (an intent routed by ``integrations``)."""
        if self.opener is None:
            raise ConversationError(f"conversation {self.name!r} cannot be opened from outside")
        conv = ConversationState(self.name, "")
        return self._apply(ctx, conv, await self.opener(ctx, data, conv))

    # --- the handler contract ---

    async def check(self, ctx: Context) -> ConversationMatch | None:
        raw = self._active(ctx)
        if raw is not None and self._expired(raw, ctx.services.clock.now()):
            ctx.session.pop(KEY, None)  # expired: the rest of the chain may take the message
            if self.on_timeout:
                ctx.notices.append(self.on_timeout)
            raw = None
        if raw is None:
            for route in self.entry_points:
                found = route.matcher(ctx)
                if found is not None:
                    return ConversationMatch(found.args, found.raw_rest, ConversationState(self.name, ""), route)
            return None
        data = raw.get("data")
        conv = ConversationState(self.name, str(raw["state"]), dict(data) if isinstance(data, dict) else {})
        command = is_command(ctx.text)
        for route in [*self.fallbacks, *self.states.get(conv.state, [])]:
            # A "/" message is a command: only command routes may take it, never a free-text answer.
            if command and not route.takes_commands:
                continue
            found = route.matcher(ctx)
            if found is not None:
                return ConversationMatch(found.args, found.raw_rest, conv, route)
        if command:
            return None  # another command: let the rest of the chain answer it
        return ConversationMatch(conv=conv)

    async def handle(self, ctx: Context, match: Match) -> list[Reply]:
        assert isinstance(match, ConversationMatch) and match.conv is not None
        step_fn = match.route.step if match.route is not None else self.reprompt
        return self._apply(ctx, match.conv, await step_fn(ctx, match, match.conv))
