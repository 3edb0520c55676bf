"""The dialogue kit itself: it fails on the bot's failure reply, on a wrong number of replies and on wrong
content, and says which turn, what was said and what came back."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from bot.bot import FAILURE
from govchat.runtime import Runtime
from kernel.config import Settings
from tests.support.dialogue import Turn, as_turn, verify_dialog
from tests.support.kb_rig import QUESTION, kb_runtime


@pytest.fixture
async def rt(sqlite_settings: Settings, clock) -> AsyncIterator[Runtime]:
    runtime = await kb_runtime(sqlite_settings, clock)
    yield runtime
    await runtime.close()


class BrokenIdentity:
    async def whois(self, channel: str, sender: str) -> object:
        raise RuntimeError("directory unreachable")


async def test_a_passing_dialogue_returns_the_replies(rt: Runtime) -> None:
    answers = await verify_dialog(
        rt, [("你好", re.compile(r"12345")), ("c2", QUESTION, "【居住证办理】"), Turn("/帮助", "我能帮您", who="c3")]
    )
    assert len(answers) == 3 and "【居住证办理】" in answers[1][0]


async def test_the_failure_reply_fails_even_when_the_expected_text_is_in_it(rt: Runtime) -> None:
    rt.bot.services.identity = BrokenIdentity()
    assert "抱歉" in FAILURE
    with pytest.raises(AssertionError, match="failure reply") as err:
        await verify_dialog(rt, [("你好", "抱歉")], sender="c9")
    assert "turn 1 of 1: c9 on rest said '你好'" in str(err.value) and FAILURE in str(err.value)


async def test_the_number_of_replies_is_exact(rt: Runtime) -> None:
    with pytest.raises(AssertionError, match="wrong number of replies"):
        await verify_dialog(rt, [("你好", ["12345", "12345"])])
    with pytest.raises(AssertionError, match="wrong number of replies"):
        await verify_dialog(rt, [("你好", [])])


async def test_each_reply_must_match_in_order(rt: Runtime) -> None:
    with pytest.raises(AssertionError, match=r"reply 1 does not match '【营业执照】'") as err:
        await verify_dialog(rt, [("你好", "12345"), (QUESTION, "【营业执照】")])
    message = str(err.value)
    assert f"turn 2 of 2: citizen on rest said '{QUESTION}'" in message and "【居住证办理】" in message
    with pytest.raises(AssertionError, match=r"does not match /\^办理/"):
        await verify_dialog(rt, [(QUESTION, re.compile(r"^办理"))])


def test_a_turn_has_two_or_three_parts() -> None:
    assert as_turn(("说", "答")) == Turn("说", "答")
    assert as_turn(("张伟", "说", ["答"])) == Turn("说", ["答"], who="张伟")
    with pytest.raises(TypeError):
        as_turn(("a", "b", "c", "d"))  # type: ignore[arg-type]
