"""Hybrid retrieval: jieba BM25 and dense vectors, fused per KB entry.

A snapshot is immutable; the index manager builds a new one and swaps the
reference, so a query always sees one consistent KB version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from knowledge_base.encoder import Encoder
from knowledge_base.lexical import Bm25Index
from knowledge_base.normalize import DialectMap, normalize
from knowledge_base.vector_index import VectorIndex


@dataclass(frozen=True)
class IndexedText:
    id: int
    kind: str
    entry_id: int
    field: str
    text: str  # normalised


@dataclass(frozen=True)
class EntryInfo:
    kind: str
    entry_id: int
    title: str
    source_code: str | None


@dataclass
class EntryHit:
    kind: str
    entry_id: int
    title: str
    source_code: str | None
    lexical: float = 0.0
    dense: float = 0.0
    fused: float = 0.0
    matched_text: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.entry_id)


@dataclass(frozen=True)
class FusionParams:
    # Chosen with bench/tune_kb.py on bench/data/kb_eval_gd_dev.jsonl (see bench/README.md).
    dense_weight: float = 0.8
    # e5 cosines of unrelated Chinese sentences sit around 0.75-0.8; map [floor, ceil] onto [0, 1].
    dense_floor: float = 0.80
    dense_ceil: float = 1.0
    candidates: int = 60

    def dense_norm(self, cos: float) -> float:
        return float(np.clip((cos - self.dense_floor) / (self.dense_ceil - self.dense_floor), 0.0, 1.0))


@dataclass
class SearchSnapshot:
    kb_version: int
    texts: dict[int, IndexedText]
    entries: dict[tuple[str, int], EntryInfo]
    bm25: Bm25Index
    vectors: VectorIndex | None
    dialect: DialectMap
    encoder: Encoder | None
    params: FusionParams = field(default_factory=FusionParams)

    def normalise(self, question: str) -> str:
        return normalize(question, self.dialect)

    def candidates(
        self, question: str, *, mode: str = "fused", params: FusionParams | None = None
    ) -> list[tuple[IndexedText, float, float | None]]:
        """(text, lexical score, raw cosine or None) for every candidate text of either retriever."""
        p = params or self.params
        query = self.normalise(question)
        if not query:
            return []
        use_lex = mode in ("fused", "lexical")
        use_dense = mode in ("fused", "dense") and self.vectors is not None and self.encoder is not None
        lex_by_text: dict[int, float] = dict(self.bm25.search(query, p.candidates)) if use_lex else {}
        dense_by_text: dict[int, float] = {}
        if use_dense:
            assert self.vectors is not None and self.encoder is not None
            qvec = self.encoder.encode([query])[0]
            dense_by_text = dict(self.vectors.search(qvec, p.candidates))
            missing = [i for i in lex_by_text if i not in dense_by_text]
            dense_by_text.update(self.vectors.scores_for(qvec, missing))
        out = []
        for text_id in lex_by_text.keys() | dense_by_text.keys():
            t = self.texts.get(text_id)
            if t is not None and (t.kind, t.entry_id) in self.entries:
                out.append((t, lex_by_text.get(text_id, 0.0), dense_by_text.get(text_id)))
        return out

    def search(
        self, question: str, k: int = 10, *, mode: str = "fused", params: FusionParams | None = None
    ) -> list[EntryHit]:
        """Ranked entries; mode is "fused", "lexical" or "dense" (for measurement)."""
        p = params or self.params
        has_dense = self.vectors is not None and self.encoder is not None
        return fuse(self.entries, self.candidates(question, mode=mode, params=p), p, mode, has_dense)[:k]


def fuse(
    entries: dict[tuple[str, int], EntryInfo],
    candidates: list[tuple[IndexedText, float, float | None]],
    p: FusionParams,
    mode: str,
    has_dense: bool,
) -> list[EntryHit]:
    """Score each text, keep each entry's best text, rank entries."""
    hits: dict[tuple[str, int], EntryHit] = {}
    for t, lex, cos in candidates:
        key = (t.kind, t.entry_id)
        hit = hits.get(key)
        if hit is None:
            info = entries[key]
            hit = hits[key] = EntryHit(info.kind, info.entry_id, info.title, info.source_code)
        dense = p.dense_norm(cos) if cos is not None else 0.0
        if mode == "lexical" or not has_dense:
            fused = lex
        elif mode == "dense":
            fused = dense
        else:
            fused = p.dense_weight * dense + (1 - p.dense_weight) * lex
        hit.lexical = max(hit.lexical, lex)
        hit.dense = max(hit.dense, dense)
        if fused > hit.fused:
            hit.fused = fused
            hit.matched_text = t.text
    return sorted(hits.values(), key=lambda h: (-h.fused, h.kind, h.entry_id))


def build_snapshot(
    kb_version: int,
    texts: Sequence[IndexedText],
    entries: Sequence[EntryInfo],
    vectors: VectorIndex | None,
    encoder: Encoder | None,
    dialect: DialectMap,
    params: FusionParams,
) -> SearchSnapshot:
    bm25 = Bm25Index([(t.id, t.text) for t in texts])
    return SearchSnapshot(
        kb_version=kb_version,
        texts={t.id: t for t in texts},
        entries={(e.kind, e.entry_id): e for e in entries},
        bm25=bm25,
        vectors=vectors,
        dialect=dialect,
        encoder=encoder,
        params=params,
    )
