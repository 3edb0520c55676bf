"""One jieba dictionary in memory: the KB's segmenter and a default-dictionary view of the same dict.

The KB teaches jieba its own names (``add_kb_words``), while dialect handling needs jieba's default
dictionary alone (the same Mandarin word boundaries and frequencies whatever the KB holds). A second
``jieba.Tokenizer`` and a third dict read from the dictionary file cost about 110 MB per process; instead,
``default_segmenter`` reads the global dictionary through ``DefaultFreq``, which answers with each entry's
value before the KB changed it (recorded by ``add_kb_words`` before every change).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import overload

import jieba

_ABSENT = -1  # recorded for a key the default dictionary does not have

_lock = threading.Lock()
_before_kb: dict[str, int] = {}  # key -> its default value (or _ABSENT), for every key the KB changed
_kb_total = 0  # sum of the frequencies the KB added to jieba.dt.total
_kb_words: set[str] = set()


def _global() -> jieba.Tokenizer:
    jieba.dt.check_initialized()
    return jieba.dt


def add_kb_words(words: Iterable[str], freq: int) -> int:
    """Add words to the global jieba dictionary (the KB's tokens); returns how many were new."""
    global _kb_total
    dt = _global()
    new = 0
    with _lock:
        for word in words:
            if word in _kb_words:
                continue
            freq_map = dt.FREQ
            for key in {word[: i + 1] for i in range(len(word))}:
                if key not in _before_kb:  # recorded before jieba changes it: a reader never sees it unrecorded
                    _before_kb[key] = freq_map.get(key, _ABSENT)
            jieba.add_word(word, freq=freq)
            _kb_total += freq
            _kb_words.add(word)
            new += 1
    return new


def known_word(word: str) -> bool:
    """A word of jieba's dictionary or one the KB added (a search-mode fragment such as 个水 is neither)."""
    return bool(_global().FREQ.get(word, 0))


class DefaultFreq:
    """jieba's default word frequencies, read through the global dictionary the KB has added to.

    Supports what jieba's segmentation and this package use: ``in``, ``[]`` and ``get``.
    """

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str) and key in _before_kb:
            return _before_kb[key] != _ABSENT
        return key in _global().FREQ

    def __getitem__(self, key: str) -> int:
        value = _before_kb.get(key)
        if value is None:
            return int(_global().FREQ[key])
        if value == _ABSENT:
            raise KeyError(key)
        return value

    @overload
    def get(self, key: str) -> int | None: ...
    @overload
    def get(self, key: str, default: int) -> int: ...
    def get(self, key: str, default: int | None = None) -> int | None:
        try:
            return self[key]
        except KeyError:
            return default


class _DefaultTokenizer(jieba.Tokenizer):
    """A jieba Tokenizer over ``DefaultFreq``: segments with the default dictionary only."""

    def __init__(self) -> None:
        super().__init__()
        self.FREQ = DefaultFreq()
        self.initialized = True

    @property
    def total(self) -> int:
        return int(_global().total) - _kb_total

    @total.setter
    def total(self, _value: int) -> None:  # jieba.Tokenizer.__init__ assigns 0; the total is derived
        pass


@lru_cache(maxsize=1)
def default_segmenter() -> jieba.Tokenizer:
    """jieba with its default dictionary only, sharing the global dictionary's memory."""
    _global()
    return _DefaultTokenizer()
