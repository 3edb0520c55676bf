"""BM25 scoring and the answer policy (answer, suggest or decline)."""

from __future__ import annotations

import pytest

from knowledge_base.lexical import Bm25Index
from knowledge_base.policy import Decision, Thresholds, decide
from knowledge_base.retriever import EntryHit


def test_bm25_prefers_the_matching_item_and_normalises_scores():
    index = Bm25Index([(1, "居住证办理"), (2, "营业执照办理"), (3, "居住证签注")])
    results = index.search("居住证怎么办理")
    assert results[0][0] == 1
    assert all(0 < s <= 1 for _, s in results)
    assert index.search("天气预报") == []


def _hit(n: int, score: float, code: str | None = None) -> EntryHit:
    return EntryHit("item", n, f"事项{n}", code or f"C{n}", fused=score)


T = Thresholds(answer=0.8, suggest=0.6, margin=0.05)


@pytest.mark.parametrize(
    ("hits", "decision", "shown"),
    [
        ([_hit(1, 0.9), _hit(2, 0.7)], Decision.ANSWER, [1]),
        ([_hit(1, 0.9), _hit(2, 0.88)], Decision.SUGGEST, [1, 2]),  # too close to call
        ([_hit(1, 0.9), _hit(2, 0.89, "C1")], Decision.ANSWER, [1]),  # same item, not a race
        ([_hit(1, 0.7), _hit(2, 0.65), _hit(3, 0.6), _hit(4, 0.6)], Decision.SUGGEST, [1, 2, 3]),
        ([_hit(1, 0.5)], Decision.DECLINE, [1]),
        ([], Decision.DECLINE, []),
    ],
)
def test_answer_policy(hits, decision, shown):
    got, show = decide(hits, T)
    assert got is decision
    assert [h.entry_id for h in show] == shown
