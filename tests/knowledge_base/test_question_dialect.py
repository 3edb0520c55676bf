"""Dialect words replaced only in questions written in that dialect (knowledge_base.question_dialect)."""

from __future__ import annotations

import random

import pytest

from knowledge_base import lexicon
from knowledge_base.normalize import DialectMap
from knowledge_base.question_dialect import QuestionDialects
from knowledge_base.ranker.pairs import FRAME_DIALECT, FRAMES, colloquial
from knowledge_base.retriever import EntryInfo, FusionParams, IndexedText, build_snapshot


@pytest.fixture(scope="module")
def shipped() -> DialectMap:
    return DialectMap.build([(w, m) for _d, w, m, _s in lexicon.shipped_pairs()])


def _snap(base: DialectMap, qd: QuestionDialects | None):
    name = "企业职工基本养老金申领"
    texts = [IndexedText(1, "item", 1, "name", name)]
    return build_snapshot(1, texts, [EntryInfo("item", 1, name, "C1")], [], base, FusionParams(), qd)


def test_markers_come_from_the_lexicons_and_tell_the_dialects_apart():
    qd = lexicon.question_dialects()
    assert qd.detect("𠊎想问下养老金仰般领") == ("hakka",)
    assert qd.detect("我想问下养老金点样攞，佢哋话要等咗好耐")[0] == "cantonese"
    assert qd.detect("请问哪位领导负责养老金申领？") == ()
    assert qd.detect("補領結婚證要帶什麼") == ()  # traditional characters are not a dialect


def test_words_that_read_as_mandarin_are_replaced_only_in_a_dialect_question(shipped):
    snap = _snap(shipped, lexicon.question_dialects())
    hakka = snap.normalise("𠊎阿爸过身欸，养老金仰般领？哪位办？")
    assert "怎样" in hakka and "哪里" in hakka and "去世" in hakka
    # The same words in a Mandarin question stay as they are.
    assert snap.normalise("请问哪位负责养老金？") == "请问哪位负责养老金"
    # Without the dialect-only words the KB's map alone applies (the snapshot before this stage).
    assert "仰般" in _snap(shipped, None).normalise("𠊎阿爸过身欸，养老金仰般领")


def test_an_editors_pair_wins_over_a_dialect_only_word():
    base = DialectMap.build({"仰般": "如何"})
    snap = _snap(base, QuestionDialects({"hakka": frozenset("𠊎")}, {"hakka": (("仰般", "怎样"), ("哪位", "哪里"))}))
    assert snap.normalise("𠊎想问仰般办，哪位办") == "𠊎想问如何办哪里办"


def test_dialect_frames_say_some_name_words_in_the_dialect():
    forms = {"hakka": {"小孩": ("细人",)}, "cantonese": {"小孩": ("细路",)}}
    rng = random.Random(0)
    seen = {colloquial("小孩出生登记", rng, drop=0.0, dialect_words=forms) for _ in range(200)}
    hakka = [q for q in seen if "仰般" in q or "么个" in q]
    assert any("细人" in q for q in hakka) and not any("细路" in q for q in hakka)
    mandarin = [q for q in seen if q.endswith(("怎么办理", "在哪里办", "需要什么条件"))]
    assert mandarin and all("小孩" in q for q in mandarin)
    assert {FRAME_DIALECT[i] for i in FRAME_DIALECT} == {"hakka", "cantonese"} and max(FRAME_DIALECT) < len(FRAMES)
