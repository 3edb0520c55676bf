"""Human handoff's chat face: a citizen asks for a person, or the bot gives up after repeated misses.

The citizen's session keeps the open handoff's id (``SESSION_KEY``) so that the bot's chain can
hand their next messages to the operator; the database record stays the truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from integrations.contract import FlowCall, IntentRegistry, Outcome, SessionData
from kernel.clock import Clock
from kernel.db import Database
from knowledge_base.dialect_detect import CANTONESE, HAKKA, detect
from office_flows.handoff import service
from office_flows.handoff.models import WAITING, Handoff
from office_flows.handoff.service import HandoffConfig, Wait

SESSION_KEY = "handoff"
DIALECT_KEY = "dialect"  # the desk the citizen's earlier messages asked for (set only when one did)
MISSES_KEY = "kb_misses"  # declined questions in a row
QUEUE_FULL = "抱歉，人工客服排队人数已满，请稍后再试，或拨打 12345 热线（7×24 小时）。"
NOT_AVAILABLE = "人工客服暂未开通。请拨打 12345 热线联系人工客服（7×24 小时）。"
QUEUED = "好的，正在为您转接人工客服，请稍候。您可以继续描述问题，人工客服接入后都会看到。\n（回复“取消”可退出排队）"
AFTER_FAILURES = "抱歉，连续几个问题我都没能回答好，已为您转接人工客服，请稍候。您可以继续描述问题。"
# Dialect desks: a conversation written in Cantonese or Hakka waits for an operator with that skill first.
DESKS = {CANTONESE: "粤语", HAKKA: "客家话"}


def desk_for(text: str) -> str:
    """The skill a conversation needs from the dialect it is written in ("" for Mandarin)."""
    return DESKS.get(detect(text).dialect, "")


def wait_line(skill: str, wait: Wait) -> str:
    desk = f"已为您安排{skill}坐席。" if skill else ""
    return f"{desk}前面还有 {wait.ahead} 位，预计等待约 {wait.minutes} 分钟。"


def reserved_line(hid: int, skill: str, minutes_left: int) -> str:
    return f"#{hid} 为{skill}专席对话，约 {minutes_left} 分钟内优先由{skill}坐席接入；您可以先接入其他排队的市民。"


@dataclass
class HandoffDesk:
    db: Database
    clock: Clock
    config: HandoffConfig | None  # None: human handoff is off in this deployment

    async def start(
        self, channel: str, sender: str, text: str, session: SessionData, reason: str = "asked", *, note: str = ""
    ) -> Outcome:
        """Queue the citizen for a person (``SESSION_KEY`` in ``session`` then says one is open); ``note`` goes to
        the transcript for the operator (e.g. a ticket the citizen was writing when they asked)."""
        if self.config is None:
            return Outcome.say(NOT_AVAILABLE)
        now = self.clock.now()
        skill = desk_for(text) or str(session.get(DIALECT_KEY, ""))
        try:
            async with self.db.session() as s:
                h = await service.start(s, self.config, channel, sender, reason, text, now, skill=skill)
                if note:
                    await service.note(s, h, "system", note, now)
                session[SESSION_KEY] = h.id
                wait = await service.wait_of(s, self.config, h, now)
                skill = h.skill
        except service.QueueFull:
            return Outcome.say(QUEUE_FULL)
        session.pop(MISSES_KEY, None)
        return Outcome.say((QUEUED if reason == "asked" else AFTER_FAILURES) + "\n" + wait_line(skill, wait))

    def remember_dialect(self, session: SessionData, text: str) -> None:
        """Note the desk a citizen's message asks for, so that a later plain "人工" still goes to it. The session
        is written only when a message is in a dialect (most messages change nothing)."""
        if self.config is None or SESSION_KEY in session:
            return
        skill = desk_for(text)
        if skill and session.get(DIALECT_KEY) != skill:
            session[DIALECT_KEY] = skill

    @property
    def skill_wait(self) -> timedelta:
        return timedelta(minutes=self.config.skill_wait_minutes if self.config else 0)

    async def reconsider(self, s: AsyncSession, h: Handoff, citizen_texts: list[str]) -> str | None:
        """While the citizen waits, their later messages may show the dialect: the handoff then asks for that
        desk, and the citizen is told (the returned line)."""
        if self.config is None or h.skill or h.status != WAITING:
            return None
        skill = desk_for("\n".join(citizen_texts))
        if not skill:
            return None
        now = self.clock.now()
        await service.ask_skill(s, self.config, h, skill, citizen_texts[-1], now)
        return wait_line(skill, await service.wait_of(s, self.config, h, now))

    async def after_decline(self, call: FlowCall, declined: Outcome) -> Outcome:
        """Count a declined question; after ``fail_limit`` in a row hand the citizen to a human."""
        misses = int(str(call.session.get(MISSES_KEY, 0))) + 1
        call.session[MISSES_KEY] = misses
        cfg = self.config
        if cfg is None or cfg.fail_limit <= 0 or misses < cfg.fail_limit:
            return declined
        return await self.start(call.actor.channel, call.actor.sender, call.text, call.session, reason="failures")


def register(flows: IntentRegistry, desk: HandoffDesk) -> None:
    async def human_agent(call: FlowCall) -> Outcome:
        return await desk.start(call.actor.channel, call.actor.sender, call.text, call.session)

    flows.register("human_agent", human_agent)
