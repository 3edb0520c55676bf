"""The answer policy: answer, offer choices, or decline — decided from fused scores."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from knowledge_base.retriever import EntryHit


class Decision(StrEnum):
    ANSWER = "answer"
    SUGGEST = "suggest"
    DECLINE = "decline"


@dataclass(frozen=True)
class Thresholds:
    answer: float
    suggest: float
    margin: float
    choices: int = 3


def _same_target(a: EntryHit, b: EntryHit) -> bool:
    """A FAQ and the item it belongs to are one answer, not a close race."""
    return a.source_code is not None and a.source_code == b.source_code


def distinct_hits(hits: list[EntryHit]) -> list[EntryHit]:
    """Best hit per target (source code, or the entry itself when it has none)."""
    seen: set[object] = set()
    out = []
    for h in hits:
        key: object = h.source_code if h.source_code is not None else h.key
        if key not in seen:
            seen.add(key)
            out.append(h)
    return out


def decide(hits: list[EntryHit], t: Thresholds) -> tuple[Decision, list[EntryHit]]:
    """The decision and the hits to show (one for an answer, up to `choices` to pick from)."""
    ranked = distinct_hits(hits)
    if not ranked or ranked[0].fused < t.suggest:
        return Decision.DECLINE, ranked[: t.choices]
    top = ranked[0]
    runner_up = ranked[1] if len(ranked) > 1 else None
    clear_lead = runner_up is None or _same_target(top, runner_up) or top.fused - runner_up.fused > t.margin
    if top.fused >= t.answer and clear_lead:
        return Decision.ANSWER, [top]
    return Decision.SUGGEST, ranked[: t.choices]
