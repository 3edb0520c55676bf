"""The conversation handler: entry, states, fallbacks, timeout, persistence in the session dict,
steps that return the next state, and an undeclared state refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pytest

from bot.conversation import (
    END,
    KEY,
    ConversationError,
    ConversationHandler,
    ConversationState,
    Step,
    on_command,
    on_text,
)
from bot.handlers import Context, Match
from bot.messages import Incoming, Reply
from kernel.clock import FakeClock
from kernel.identity import Actor, Role


async def _ask_name(ctx: Context, m: Match, conv: ConversationState) -> Step:
    return Step([Reply("叫什么？")], "name")


async def _got_name(ctx: Context, m: Match, conv: ConversationState) -> Step:
    conv.data["name"] = ctx.text
    return Step([Reply(f"你好，{ctx.text}")], END)


async def _cancel(ctx: Context, m: Match, conv: ConversationState) -> Step:
    return Step([Reply("已取消")], END)


async def _reprompt(ctx: Context, m: Match, conv: ConversationState) -> Step:
    return Step([Reply("请先回答问题")], conv.state)


async def _lost(ctx: Context, m: Match, conv: ConversationState) -> Step:
    return Step([Reply("去哪？")], "nowhere")


def _conv() -> ConversationHandler:
    return ConversationHandler(
        "demo",
        entry_points=[on_text(lambda c: c.text == "开始", _ask_name), on_text(lambda c: c.text == "迷路", _lost)],
        states={"name": [on_text(lambda c: len(c.text) <= 4, _got_name)]},
        fallbacks=[on_text(lambda c: c.text == "取消", _cancel)],
        reprompt=_reprompt,
        opener=lambda ctx, data, conv: _ask_name(ctx, Match(), conv),
        timeout=timedelta(minutes=10),
        on_timeout="上次的对话已超时",
    )


class _Services:
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock


def _ctx(session: dict[str, Any], clock: FakeClock, text: str) -> Context:
    actor = Actor("rest", "u", frozenset({Role.CITIZEN}))
    return Context(Incoming("rest", "u", text), session, cast(Any, _Services(clock)), actor, text)


async def _say(conv: ConversationHandler, session: dict[str, Any], clock: FakeClock, text: str) -> list[str] | None:
    ctx = _ctx(session, clock, text)
    match = await conv.check(ctx)
    if match is None:
        return None
    return ctx.notices + [r.text for r in await conv.handle(ctx, match)]


async def test_flow_states_and_end():
    conv, session, clock = _conv(), {}, FakeClock()
    assert await _say(conv, session, clock, "你好") is None
    assert await _say(conv, session, clock, "开始") == ["叫什么？"]
    assert session[KEY]["state"] == "name"
    assert await _say(conv, session, clock, "一个太长太长的名字") == ["请先回答问题"]
    assert await _say(conv, session, clock, "/帮助") is None  # unknown commands pass through
    assert await _say(conv, session, clock, "小明") == ["你好，小明"]
    assert KEY not in session


async def test_fallback_and_timeout():
    conv, session, clock = _conv(), {}, FakeClock()
    await _say(conv, session, clock, "开始")
    assert await _say(conv, session, clock, "取消") == ["已取消"]
    await _say(conv, session, clock, "开始")
    clock.advance(timedelta(minutes=11))
    assert await _say(conv, session, clock, "小明") is None  # expired: not taken as the answer
    assert KEY not in session
    await _say(conv, session, clock, "开始")
    clock.advance(timedelta(minutes=11))
    assert await _say(conv, session, clock, "开始") == ["上次的对话已超时", "叫什么？"]


async def test_command_entry():
    conv = ConversationHandler(
        "c", entry_points=[on_command({"开始"}, _ask_name)], states={"name": []}, fallbacks=[], reprompt=_reprompt
    )
    session: dict[str, Any] = {}
    assert await _say(conv, session, FakeClock(), "/开始") == ["叫什么？"]
    assert session[KEY]["state"] == "name"


async def test_an_undeclared_state_is_an_error_and_nothing_is_saved():
    conv, session, clock = _conv(), {}, FakeClock()
    with pytest.raises(ConversationError, match="nowhere"):
        await _say(conv, session, clock, "迷路")
    assert KEY not in session


async def test_opened_from_outside_uses_the_opener():
    conv, session, clock = _conv(), {}, FakeClock()
    replies = await conv.open(_ctx(session, clock, "随便"), {})
    assert [r.text for r in replies] == ["叫什么？"]
    assert session[KEY]["state"] == "name"
    assert await _say(conv, session, clock, "小红") == ["你好，小红"]
