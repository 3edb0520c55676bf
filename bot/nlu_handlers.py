"""Free text through the NLU: route by intent, ask for what is missing, clarify when unsure.

Session keys: ``nlu_pending`` (an intent waiting for one entity) and ``nlu_clarify``
(intents offered as numbered choices). Both are plain data, so they survive restarts.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from bot import ticket_intake
from bot.handlers import Context
from bot.handoff.handlers import start_handoff
from bot.kb_handlers import CHOICE_KEY, answer_question, picked_number
from bot.messages import Button, Reply
from integrations.flows import FlowCall
from integrations.intents import SPECS
from integrations.router import Decision, decide_for, route
from knowledge_base.policy import Decision as KbDecision
from nlu.client import NluUnavailable
from nlu.entities import DOC_ID, MEETING_ID, MOBILE, rating_level, valid_ticket_id
from nlu.timeparse import parse_time
from office_flows.tickets.rules import INTENT_KINDS

PENDING = "nlu_pending"
CLARIFY = "nlu_clarify"
_CANCEL = re.compile(r"^(取消|算了|不用了|不要了|退出|cancel)[。.!！]*$", re.I)
_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
DEGRADED = "（智能语义理解暂时不可用，目前只能解答办事咨询和处理“/”开头的命令，请稍后再试。）"
OUT_OF_SCOPE = (
    "抱歉，这个问题超出了我的服务范围。我可以解答政务服务办事问题，或帮您反映诉求（投诉、举报、求助、建议）。"
)
CHAT = {
    "greet": "您好！请问有什么可以帮您？可以直接问办事问题，或反映诉求。",
    "thank": "不客气！还有其他问题随时问我。",
    "goodbye": "再见！如有需要随时找我，或拨打 12345 热线。",
    "out_of_scope": OUT_OF_SCOPE,
}


def _extract(entity: str, text: str, ctx: Context) -> Any:
    """The awaited entity from a follow-up message, without a second NLU round trip where possible."""
    if entity == "ticket_id":
        m = re.search(r"GD\d{13}", text.upper())
        return m.group(0) if m and valid_ticket_id(m.group(0)) else None
    if entity == "doc_id":
        m = DOC_ID.search(text.upper())
        return m.group(0) if m else None
    if entity == "meeting_id":
        m = MEETING_ID.search(text.upper())
        return m.group(0) if m else None
    if entity == "rating":
        return rating_level(text)
    if entity == "time":
        t = parse_time(text, ctx.services.clock.now())
        return t.value.isoformat() if t else None
    if entity == "phone":
        m = MOBILE.search(text)
        return m.group(0) if m else None
    if entity == "person" and _NAME.match(text):
        return text
    return None


async def _act(ctx: Context, d: Decision) -> list[Reply]:
    """Turn a routing decision into replies (and session state)."""
    assert d.spec is not None
    if d.action == "denied":
        return [Reply(d.message)]
    if d.action == "ask":
        assert d.need is not None
        ctx.session[PENDING] = {"intent": d.spec.name, "entities": d.entities, "awaiting": d.need.entity, "tries": 0}
        return [Reply(d.message + "\n（回复“取消”可放弃本次操作）")]
    if d.spec.flow == "knowledge_base":
        return await answer_question(ctx)
    if d.spec.name == "human_agent":
        return await start_handoff(ctx)
    if d.spec.name in CHAT:
        return [Reply(CHAT[d.spec.name])]
    if d.spec.name in INTENT_KINDS and d.spec.flow == "tickets" and ctx.services.tickets is not None:
        return await ticket_intake.begin_from_intent(ctx, d.spec.name, d.entities)
    texts = await ctx.services.flows.run(FlowCall(d.spec, d.entities, ctx.actor, ctx.text, ctx.session))
    return [Reply(t) for t in texts]


def has_pending_entity(ctx: Context) -> bool:
    return PENDING in ctx.session and not ctx.text.startswith(("/", "／"))


async def continue_pending(ctx: Context) -> list[Reply]:
    pending = ctx.session[PENDING]
    if _CANCEL.match(ctx.text):
        ctx.session.pop(PENDING)
        return [Reply("好的，已取消。还有什么可以帮您？")]
    value = _extract(pending["awaiting"], ctx.text, ctx)
    spec = SPECS[pending["intent"]]
    if value is None:
        pending["tries"] = int(pending.get("tries", 0)) + 1
        if pending["tries"] >= 2:
            ctx.session.pop(PENDING)
            return [Reply(f"还是没有识别到需要的信息，已放弃“{spec.label}”。您可以重新完整地说一遍。")]
        need = next(n for n in spec.needs if n.entity == pending["awaiting"])
        return [Reply("没有识别到，" + need.question)]
    ctx.session.pop(PENDING)
    entities = {**pending["entities"], pending["awaiting"]: value}
    return await _act(ctx, decide_for(spec, entities, await _roles(ctx)))


def has_pending_clarify(ctx: Context) -> bool:
    return bool(ctx.session.get(CLARIFY)) and picked_number(ctx.text) is not None


async def pick_clarified(ctx: Context) -> list[Reply]:
    state = ctx.session.pop(CLARIFY)
    n = picked_number(ctx.text)
    assert n is not None
    if n > len(state["options"]):
        ctx.session[CLARIFY] = state
        return [Reply(f"请回复 1 到 {len(state['options'])} 之间的数字，或换个说法。")]
    spec = SPECS[state["options"][n - 1]]
    ctx.text = state["text"]
    return await _act(ctx, decide_for(spec, state["entities"], await _roles(ctx)))


async def _roles(ctx: Context) -> Any:
    return ctx.actor.roles


async def understand_and_route(ctx: Context) -> list[Reply]:
    nlu = ctx.services.nlu
    u = None
    if nlu is not None:
        with contextlib.suppress(NluUnavailable):
            u = await nlu.understand(ctx.text)
    if u is None:  # NLU switched off, or down: the KB, and tickets that say plainly what they are
        if ticket_intake.explicit_request(ctx.text):
            return await ticket_intake.begin_explicit(ctx)
        replies = await answer_question(ctx)
        down = nlu is not None and ctx.session.get(CHOICE_KEY) is None
        if down and replies and "没有找到准确的答案" in replies[0].text:
            replies[0].text += "\n" + DEGRADED
        return replies
    roles = await _roles(ctx)
    d = route(u.intent, u.confidence, u.ranking, u.entities, roles, ctx.services.nlu_threshold)
    if d.action != "unsure":
        return await _act(ctx, d)
    # Unsure of the intent: a question the KB knows is the likeliest reading.
    _, kb_decision, _ = ctx.services.kb.classify(ctx.text)
    if kb_decision is not KbDecision.DECLINE or not d.options:
        return await answer_question(ctx)
    ctx.session[CLARIFY] = {"options": [s.name for s in d.options], "entities": d.entities, "text": ctx.text}
    lines = ["我不太确定您的意思，您是想："]
    lines += [f"{n}. {s.label}" for n, s in enumerate(d.options, start=1)]
    lines.append("请回复序号，或换个说法。")
    return [Reply("\n".join(lines), buttons=[Button(s.label, str(n)) for n, s in enumerate(d.options, start=1)])]
