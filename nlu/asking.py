"""Asking how long something takes, in Mandarin, Cantonese and Hakka words: "噉要几耐先有人处理？",
"多久能办好", "要好耐先有回音". Read mid-intake and while a supplement is awaited, where such a question is
answered from the district's rules rather than stored as the appeal."""

from __future__ import annotations

import re

_HOW_LONG = re.compile(r"几耐|几久|多久|几时|多长时间|几长时间|几多日|几多天|几天|几日|要好耐")
_OF_HANDLING = re.compile(r"处理|办|回复|答复|有人|搞掂|解决|理|跟进|结果|落实|回音")


def asks_how_long(text: str) -> bool:
    """Whether ``text`` asks how long handling takes (a how-long word and a word of handling)."""
    return bool(_HOW_LONG.search(text) and _OF_HANDLING.search(text))
