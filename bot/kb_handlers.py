"""Picking one of the knowledge-base entries offered as numbered choices (the answer itself is
``integrations.knowledge``)."""

from __future__ import annotations

import re

from bot.answers import deliver
from bot.handlers import Context, Match
from bot.messages import Reply
from integrations.knowledge import CHOICE_KEY
from nlu.numerals import chinese_number

# A choice picked in words as well as by its number: "揀第一份", "选2", "第二个啦", "就第三个吧", "要1号".
_NUMBER = re.compile(
    r"^\s*(?:(?:我|𠊎)?(?:揀|拣|选|要|就|就要|就揀|就拣|就选|想要)\s*)?(?:第\s*)?([1-9一二三四五])\s*"
    r"(?:个|個|项|條|条|份|件|张|單|单|号|號)?\s*(?:啦|吧|呀|啊|吖|喇|了|啰|咯|嘞|哦|哈|先)?\s*[.。、!！]?\s*$"
)


def picked_number(text: str) -> int | None:
    """ "2", "第二个", "三。", "揀第一份", "第二个啦": the number of an offered choice, or None."""
    m = _NUMBER.match(text)
    return chinese_number(m.group(1)) if m else None


def has_pending_choice(ctx: Context) -> bool:
    return bool(ctx.session.get(CHOICE_KEY)) and picked_number(ctx.text) is not None


async def choose_offered(ctx: Context, m: Match) -> list[Reply]:
    n = picked_number(ctx.text)
    assert n is not None
    return await deliver(ctx, await ctx.services.knowledge.pick(ctx.session, n))
