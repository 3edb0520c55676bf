"""A recorded NLU double: what the real Rasa model returns for given sentences, without a Rasa server."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nlu.client import NluUnavailable
from nlu.service import preprocess


def nlu_result(
    intent: str,
    conf: float = 0.95,
    entities: Mapping[str, str] | list[dict[str, Any]] | None = None,
    ranking: list[tuple[str, float]] | None = None,
) -> dict[str, Any]:
    """A Rasa parse result; `entities` as Rasa's list, or as {entity: value} (positions left at 0)."""
    if isinstance(entities, Mapping):
        entities = [{"entity": k, "value": v, "start": 0, "end": 0} for k, v in entities.items()]
    return {
        "intent": {"name": intent, "confidence": conf},
        "intent_ranking": [
            {"name": n, "confidence": c} for n, c in (ranking if ranking is not None else [(intent, conf)])
        ],
        "entities": entities or [],
    }


class RecordedParser:
    """Answers `parse` from a table of recorded results (looked up by the preprocessed text); anything else gets
    `fallback`. Set `down` to make it behave like a Rasa server that does not answer."""

    def __init__(self, recorded: Mapping[str, dict[str, Any]], fallback: dict[str, Any] | None = None) -> None:
        self.recorded = {preprocess(k): v for k, v in recorded.items()}
        self.fallback = fallback if fallback is not None else nlu_result("nlu_fallback", 0.2)
        self.down = False
        self.calls: list[str] = []  # the texts parsed, in order

    async def parse(self, text: str) -> dict[str, Any]:
        self.calls.append(text)
        if self.down:
            raise NluUnavailable("connection refused")
        return self.recorded.get(text, self.fallback)
