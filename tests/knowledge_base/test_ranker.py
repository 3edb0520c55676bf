"""The learned stage's parts without a model: features, training questions, the three-tier policy."""

from __future__ import annotations

import random

import numpy as np
import pytest

from knowledge_base.normalize import EMPTY_DIALECT
from knowledge_base.policy import Decision, LearnedThresholds, QuestionShape, decide_learned
from knowledge_base.ranker.features import FEATURES, features, question_profile, question_shape
from knowledge_base.ranker.model import Ranker
from knowledge_base.ranker.pairs import colloquial, is_positive, training_questions
from knowledge_base.ranker.train import build_training_set
from knowledge_base.retriever import EntryHit, EntryInfo, FusionParams, IndexedText, SearchSnapshot, build_snapshot

ITEMS = [
    # (entry id, name, catalogue name, source code)
    (1, "居住证办理", "居住证办理", "C1"),
    (2, "《中华人民共和国残疾人证》挂失补办", "残疾人证办理", "C2"),
    (3, "《中华人民共和国残疾人证》新办证申请", "残疾人证办理", "C3"),
    (4, "食品安全管理员考试报名", "食品安全管理员考试报名", "C4"),
    (5, "机动车驾驶证初次申领(外国人申领小型汽车准驾车型)", "机动车驾驶证初次申领", "C5"),
    (6, "企业职工基本养老金申领", "企业职工基本养老金申领", "C6"),
]


def _snapshot() -> SearchSnapshot:
    texts: list[IndexedText] = []
    entries: list[EntryInfo] = []
    tid = 0
    for eid, name, catalog, code in ITEMS:
        entries.append(EntryInfo("item", eid, name, code))
        for field, text in [("name", name), ("alias", catalog), ("profile", f"某某局 {name}")]:
            if field == "alias" and text == name:
                continue
            tid += 1
            texts.append(IndexedText(tid, "item", eid, field, text))
    # A FAQ linked to item 1 (same source code) with a similar question.
    entries.append(EntryInfo("faq", 10, "居住证怎么办", "C1"))
    texts.append(IndexedText(100, "faq", 10, "question", "居住证怎么办"))
    texts.append(IndexedText(101, "faq", 10, "similar", "办暂住证要什么"))
    return build_snapshot(3, texts, entries, [], EMPTY_DIALECT, FusionParams())


@pytest.fixture(scope="module")
def snap() -> SearchSnapshot:
    return _snapshot()


def col(name: str) -> int:
    return FEATURES.index(name)


def test_features_have_one_column_per_name_and_rank_gaps(snap):
    query = snap.normalise("居住证办理要带什么材料")
    hits = snap.search_normalised(query, 5)
    x = features(snap, question_profile(snap, query), hits)
    assert x.shape == (len(hits), len(FEATURES))
    assert hits[0].entry_id in (1, 10)
    assert x[0, col("rank")] == 1 and x[0, col("fused_gap_top")] == 0
    assert x[0, col("fused_gap_next")] == pytest.approx(hits[0].fused - hits[1].fused, abs=1e-6)
    assert x[0, col("key_covered")] == 1
    assert x[0, col("idf_coverage")] > 0.5


def test_an_unknown_key_word_shows_as_unknown_share_not_as_coverage(snap):
    """社保卡 is in no text of this KB: the neighbour 残疾人证挂失补办 covers only 补办."""
    query = snap.normalise("社保卡丢了怎么补办")
    hits = snap.search_normalised(query, 5)
    profile = question_profile(snap, query)
    assert profile.unknown_share > 0.3
    x = features(snap, profile, hits)
    row = next(i for i, h in enumerate(hits) if h.entry_id == 2)
    assert x[row, col("idf_coverage")] < 0.7
    known = question_profile(snap, snap.normalise("残疾人证丢了怎么补办"))
    assert known.unknown_share < profile.unknown_share


