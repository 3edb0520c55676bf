"""Homophone typos: a word typed with one character that only sounds like the right one.

Pinyin input makes these the commonest typos in Chinese (头诉 for 投诉, 煤汽 for 煤气, 电悌 for 电梯).
A :class:`HomophoneRepair` knows a list of words and replaces a span of the same length that differs
from one of them in exactly one character, when that character shares a toneless reading with the
word's own (most common) reading. pypinyin's character table gives the readings; nothing is learnt.

Function words are never taken for typos (电动车和汽车 is not 车祸), and a repairer may ask for a
context before the span (an appeal verb after 我要/想/帮我 …), so that a real word that only sounds
like an appeal verb (据报道 is not 举报道) stays as typed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable

# Function words are never typos of a content character.
_NEVER_TYPO = frozenset("和的地得了是在有不也都与及把被给对从向为这那个我你他她它们")


def _toneless(reading: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c))
    return base.replace("ü", "v")


@functools.lru_cache(maxsize=8192)
def readings(ch: str) -> frozenset[str]:
    """Every toneless reading of a character (empty for what is not in the table)."""
    from pypinyin.pinyin_dict import pinyin_dict

    raw = pinyin_dict.get(ord(ch))
    return frozenset(_toneless(r) for r in raw.split(",")) if raw else frozenset()


@functools.lru_cache(maxsize=1024)
def primary_reading(ch: str) -> frozenset[str]:
    """The first (most common) toneless reading: 受 also reads "dao" in the table, but 刀 is no typo of it."""
    from pypinyin.pinyin_dict import pinyin_dict

    raw = pinyin_dict.get(ord(ch), "").split(",")[0]
    return frozenset({_toneless(raw)}) if raw else frozenset()


def sounds_like(typed: str, meant: str) -> bool:
    return typed not in _NEVER_TYPO and bool(readings(typed) & primary_reading(meant))


class HomophoneRepair:
    """Replaces homophone typos of ``words`` (at most one wrong character per word)."""

    def __init__(
        self,
        words: Iterable[str],
        *,
        after: str | None = None,
        cut: Callable[[str], Iterable[str]] | None = None,
    ) -> None:
        self.words = tuple(words)
        # What must come right before a repaired span (None: anything).
        self._after = re.compile(f"(?:{after})$") if after is not None else None
        # A word segmenter: a span that is itself a word (投宿), or that a word crosses (建|医院,
        # 据|报道), is what was meant, not a typo.
        self._cut = cut
        self._anchors: dict[str, list[tuple[str, int]]] = {}
        for word in self.words:
            for k, ch in enumerate(word):
                self._anchors.setdefault(ch, []).append((word, k))

    def __call__(self, text: str) -> str:
        bounds: set[int] | None = None
        chars = list(text)
        n = len(chars)
        for i, ch in enumerate(text):
            for word, k in self._anchors.get(ch, ()):
                start = i - k
                end = start + len(word)
                if start < 0 or end > n:
                    continue
                span = text[start:end]
                if span == word:
                    continue
                wrong = [j for j in range(len(word)) if span[j] != word[j]]
                if len(wrong) != 1 or not sounds_like(span[wrong[0]], word[wrong[0]]):
                    continue
                if self._after is not None and not self._after.search(text[:start]):
                    continue
                if self._cut is not None:
                    bounds = bounds if bounds is not None else self._bounds(text)
                    if start not in bounds or end not in bounds or _between(bounds, start, end) == 0:
                        continue
                chars[start + wrong[0]] = word[wrong[0]]
        return "".join(chars)

    def _bounds(self, text: str) -> set[int]:
        assert self._cut is not None
        bounds, at = {0}, 0
        for token in self._cut(text):
            at += len(token)
            bounds.add(at)
        return bounds


def _between(bounds: set[int], start: int, end: int) -> int:
    """How many word boundaries lie strictly inside [start, end)."""
    return sum(1 for b in bounds if start < b < end)


def _jieba_cut(text: str) -> list[str]:
    import jieba

    # Without the HMM, characters that make no dictionary word stay single (头|诉).
    return jieba.lcut(text, HMM=False)


# The appeal verbs a citizen files with, after what says "I want to" (or at the start of a clause).
appeal_verbs = HomophoneRepair(
    ("投诉", "举报", "建议", "咨询", "求助", "表扬"),
    after=r"^|[，,。.!！?？\s]|要|想|来|去|系|係|帮我|我|佢|先|再|准备|打算",
    cut=_jieba_cut,
)
