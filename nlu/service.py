"""Text in, intent and entities out: the product's processing around Rasa."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from kernel.clock import Clock
from kernel.metrics import Metrics
from knowledge_base.normalize import normalize
from nlu.entities import postprocess
from nlu.homophones import appeal_verbs


class Parser(Protocol):
    async def parse(self, text: str) -> dict[str, Any]: ...


@dataclass
class Understanding:
    text: str  # what Rasa saw (normalised)
    intent: str
    confidence: float
    ranking: list[tuple[str, float]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)

    def entity(self, name: str) -> Any:
        return next((e["value"] for e in self.entities if e["entity"] == name), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "intent": {"name": self.intent, "confidence": round(self.confidence, 4)},
            "intent_ranking": [{"name": n, "confidence": round(c, 4)} for n, c in self.ranking],
            "entities": self.entities,
        }


def preprocess(text: str) -> str:
    """The KB's normalisation (full-width forms, traditional characters), keeping punctuation and case (IDs,
    times), and with homophone typos of the appeal verbs repaired (我要头诉 → 我要投诉): the model never saw those
    spellings. Dialect words are left as they are: the model is trained on them as people write them ("有冇单超咗
    时", "𠊎有么个文要批"), and the KB's dialect-to-Mandarin words would give it half-translated text it never saw
    ("有没有单超了时": query_ticket instead of overdue_tickets; bench/README.md, NLU, round 10)."""
    return appeal_verbs(normalize(text, keep_punct=True, lower=False))


class NluService:
    def __init__(
        self,
        parser: Parser,
        clock: Clock,
        metrics: Metrics | None = None,
    ):
        self.parser = parser
        self.clock = clock
        self.metrics = metrics

    async def understand(self, text: str) -> Understanding:
        clean = preprocess(text)
        started = time.perf_counter()
        try:
            raw = await self.parser.parse(clean)
        except Exception:
            if self.metrics is not None:
                self.metrics.nlu_parse(False, time.perf_counter() - started)
            raise
        if self.metrics is not None:
            self.metrics.nlu_parse(True, time.perf_counter() - started)
        intent = raw.get("intent") or {}
        ranking = [(r["name"], float(r["confidence"])) for r in raw.get("intent_ranking") or []]
        return Understanding(
            text=clean,
            intent=str(intent.get("name") or "nlu_fallback"),
            confidence=float(intent.get("confidence") or 0.0),
            ranking=ranking[:5],
            entities=postprocess(list(raw.get("entities") or []), clean, self.clock.now()),
        )
