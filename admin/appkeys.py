"""Typed aiohttp application keys for the services the console and its REST API use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from govchat.db import Database
    from office_flows.tickets.service import TicketService

DB: web.AppKey[Database] = web.AppKey("db")
TICKETS: web.AppKey[TicketService] = web.AppKey("tickets")
API_TOKENS: web.AppKey[dict[str, str]] = web.AppKey("api_tokens")
