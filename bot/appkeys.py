"""Typed aiohttp application keys for the bot's services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from kernel.appkeys import DEMO_MODE, PUBLIC_DEMO
from kernel.credentials import INTEGRATIONS as CREDENTIALS_KEY

if TYPE_CHECKING:
    from bot.bot import Bot
    from kernel.secrets_store import Signer

BOT: web.AppKey[Bot] = web.AppKey("bot")
# The REST channel's integrations by name (GOVCHAT_REST_INTEGRATIONS) and the web chat's identity signer.
INTEGRATIONS = CREDENTIALS_KEY
CHAT_SIGNER: web.AppKey[Signer] = web.AppKey("chat_signer")

__all__ = ["BOT", "CHAT_SIGNER", "DEMO_MODE", "INTEGRATIONS", "PUBLIC_DEMO"]
