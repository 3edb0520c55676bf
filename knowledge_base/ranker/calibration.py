"""From the KB-trained model's output to a probability for real citizens' questions.

The ranker (knowledge_base.ranker.model) learns from questions built out of the KB's own structure,
whose scores run higher than real questions' (a rewritten item name still shares most of its words).
On its own its output separates right from wrong top answers worse than the fused score does (dev:
AUC 0.79 against 0.89, bench/README.md). A logistic calibration, fitted on the dev split by
``bench/tune_ranker.py`` and shipped as ``knowledge_base/data/ranker_calibration.json``, maps the
model's logit together with the retrieval evidence (fused score and gaps) and the question's coverage
(unknown words, key object, IDF and character coverage) to P(this candidate answers the question).
A missing file means no calibration: the model's own probability is used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge_base.ranker.features import FEATURES

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "ranker_calibration.json"
MODEL_INPUT = "model_logit"


def logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p.astype(np.float64), 1e-4, 1 - 1e-4)
    return np.log(q / (1 - q))


@dataclass(frozen=True)
class Calibration:
    inputs: tuple[str, ...]  # names in FEATURES, or MODEL_INPUT
    coef: tuple[float, ...]
    intercept: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    def design(self, x: np.ndarray, model_prob: np.ndarray) -> np.ndarray:
        cols = [logit(model_prob) if name == MODEL_INPUT else x[:, FEATURES.index(name)] for name in self.inputs]
        return np.stack(cols, axis=1).astype(np.float64) if cols else np.zeros((len(x), 0))

    def apply(self, x: np.ndarray, model_prob: np.ndarray) -> np.ndarray:
        if len(x) == 0:
            return np.zeros(0, dtype=np.float32)
        z = (self.design(x, model_prob) - np.asarray(self.mean)) / np.asarray(self.scale)
        return (1 / (1 + np.exp(-(z @ np.asarray(self.coef) + self.intercept)))).astype(np.float32)

    def to_json(self) -> dict[str, Any]:
        return {
            "inputs": list(self.inputs),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "mean": list(self.mean),
            "scale": list(self.scale),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Calibration:
        return cls(
            tuple(str(i) for i in d["inputs"]),
            tuple(float(v) for v in d["coef"]),
            float(d["intercept"]),
            tuple(float(v) for v in d["mean"]),
            tuple(float(v) for v in d["scale"]),
        )


def load_calibration(path: Path = SHIPPED) -> Calibration | None:
    try:
        cal = Calibration.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if any(name != MODEL_INPUT and name not in FEATURES for name in cal.inputs):
        return None
    return cal
