"""Where each flow is served. Ticket, document, meeting and statistics flows arrive with issues 4 and 5;
until then they answer plainly that the function is not available yet, showing what was understood."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from integrations.intents import IntentSpec
from kernel.identity import Actor


@dataclass
class FlowCall:
    """What a flow gets: the intent, its entities, who asks, the text, and the sender's session data
    (a flow that needs more turns keeps its state there; it is saved with the session)."""

    spec: IntentSpec
    entities: dict[str, Any]
    actor: Actor
    text: str = ""
    session: dict[str, Any] = field(default_factory=dict)


FlowHandler = Callable[[FlowCall], Awaitable[list[str]]]

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
_SOON = {
    "tickets": "12345 工单功能即将上线，现在请拨打 12345 热线办理，我们会尽快处理。",
    "documents": "移动审批功能即将上线，请暂时在办公系统中处理。",
    "meetings": "会议管理功能即将上线，请暂时通过办公室预约。",
    "statistics": "督办统计功能即将上线。",
}


def understood(spec: IntentSpec, entities: dict[str, Any]) -> str:
    parts = [f"{_ENTITY_LABELS.get(k, k)}：{v}" for k, v in entities.items() if k in _ENTITY_LABELS]
    return f"已识别为“{spec.label}”" + (f"（{'；'.join(parts)}）" if parts else "") + "。"


async def not_yet_available(call: FlowCall) -> list[str]:
    return [understood(call.spec, call.entities) + _SOON.get(call.spec.flow, "该功能即将上线。")]


class FlowRegistry:
    """Flows by intent name; later issues register theirs, the rest fall back to not_yet_available."""

    def __init__(self) -> None:
        self._flows: dict[str, FlowHandler] = {}

    def register(self, intent: str, handler: FlowHandler) -> None:
        self._flows[intent] = handler

    def has(self, intent: str) -> bool:
        return intent in self._flows

    async def run(self, call: FlowCall) -> list[str]:
        return await self._flows.get(call.spec.name, not_yet_available)(call)
