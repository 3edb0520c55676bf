"""The one Chinese-numeral reader: '十五' → 15, '二十' → 20, '两' → 2, '三' → 3, '12' → 12."""

from __future__ import annotations

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
