"""Homophone typos of the knowledge base's own words: 社宝卡 for 社保卡, 居主证 for 居住证, 营业执招 for 营业执照.

Pinyin input makes these the commonest typos of a question. The words are the KB's lexical vocabulary (every
token its BM25 index holds, so item names, aliases and FAQ wording, whatever was imported), the readings come
from pypinyin's table (:mod:`knowledge_base.homophones`): nothing is written by hand, and a catalogue brings
its own words. A span is repaired only where the Mandarin segmenter splits it (a real word is what was meant:
身分证, 提起) and only one character of a word may be wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from knowledge_base.homophones import FUNCTION_CHARS, HomophoneRepair, jieba_cut
from knowledge_base.mandarin_dict import DefaultFreq, known_word

# Chosen on the typo dev set (bench/README.md, "Typos of the KB's own words"): see there for what else was tried.
MIN_LEN = 2
MAX_LEN = 8
BLUR = True
SHORT_REAL = True
# In a two-character word the one right character is all the evidence: it must not be one of Mandarin's
# commonest (在, 要, 人, 出, 号 … are in every sentence: 证在 is no typo of 正在, nor 猪要 of 主要).
ANCHOR_MAX_FREQ = 20_000

_CJK = re.compile(r"[\u4e00-\u9fff]+")


def vocabulary(
    terms: Iterable[str], *, min_len: int = MIN_LEN, max_len: int = MAX_LEN, short_real: bool = SHORT_REAL
) -> list[str]:
    """The words worth repairing towards: Chinese characters only, of a length a typo can be told in; with
    ``short_real`` a two-character one only if it is a real word (the search tokens of a long name include
    fragments such as 个水 or 少前, towards which 个税 and 多少钱 would be "repaired")."""
    return sorted(
        t
        for t in set(terms)
        if min_len <= len(t) <= max_len and _CJK.fullmatch(t) and (len(t) > 2 or not short_real or known_word(t))
    )


def _repairable(max_freq: int | None) -> Callable[[str, int], bool]:
    """Which wrong character of which word may be repaired: never towards a function word (不补 is not 不不), and
    in a two-character word only when its right character is informative (``ANCHOR_MAX_FREQ``)."""
    freq = DefaultFreq()

    def allow(word: str, wrong: int) -> bool:
        if word[wrong] in FUNCTION_CHARS:
            return False
        return len(word) > 2 or max_freq is None or freq.get(word[1 - wrong], 0) < max_freq

    return allow


def kb_repair(
    terms: Iterable[str],
    *,
    min_len: int = MIN_LEN,
    blur: bool = BLUR,
    short_real: bool = SHORT_REAL,
    anchor_max_freq: int | None = ANCHOR_MAX_FREQ,
) -> HomophoneRepair:
    """The repairer of a KB whose lexical vocabulary is ``terms`` (normalised text in, normalised text out)."""
    return HomophoneRepair(
        vocabulary(terms, min_len=min_len, short_real=short_real),
        cut=jieba_cut,
        blur=blur,
        allow=_repairable(anchor_max_freq),
    )
