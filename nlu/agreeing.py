"""Saying yes to a read-back or a question ("确认", "冇问题，提交", "好，确认，谢谢"): read wherever a step waits
for a confirmation (the ticket intake, a meeting's cancellation, a document drafted in words)."""

from __future__ import annotations

import re

_YES = re.compile(
    # Mandarin, Cantonese (冇问题, 得, 啱晒) and Hakka (做得, 好哩, 係哩, 无问题)
    r"^(确认|确定|是的?|对的?|系|係|冇问题|没问题|无问题|提交|确认提交|好的?|可以|ok|得|啱|啱晒|冇错|没错|"
    r"做得|做得哩|好哩|係哩|系哩|可以哩)[。.!！啦了吧呀]*$",
    re.I,
)
_THANKS = re.compile(r"^(谢谢|多谢|感谢|唔该|麻烦(你|您|晒)?了?|辛苦(你|您|晒)?了?)(你|您|晒)?[。.!！啦了呀]*$")
_CLAUSE = re.compile(r"[，,。.!！?？;；、\s]+")


def agrees(text: str) -> bool:
    """Every clause is a yes or a thank-you, and one is a yes ("确认", "冇问题，提交", "好，确认，谢谢")."""
    clauses = [c for c in _CLAUSE.split(text) if c and not _THANKS.match(c)]
    return bool(clauses) and all(_YES.match(c) for c in clauses)


def only_thanks(text: str) -> bool:
    """``text`` is a thank-you and nothing else ("唔该", "多谢晒", "辛苦你了")."""
    return bool(_THANKS.match(text.strip()))
