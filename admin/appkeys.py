"""Typed aiohttp application keys for the services the console and its REST API use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from collections.abc import Callable

    from admin.login_throttle import LoginThrottle
    from kernel.clock import Clock
    from kernel.db import Database
    from kernel.identity import Role
    from knowledge_base.index_manager import IndexManager
    from knowledge_base.service import KnowledgeBase
    from nlu.service import NluService
    from office_flows.alerts.service import AlertService
    from office_flows.handoff.service import HandoffConfig
    from office_flows.quality.service import QualityService
    from office_flows.tickets.service import TicketService

DB: web.AppKey[Database] = web.AppKey("db")
TICKETS: web.AppKey[TicketService] = web.AppKey("tickets")
API_TOKENS: web.AppKey[dict[str, str]] = web.AppKey("api_tokens")
CLOCK: web.AppKey[Clock] = web.AppKey("clock")
LOGIN_THROTTLE: web.AppKey[LoginThrottle] = web.AppKey("login_throttle")
KB: web.AppKey[KnowledgeBase] = web.AppKey("kb")
INDEX: web.AppKey[IndexManager] = web.AppKey("index")
# 未诉先办 topics (None without the encoder: the monthly report then leaves its topics out)
ALERTS: web.AppKey[AlertService | None] = web.AppKey("alerts")
# The chat's NLU service as it is now (None when NLU is off), and its confidence threshold: the hit test
# runs the chat's own arbitration.
NLU: web.AppKey[Callable[[], NluService | None]] = web.AppKey("nlu")
NLU_THRESHOLD: web.AppKey[float] = web.AppKey("nlu_threshold")
HANDOFF_CONFIG: web.AppKey[HandoffConfig] = web.AppKey("handoff_config")
QUALITY: web.AppKey[QualityService] = web.AppKey("quality")
# (method, path template) -> roles that may call it; filled by admin.guard.route
ROUTE_ROLES: web.AppKey[dict[tuple[str, str], frozenset[Role]]] = web.AppKey("route_roles")
