"""Scoring retrieved entries with the learned stage: probabilities, best first."""

from __future__ import annotations

from knowledge_base.ranker.features import features, question_profile
from knowledge_base.ranker.model import Ranker
from knowledge_base.retriever import EntryHit, SearchSnapshot

# How many fused candidates the learned stage scores (training uses the same number).
DEPTH = 8


def rerank(snap: SearchSnapshot, ranker: Ranker, query: str, hits: list[EntryHit]) -> list[EntryHit]:
    """The first DEPTH hits with ``prob`` set, ordered by it (ties keep the fused order)."""
    top = hits[:DEPTH]
    if not top:
        return []
    probs = ranker.predict(features(snap, question_profile(snap, query), top))
    for h, p in zip(top, probs, strict=True):
        h.prob = float(p)
    return sorted(top, key=lambda h: -(h.prob or 0.0))
