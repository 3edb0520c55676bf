"""NB-SVM (Wang & Manning 2012): one-vs-rest linear SVMs on features scaled by naive Bayes log-count ratios.

For every class ``c`` the features are multiplied by ``r_c = log((p_c / |p_c|_1) / (q_c / |q_c|_1))``, where
``p_c`` and ``q_c`` count in how many documents of ``c`` and of the other classes each feature occurs
(plus ``alpha``). A binary SVM is fitted on the scaled features; since ``(x * r) . w = x . (r * w)``, the
ratio is folded into the weights, so prediction is one sparse product, like a plain linear model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin


class NBSVMClassifier(ClassifierMixin, BaseEstimator):
    def __init__(
        self, C: float = 1.0, alpha: float = 1.0, class_weight: Any = "balanced", random_state: Any = None
    ) -> None:
        self.C = C
        self.alpha = alpha
        self.class_weight = class_weight
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> NBSVMClassifier:
        from sklearn.svm import LinearSVC

        y = np.asarray(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError("NBSVMClassifier needs at least two classes")
        present = (X > 0).astype(np.float64)
        # with two classes one binary model (for classes_[1]) decides, as sklearn expects
        targets = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        coefs, intercepts = [], []
        for c in targets:
            positive = y == c
            p = self.alpha + np.asarray(present[positive].sum(axis=0)).ravel()
            q = self.alpha + np.asarray(present[~positive].sum(axis=0)).ravel()
            ratio = np.log((p / p.sum()) / (q / q.sum()))
            svm = LinearSVC(C=self.C, class_weight=self.class_weight, random_state=self.random_state)
            svm.fit(X.multiply(ratio).tocsr(), positive.astype(int))
            coefs.append(svm.coef_.ravel() * ratio)
            intercepts.append(float(svm.intercept_[0]))
        self.coef_ = np.vstack(coefs).astype(np.float32)
        self.intercept_ = np.asarray(intercepts, dtype=np.float32)
        self.n_features_in_ = X.shape[1]
        return self

    def decision_function(self, X: Any) -> Any:
        scores = np.asarray(X @ self.coef_.T) + self.intercept_
        return scores.ravel() if len(self.classes_) == 2 else scores

    def predict(self, X: Any) -> Any:
        scores = self.decision_function(X)
        if len(self.classes_) == 2:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[scores.argmax(axis=1)]
