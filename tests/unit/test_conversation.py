"""The conversation handler: entry, states, fallbacks, timeout, persistence in the session dict."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from bot.conversation import KEY, ConversationHandler
from bot.handlers import CommandHandler, Context, MessageHandler
from bot.messages import Incoming, Reply
from kernel.clock import FakeClock


async def _ask_name(ctx: Context) -> list[Reply]:
    ctx.conv.goto("name")
    return [Reply("叫什么？")]


async def _got_name(ctx: Context) -> list[Reply]:
    ctx.conv.data["name"] = ctx.text
    ctx.conv.end()
    return [Reply(f"你好，{ctx.text}")]


async def _cancel(ctx: Context) -> list[Reply]:
    ctx.conv.end()
    return [Reply("已取消")]


async def _reprompt(ctx: Context) -> list[Reply]:
    return [Reply("请先回答问题")]


def _conv() -> ConversationHandler:
    return ConversationHandler(
        "demo",
        entry_points=[MessageHandler(lambda c: c.text == "开始", _ask_name)],
        states={"name": [MessageHandler(lambda c: len(c.text) <= 4, _got_name)]},
        fallbacks=[MessageHandler(lambda c: c.text == "取消", _cancel)],
        reprompt=_reprompt,
        timeout=timedelta(minutes=10),
        on_timeout="上次的对话已超时",
    )


async def _say(conv: ConversationHandler, session: dict, clock: FakeClock, text: str) -> list[str] | None:
    ctx = Context(Incoming("rest", "u", text), session, SimpleNamespace(clock=clock), text=text)
    if not await conv.check(ctx):
        return None
    return ctx.notices + [r.text for r in await conv.handle(ctx)]


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
        "c", entry_points=[CommandHandler({"开始"}, _ask_name)], states={}, fallbacks=[], reprompt=_reprompt
    )
    session: dict = {}
    assert await _say(conv, session, FakeClock(), "/开始") == ["叫什么？"]
