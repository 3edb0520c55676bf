"""Wiring of the quality inspection: its rules file, the router as the category judge, and the model score."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np

from kernel.clock import Clock
from kernel.config import Settings
from kernel.db import Database
from knowledge_base.encoder import Encoder
from office_flows.quality.rules import CategoryJudge
from office_flows.quality.service import QualityConfig, QualityService
from office_flows.routing.service import Router


class EncoderScorer:
    """Answer relevance as the cosine of the KB sentence encoder's embeddings of question and answer."""

    key = "encoder"
    name = "知识库编码器语义相似度"

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder

    def score_many(self, pairs: list[tuple[str, str]]) -> list[float]:
        vectors = self.encoder.encode([q for q, _ in pairs] + [a for _, a in pairs])
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        n = len(pairs)
        return [float(x) for x in np.sum(vectors[:n] * vectors[n:], axis=1)]


def category_judge(router: Router) -> CategoryJudge:
    """The router's most likely category for a text and its probability; None without a trained model."""

    def judge(text: str) -> tuple[str, float] | None:
        proposal = router.propose(text)
        if not proposal.alternatives:
            return None
        best = proposal.alternatives[0]
        return best.category, best.confidence

    return judge


def build_quality(
    db: Database, clock: Clock, settings: Settings, router: Router, encoder: Encoder | None
) -> QualityService:
    rules = Path(settings.quality_rules).expanduser() if settings.quality_rules else None
    scorer = EncoderScorer(encoder) if settings.quality_scorer == "encoder" and encoder is not None else None
    return QualityService(
        db,
        clock,
        QualityConfig(
            rules_path=rules,
            sample_per_cell=settings.quality_sample_per_cell,
            bot_idle=timedelta(minutes=settings.transcript_idle_minutes),
        ),
        judge=category_judge(router),
        scorer=scorer,
    )
