"""A trained routing classifier: predict with calibrated confidences, save and load with metadata."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from office_flows.routing import pipelines
from office_flows.routing.dataset import Example, fingerprint
from office_flows.routing.stacking import StackedClassifier
from office_flows.text_encoder import TextEncoder

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
TOP_K = 3
CALIBRATION_FOLDS = 5
MIN_PER_LABEL = 2  # the confidence calibration needs out-of-fold scores of every label
INT8_SUFFIX = "+int8"  # how the KB names the int8 trace of an encoder


class ModelError(RuntimeError):
    """A saved model is missing, unreadable or of another format."""


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    # the TOP_K most likely labels with their probabilities, best first (the first is ``label``)
    alternatives: tuple[tuple[str, float], ...]


class RouterModel:
    """The n-gram model (a calibrated sklearn pipeline over texts), or, when trained with an encoder, the
    stacked n-gram + embedding model (:mod:`office_flows.routing.stacking`), which encodes each text it is
    asked about with ``encoder``. Without an encoder the stacked model answers from its n-gram part alone
    (``degraded``), and says so in the log."""

    def __init__(self, pipeline: Any, metadata: dict[str, Any], encoder: TextEncoder | None = None) -> None:
        self.pipeline = pipeline
        self.metadata = metadata
        self.encoder = encoder
        if self.degraded:
            log.warning(
                "routing model was trained with sentence embeddings (%s) but no encoder is given: "
                "proposing from its n-gram part alone (less accurate)",
                metadata.get("encoder"),
            )

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.pipeline.classes_]

    @property
    def needs_embeddings(self) -> bool:
        return isinstance(self.pipeline, StackedClassifier)

    @property
    def degraded(self) -> bool:
        """An embedding model without an encoder: it proposes from the n-gram scores alone."""
        return self.needs_embeddings and self.encoder is None

    @classmethod
    def train(
        cls,
        examples: list[Example],
        *,
        seed: int = 0,
        encoder: TextEncoder | None = None,
        vectors: np.ndarray | None = None,
    ) -> RouterModel:
        """The stacked n-gram + embedding model when an ``encoder`` is given (``vectors``: the examples' vectors
        if already encoded, row for row), else the n-gram model."""
        counts = Counter(ex.label for ex in examples)
        labels = sorted(counts)
        if len(labels) < 2 or min(counts.values()) < MIN_PER_LABEL:
            raise ValueError(f"training needs at least two labels with {MIN_PER_LABEL} examples each: {dict(counts)}")
        started = time.perf_counter()
        folds = min(CALIBRATION_FOLDS, min(counts.values()))
        texts, targets = [ex.text for ex in examples], [ex.label for ex in examples]
        pipeline: Any
        if encoder is None:
            log.info("routing model: no sentence encoder given, training the n-gram model")
            pipeline = pipelines.ngram_pipeline(seed, calibration_folds=folds).fit(texts, targets)
            features, classifier = pipelines.NGRAM_FEATURES, pipelines.NGRAM_CLASSIFIER
        else:
            if vectors is None:
                vectors = encoder.encode(texts)
            pipeline = StackedClassifier(seed=seed, folds=folds).fit(texts, vectors, targets)
            features, classifier = pipelines.STACKED_FEATURES, pipelines.STACKED_CLASSIFIER
        metadata = {
            "format_version": FORMAT_VERSION,
            "labels": labels,
            "examples": len(examples),
            "data_fingerprint": fingerprint(examples),
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "training_seconds": round(time.perf_counter() - started, 2),
            "features": features,
            "classifier": classifier,
            "calibration_folds": folds,
            "embeddings": encoder is not None,
            "encoder": encoder.name if encoder is not None else None,
            "sklearn_version": _sklearn_version(),
        }
        return cls(pipeline, metadata, encoder)

    def predict_many(self, texts: list[str], vectors: np.ndarray | None = None) -> list[Prediction]:
        """``vectors``: the texts' embeddings if already encoded (else the encoder encodes them when the model
        uses embeddings)."""
        if not texts:
            return []
        if not self.needs_embeddings:
            probs = self.pipeline.predict_proba(texts)
        else:
            if vectors is None and self.encoder is not None:
                vectors = self.encoder.encode(texts)
            probs = self.pipeline.predict_proba(texts, vectors)
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
    def load(cls, folder: Path, encoder: TextEncoder | None = None) -> RouterModel:
        """Load a model written by :meth:`save` (a trusted file in the data folder: joblib unpickles it).

        A model trained with embeddings needs ``encoder`` (the same sentence model): without one, or with
        another model, it is ``degraded`` (n-gram part only, a warning in the log)."""
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
        trained_with = metadata.get("encoder")
        if encoder is not None and trained_with and _model_name(encoder.name) != _model_name(str(trained_with)):
            log.warning("%s: trained with the encoder %s, not %s (retrain it)", folder, trained_with, encoder.name)
            encoder = None
        return cls(pipeline, metadata, encoder)

    @staticmethod
    def needs_encoder(folder: Path) -> bool:
        """The model saved in ``folder`` was trained with sentence embeddings (False when there is none)."""
        try:
            metadata = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return False
        return isinstance(metadata, dict) and bool(metadata.get("embeddings"))


def _model_name(name: str) -> str:
    """An encoder's model, wherever its folder is (the int8 trace of a model is the same model)."""
    return Path(name.removesuffix(INT8_SUFFIX)).name


def _sklearn_version() -> str:
    import sklearn

    return str(sklearn.__version__)
