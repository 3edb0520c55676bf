"""The model score where rules cannot judge: how well an answer relates to what was asked.

Two scorers, named honestly in every inspection (``model_name``):
- ``EncoderScorer`` (wired in ``govchat/runtime.py`` when the KB's sentence encoder is loaded): the cosine of
  the KB encoder's embeddings of the citizen's text and the answer. Not trained on inspection labels.
- ``BigramScorer`` (fallback, no model): the cosine of character-bigram counts, a literal relatedness.
Either only raises an advice (建议) finding below a threshold; it never makes a must-fix finding.
"""

from __future__ import annotations

import math
from collections import Counter
from itertools import pairwise
from typing import Protocol


class Scorer(Protocol):
    key: str  # which threshold of the answer_relevance rule applies ("bigram", "encoder")
    name: str  # shown with every score

    def score_many(self, pairs: list[tuple[str, str]]) -> list[float]:
        """(question, answer) pairs → relatedness in [0, 1]; CPU work, run in a worker thread."""
        ...


def _bigrams(text: str) -> Counter[str]:
    chars = [ch for ch in text if not ch.isspace() and ch.isalnum()]
    return Counter(a + b for a, b in pairwise(chars))


class BigramScorer:
    key = "bigram"
    name = "字面相关度（字二元组余弦）"

    def score_many(self, pairs: list[tuple[str, str]]) -> list[float]:
        return [self.score(q, a) for q, a in pairs]

    def score(self, question: str, answer: str) -> float:
        q, a = _bigrams(question), _bigrams(answer)
        if not q or not a:
            return 0.0
        dot = sum(n * a[g] for g, n in q.items())
        return dot / math.sqrt(sum(n * n for n in q.values()) * sum(n * n for n in a.values()))
