"""The shipped dialect lexicons: which pairs are safe to use for normalisation."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

from knowledge_base.mandarin_dict import DefaultFreq
from knowledge_base.normalize import all_common_chars
from knowledge_base.question_dialect import QuestionDialects

# A dialect word that is also a frequent Mandarin word (jieba frequency above this) is skipped:
# replacing 一直, 中央 or 地下 would damage ordinary Mandarin questions.
MANDARIN_FREQ_LIMIT = 50
# A two-character lexicon word made of two common Mandarin characters (normalize.COMMON_CHAR_FREQ) is
# skipped: such pairs (过了 → 超过了, 必去 → 裂开, 有多 → 富余, 个名 → 的名字) mostly match across
# Mandarin words. Cantonese words keep a character that is rare in Mandarin (唔见, 屋企, 睇下).
# Lexicon words that hotline callers use as Mandarin abbreviations (高企: 高新技术企业, not "stays high").
NOT_DIALECT = frozenset(["高企"])

_LEXICONS = (
    ("hakka", "hakka_mandarin_lexicon.csv", "hak_simp"),
    ("cantonese", "cantonese_mandarin_lexicon.csv", "yue_simp"),
)


def _mandarin_freq() -> DefaultFreq:
    """jieba's default dictionary frequencies (shared with the segmenters, not a third copy)."""
    return DefaultFreq()


def _data_file(name: str) -> str:
    return str(resources.files("knowledge_base") / "data" / name)


def _lexicon_rows() -> Iterator[tuple[str, str, str]]:
    """(dialect, word, mandarin) of the two full lexicons, explanations and identities left out."""
    for dialect, filename, column in _LEXICONS:
        with open(_data_file(filename), encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                word, mandarin = row[column].strip(), row["mandarin_simp"].strip()
                if not word or word == mandarin or word in NOT_DIALECT:
                    continue
                if "，" in mandarin or len(mandarin) > 8:
                    continue  # explanations, not words
                yield dialect, word, mandarin


def _always_safe(word: str) -> bool:
    """A lexicon word replaced in every question: not a Mandarin word, not a chance substring of one."""
    if len(word) < 2 or _mandarin_freq().get(word, 0) > MANDARIN_FREQ_LIMIT:
        return False
    return not (len(word) == 2 and all_common_chars(word))


def shipped_pairs() -> Iterator[tuple[str, str, str, str]]:
    """(dialect, word, mandarin, source) for every pair worth seeding, core list first."""
    seen: set[tuple[str, str]] = set()
    with open(_data_file("dialect_core.csv"), encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = (row["dialect"], row["word"])
            if key not in seen:
                seen.add(key)
                yield row["dialect"], row["word"], row["mandarin"], "core"
    for dialect, word, mandarin in _lexicon_rows():
        key = (dialect, word)
        if key in seen or not _always_safe(word):
            continue
        seen.add(key)
        yield dialect, word, mandarin, "msgchi"


@lru_cache(maxsize=1)
def dialect_only_pairs() -> dict[str, tuple[tuple[str, str], ...]]:
    """Per dialect, the lexicon words that are safe only in a question written in that dialect.

    仰般 (怎样), 哪位 (哪里), 做得 (可以), 细人 (小孩), 过身 (去世): two common Mandarin characters, or a
    Mandarin word of its own, so they are not replaced everywhere (shipped_pairs); in a question that
    carries the dialect's own characters (𠊎, 嘅 …, see ``dialect_markers``) they almost always mean
    the dialect word. Single characters stay out: the lexicon maps 人, 兜, 等 to 我们.
    """
    out: dict[str, list[tuple[str, str]]] = {}
    seen: set[tuple[str, str]] = set()
    freq = _mandarin_freq()
    for dialect, word, mandarin in _lexicon_rows():
        if len(word) < 2 or len(word) > 4 or _always_safe(word) or (dialect, word) in seen:
            continue
        if freq.get(word, 0) > DIALECT_ONLY_FREQ_LIMIT:
            continue  # 一定, 一直, 地下, 老公: everyday Mandarin in a dialect question too
        seen.add((dialect, word))
        out.setdefault(dialect, []).append((word, mandarin))
    return {d: tuple(pairs) for d, pairs in out.items()}


# A lexicon word more frequent than this in jieba's Mandarin dictionary is not replaced even in a dialect
# question (哪位 145 and 几多 52 are; 一定, 一直, 老公 and 地下, thousands, are not).
DIALECT_ONLY_FREQ_LIMIT = 200

# A character this rare in jieba's Mandarin dictionary, used in several words of a dialect's lexicon,
# marks a question as written in that dialect (𠊎, 佢, 嘅, 咗, 冇 …).
MARKER_CHAR_FREQ = 30
MARKER_MIN_WORDS = 3


@lru_cache(maxsize=1)
def dialect_markers() -> dict[str, frozenset[str]]:
    """Per dialect, the characters that mark a question as written in it (from the lexicons themselves)."""
    freq = _mandarin_freq()
    counts: dict[str, dict[str, int]] = {}
    core: dict[str, set[str]] = {}
    with open(_data_file("dialect_core.csv"), encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["dialect"] != "variant":  # the core list is curated: its rare characters all count
                core.setdefault(row["dialect"], set()).update(row["word"])
    for dialect, word in {(d, w) for d, w, _m in _lexicon_rows()}:
        for ch in set(word):
            counts.setdefault(dialect, {}).setdefault(ch, 0)
            counts[dialect][ch] += 1
    out: dict[str, frozenset[str]] = {}
    for d in sorted(set(counts) | set(core)):
        chars = {ch for ch, n in counts.get(d, {}).items() if n >= MARKER_MIN_WORDS} | core.get(d, set())
        out[d] = frozenset(ch for ch in chars if _is_cjk(ch) and freq.get(ch, 0) < MARKER_CHAR_FREQ)
    return out


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ord(ch) >= 0x20000


@lru_cache(maxsize=1)
def question_dialects() -> QuestionDialects:
    """Markers and dialect-only words of the shipped lexicons (knowledge_base.question_dialect)."""
    return QuestionDialects(dialect_markers(), dialect_only_pairs())


@lru_cache(maxsize=1)
def service_terms() -> tuple[tuple[str, str], ...]:
    """(variant, catalogue term) for everyday abbreviations of service names: 低保 → 最低生活保障."""
    with open(_data_file("service_terms.csv"), encoding="utf-8") as fh:
        return tuple((row["variant"].strip(), row["term"].strip()) for row in csv.DictReader(fh))


@lru_cache(maxsize=1)
def dialect_forms() -> dict[str, dict[str, tuple[str, ...]]]:
    """Per dialect, Mandarin word → its dialect forms (two characters or more) in the shipped lexicons,
    for the learned stage's training rewrites (knowledge_base.ranker.pairs)."""
    out: dict[str, dict[str, list[str]]] = {}
    for dialect, word, mandarin in _lexicon_rows():
        if len(word) >= 2 and len(mandarin) >= 2 and word not in out.setdefault(dialect, {}).get(mandarin, []):
            out[dialect].setdefault(mandarin, []).append(word)
    return {d: {m: tuple(ws) for m, ws in forms.items()} for d, forms in out.items()}
