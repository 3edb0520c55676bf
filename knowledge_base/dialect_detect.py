"""Which Chinese a citizen writes: Cantonese (粤语), Hakka (客家话) or Mandarin, from a scored lexicon.

No model: a hand-weighted list of marker words per dialect (particles and function words that written
Mandarin does not use: 嘅 咗 啲 喺 for Cantonese, 𠊎 么个 仰般 今晡日 for Hakka), words shared by both
(唔 冇 佢 係) that say "southern Chinese, not Mandarin", and as weak evidence the shipped lexicons' dialect
words that carry a character rare in Mandarin. A text is called a dialect when its score reaches
``THRESHOLD``; between the two dialects the higher distinctive score wins, shared words alone lean
Cantonese (the larger speech community). Measured in ``bench/dialect_bench.py``.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from knowledge_base.normalize import _segmenter, to_simplified

CANTONESE = "cantonese"
HAKKA = "hakka"
MANDARIN = "mandarin"
LABELS = {CANTONESE: "粤语", HAKKA: "客家话", MANDARIN: "普通话"}
THRESHOLD = 2.0
LEXICON_WEIGHT = 0.5
RARE_CHAR_FREQ = 200  # jieba dictionary frequency under which a character is rare in Mandarin

# Markers match on the simplified text (traditional input is converted first); weights are per occurrence.
_CANTONESE = {
    "嘅": 2,
    "咗": 2,
    "啲": 2,
    "嘢": 2,
    "喺": 2,
    "哋": 2,
    "睇": 2,
    "嚟": 2,
    "乜": 2,
    "咩": 1.5,
    "嗰": 2,
    "㗎": 2,
    "喎": 2,
    "囉": 2,
    "噉": 2,
    "咪": 1,
    "哂": 2,
    "晒": 1,
    "嘞": 2,
    "吖": 1,
    "咁": 2,
    "畀": 2,
    "攞": 2,
    "揾": 2,
    "搵": 2,
    "谂": 2,
    "攰": 2,
    "点解": 2,
    "边度": 2,
    "边个": 2,
    "而家": 2,
    "宜家": 2,
    "琴日": 2,
    "听日": 2,
    "系咪": 2,
    "屋企": 2,
    "返工": 1.5,
    "放工": 1,
    "好彩": 1.5,
    "唔该": 2,
    "呢度": 2,
    "呢个": 1.5,
    "呢排": 2,
    "俾": 1,
    "靓": 1,
    "冇得": 1,
    "有d": 1.5,
    "d人": 1,
    "既": 0.5,
    "左": 0.3,
    "黎": 0.5,
}
_HAKKA = {
    "𠊎": 3,
    "厓": 3,
    "么个": 3,
    "麽个": 3,
    "麼个": 3,
    "脉个": 3,
    "仰般": 3,
    "样般": 2,
    "今晡日": 3,
    "天光日": 3,
    "昨晡日": 3,
    "夜晡": 3,
    "暗晡": 3,
    "当昼": 3,
    "朝晨": 1.5,
    "屋下": 2,
    "细人仔": 3,
    "细倈": 3,
    "奈位": 3,
    "毋": 2,
    "吂": 3,
    "恁": 1.5,
    "撇哩": 3,
    "哩": 1,
    "摎": 3,
    "你兜": 3,
    "佢兜": 3,
    "𠊎兜": 3,
    "阿姆": 2,
    "系么": 2,
    "爱几久": 3,
    "睡目": 3,
    "肚屎": 3,
    "几多日": 1.5,
    "晓得": 0.5,
}
_SHARED = {"唔": 1.5, "冇": 1.5, "佢": 1.5, "係": 1.5, "唔系": 1, "唔识": 1}


@dataclass(frozen=True)
class Detection:
    dialect: str  # cantonese, hakka or mandarin
    score: float  # the winning dialect's score (0 for mandarin with no marker)
    evidence: tuple[str, ...]  # the marker words found, for the operator and the logs

    @property
    def label(self) -> str:
        return LABELS[self.dialect]


def _data_file(name: str) -> str:
    return str(resources.files("knowledge_base") / "data" / name)


def _rare(word: str) -> bool:
    freq = _segmenter().FREQ
    return any(freq.get(ch, 0) < RARE_CHAR_FREQ for ch in word)


@lru_cache(maxsize=1)
def _lexicon_words() -> dict[str, frozenset[str]]:
    """Dialect words of the shipped lexicons, two characters or more, with a character rare in Mandarin,
    and not listed for the other dialect."""
    words: dict[str, set[str]] = {CANTONESE: set(), HAKKA: set()}
    for dialect, filename, column in (
        (CANTONESE, "cantonese_mandarin_lexicon.csv", "yue_simp"),
        (HAKKA, "hakka_mandarin_lexicon.csv", "hak_simp"),
    ):
        with open(_data_file(filename), encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                word, mandarin = row[column].strip(), row["mandarin_simp"].strip()
                if 2 <= len(word) <= 4 and word != mandarin and _rare(word):
                    words[dialect].add(word)
    both = words[CANTONESE] & words[HAKKA]
    return {d: frozenset(w - both) for d, w in words.items()}


def _score(texts: tuple[str, ...], table: dict[str, float], found: list[str]) -> float:
    """Markers counted in the text as written and once simplified (OpenCC turns 喎 into 㖞, 囉 into 啰)."""
    total = 0.0
    for marker, weight in table.items():
        n = max(t.count(marker) for t in texts)
        if n:
            total += weight * min(n, 3)
            found.append(marker)
    return total


def _lexicon_score(text: str, words: frozenset[str], found: list[str]) -> float:
    total = 0.0
    for size in (4, 3, 2):
        for i in range(len(text) - size + 1):
            w = text[i : i + size]
            if w in words and w not in found:
                total += LEXICON_WEIGHT
                found.append(w)
    return min(total, 2.0)


def detect(text: str) -> Detection:
    """The dialect a text is written in (see the module's docstring)."""
    raw = unicodedata.normalize("NFKC", text)
    simple = to_simplified(raw).lower()
    yue_found: list[str] = []
    hak_found: list[str] = []
    shared_found: list[str] = []
    both = (raw.lower(), simple)
    yue = _score(both, _CANTONESE, yue_found)
    hak = _score(both, _HAKKA, hak_found)
    shared = _score((raw,), _SHARED, shared_found)  # 係 is 系 once simplified, and 系 is everyday Mandarin
    lex = _lexicon_words()
    yue += _lexicon_score(simple, lex[CANTONESE], yue_found)
    hak += _lexicon_score(simple, lex[HAKKA], hak_found)
    if hak > yue:
        dialect, score, found = HAKKA, hak + shared, hak_found
    else:
        dialect, score, found = CANTONESE, yue + shared, yue_found
    if score < THRESHOLD:
        return Detection(MANDARIN, 0.0 if not (yue or hak or shared) else score, tuple(found + shared_found))
    return Detection(dialect, round(score, 2), tuple(found + shared_found))


__all__ = ["CANTONESE", "HAKKA", "MANDARIN", "Detection", "detect"]
