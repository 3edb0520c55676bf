"""Typed aiohttp application keys for the bot's services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from bot.bot import Bot

BOT: web.AppKey[Bot] = web.AppKey("bot")
