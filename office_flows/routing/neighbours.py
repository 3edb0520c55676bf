"""Nearest training texts by class, in the sentence-embedding space.

Citizens write about the same matter again and again (the same estate, the same bus line, a follow-up to
an earlier message), and a near-duplicate of a training text is best routed like it. A linear model on the
embedding smooths such neighbourhoods away; this base model keeps them: for every class, the cosine
similarity of the closest training text of that class and the mean of its ``top`` closest. The stack's
meta-learner (:mod:`office_flows.routing.stacking`) learns how far to trust them.
"""

from __future__ import annotations

import numpy as np


class ClassNeighbours:
    def __init__(self, top: int = 3) -> None:
        if top < 1:
            raise ValueError("top must be at least 1")
        self.top = top

    def fit(self, vectors: np.ndarray, labels: np.ndarray) -> ClassNeighbours:
        labels = np.asarray(labels)
        if len(vectors) != len(labels):
            raise ValueError(f"{len(vectors)} vectors and {len(labels)} labels")
        self.classes_ = np.unique(labels)
        self.vectors_ = _unit(np.asarray(vectors, dtype=np.float32))
        self.members_ = [np.flatnonzero(labels == c) for c in self.classes_]
        return self

    def decision_function(self, vectors: np.ndarray) -> np.ndarray:
        """Two columns per class, in ``classes_`` order: the largest similarity and the mean of the ``top`` largest."""
        similarity = _unit(np.asarray(vectors, dtype=np.float32)) @ self.vectors_.T
        columns = []
        for members in self.members_:
            k = min(self.top, len(members))
            # the k largest similarities to this class's texts, in no particular order
            nearest = np.partition(similarity[:, members], len(members) - k, axis=1)[:, -k:]
            columns += [nearest.max(axis=1), nearest.mean(axis=1)]
        return np.stack(columns, axis=1).astype(np.float64)


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