def test_question_shape_marks_one_word_questions(snap):
    def shape(q: str) -> QuestionShape:
        query = snap.normalise(q)
        profile = question_profile(snap, query)
        return question_shape(snap, profile, snap.search_normalised(query, 5))

    assert shape("残疾人证").one_word
    assert shape("养老金").one_word
    assert not shape("我想问下养老金怎么申领").one_word
    assert shape("居住证办理要带什么").top_covers_key


def _hit(eid: int, prob: float, code: str | None = None) -> EntryHit:
    return EntryHit("item", eid, f"事项{eid}", code or f"C{eid}", fused=prob, prob=prob)


T = LearnedThresholds(answer=0.8, suggest=0.5)
COVERED = QuestionShape(one_word=False, top_covers_key=True, choices_cover_key=True)


def test_policy_answers_a_confident_covering_match():
    decision, shown = decide_learned([_hit(1, 0.9), _hit(2, 0.05)], T, COVERED)
    assert decision is Decision.ANSWER and [h.entry_id for h in shown] == [1]


def test_policy_never_answers_when_the_key_object_is_not_covered():
    shape = QuestionShape(one_word=False, top_covers_key=False, choices_cover_key=False)
    decision, shown = decide_learned([_hit(1, 0.95), _hit(2, 0.01)], T, shape)
    assert decision is Decision.SUGGEST and len(shown) == 2


def test_policy_offers_choices_when_together_they_are_likely():
    hits = [_hit(1, 0.3), _hit(2, 0.15), _hit(3, 0.1), _hit(4, 0.05)]
    decision, shown = decide_learned(hits, T, COVERED)
    assert decision is Decision.SUGGEST and [h.entry_id for h in shown] == [1, 2, 3]


def test_policy_declines_below_the_choice_band():
    decision, _ = decide_learned([_hit(1, 0.2), _hit(2, 0.1), _hit(3, 0.1)], T, COVERED)
    assert decision is Decision.DECLINE
    assert decide_learned([], T, COVERED)[0] is Decision.DECLINE


def test_policy_offers_choices_for_one_vague_word_that_they_cover():
    vague = QuestionShape(one_word=True, top_covers_key=True, choices_cover_key=True)
    decision, _ = decide_learned([_hit(1, 0.99), _hit(2, 0.01)], T, vague)
    assert decision is Decision.SUGGEST  # never answered directly
    lost = QuestionShape(one_word=True, top_covers_key=False, choices_cover_key=False)
    assert decide_learned([_hit(1, 0.1), _hit(2, 0.1)], T, lost)[0] is Decision.DECLINE


def test_policy_counts_an_item_and_its_faq_once():
    hits = [_hit(1, 0.4, "C1"), EntryHit("faq", 10, "问", "C1", prob=0.4), _hit(2, 0.05)]
    _, shown = decide_learned(hits, LearnedThresholds(0.9, 0.3), COVERED)
    assert [h.source_code for h in shown] == ["C1", "C2"]


def test_colloquial_keeps_the_variant_detail_and_is_deterministic():
    name = "机动车驾驶证初次申领(外国人申领小型汽车准驾车型)"
    a = [colloquial(name, random.Random(1), drop=0.0) for _ in range(3)]
    assert all("外国人" in q for q in a)
    assert colloquial(name, random.Random(7)) == colloquial(name, random.Random(7))


def test_training_questions_leave_their_own_text_out(snap):
    qs = training_questions(snap, seed=0, out_of_kb=0.0, hide_profile=True)
    by_text = {q.text: q for q in qs}
    # An alias is asked with that alias left out; a shared catalogue name (two 残疾人证 variants) is not asked.
    alias = by_text["机动车驾驶证初次申领"]
    assert alias.target == ("item", 5) and len(alias.excluded) == 1
    assert snap.texts[next(iter(alias.excluded))].text == "机动车驾驶证初次申领"
    assert "残疾人证办理" not in by_text
    # FAQ questions: leave-one-out.
    similar = by_text["办暂住证要什么"]
    assert similar.excluded == frozenset({101}) and similar.target == ("faq", 10)
    # Colloquial rewrites of names hide the department profile.
    rewrites = [q for q in qs if q.target == ("item", 6) and q.text != "企业职工基本养老金申领"]
    assert rewrites and all(snap.texts[i].field == "profile" for q in rewrites for i in q.excluded)


