"""Homophone typos of the knowledge base's own words (knowledge_base.typos, knowledge_base.homophones)."""

from __future__ import annotations

import pytest

from knowledge_base.homophones import blurred, sounds_like
from knowledge_base.normalize import EMPTY_DIALECT
from knowledge_base.retriever import EntryInfo, FusionParams, IndexedText, build_snapshot
from knowledge_base.typos import kb_repair, vocabulary

WORDS = ["社保卡", "居住证", "营业执照", "公积金", "身份证", "提取", "补办", "税务"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("社宝卡点样补办", "社保卡点样补办"),  # 宝 for 保 (bao)
        ("居主证要几耐", "居住证要几耐"),
        ("营业执招要咩材料", "营业执照要咩材料"),
        ("公基金提取", "公积金提取"),
        ("身份证", "身份证"),
        ("身分证过期", "身分证过期"),  # a word of its own (a variant): what was meant
        ("提起公积金", "提起公积金"),  # 提起 is a word: not taken for 提取
        ("赢业执照", "营业执照"),
        ("我想睇下税务嘅嘢", "我想睇下税务嘅嘢"),  # shorter than the words asked for: left alone
    ],
)
def test_one_wrong_character_of_a_kb_word_is_repaired(typed: str, meant: str) -> None:
    assert kb_repair(WORDS, min_len=3)(typed) == meant


def test_only_words_of_chinese_characters_and_of_the_length_asked_are_repaired_towards() -> None:
    assert vocabulary(["社保卡", "app", "卡", "社保", "一二三四五六七八九"], min_len=3) == ["社保卡"]
    assert vocabulary(["社保卡", "社保"], min_len=2) == ["社保", "社保卡"]


def test_the_accent_confusions_are_heard_only_when_asked() -> None:
    assert blurred("zhang") == "zan" and blurred("ning") == "lin" and blurred("shen") == "sen"
    assert not sounds_like("兰", "南") and sounds_like("兰", "南", blur=True)
    assert sounds_like("宝", "保") and not sounds_like("的", "地", blur=True)  # function words are never typos


def test_the_snapshot_repairs_a_question_before_searching() -> None:
    name = "社会保障卡申领（社保卡）"
    texts = [IndexedText(1, "item", 1, "name", name), IndexedText(2, "item", 2, "name", "居住证申领")]
    entries = [EntryInfo("item", 1, name, "C1"), EntryInfo("item", 2, "居住证申领", "C2")]
    snap = build_snapshot(1, texts, entries, [], EMPTY_DIALECT, FusionParams())
    assert snap.normalise("社宝卡点样补办") == "社保卡点样补办"
    assert snap.normalise("居主证要几耐") == "居住证要几耐"
    assert snap.search("社宝卡点样补办")[0].source_code == "C1"
