"""Topics from ticket vectors in two stages (numpy and scipy only).

e5 vectors of Chinese sentences all point roughly one way (cosines of unrelated texts sit at 0.8-0.9), so
the vectors are first centred on the window's mean and renormalised. Then:

1. incremental centroid assignment: each vector, in order of arrival, joins the nearest centroid at
   cosine ≥ ``join`` or starts a new one; a refinement pass moves each vector to its nearest final
   centroid (pure, small groups: one way of saying one thing);
2. average-linkage merging of those centroids at cosine ≥ ``merge`` (the ways of saying one thing meet).

On the team's 12-theme texts (tests/support/topic_data.py) this keeps ~95 % purity with most themes in one
topic; one centroid stage alone either mixes themes (low threshold) or splits each theme four ways.
Last year's tickets are assigned to the nearest stage-1 centroid (no new topics).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

UNASSIGNED = -1
JOIN = 0.45
MERGE = 0.30


def _normalise(m: np.ndarray) -> np.ndarray:
    return (m / (np.linalg.norm(m, axis=-1, keepdims=True) + 1e-9)).astype(np.float32)


def centroids_of(vecs: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Stage 1: (labels, L2-normalised centroids) by incremental assignment plus one refinement pass."""
    n, dim = vecs.shape
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, dim), dtype=np.float32)
    sums = np.zeros((n, dim), dtype=np.float32)
    cents = np.zeros((n, dim), dtype=np.float32)
    labels = np.empty(n, dtype=np.int64)
    k = 0
    for i in range(n):
        v = vecs[i]
        if k:
            sims = cents[:k] @ v
            j = int(np.argmax(sims))
            if sims[j] >= threshold:
                sums[j] += v
                cents[j] = _normalise(sums[j])
                labels[i] = j
                continue
        sums[k] = v
        cents[k] = v
        labels[i] = k
        k += 1
    cents = cents[:k]
    sims = vecs @ cents.T
    best = np.argmax(sims, axis=1)
    labels = np.where(sims[np.arange(n), best] >= threshold, best, labels)
    used = np.unique(labels)
    remap = np.full(k, -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    labels = remap[labels]
    return labels, np.vstack([_normalise(vecs[labels == j].sum(axis=0)) for j in range(len(used))])


@dataclass(frozen=True)
class TopicModel:
    mean: np.ndarray  # subtracted before comparing
    fine: np.ndarray  # stage-1 centroids
    group: np.ndarray  # stage-1 centroid → topic
    centroids: np.ndarray  # per topic

    def centre(self, vecs: np.ndarray) -> np.ndarray:
        return _normalise(vecs - self.mean)

    def assign(self, vecs: np.ndarray, threshold: float = JOIN) -> np.ndarray:
        """The topic of each vector, or UNASSIGNED when no stage-1 centroid is within ``threshold``."""
        if len(vecs) == 0 or len(self.fine) == 0:
            return np.full(len(vecs), UNASSIGNED, dtype=np.int64)
        sims = self.centre(vecs) @ self.fine.T
        best = np.argmax(sims, axis=1)
        return np.where(sims[np.arange(len(vecs)), best] >= threshold, self.group[best], UNASSIGNED)


def reference_sentences() -> list[str]:
    """Sentences of many kinds (reference.txt): their vectors join the mean that vectors are centred on, so that
    a window of a few tickets (all about one thing) is not centred on itself."""
    text = (Path(__file__).with_name("reference.txt")).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def find_topics(
    vecs: np.ndarray, join: float = JOIN, merge: float = MERGE, reference: np.ndarray | None = None
) -> tuple[np.ndarray, TopicModel]:
    """(topic of each vector, the model that assigns more vectors to these topics). ``reference``: vectors of
    ``reference_sentences()``, part of the mean (they matter with few tickets, hardly with thousands)."""
    dim = vecs.shape[1] if vecs.ndim == 2 else 0
    pool = vecs if reference is None or not len(reference) else np.vstack([vecs, reference])
    mean = pool.mean(axis=0) if len(pool) else np.zeros(dim, dtype=np.float32)
    centred = _normalise(vecs - mean)
    fine_labels, fine = centroids_of(centred, join)
    if len(fine) >= 2:
        from scipy.cluster.hierarchy import fcluster, linkage

        tree = linkage(fine.astype(np.float64), method="average", metric="cosine")
        group = fcluster(tree, t=1.0 - merge, criterion="distance").astype(np.int64) - 1
    else:
        group = np.zeros(len(fine), dtype=np.int64)
    labels = group[fine_labels] if len(fine) else fine_labels
    n_topics = int(group.max()) + 1 if len(group) else 0
    cents = np.vstack([_normalise(centred[labels == t].sum(axis=0)) for t in range(n_topics)]) if n_topics else fine
    return labels, TopicModel(mean.astype(np.float32), fine, group, cents)


def central(vecs: np.ndarray, model: TopicModel, topic: int) -> int:
    """The index of the row nearest the topic's centroid (the topic's most typical ticket)."""
    return int(np.argmax(model.centre(vecs) @ model.centroids[topic]))
