"""The product classifier and the baseline it is measured against, as sklearn pipelines."""

from __future__ import annotations

from typing import Any

from office_flows.routing import features

NGRAM_FEATURES = "char 1-4-gram TF-IDF + jieba word 1-2-gram TF-IDF"
NGRAM_CLASSIFIER = (
    "NB-SVM (one-vs-rest LinearSVC on naive Bayes log-count-ratio scaled features, balanced class weights) "
    "calibrated by 5-fold sigmoid"
)
STACKED_FEATURES = NGRAM_FEATURES + " | e5 sentence embedding (standardised)"
STACKED_CLASSIFIER = (
    "stack: NB-SVM on the n-grams + logistic regression on the embedding + nearest training texts by class "
    "(embedding cosine), their 5-fold out-of-fold scores combined by a multinomial logistic regression"
)
BASELINE_DESCRIPTION = "char 1-3-gram TF-IDF + LinearSVC"


def ngram_features() -> Any:
    """Character 1-4-grams and jieba word 1-2-grams, TF-IDF weighted, side by side."""
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion([("char", features.char_tfidf((1, 4))), ("word", features.word_tfidf())])


def ngram_pipeline(seed: int = 0, calibration_folds: int = 5) -> Any:
    """Character and word TF-IDF side by side into an NB-SVM whose scores are calibrated to probabilities.

    The NB-SVM scales every feature by its naive Bayes log-count ratio for each class before the
    one-vs-rest SVMs (:mod:`office_flows.routing.nbsvm`). It is fitted on all the data; its sigmoid
    calibration is fitted on out-of-fold scores (``ensemble=False``), so the decisions are those of one
    model and the confidences are honest.
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.pipeline import Pipeline

    from office_flows.routing.nbsvm import NBSVMClassifier

    svm = NBSVMClassifier(C=1.0, alpha=1.0, class_weight="balanced", random_state=seed)
    clf = CalibratedClassifierCV(svm, method="sigmoid", cv=calibration_folds, ensemble=False)
    return Pipeline([("features", ngram_features()), ("clf", clf)])


def baseline_pipeline(seed: int = 0) -> Any:
    """The usual first attempt: character n-gram TF-IDF into a linear SVM with default settings."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    return Pipeline([("tfidf", vec), ("clf", LinearSVC(random_state=seed))])
