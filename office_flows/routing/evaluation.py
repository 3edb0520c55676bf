"""Measure the router: stratified k-fold cross-validation against the baseline, or a saved model on a file."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from office_flows.routing import pipelines
from office_flows.routing.dataset import Example
from office_flows.routing.model import RouterModel

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
    examples: list[Example], *, folds: int = 5, seed: int = 0, progress: Progress = _quiet
) -> dict[str, Any]:
    """Product and baseline trained and scored on the same stratified folds."""
    from sklearn.model_selection import StratifiedKFold

    texts = [ex.text for ex in examples]
    labels = [ex.label for ex in examples]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    product_pred = [""] * len(examples)
    fold_rows: list[dict[str, Any]] = []
    for k, (train_idx, test_idx) in enumerate(splitter.split(texts, labels), start=1):
        train = [examples[i] for i in train_idx]
        truth = [labels[i] for i in test_idx]
        started = time.perf_counter()
        model = RouterModel.train(train, seed=seed)
        product_seconds = time.perf_counter() - started
        predicted = [p.label for p in model.predict_many([texts[i] for i in test_idx])]
        for i, label in zip(test_idx, predicted, strict=True):
            product_pred[i] = label
        started = time.perf_counter()
        baseline = pipelines.baseline_pipeline(seed).fit([ex.text for ex in train], [ex.label for ex in train])
        baseline_seconds = time.perf_counter() - started
        baseline_pred = [str(x) for x in baseline.predict([texts[i] for i in test_idx])]
        product = scores(truth, predicted, per_label=False) | {"train_seconds": round(product_seconds, 2)}
        base = scores(truth, baseline_pred, per_label=False) | {"train_seconds": round(baseline_seconds, 2)}
        fold_rows.append({"fold": k, "test_examples": len(test_idx), "product": product, "baseline": base})
        progress(f"第 {k}/{folds} 折：macro-F1 本产品 {product['macro_f1']:.4f}，基线 {base['macro_f1']:.4f}")

    def mean(system: str, key: str) -> float:
        return round(statistics.fmean(float(r[system][key]) for r in fold_rows), 4)

    pooled = scores(labels, product_pred)
    return {
        "mode": f"stratified {folds}-fold cross-validation",
        "examples": len(examples),
        "seed": seed,
        "description": f"{pipelines.PRODUCT_FEATURES} → {pipelines.PRODUCT_CLASSIFIER}",
        "accuracy": mean("product", "accuracy"),
        "macro_f1": mean("product", "macro_f1"),
        # per-label figures pool the out-of-fold predictions of every fold
        "per_label": pooled["per_label"],
        "baseline": {
            "description": pipelines.BASELINE_DESCRIPTION,
            "accuracy": mean("baseline", "accuracy"),
            "macro_f1": mean("baseline", "macro_f1"),
        },
        "folds": fold_rows,
    }
