"""BM25 over jieba tokens, with scores normalised to [0, 1] so they can be fused."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

from knowledge_base.tokenize import tokens


class Bm25Index:
    """An immutable BM25 index over (id, normalised text) pairs."""

    def __init__(self, docs: Sequence[tuple[int, str]], k1: float = 1.2, b: float = 0.6) -> None:
        self.k1, self.b = k1, b
        self.ids = np.array([doc_id for doc_id, _ in docs], dtype=np.int64)
        self._row = {doc_id: row for row, (doc_id, _) in enumerate(docs)}
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        lengths = np.zeros(len(docs), dtype=np.float32)
        for row, (_, text) in enumerate(docs):
            counts = Counter(tokens(text))
            lengths[row] = sum(counts.values())
            for tok, tf in counts.items():
                postings[tok].append((row, tf))
        n = max(len(docs), 1)
        self.avg_len = float(lengths.mean()) if len(docs) else 1.0
        self._norm = (1 - b + b * lengths / max(self.avg_len, 1e-6)).astype(np.float32)
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.idf: dict[str, float] = {}
        for tok, plist in postings.items():
            rows = np.fromiter((r for r, _ in plist), dtype=np.int64, count=len(plist))
            tfs = np.fromiter((t for _, t in plist), dtype=np.float32, count=len(plist))
            self._postings[tok] = (rows, tfs)
            df = len(plist)
            self.idf[tok] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        # An unseen query word is as informative as the rarest word: it lowers the normalised score.
        self._oov_idf = math.log(1 + (n - 0.5) / 1.5)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def oov_idf(self) -> float:
        """The IDF given to a word that no document contains."""
        return self._oov_idf

    def scores(self, query: str) -> np.ndarray:
        """Score in [0, 1] of every document, by row: the share of the query's information matched."""
        scores = np.zeros(len(self.ids), dtype=np.float32)
        q_tokens = list(dict.fromkeys(tokens(query)))
        if not q_tokens or not len(self.ids):
            return scores
        total_idf = 0.0
        for tok in q_tokens:
            idf = self.idf.get(tok)
            if idf is None:
                total_idf += self._oov_idf if len(tok) > 1 else self._oov_idf / 4
                continue
            total_idf += idf
            rows, tfs = self._postings[tok]
            scores[rows] += idf * tfs * (self.k1 + 1) / (tfs + self.k1 * self._norm[rows])
        if total_idf > 0:
            # A perfect single match of every token scores sum(idf); normalise by it.
            np.minimum(scores / total_idf, 1.0, out=scores)
        return scores

    def top(self, scores: np.ndarray, k: int) -> list[int]:
        """Ids of the k best-scoring documents with a score above 0, best first."""
        k = min(k, len(scores))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [int(self.ids[i]) for i in top if scores[i] > 0]

    def lookup(self, scores: np.ndarray, ids: list[int]) -> dict[int, float]:
        """The scores of given document ids (those not indexed are left out)."""
        return {i: float(scores[self._row[i]]) for i in ids if i in self._row}

    def search(self, query: str, k: int = 50) -> list[tuple[int, float]]:
        """Top-k (id, score in [0, 1])."""
        scores = self.scores(query)
        return [(i, float(scores[self._row[i]])) for i in self.top(scores, k)]
