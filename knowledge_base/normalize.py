"""Text normalisation shared by the knowledge base and the NLU layer.

Order matters: Unicode width (NFKC) first so that full-width letters and digits
match, then traditional → simplified (OpenCC), then dialect words → Mandarin
(longest match first), then whitespace and punctuation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import jieba
import opencc

from knowledge_base.mandarin_dict import default_segmenter

_WS = re.compile(r"\s+")
# Punctuation and symbols (Unicode categories P* and S*) become a single space.
_PUNCT_CATS = ("P", "S")
# Control characters and other binary noise.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return str(_t2s().convert(text))


def _segmenter() -> jieba.Tokenizer:
    """jieba with its default dictionary only: the same boundaries whatever words the KB has added."""
    return default_segmenter()


# A character at least this frequent in jieba's dictionary is common Mandarin (了, 过, 书, 馆 …).
COMMON_CHAR_FREQ = 1000


@lru_cache(maxsize=65536)
def all_common_chars(word: str) -> bool:
    """True when every character of the word is common in Mandarin: the word may be a chance substring."""
    freq = _segmenter().FREQ
    return all(freq.get(ch, 0) >= COMMON_CHAR_FREQ for ch in word)


def word_boundaries(text: str) -> frozenset[int]:
    """Offsets where a Mandarin dictionary word starts or ends (jieba, default dictionary, no HMM)."""
    out = {0, len(text)}
    for _word, start, end in _segmenter().tokenize(text, HMM=False):
        out.update((start, end))
    return frozenset(out)


def _strip_punct(text: str) -> str:
    return "".join(" " if unicodedata.category(ch)[0] in _PUNCT_CATS else ch for ch in text)


@dataclass
class DialectMap:
    """Longest-match replacement of dialect words by their Mandarin equivalents.

    A word of two or more characters, all of them common in Mandarin, is replaced only where it starts
    and ends on a Mandarin word boundary: 书馆 (a school, in Cantonese) must not turn 图书馆 into 图私塾,
    nor 报了 turn 举报了 into 举参加. A word with a dialect character (唔该, 冇得) cannot be a chance
    substring of Mandarin and is always replaced.
    """

    pairs: dict[str, str] = field(default_factory=dict)
    # Mandarin words (synonyms, service terms) that are replaced only as whole words, whatever their characters.
    whole_words: frozenset[str] = frozenset()
    _max_len: int = 0
    _first_chars: frozenset[str] = frozenset()

    @classmethod
    def build(
        cls, pairs: Iterable[tuple[str, str]] | Mapping[str, str], *, whole_words: Iterable[str] = ()
    ) -> DialectMap:
        items = pairs.items() if isinstance(pairs, Mapping) else pairs
        table: dict[str, str] = {}
        for word, mandarin in items:
            if word and mandarin and word != mandarin:
                table.setdefault(word, mandarin)
        dm = cls(table, frozenset(whole_words))
        dm._max_len = max((len(w) for w in table), default=0)
        dm._first_chars = frozenset(w[0] for w in table)
        return dm

    def __len__(self) -> int:
        return len(self.pairs)

    def apply(self, text: str) -> str:
        if not self.pairs:
            return text
        out: list[str] = []
        i, n = 0, len(text)
        bounds: frozenset[int] | None = None  # computed on the first multi-character match
        while i < n:
            ch = text[i]
            if ch in self._first_chars:
                for size in range(min(self._max_len, n - i), 0, -1):
                    word = text[i : i + size]
                    repl = self.pairs.get(word)
                    if repl is not None and size > 1 and (word in self.whole_words or all_common_chars(word)):
                        if bounds is None:
                            bounds = word_boundaries(text)
                        if i not in bounds or i + size not in bounds:
                            continue
                    if repl is not None:
                        out.append(repl)
                        i += size
                        break
                else:
                    out.append(ch)
                    i += 1
            else:
                out.append(ch)
                i += 1
        return "".join(out)


EMPTY_DIALECT = DialectMap.build({})


def tidy_text(text: str) -> str:
    """Control characters and runs of whitespace only, for text kept as the person wrote it
    (a complaint, a reason, a result): full-width Chinese punctuation stays as it is."""
    return _WS.sub(" ", _CONTROL.sub(" ", text)).strip()


def clean_input(text: str) -> str:
    """Width, control characters and whitespace only: what a channel stores and shows."""
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text)
    return _WS.sub(" ", text).strip()


def normalize(text: str, dialect: DialectMap = EMPTY_DIALECT, *, keep_punct: bool = False, lower: bool = True) -> str:
    """The canonical form used for matching: simplified Mandarin, lower case, single spaces.

    The NLU keeps punctuation and case (IDs like FW-2026-015 must survive).
    """
    text = clean_input(text)
    text = to_simplified(text)
    text = dialect.apply(text)
    if not keep_punct:
        text = _strip_punct(text)
    if lower:
        text = text.lower()
    text = _WS.sub(" ", text).strip()
    # Spaces between two CJK characters carry no meaning (and JiebaTokenizer turns them into tokens).
    return re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", text)
