"""Scoring retrieved entries with the learned stage: a calibrated probability per candidate."""

from __future__ import annotations

from functools import lru_cache

from knowledge_base.ranker.calibration import Calibration, load_calibration
from knowledge_base.ranker.features import features, question_profile
from knowledge_base.ranker.model import Ranker
from knowledge_base.retriever import EntryHit, SearchSnapshot

# How many fused candidates the learned stage scores (training uses the same number).
DEPTH = 8


@lru_cache(maxsize=1)
def shipped_calibration() -> Calibration | None:
    return load_calibration()


def rerank(
    snap: SearchSnapshot, ranker: Ranker, query: str, hits: list[EntryHit], calibration: Calibration | None = None
) -> list[EntryHit]:
    """The first DEPTH hits with ``prob`` set. The order stays the fused one: on dev, reordering by the
    probability lost hit@1 (bench/README.md); the probability decides answer / choices / decline."""
    top = hits[:DEPTH]
    if not top:
        return []
    x = features(snap, question_profile(snap, query), top)
    probs = ranker.predict(x)
    cal = calibration if calibration is not None else shipped_calibration()
    if cal is not None:
        probs = cal.apply(x, probs)
    for h, p in zip(top, probs, strict=True):
        h.prob = float(p)
    return top
