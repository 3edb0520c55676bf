"""A slash command nobody answers ("/待派", "/同意了"): said to be unknown, with the commands it resembles, instead
of the sentence being passed to the NLU as if it were words."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from bot.basic_handlers import help_for
from bot.handlers import CommandHandler, Context, Handler, Match, command_name
from bot.messages import Reply
from integrations.intents import STAFF
from kernel.identity import Actor

_SHOWN = 3
_NAMED = re.compile(r"/([^\s/、，；：（）()“”。]+)")


def resembling(typed: str, names: set[str]) -> list[str]:
    """The known command names closest to ``typed``: those sharing a character with it, most shared first."""
    typed = typed.lower()

    def score(name: str) -> tuple[int, float]:
        return len(set(typed) & set(name)), SequenceMatcher(None, typed, name).ratio()

    scored = sorted(((score(n), n) for n in names if not n.isascii()), key=lambda x: (-x[0][0], -x[0][1], x[1]))
    return [n for (shared, _), n in scored if shared][:_SHOWN]


class UnknownCommand:
    """Placed after every command handler: whatever still starts with a slash names no command."""

    def __init__(self, handlers: list[Handler]) -> None:
        self.names: set[str] = set()
        for h in handlers:
            if isinstance(h, CommandHandler):
                self.names |= h.names

    async def check(self, ctx: Context) -> Match | None:
        name = command_name(ctx.text)
        if name is None or name.lower() in self.names:
            return None
        return Match((name,))

    def open_to(self, actor: Actor) -> set[str]:
        """The commands worth suggesting to the speaker: all of them to staff; to a citizen, those their help names
        (never /派单 or /同意, which would only be refused)."""
        if actor.has(*STAFF):
            return self.names
        return self.names & {n.lower() for n in _NAMED.findall(help_for(actor))}

    async def handle(self, ctx: Context, match: Match) -> list[Reply]:
        typed = match.args[0]
        close = resembling(typed, self.open_to(ctx.actor))
        hint = f"相近的命令：{'、'.join('/' + n for n in close)}。" if close else ""
        tail = "发送 /帮助 查看全部命令；也可以不加“/”，直接用一句话说明要办的事。"
        return [Reply(f"没有“/{typed}”这个命令。{hint}{tail}")]
