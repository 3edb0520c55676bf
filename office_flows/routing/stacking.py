"""The n-gram NB-SVM, a logistic regression on sentence embeddings and the nearest training texts by class,
weighed by a meta-learner.

Three base models see a ticket differently: the NB-SVM on character and word TF-IDF
(:func:`office_flows.routing.pipelines.ngram_features`) catches the words a category uses, the logistic
regression on standardised e5 vectors what the text is about, however worded, and
:class:`office_flows.routing.neighbours.ClassNeighbours` how close the text comes to a training text of each
class (near-duplicates and follow-ups). The meta-learner, a multinomial logistic regression on the base
models' standardised scores, is fitted on the scores each base model gives to training texts it did not see
(stratified k-fold, averaged over ``OOF_REPEATS`` shuffles), so it learns how far to trust each; the base
models are then refitted on all the data. Its probabilities are the router's confidences.

A model saved before the neighbours were added (no ``neighbours_``) keeps answering from the other two.

A second meta-learner, on the n-gram scores alone, serves when a text comes without a vector (no
encoder in the process): a calibrated n-gram model, like the router before embeddings.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from office_flows.routing import pipelines
from office_flows.routing.nbsvm import NBSVMClassifier
from office_flows.routing.neighbours import ClassNeighbours

# inverse regularisation of the embedding model and of the meta-learner (dev CV only, bench/README.md)
EMBEDDING_C = 0.01
META_C = 0.1
# inner splits the out-of-fold scores are averaged over (a different shuffle each): the meta-learner then
# depends less on one shuffle (dev CV, 3 fold seeds: +0.22 / +0.11 / +0.13 points against 1; training ~2.5× longer)
OOF_REPEATS = 3


class StackedClassifier:
    def __init__(self, *, seed: int = 0, folds: int = 5) -> None:
        self.seed = seed
        self.folds = folds

    def fit(self, texts: list[str], vectors: np.ndarray, labels: list[str]) -> StackedClassifier:
        from sklearn.model_selection import StratifiedKFold

        y = np.asarray(labels)
        if len(texts) != len(vectors) or len(texts) != len(y):
            raise ValueError(f"{len(texts)} texts, {len(vectors)} vectors and {len(y)} labels")
        self.features_ = pipelines.ngram_features().fit(texts)
        x = self.features_.transform(texts).tocsr()
        self.classes_ = np.unique(y)
        ngram_oof = np.zeros((len(y), len(self.classes_)), dtype=np.float64)
        embedding_oof = np.zeros_like(ngram_oof)
        neighbours_oof = np.zeros((len(y), 2 * len(self.classes_)), dtype=np.float64)
        for repeat in range(OOF_REPEATS):
            splitter = StratifiedKFold(n_splits=self.folds, shuffle=True, random_state=self.seed + repeat)
            for train, test in splitter.split(x, y):
                ngram_oof[test] += self._ngram_model().fit(x[train], y[train]).decision_function(x[test])
                embedding = self._embedding_model().fit(vectors[train], y[train])
                embedding_oof[test] += embedding.decision_function(vectors[test])
                neighbours_oof[test] += ClassNeighbours().fit(vectors[train], y[train]).decision_function(vectors[test])
        ngram_oof /= OOF_REPEATS
        embedding_oof /= OOF_REPEATS
        neighbours_oof /= OOF_REPEATS
        self.ngram_ = self._ngram_model().fit(x, y)
        self.embedding_ = self._embedding_model().fit(vectors, y)
        self.neighbours_: ClassNeighbours | None = ClassNeighbours().fit(vectors, y)
        self.meta_ = _meta().fit(np.hstack([ngram_oof, embedding_oof, neighbours_oof]), y)
        self.meta_ngram_ = _meta().fit(ngram_oof, y)
        return self

    def predict_proba(self, texts: list[str], vectors: np.ndarray | None) -> np.ndarray:
        """Class probabilities (columns in ``classes_`` order); ``vectors=None``: from the n-gram scores alone."""
        ngram = self.ngram_.decision_function(self.features_.transform(texts))
        if vectors is None:
            return np.asarray(self.meta_ngram_.predict_proba(ngram))
        blocks = [ngram, self.embedding_.decision_function(vectors)]
        neighbours = getattr(self, "neighbours_", None)  # None in a model saved before they were added
        if neighbours is not None:
            blocks.append(neighbours.decision_function(vectors))
        return np.asarray(self.meta_.predict_proba(np.hstack(blocks)))

    def _ngram_model(self) -> NBSVMClassifier:
        return NBSVMClassifier(C=1.0, alpha=1.0, class_weight="balanced", random_state=self.seed)

    def _embedding_model(self) -> Any:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        lr = LogisticRegression(C=EMBEDDING_C, max_iter=3000, class_weight="balanced")
        return make_pipeline(StandardScaler(), lr)


def _meta() -> Any:
    """Standardised base scores (the two models score on different scales) into a multinomial logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=META_C, max_iter=3000))
