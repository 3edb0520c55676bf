"""How the meetings' chat face reads words: who is invited, a decline and its reason (no NLU, no database)."""

from __future__ import annotations

from datetime import datetime

import pytest

from integrations.meetings import DECLINE_WORDS, decline_reason, invitee_names
from kernel.clock import SHANGHAI

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("叫埋李娜同刘洋", ["李娜", "刘洋"]),
        ("再加上王强", ["王强"]),
        ("把王强也叫上", ["王强"]),
        ("邀请陈静和王强一起参加", ["陈静", "王强"]),
        ("搵埋王强同刘洋", ["王强", "刘洋"]),
        ("找埋李娜", ["李娜"]),
    ],
)
def test_invitees_are_the_names_left_once_the_inviting_words_go(text: str, names: list[str]) -> None:
    assert invitee_names(text) == names


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("明天的会我去不了，要去市里开会", "要去市里开会"),
        ("𠊎去唔得，要落乡", "要落乡"),
        ("周五嗰个会我冇时间去，要出差", "要出差"),
        ("HY-2026-0001 我请假，出差", "出差"),
        ("我身体不舒服，HY-2026-0001 请假", "我身体不舒服"),
    ],
)
def test_a_decline_keeps_its_reason(text: str, reason: str) -> None:
    assert DECLINE_WORDS.search(text) and decline_reason(text, NOW) == reason


@pytest.mark.parametrize("text", ["明天个会我会到", "听日个会𠊎会去", "我去，没问题", "准时到，不会迟到"])
def test_coming_is_no_decline(text: str) -> None:
    assert DECLINE_WORDS.search(text) is None
