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
FUNCTION_CHARS = frozenset("和的地得了是在有不也都与及把被给对从向为这那个我你他她它们")


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


# The accent confusions of Guangdong speakers typing pinyin: zh/z, ch/c, sh/s, n/l at the start, ing/in,
# eng/en, ang/an at the end (赢业执照 for 营业执照, 兰 for 南).
_BLURRED_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))
_BLURRED_FINALS = (("ing", "in"), ("eng", "en"), ("ang", "an"))


def blurred(reading: str) -> str:
    """A toneless reading with the accent confusions merged (zhang → zan, ning → lin)."""
    for a, b in _BLURRED_INITIALS:
        if reading.startswith(a) and reading != "ng":
            reading = b + reading[len(a) :]
            break
    for a, b in _BLURRED_FINALS:
        if reading.endswith(a):
            return reading[: -len(a)] + b
    return reading


def sounds_like(typed: str, meant: str, *, blur: bool = False) -> bool:
    if typed in FUNCTION_CHARS:
        return False
    if readings(typed) & primary_reading(meant):
        return True
    return blur and bool({blurred(r) for r in readings(typed)} & {blurred(r) for r in primary_reading(meant)})


class HomophoneRepair:
    """Replaces homophone typos of ``words`` (at most one wrong character per word)."""

    def __init__(
        self,
        words: Iterable[str],
        *,
        after: str | None = None,
        cut: Callable[[str], Iterable[str]] | None = None,
        blur: bool = False,
        allow: Callable[[str, int], bool] | None = None,
    ) -> None:
        self.words = tuple(words)
        # Which (word, index of the wrong character) may be repaired at all (None: every one).
        self._allow = allow
        # What must come right before a repaired span (None: anything).
        self._after = re.compile(f"(?:{after})$") if after is not None else None
        # A word segmenter: a span that is itself a word (投宿), or that a word crosses (建|医院,
        # 据|报道), is what was meant, not a typo.
        self._cut = cut
        # Also the accent confusions (``blurred``), not only the same reading.
        self._blur = blur
        # Each word under each of its characters masked: a span of the text masked at the same place finds the
        # words it may be a typo of in one look-up.
        self._masked: dict[str, list[tuple[str, int]]] = {}
        for word in dict.fromkeys(self.words):
            for k in range(len(word)):
                self._masked.setdefault(word[:k] + "\0" + word[k + 1 :], []).append((word, k))
        self._lengths = sorted({len(w) for w in self.words}, reverse=True)

    def __call__(self, text: str) -> str:
        bounds: set[int] | None = None
        chars = list(text)
        n = len(chars)
        for start in range(n):
            for size in self._lengths:
                end = start + size
                if end > n:
                    continue
                span = text[start:end]
                for k in range(size):
                    for word, _ in self._masked.get(span[:k] + "\0" + span[k + 1 :], ()):
                        if span == word or not sounds_like(span[k], word[k], blur=self._blur):
                            continue
                        if self._allow is not None and not self._allow(word, k):
                            continue
                        if self._after is not None and not self._after.search(text[:start]):
                            continue
                        if self._cut is not None:
                            bounds = bounds if bounds is not None else self._bounds(text)
                            if start not in bounds or end not in bounds or _between(bounds, start, end) == 0:
                                continue
                        chars[start + k] = word[k]
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


def jieba_cut(text: str) -> list[str]:
    import jieba

    # Without the HMM, characters that make no dictionary word stay single (头|诉).
    return jieba.lcut(text, HMM=False)
