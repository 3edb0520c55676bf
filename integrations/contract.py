"""The contract between the bot and the domains' chat faces: a call in, an outcome out.

The bot routes every understood intent (the knowledge base, handoff, ticket intake, documents,
meetings, statistics and small talk alike) through one ``IntentRegistry``; each domain's chat
face registers its handlers there (``integrations.wiring``). A handler never sees the channel:
it gets a ``FlowCall`` and returns an ``Outcome`` — answers to say, and optionally a conversation
for the bot to open next (ticket intake).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from integrations.intents import IntentSpec
from kernel.identity import Actor

# Entity values as the NLU and the router give them: text, numbers, ISO times.
EntityValue = str | int | float
Entities = dict[str, EntityValue]
# The sender's session data (JSON-serialisable; saved with the session).
SessionData = dict[str, object]


@dataclass(frozen=True)
class Choice:
    """A numbered option the person can click or type back."""

    title: str
    payload: str


@dataclass
class Answer:
    text: str
    choices: list[Choice] = field(default_factory=list)


@dataclass(frozen=True)
class StartConversation:
    """Ask the bot to open one of its conversations (by name) with this initial data."""

    name: str
    data: Mapping[str, object]


@dataclass
class Outcome:
    answers: list[Answer] = field(default_factory=list)
    start: StartConversation | None = None
    kb: str = ""  # the knowledge base's decision when it answered: answer / choices / decline (for transcripts)

    @classmethod
    def say(cls, *texts: str) -> Outcome:
        return cls([Answer(t) for t in texts])


@dataclass
class FlowCall:
    """What a flow gets: the intent, its entities, who asks, the text, and the sender's session data
    (a flow that needs more turns keeps its state there; it is saved with the session)."""

    spec: IntentSpec
    entities: Entities
    actor: Actor
    text: str = ""  # normalised text
    session: SessionData = field(default_factory=dict)
    raw_text: str = ""  # as written (full-width punctuation kept), for free text that is stored

    @property
    def written(self) -> str:
        return self.raw_text or self.text


FlowHandler = Callable[[FlowCall], Awaitable[Outcome]]
TextFlow = Callable[[FlowCall], Awaitable[list[str]]]

_ENTITY_LABELS = {
    "ticket_id": "工单",
    "doc_id": "公文",
    "meeting_id": "会议",
    "rating": "评价",
    "person": "人员",
    "time": "时间",
    "room": "会议室",
    "department": "部门",
    "address": "地址",
    "phone": "电话",
    "service": "事项",
}
_OFF = {
    "tickets": "12345 工单功能暂未启用，请拨打 12345 热线办理。",
    "documents": "移动审批功能暂未启用，请在办公系统中处理。",
    "meetings": "会议管理功能暂未启用，请通过办公室预约。",
    "notices": "通知公告功能暂未启用，请通过办公室发布。",
    "statistics": "督办统计功能暂未启用。",
    "quality": "质检功能未开启。",
}


def understood(spec: IntentSpec, entities: Entities) -> str:
    parts = [f"{_ENTITY_LABELS.get(k, k)}：{v}" for k, v in entities.items() if k in _ENTITY_LABELS]
    return f"已识别为“{spec.label}”" + (f"（{'；'.join(parts)}）" if parts else "") + "。"


async def not_enabled(call: FlowCall) -> Outcome:
    """An intent whose domain is switched off in this deployment: say what was understood."""
    return Outcome.say(understood(call.spec, call.entities) + _OFF.get(call.spec.flow, "该功能暂未启用。"))


def texts(fn: TextFlow) -> FlowHandler:
    """Adapt a flow that returns plain lines."""

    async def run(call: FlowCall) -> Outcome:
        return Outcome.say(*await fn(call))

    return run


class IntentRegistry:
    """Flows by intent name: the one place an understood intent is turned into an answer."""

    def __init__(self) -> None:
        self._flows: dict[str, FlowHandler] = {}

    def register(self, intent: str, handler: FlowHandler) -> None:
        self._flows[intent] = handler

    def has(self, intent: str) -> bool:
        return intent in self._flows

    async def run(self, call: FlowCall) -> Outcome:
        return await self._flows.get(call.spec.name, not_enabled)(call)
