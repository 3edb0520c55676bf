"""A place said alone ("梅江区人民公园", "江南街道鸿都社区"), with no step asking for one: never a question for the
knowledge base (its words match some service's address and get a confident wrong answer). After a menu that
offered a new appeal, it is where the matter described happens: that appeal is taken up with the place. Otherwise
the citizen is asked what about the place, and the place is kept for the appeal that follows."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.handlers import Context
from bot.messages import Button, Reply
from integrations.arbitration import NEW_APPEALS, is_question
from integrations.contract import SessionData
from integrations.tickets import INTAKE
from knowledge_base.normalize import tidy_text
from nlu.agreeing import agrees, only_thanks
from nlu.asking import asks_what_answers
from nlu.entities import only_a_place
from nlu.service import Understanding
from office_flows.tickets.rules import INTENT_KINDS

PLACE_KEY = "place_said"
PLACE_FRESH = timedelta(minutes=10)


def remember_place(session: SessionData, place: str, now: datetime) -> None:
    session[PLACE_KEY] = {"place": place[:200], "at": now.isoformat()}


def place_said(session: SessionData, now: datetime) -> str:
    """The place said alone in the last minutes, taken (said once, used once); "" when there is none."""
    found = _fresh_place(session, now)
    session.pop(PLACE_KEY, None)
    return found


def _fresh_place(session: SessionData, now: datetime) -> str:
    raw = session.get(PLACE_KEY)
    if not isinstance(raw, dict):
        return ""
    try:
        at = datetime.fromisoformat(str(raw.get("at")))
    except (TypeError, ValueError):
        return ""
    fresh = at.tzinfo is not None and now - at <= PLACE_FRESH
    return str(raw.get("place") or "") if fresh else ""


_CJK = re.compile(r"[\u4e00-\u9fff\U00020000-\U0002ffff]")


def matter_at_the_place(ctx: Context, understood: Understanding | None) -> dict[str, object] | None:
    """Right after "请问那里出了什么问题": a statement of four characters or more ("有班人成日喺度跳广场舞好嘈") is that
    matter, whatever the NLU makes of it; the intake opens with it (and takes the place). None otherwise: a
    question, a service asked for ("我想办护照", a confident ask_service), thanks, a yes, a short word, or no
    place waiting. The place waits for that one turn only."""
    said = ctx.text
    if not _fresh_place(ctx.session, ctx.services.clock.now()):
        return None
    reading = understood.intent if understood is not None else ""
    sure = understood is not None and understood.confidence >= ctx.services.nlu_threshold
    asks_a_service = reading == "ask_service" and sure
    if (
        len(_CJK.findall(said)) < 4
        or is_question(said)
        or asks_a_service
        or agrees(said)
        or only_thanks(said)
        or asks_what_answers(said)
    ):
        ctx.session.pop(PLACE_KEY, None)
        return None
    # The kind: the one named in the words (the intake reads it), else the NLU's likeliest appeal, else 投诉.
    top = next((name for name, _ in understood.ranking if name in NEW_APPEALS), "") if understood else ""
    return {"kind": INTENT_KINDS.get(top, "投诉"), "text": tidy_text(ctx.message.text), "entities": {}}


async def answer_place_alone(ctx: Context, menu: Mapping[str, object] | None) -> list[Reply] | None:
    """The reply to a message that is only a place; None when it is more than a place. ``menu``: the readings
    offered for the citizen's last message, if a menu waits."""
    place = only_a_place(ctx.text)
    if place is None:
        return None
    options = menu.get("options") if menu is not None else None
    appeal = next((str(o) for o in options if o in NEW_APPEALS), None) if isinstance(options, list) else None
    if menu is not None and appeal is not None:
        # "我楼下个大排档日日搞到凌晨两点" got a menu; "梅江区江南街道鸿都社区" says where: that appeal, with its place.
        start = {"kind": INTENT_KINDS[appeal], "text": str(menu.get("text") or ""), "entities": {"address": place}}
        return await ctx.conversations[INTAKE].open(ctx, start)
    remember_place(ctx.session, place, ctx.services.clock.now())
    said = (
        f"您说的地点是“{place}”。请问那里出了什么问题？直接说就可以，例如“那里晚上很吵”“路灯坏了”，"
        "我会帮您登记并转交相关部门；如果是想咨询办事，请说要办的事情。"
    )
    return [Reply(said, buttons=[Button("登记工单", "登记工单"), Button("转人工", "人工")])]
