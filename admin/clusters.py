"""Group similar short texts (unanswered questions): the KB encoder when loaded, else character bigrams.

Greedy single pass in order of arrival: a text joins the first group whose leader it resembles.
Good enough for a queue of a few hundred questions; a leader keeps groups from drifting.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

DENSE_MIN = 0.92  # e5 cosines of unrelated Chinese sentences sit around 0.75-0.85
JACCARD_MIN = 0.34


def bigrams(text: str) -> set[str]:
    chars = [c for c in text if not c.isspace() and c not in "，。？！?!,.、"]
    return {a + b for a, b in itertools.pairwise(chars)} or set(chars)


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def group(texts: Sequence[str], encoder: Any = None) -> list[list[int]]:
    """Indexes of ``texts`` grouped; each group's first index is its leader."""
    groups: list[list[int]] = []
    if encoder is not None and texts:
        vecs = np.asarray(encoder.encode(list(texts)), dtype=np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-9
        for i in range(len(texts)):
            for g in groups:
                if float(vecs[i] @ vecs[g[0]]) >= DENSE_MIN:
                    g.append(i)
                    break
            else:
                groups.append([i])
    else:
        grams = [bigrams(t) for t in texts]
        for i in range(len(texts)):
            for g in groups:
                if jaccard(grams[i], grams[g[0]]) >= JACCARD_MIN:
                    g.append(i)
                    break
            else:
                groups.append([i])
    return sorted(groups, key=len, reverse=True)
