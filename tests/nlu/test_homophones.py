"""Homophone typos of the appeal verbs are repaired; real words that only sound alike are not."""

from __future__ import annotations

import pytest

from knowledge_base.homophones import sounds_like
from nlu.homophones import appeal_verbs

REPAIRED = [
    ("我要头诉，楼下大排档晚晚嘈到三点", "我要投诉，楼下大排档晚晚嘈到三点"),
    ("系要头诉", "系要投诉"),
    ("𠊎要头诉隔壁工地", "𠊎要投诉隔壁工地"),
    ("我要据报有人偷电", "我要举报有人偷电"),
    ("我要居报", "我要举报"),
    ("我想表样一下环卫工人", "我想表扬一下环卫工人"),
    ("我想咨循", "我想咨询"),
    ("我想建意", "我想建议"),
]

KEPT = [
    "我要投宿",  # a word of its own
    "据报道明天有雨",  # 报道 crosses the span
    "根据报道",
    "我们要建医院",  # 医院 crosses the span
    "帮我建一个新账号",
    "我要举办婚礼",  # 办 does not sound like 报
    "我要去医院",
]


@pytest.mark.parametrize(("typed", "meant"), REPAIRED)
def test_typos_of_appeal_verbs_are_repaired(typed: str, meant: str) -> None:
    assert appeal_verbs(typed) == meant


@pytest.mark.parametrize("text", KEPT)
def test_words_that_only_sound_alike_are_kept(text: str) -> None:
    assert appeal_verbs(text) == text


def test_function_words_are_never_typos() -> None:
    assert not sounds_like("和", "祸")
    assert sounds_like("头", "投")
