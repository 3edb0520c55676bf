"""The learned relevance stage: a calibrated classifier over knowledge_base.ranker.features.

Gradient-boosted trees (scikit-learn's HistGradientBoostingClassifier) give P(entry answers the
question) per candidate; isotonic calibration on held-out questions (grouped by question, so one
question's candidates never sit on both sides) makes that probability mean what it says on the
training distribution. The answer policy thresholds on it (knowledge_base.policy.decide_learned).

Stored with the index under ``<index_dir>/ranker/``: ``model.joblib`` and ``meta.json`` (the KB version
it was trained on, the feature names, when, how long, how many questions and pairs).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from knowledge_base.ranker.features import FEATURES

log = logging.getLogger(__name__)
MODEL_FILE = "model.joblib"
META_FILE = "meta.json"


def ranker_dir(index_dir: Path) -> Path:
    return index_dir / "ranker"


@dataclass
class Ranker:
    model: Any
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def kb_version(self) -> int:
        return int(self.meta.get("kb_version", 0))

    @property
    def stamp(self) -> str:
        """Identifies one trained model (what workers compare to pick up a new one)."""
        return str(self.meta.get("stamp", ""))

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, groups: np.ndarray, *, seed: int = 0, kind: str = "logistic") -> Ranker:
        if kind == "logistic":
            lr = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
            lr.fit(x, y)
            return cls(lr, {"features": list(FEATURES), "kind": kind})
        base = HistGradientBoostingClassifier(
            max_iter=250,
            learning_rate=0.06,
            max_leaf_nodes=31,
            min_samples_leaf=40,
            l2_regularization=1.0,
            random_state=seed,
        )
        splits = list(GroupKFold(n_splits=3).split(x, y, groups))
        model = CalibratedClassifierCV(base, method="isotonic", cv=splits)
        model.fit(x, y)
        return cls(model, {"features": list(FEATURES), "kind": kind})

    def predict(self, x: np.ndarray) -> np.ndarray:
        if len(x) == 0:
            return np.zeros(0, dtype=np.float32)
        linear = self._linear
        if linear is not None:  # the same arithmetic without sklearn's per-call input validation (~2 ms)
            mean, scale, coef, intercept = linear
            z = ((np.asarray(x, dtype=np.float64) - mean) / scale) @ coef + intercept
            return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float32)
        return np.asarray(self.model.predict_proba(x)[:, 1], dtype=np.float32)

    @cached_property
    def _linear(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, float] | None:
        """(mean, scale, coefficients, intercept) of a fitted StandardScaler + binary LogisticRegression."""
        steps = getattr(self.model, "steps", None)
        if not steps or len(steps) != 2:
            return None
        scaler, lr = steps[0][1], steps[1][1]
        if not isinstance(scaler, StandardScaler) or not isinstance(lr, LogisticRegression) or lr.coef_.shape[0] != 1:
            return None
        n = lr.coef_.shape[1]
        mean = scaler.mean_ if scaler.with_mean else np.zeros(n)
        scale = scaler.scale_ if scaler.with_std else np.ones(n)
        return (
            np.asarray(mean, np.float64),
            np.asarray(scale, np.float64),
            lr.coef_[0].astype(np.float64),
            float(lr.intercept_[0]),
        )

    def save(self, root: Path) -> Path:
        """Write model then metadata, each through a temporary file renamed into place."""
        out = ranker_dir(root)
        out.mkdir(parents=True, exist_ok=True)
        tmp = out / (MODEL_FILE + ".tmp")
        joblib.dump(self.model, tmp)
        tmp.replace(out / MODEL_FILE)
        tmp_meta = out / (META_FILE + ".tmp")
        tmp_meta.write_text(json.dumps(self.meta, ensure_ascii=False, indent=2), encoding="utf-8")
        tmp_meta.replace(out / META_FILE)
        return out

    @classmethod
    def load(cls, root: Path) -> Ranker | None:
        """The stored model, or None when there is none or it was made for other features."""
        d = ranker_dir(root)
        try:
            meta = json.loads((d / META_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if meta.get("features") != list(FEATURES):
            log.warning("Stored KB ranker uses other features; retrain with `govchat kb train-ranker`")
            return None
        try:
            model = joblib.load(d / MODEL_FILE)
        except (OSError, ValueError, EOFError) as exc:
            log.warning("Stored KB ranker could not be read: %s", exc)
            return None
        return cls(model, meta)

    @staticmethod
    def stored_stamp(root: Path) -> str:
        try:
            return str(json.loads((ranker_dir(root) / META_FILE).read_text(encoding="utf-8")).get("stamp", ""))
        except (OSError, ValueError):
            return ""
