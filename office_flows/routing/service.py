"""``Router.propose``: the department proposal a dispatcher accepts or overrides."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from office_flows.routing.departments import DepartmentMap, load_department_map
from office_flows.routing.model import ModelError, RouterModel
from office_flows.text_encoder import TextEncoder

log = logging.getLogger(__name__)

NO_MODEL = "no_model"
LOW_CONFIDENCE = "low_confidence"


def model_dir(data_dir: Path) -> Path:
    """Where ``govchat tickets router train`` writes the model and the service looks for it."""
    return data_dir / "router"


@dataclass(frozen=True)
class Alternative:
    category: str
    department: str | None
    confidence: float


@dataclass(frozen=True)
class Proposal:
    """A proposed category and department, or none (``category is None``) and the reason why.

    ``alternatives`` are the most likely categories, best first, each with its department and
    calibrated probability; they are listed even when the router makes no proposal.
    """

    category: str | None
    department: str | None
    confidence: float
    alternatives: tuple[Alternative, ...] = ()
    reason: str = ""

    @property
    def proposed(self) -> bool:
        return self.category is not None

    def describe(self) -> str:
        """One line for the dispatcher, in Chinese."""
        if self.reason == NO_MODEL:
            return (
                "暂无分派建议：尚未训练分派模型（govchat tickets router train --data 历史工单.jsonl），"
                "请派单员指定承办部门。"
            )
        others = "、".join(f"{a.category} {a.confidence:.0%}" for a in self.alternatives[1:])
        if not self.proposed:
            return f"分派把握不足，请调度员指定承办部门。可能的类别：{self.alternatives_text()}"
        department = self.department or "（类别未配置承办部门）"
        tail = f"；其他可能：{others}" if others else ""
        return f"建议分派：{department}（类别：{self.category}，置信度 {self.confidence:.0%}）{tail}"

    def alternatives_text(self) -> str:
        return "、".join(f"{a.category} {a.confidence:.0%}" for a in self.alternatives)

    def as_json(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "department": self.department,
            "confidence": self.confidence,
            "reason": self.reason,
            "alternatives": [a.__dict__ for a in self.alternatives],
        }


class Router:
    def __init__(self, model: RouterModel | None, departments: DepartmentMap, *, min_confidence: float = 0.0) -> None:
        self.model = model
        self.departments = departments
        self.min_confidence = min_confidence
        self._warn_unmapped()

    def _warn_unmapped(self) -> None:
        if self.model is not None:
            missing = self.departments.unmapped(self.model.labels)
            if missing:
                log.warning("department map %s has no department for: %s", self.departments.source, ", ".join(missing))

    @property
    def ready(self) -> bool:
        return self.model is not None

    def use_catalogue(self, departments: DepartmentMap) -> None:
        """Map categories through the dispatch catalogue in force (loaded from the database, edited in the console)."""
        self.departments = departments
        self._warn_unmapped()

    @classmethod
    def from_model(cls, settings: Any, departments: DepartmentMap, encoder: TextEncoder | None = None) -> Router:
        """The trained model in the data folder (if any) mapping through ``departments`` (the catalogue);
        ``encoder``: the sentence encoder a model trained with embeddings needs."""
        return cls(_load_model(settings, encoder), departments, min_confidence=settings.router_min_confidence)

    @classmethod
    def from_settings(cls, settings: Any, encoder: TextEncoder | None = None) -> Router:
        """The map the settings name (or the shipped one) and the trained model in the data folder, if any.
        (The running service then maps through the dispatch catalogue: ``use_catalogue``.)"""
        configured = str(settings.router_department_map or "")
        departments = load_department_map(Path(configured).expanduser() if configured else None)
        return cls(_load_model(settings, encoder), departments, min_confidence=settings.router_min_confidence)

    def propose(self, text: str) -> Proposal:
        if self.model is None:
            return Proposal(None, None, 0.0, reason=NO_MODEL)
        prediction = self.model.predict(text)
        alternatives = tuple(
            Alternative(label, self.departments.department_of(label), prob) for label, prob in prediction.alternatives
        )
        if prediction.confidence < self.min_confidence:
            return Proposal(None, None, prediction.confidence, alternatives, reason=LOW_CONFIDENCE)
        department = self.departments.department_of(prediction.label)
        return Proposal(prediction.label, department, prediction.confidence, alternatives)


def needs_encoder(settings: Any) -> bool:
    """The trained model in the data folder was trained with sentence embeddings."""
    return RouterModel.needs_encoder(model_dir(settings.data_dir))


def _load_model(settings: Any, encoder: TextEncoder | None) -> RouterModel | None:
    folder = model_dir(settings.data_dir)
    if folder.exists():
        try:
            return RouterModel.load(folder, encoder)
        except ModelError as exc:
            log.warning("routing model not loaded, dispatchers route by hand: %s", exc)
    return None
