"""A trained routing classifier: predict with calibrated confidences, save and load with metadata."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from office_flows.routing import pipelines
from office_flows.routing.dataset import Example, fingerprint

FORMAT_VERSION = 1
MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
TOP_K = 3
CALIBRATION_FOLDS = 5
MIN_PER_LABEL = 2  # the confidence calibration needs out-of-fold scores of every label


class ModelError(RuntimeError):
    """A saved model is missing, unreadable or of another format."""


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    # the TOP_K most likely labels with their probabilities, best first (the first is ``label``)
    alternatives: tuple[tuple[str, float], ...]


class RouterModel:
    def __init__(self, pipeline: Any, metadata: dict[str, Any]) -> None:
        self.pipeline = pipeline
        self.metadata = metadata

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.pipeline.classes_]

    @classmethod
    def train(cls, examples: list[Example], *, seed: int = 0) -> RouterModel:
        counts = Counter(ex.label for ex in examples)
        labels = sorted(counts)
        if len(labels) < 2 or min(counts.values()) < MIN_PER_LABEL:
            raise ValueError(f"training needs at least two labels with {MIN_PER_LABEL} examples each: {dict(counts)}")
        started = time.perf_counter()
        folds = min(CALIBRATION_FOLDS, min(counts.values()))
        pipeline = pipelines.product_pipeline(seed, calibration_folds=folds)
        pipeline.fit([ex.text for ex in examples], [ex.label for ex in examples])
        metadata = {
            "format_version": FORMAT_VERSION,
            "labels": labels,
            "examples": len(examples),
            "data_fingerprint": fingerprint(examples),
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "training_seconds": round(time.perf_counter() - started, 2),
            "features": pipelines.PRODUCT_FEATURES,
            "classifier": pipelines.PRODUCT_CLASSIFIER,
            "calibration_folds": folds,
            "sklearn_version": _sklearn_version(),
        }
        return cls(pipeline, metadata)

    def predict_many(self, texts: list[str]) -> list[Prediction]:
        if not texts:
            return []
        probs = self.pipeline.predict_proba(texts)
        labels = self.labels
        out = []
        for row in probs:
            order = row.argsort()[::-1][:TOP_K]
            ranked = tuple((labels[i], round(float(row[i]), 4)) for i in order)
            out.append(Prediction(ranked[0][0], ranked[0][1], ranked))
        return out

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    def save(self, folder: Path) -> Path:
        """Write the pipeline and its metadata; the metadata goes last so a half-written model is not loaded."""
        import joblib

        folder.mkdir(parents=True, exist_ok=True)
        (folder / METADATA_FILE).unlink(missing_ok=True)
        joblib.dump(self.pipeline, folder / MODEL_FILE, compress=3)
        text = json.dumps(self.metadata, ensure_ascii=False, indent=2)
        (folder / METADATA_FILE).write_text(text + "\n", encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: Path) -> RouterModel:
        """Load a model written by :meth:`save` (a trusted file in the data folder: joblib unpickles it)."""
        import joblib

        meta_path = folder / METADATA_FILE
        if not meta_path.is_file() or not (folder / MODEL_FILE).is_file():
            raise ModelError(f"no trained routing model in {folder}")
        try:
            metadata = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ModelError(f"{meta_path}: unreadable ({exc})") from exc
        if metadata.get("format_version") != FORMAT_VERSION:
            raise ModelError(
                f"{folder}: model format {metadata.get('format_version')!r}, expected {FORMAT_VERSION}; retrain it"
            )
        try:
            pipeline = joblib.load(folder / MODEL_FILE)
        except Exception as exc:  # unpickling can fail in many ways (versions, truncation)
            raise ModelError(f"{folder / MODEL_FILE}: cannot load ({exc}); retrain it") from exc
        return cls(pipeline, metadata)


def _sklearn_version() -> str:
    import sklearn

    return str(sklearn.__version__)
