"""Measure the router: stratified k-fold cross-validation against the baseline, or a saved model on a file."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from office_flows.routing import pipelines
from office_flows.routing.dataset import Example
from office_flows.routing.model import RouterModel
from office_flows.text_encoder import TextEncoder

Progress = Callable[[str], None]


def _quiet(_msg: str) -> None:
    pass


def scores(truth: list[str], predicted: list[str], *, per_label: bool = True) -> dict[str, Any]:
    """Accuracy, macro-F1 and (optionally) precision/recall/F1/support for every label in ``truth``."""
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    labels = sorted(set(truth))
    out: dict[str, Any] = {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)), 4),
    }
    if per_label:
        p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
        out["per_label"] = {
            label: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4), "f1": round(float(f[i]), 4)}
            | {"support": int(s[i])}
            for i, label in enumerate(labels)
        }
    return out


def evaluate_model(model: RouterModel, examples: list[Example]) -> dict[str, Any]:
    """A trained model on a labelled file (for a held-out split)."""
    started = time.perf_counter()
    predictions = model.predict_many([ex.text for ex in examples])
    seconds = time.perf_counter() - started
    report = scores([ex.label for ex in examples], [p.label for p in predictions])
    unknown = sorted({ex.label for ex in examples} - set(model.labels))
    return {
        "mode": "trained model",
        "examples": len(examples),
        **report,
        "labels_unknown_to_model": unknown,
        "predict_ms_per_text": round(1000 * seconds / len(examples), 2),
        "model": model.metadata,
    }


def cross_validate(
    examples: list[Example],
    *,
    folds: int = 5,
    seed: int = 0,
    progress: Progress = _quiet,
    encoder: TextEncoder | None = None,
    vectors: np.ndarray | None = None,
) -> dict[str, Any]:
    """The product, and the baseline, trained and scored on the same stratified folds.

    With an ``encoder`` the product is the stacked n-gram + embedding model (every text is encoded once,
    before the folds, unless ``vectors`` are given, row for row) and the n-gram model trained without an encoder
    is scored too, as ``ngram``."""
    from sklearn.model_selection import StratifiedKFold

    texts = [ex.text for ex in examples]
    labels = [ex.label for ex in examples]
    if encoder is None:
        vectors = None
    elif vectors is None:
        vectors = encoder.encode(texts)
        progress(f"已编码 {len(texts)} 条工单的句向量")
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    product_pred = [""] * len(examples)
    fold_rows: list[dict[str, Any]] = []
    for k, (train_idx, test_idx) in enumerate(splitter.split(texts, labels), start=1):
        fold = _Fold(examples, train_idx, test_idx, vectors, seed)
        row: dict[str, Any] = {"fold": k, "test_examples": len(test_idx)}
        row["product"], predicted = fold.router(encoder)
        for i, label in zip(test_idx, predicted, strict=True):
            product_pred[i] = label
        if encoder is not None:
            row["ngram"], _ = fold.router(None)
        row["baseline"] = fold.baseline()
        fold_rows.append(row)
        product, baseline = row["product"]["macro_f1"], row["baseline"]["macro_f1"]
        progress(f"第 {k}/{folds} 折：macro-F1 本产品 {product:.4f}，基线 {baseline:.4f}")

    def summary(system: str) -> dict[str, float]:
        return {
            key: round(statistics.fmean(float(r[system][key]) for r in fold_rows), 4)
            for key in ("accuracy", "macro_f1")
        }

    features, classifier = (
        (pipelines.STACKED_FEATURES, pipelines.STACKED_CLASSIFIER)
        if encoder is not None
        else (pipelines.NGRAM_FEATURES, pipelines.NGRAM_CLASSIFIER)
    )
    pooled = scores(labels, product_pred)
    report: dict[str, Any] = {
        "mode": f"stratified {folds}-fold cross-validation",
        "examples": len(examples),
        "seed": seed,
        "description": f"{features} → {classifier}",
        "encoder": encoder.name if encoder is not None else None,
        **summary("product"),
        # per-label figures pool the out-of-fold predictions of every fold
        "per_label": pooled["per_label"],
        "baseline": {"description": pipelines.BASELINE_DESCRIPTION, **summary("baseline")},
    }
    if encoder is not None:
        ngram = f"{pipelines.NGRAM_FEATURES} → {pipelines.NGRAM_CLASSIFIER}"
        report["ngram"] = {"description": ngram, **summary("ngram")}
    return report | {"folds": fold_rows}


class _Fold:
    """One fold's training and test parts; each system is trained on the one and scored on the other."""

    def __init__(self, examples: list[Example], train_idx: Any, test_idx: Any, vectors: Any, seed: int) -> None:
        self.train = [examples[i] for i in train_idx]
        self.test_texts = [examples[i].text for i in test_idx]
        self.truth = [examples[i].label for i in test_idx]
        self.train_vectors = vectors[train_idx] if vectors is not None else None
        self.test_vectors = vectors[test_idx] if vectors is not None else None
        self.seed = seed

    def router(self, encoder: TextEncoder | None) -> tuple[dict[str, Any], list[str]]:
        """The router model (stacked with an encoder, else n-gram): its scores and its predictions."""
        started = time.perf_counter()
        model = RouterModel.train(self.train, seed=self.seed, encoder=encoder, vectors=self.train_vectors)
        seconds = time.perf_counter() - started
        vectors = self.test_vectors if encoder is not None else None
        predicted = [p.label for p in model.predict_many(self.test_texts, vectors)]
        return self._scores(predicted, seconds), predicted

    def baseline(self) -> dict[str, Any]:
        started = time.perf_counter()
        fitted = pipelines.baseline_pipeline(self.seed).fit(
            [ex.text for ex in self.train], [ex.label for ex in self.train]
        )
        seconds = time.perf_counter() - started
        return self._scores([str(x) for x in fitted.predict(self.test_texts)], seconds)

    def _scores(self, predicted: list[str], seconds: float) -> dict[str, Any]:
        return scores(self.truth, predicted, per_label=False) | {"train_seconds": round(seconds, 2)}
