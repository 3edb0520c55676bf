"""The shipped dialect lexicons: which pairs are safe to use for normalisation."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

import jieba

from knowledge_base.normalize import all_common_chars

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


@lru_cache(maxsize=1)
def _mandarin_freq() -> dict[str, int]:
    freq: dict[str, int] = {}
    with open(jieba.get_dict_file().name, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2:
                freq[parts[0]] = int(parts[1])
    return freq


def _data_file(name: str) -> str:
    return str(resources.files("knowledge_base") / "data" / name)


def shipped_pairs() -> Iterator[tuple[str, str, str, str]]:
    """(dialect, word, mandarin, source) for every pair worth seeding, core list first."""
    seen: set[tuple[str, str]] = set()
    with open(_data_file("dialect_core.csv"), encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = (row["dialect"], row["word"])
            if key not in seen:
                seen.add(key)
                yield row["dialect"], row["word"], row["mandarin"], "core"
    freq = _mandarin_freq()
    for dialect, filename, column in _LEXICONS:
        with open(_data_file(filename), encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                word, mandarin = row[column].strip(), row["mandarin_simp"].strip()
                if len(word) < 2 or word == mandarin or freq.get(word, 0) > MANDARIN_FREQ_LIMIT:
                    continue
                if word in NOT_DIALECT:
                    continue
                if len(word) == 2 and all_common_chars(word):
                    continue
                if "，" in mandarin or len(mandarin) > 8:
                    continue  # explanations, not words
                key = (dialect, word)
                if key in seen:
                    continue
                seen.add(key)
                yield dialect, word, mandarin, "msgchi"


@lru_cache(maxsize=1)
def service_terms() -> tuple[tuple[str, str], ...]:
    """(variant, catalogue term) for everyday abbreviations of service names: 低保 → 最低生活保障."""
    with open(_data_file("service_terms.csv"), encoding="utf-8") as fh:
        return tuple((row["variant"].strip(), row["term"].strip()) for row in csv.DictReader(fh))
