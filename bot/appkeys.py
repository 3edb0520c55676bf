"""Typed aiohttp application keys for the bot's services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from kernel.credentials import INTEGRATIONS as CREDENTIALS_KEY

if TYPE_CHECKING:
    from bot.bot import Bot
    from kernel.secrets_store import Signer

BOT: web.AppKey[Bot] = web.AppKey("bot")
# The REST channel's integrations by name (GOVCHAT_REST_INTEGRATIONS) and the web chat's identity signer.
INTEGRATIONS = CREDENTIALS_KEY
CHAT_SIGNER: web.AppKey[Signer] = web.AppKey("chat_signer")
# Demo mode (GOVCHAT_MODE=demo): the 演示模式 banner and the chat page's demo sign-in; the sign-in answers
# loopback clients only unless GOVCHAT_ALLOW_PUBLIC_DEMO is set.
DEMO_MODE: web.AppKey[bool] = web.AppKey("demo_mode", bool)
PUBLIC_DEMO: web.AppKey[bool] = web.AppKey("public_demo", bool)
