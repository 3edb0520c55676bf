"""Dialect words replaced only in questions written in that dialect.

The always-on dialect map (knowledge_base.lexicon.shipped_pairs) leaves out lexicon words that read as
Mandarin (仰般, 哪位, 做得, 细人, 过身): replaced everywhere they would damage Mandarin questions. A
question that carries a dialect's own characters (𠊎, 佢, 嘅, 咗 … — characters rare in Mandarin that the
dialect's lexicon uses in several words, knowledge_base.lexicon.dialect_markers) is written in that
dialect, and there these words almost always mean the dialect word: the question is normalised with the
KB's map plus that dialect's extra words. KB texts are Mandarin and keep the KB's map alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from knowledge_base.normalize import DialectMap, clean_input, to_simplified


@dataclass(frozen=True)
class QuestionDialects:
    markers: Mapping[str, frozenset[str]]
    extra: Mapping[str, tuple[tuple[str, str], ...]]

    def detect(self, question: str) -> tuple[str, ...]:
        """The dialects whose marker characters the question carries, the most marked first."""
        text = to_simplified(clean_input(question))
        counts = {d: sum(ch in marks for ch in text) for d, marks in self.markers.items()}
        return tuple(sorted((d for d, n in counts.items() if n), key=lambda d: (-counts[d], d)))

    def merged(self, base: DialectMap, dialects: tuple[str, ...]) -> DialectMap:
        """The KB's map first (an editor's pair wins), then the extra words of each dialect in order."""
        pairs = list(base.pairs.items())
        for d in dialects:
            pairs.extend(self.extra.get(d, ()))
        return DialectMap.build(pairs, whole_words=base.whole_words)
