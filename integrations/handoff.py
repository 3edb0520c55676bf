"""Human handoff's chat face: a citizen asks for a person, or the bot gives up after repeated misses.

The citizen's session keeps the open handoff's id (``SESSION_KEY``) so that the bot's chain can
hand their next messages to the operator; the database record stays the truth.
"""

from __future__ import annotations

from dataclasses import dataclass

from integrations.contract import FlowCall, IntentRegistry, Outcome, SessionData
from kernel.clock import Clock
from kernel.db import Database
from office_flows.handoff import service
from office_flows.handoff.service import HandoffConfig

SESSION_KEY = "handoff"
MISSES_KEY = "kb_misses"  # declined questions in a row
QUEUE_FULL = "抱歉，人工客服排队人数已满，请稍后再试，或拨打 12345 热线（7×24 小时）。"
NOT_AVAILABLE = "人工客服暂未开通。请拨打 12345 热线联系人工客服（7×24 小时）。"
QUEUED = "好的，正在为您转接人工客服，请稍候。您可以继续描述问题，人工客服接入后都会看到。\n（回复“取消”可退出排队）"
AFTER_FAILURES = "抱歉，连续几个问题我都没能回答好，已为您转接人工客服，请稍候。您可以继续描述问题。"


@dataclass
class HandoffDesk:
    db: Database
    clock: Clock
    config: HandoffConfig | None  # None: human handoff is off in this deployment

    async def start(self, channel: str, sender: str, text: str, session: SessionData, reason: str = "asked") -> Outcome:
        if self.config is None:
            return Outcome.say(NOT_AVAILABLE)
        try:
            async with self.db.session() as s:
                h = await service.start(s, self.config, channel, sender, reason, text, self.clock.now())
                session[SESSION_KEY] = h.id
        except service.QueueFull:
            return Outcome.say(QUEUE_FULL)
        session.pop(MISSES_KEY, None)
        return Outcome.say(QUEUED if reason == "asked" else AFTER_FAILURES)

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
