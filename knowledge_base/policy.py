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


@dataclass(frozen=True)
class LearnedThresholds:
    """The three tiers on the learned stage's calibrated probability (knowledge_base.ranker).

    ``answer``: the best entry's probability at or above which it is answered directly (chosen on dev
    for ≥ 90 % precision); ``suggest``: the summed probability of the offered choices at or above which
    they are offered (the right entry is among them ≥ 80 % of the time on dev); below, decline.
    """

    answer: float
    suggest: float
    choices: int = 3
    # A question none of whose words the KB knows is offered choices only when the model is confident AND
    # the fused score clears the fused pipeline's suggest threshold (GOVCHAT_SUGGEST_THRESHOLD): the
    # calibration, fitted on one catalogue, can be over-confident on another KB's model (demo: 讲个笑话).
    unknown_min_fused: float = 0.44


@dataclass(frozen=True)
class QuestionShape:
    """What the policy needs to know about the question itself."""

    # One content word (社保, 补贴, 公积金): too vague to answer, whatever the scores.
    one_word: bool
    # Whether the best entry's texts contain the question's key object (its most informative word).
    top_covers_key: bool
    # Whether any offered choice contains it.
    choices_cover_key: bool
    # Whether any content word of the question occurs in some text of the KB (天气, 火星 alone: none does).
    knows_a_word: bool = True


def decide_learned(hits: list[EntryHit], t: LearnedThresholds, shape: QuestionShape) -> tuple[Decision, list[EntryHit]]:
    """Hits come ranked by probability. Answer only a confident, covering, non-vague match; offer the
    closest few when together they are likely to hold the answer (or the question is one vague word
    that they cover); otherwise decline."""
    ranked = distinct_hits(hits)
    if not ranked:
        return Decision.DECLINE, []
    shown = ranked[: t.choices]
    best = ranked[0].prob or 0.0
    if not shape.knows_a_word and (best < t.answer or ranked[0].fused < t.unknown_min_fused):
        # Nothing in the KB speaks of anything the question says, and the model is not confident either
        # (a confident one keeps its choices: dialect words unknown to the KB, measured on dev).
        return Decision.DECLINE, shown
    mass = min(1.0, sum(h.prob or 0.0 for h in shown))
    if shape.one_word:  # 社保, 补贴: choices when they contain the word, never a direct answer
        return (Decision.SUGGEST if shape.choices_cover_key else Decision.DECLINE), shown
    if best >= t.answer and shape.top_covers_key:
        return Decision.ANSWER, [ranked[0]]
    if mass >= t.suggest:
        return Decision.SUGGEST, shown
    return Decision.DECLINE, shown
