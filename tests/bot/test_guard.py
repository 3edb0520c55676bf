"""The input guard: empty, binary and oversized messages get a clear reply."""

from __future__ import annotations

import pytest

from bot.guard import BINARY, EMPTY, problem_with


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("", EMPTY),
        ("   \n", EMPTY),
        ("\x00\x01\x02binary", BINARY),
        (b"bytes", BINARY),
        ("正常的问题", None),
    ],
)
def test_guard(text, reply):
    assert problem_with(text, 2000) == reply


def test_guard_refuses_oversized_text():
    assert "最多 2000 个字" in (problem_with("字" * 2001, 2000) or "")
