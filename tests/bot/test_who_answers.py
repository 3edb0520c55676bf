"""Asking what answers, or whether anyone is there: the assistant says what it is and how to reach a person,
instead of declining the question as out of scope or answering it from the KB."""

from __future__ import annotations

import re

import pytest

from govchat.runtime import Runtime
from tests.support.dialogue import verify_dialog


@pytest.mark.parametrize(
    "said",
    [
        "你是机器人吗",
        "你系咪机器人",
        "你系咪真人嚟㗎",
        "你是机器人还是真人",
        "你系机器人定真人",  # used to be put in the queue for an operator (Rasa: human_agent 0.98)
        "你系人定机械人",
        "有冇人呀",
        "有人在吗",
        "喂，有冇人喺度啊",
    ],
)
async def test_what_answers_says_so_and_offers_a_person(rt: Runtime, said: str) -> None:
    await verify_dialog(rt, [(said, [re.compile("智能助手（机器人）[\\s\\S]*人工")])])


@pytest.mark.parametrize("said", ["有人偷电", "有冇人管下啲垃圾"])
async def test_a_report_about_someone_is_not_asking_who_answers(rt: Runtime, said: str) -> None:
    [[reply]] = await verify_dialog(rt, [(said, [re.compile(".")])])
    assert "智能助手（机器人）" not in reply
