"""The one Chinese-numeral reader: '十五' → 15, '二十' → 20, '两' → 2, '三' → 3, '12' → 12."""

from __future__ import annotations

import re

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
NUMERAL_CHARS = "".join(DIGITS) + "十"


def chinese_number(text: str) -> int:
    """Arabic or Chinese numerals up to 99; raises KeyError for other characters."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return DIGITS.get(tens, 1) * 10 + DIGITS.get(ones, 0)
    value = 0
    for ch in text:
        value = value * 10 + DIGITS[ch]
    return value


# An item of a numbered list in words: "第一份", "第 2 件", "第二个", "头一份", "最后嗰份", "最后一件".
# A measure word is required, so that "第一次", "第二天" or "第一时间" are not taken for an item.
_MEASURE = r"(?:份|件|个|個|张|張|单|單|条|條|项|項|号|號)"
_ORDINAL = re.compile(
    rf"第\s*(?P<n>[1-9]\d?|[{NUMERAL_CHARS}]{{1,3}})\s*{_MEASURE}|(?P<first>头|首)一?{_MEASURE}|"
    rf"(?P<last>最后|最尾|最尾嗰|最后嗰|最后那|最后一){_MEASURE}"
)
LAST = -1


def ordinal_in(text: str) -> tuple[int, re.Match[str]] | None:
    """The item a sentence points at in a numbered list (1-based; ``LAST`` for the last one) and where it was
    said, or None."""
    m = _ORDINAL.search(text)
    if m is None:
        return None
    if m.group("first"):
        return 1, m
    if m.group("last"):
        return LAST, m
    try:
        n = chinese_number(m.group("n"))
    except KeyError:
        return None
    return (n, m) if n >= 1 else None


def without_leading_ordinal(text: str) -> str:
    """``text`` without the place it starts with ("第二张回复市民：…" → "回复市民：…")."""
    m = _ORDINAL.match(text)
    return text[m.end() :] if m else text


# What may follow an item's place when the item itself is asked about: "第一份讲乜", "第二张系咩", "最后嗰条".
_ONLY_ABOUT_IT = re.compile(
    r"^(?:讲乜|讲咩|讲乜嘢|讲咩嘢|写咩嘅?|写乜嘅?|系咩|系乜|系咩嚟|是什么|讲什么|写什么|写的什么|写的是什么|"
    r"点样|怎么样|内容|嘅内容|的内容|呢|喇|啦)?[?？。.!！\s]*$"
)


def only_asks_about_an_item(text: str) -> bool:
    """The sentence is an item's place and at most a question about it ("第二张讲咩", "第一份写咩嘅")."""
    found = ordinal_in(text)
    if found is None:
        return False
    rest = text[: found[1].start()] + text[found[1].end() :]
    return bool(_ONLY_ABOUT_IT.match(rest.strip()))