def test_out_of_kb_questions_remove_the_whole_family(snap):
    qs = training_questions(snap, seed=0, out_of_kb=1.0)
    q = next(q for q in qs if q.target == ("faq", 10))
    # The FAQ and its item share a source code: both leave, so nothing left can answer.
    assert set(q.excluded) >= {100, 101} | set(snap.entry_texts[("item", 1)])
    assert not is_positive(snap, q, ("item", 1))
    hits = snap.search_normalised(snap.normalise(q.text), 8, excluded=q.excluded)
    assert all(h.source_code != "C1" for h in hits)


def test_positives_include_the_faq_of_the_target_item(snap):
    q = next(q for q in training_questions(snap, seed=0, out_of_kb=0.0) if q.target == ("faq", 10))
    assert is_positive(snap, q, ("item", 1)) and is_positive(snap, q, ("faq", 10))
    assert not is_positive(snap, q, ("item", 2))


def test_training_set_labels_and_a_fitted_ranker_prefers_the_target(snap):
    qs = training_questions(snap, seed=0, per_entry=6, out_of_kb=0.3)
    data = build_training_set(snap, qs)
    assert data.x.shape[1] == len(FEATURES) and len(data.y) == len(data.groups)
    assert 0 < data.y.sum() < len(data.y)
    ranker = Ranker.fit(data.x, data.y, data.groups)
    query = snap.normalise("外国人第一次考小车驾照")
    hits = snap.search_normalised(query, 8)
    probs = ranker.predict(features(snap, question_profile(snap, query), hits))
    assert probs.shape == (len(hits),) and np.all((probs >= 0) & (probs <= 1))
    assert hits[int(np.argmax(probs))].entry_id == 5


def test_policy_declines_when_the_kb_knows_no_word_of_the_question():
    unknown = QuestionShape(one_word=False, top_covers_key=False, choices_cover_key=False, knows_a_word=False)
    assert decide_learned([_hit(1, 0.5), _hit(2, 0.3)], T, unknown)[0] is Decision.DECLINE
    # A confident model still offers choices (never an answer: no key object is covered).
    assert decide_learned([_hit(1, 0.9), _hit(2, 0.05)], T, unknown)[0] is Decision.SUGGEST


def test_question_shape_of_a_question_the_kb_has_no_word_for(snap):
    query = snap.normalise("公积金")
    profile = question_profile(snap, query)
    shape = question_shape(snap, profile, snap.search_normalised(query, 5))
    assert shape.one_word and not shape.knows_a_word and not shape.choices_cover_key


def test_logistic_fast_path_equals_sklearn_and_trees_keep_sklearn():
    import numpy as np

    from knowledge_base.ranker.model import Ranker

    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 6)) * [1, 5, 0.1, 2, 1, 0]  # a constant column: sklearn's scale_ of 1
    y = (x[:, 0] + 0.3 * x[:, 1] + rng.normal(size=300) > 0).astype(int)
    groups = np.arange(300) // 10
    logistic = Ranker.fit(x, y, groups)
    assert logistic._linear is not None
    want = logistic.model.predict_proba(x[:20])[:, 1]
    assert np.abs(logistic.predict(x[:20]) - want).max() < 1e-6
    trees = Ranker.fit(x, y, groups, kind="trees")
    assert trees._linear is None
    assert np.abs(trees.predict(x[:5]) - trees.model.predict_proba(x[:5])[:, 1]).max() < 1e-6
