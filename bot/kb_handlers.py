"""Knowledge-base handlers: answer, offer choices, pick a choice by number, decline honestly."""

from __future__ import annotations

import re

from bot.cards import card_reply
from bot.handlers import Context
from bot.messages import Button, Reply
from knowledge_base.policy import Decision
from knowledge_base.service import KnowledgeBaseUnavailable

CHOICE_KEY = "kb_choices"
_NUMBER = re.compile(r"^\s*(?:第\s*)?([1-9一二三四五])\s*(?:个|项|条)?\s*[.。、]?\s*$")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}

DECLINE = (
    "抱歉，这个问题我暂时没有找到准确的答案，已记录下来交给工作人员完善。您可以：\n"
    "1. 换个说法再问一次，例如说明要办的事项名称；\n"
    "2. 回复“登记工单”，把诉求登记为 12345 工单由相关部门处理；\n"
    "3. 回复“人工”转人工客服，或直接拨打 12345 热线。"
)
NOT_READY = "知识库正在准备中，请稍后再试；急事请拨打 12345 热线。"


def picked_number(text: str) -> int | None:
    m = _NUMBER.match(text)
    if not m:
        return None
    raw = m.group(1)
    return _CN_DIGITS.get(raw) or int(raw)


async def choose_offered(ctx: Context) -> list[Reply]:
    choices = ctx.session.get(CHOICE_KEY) or []
    n = picked_number(ctx.text)
    assert n is not None
    if n > len(choices):
        return [Reply(f"请回复 1 到 {len(choices)} 之间的数字，或直接输入新的问题。")]
    kind, entry_id = choices[n - 1]
    ctx.session.pop(CHOICE_KEY, None)
    card = await ctx.services.kb.choose(kind, int(entry_id))
    if card is None:
        return [Reply("这条内容刚刚下线了，请换个说法再问一次。")]
    return [card_reply(card)]


def has_pending_choice(ctx: Context) -> bool:
    return bool(ctx.session.get(CHOICE_KEY)) and picked_number(ctx.text) is not None


async def answer_question(ctx: Context) -> list[Reply]:
    try:
        result = await ctx.services.kb.ask(ctx.text, channel=ctx.message.channel, sender=ctx.message.sender)
    except KnowledgeBaseUnavailable:
        return [Reply(NOT_READY)]
    ctx.session.pop(CHOICE_KEY, None)
    if result.decision is Decision.ANSWER and result.cards:
        return [card_reply(result.cards[0])]
    if result.decision is Decision.SUGGEST:
        ctx.session[CHOICE_KEY] = [[h.kind, h.entry_id] for h in result.hits]
        lines = ["您想咨询的是不是以下内容？请回复序号："]
        lines += [f"{n}. {h.title}" for n, h in enumerate(result.hits, start=1)]
        lines.append("都不是的话，可以换个说法再问。")
        buttons = [Button(f"{n}. {h.title}", str(n)) for n, h in enumerate(result.hits, start=1)]
        return [Reply("\n".join(lines), buttons=buttons)]
    ctx.session["kb_misses"] = int(ctx.session.get("kb_misses", 0)) + 1
    ctx.session["kb_last_miss"] = ctx.text[:500]  # "登记工单" next turns it into a 咨询 ticket
    return [Reply(DECLINE, buttons=[Button("登记工单", "登记工单"), Button("转人工", "人工")])]
