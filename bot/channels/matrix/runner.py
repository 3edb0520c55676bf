"""Builds the Matrix channel from settings-like values and runs it next to the web app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from nio import AsyncClient, AsyncClientConfig

from bot.bot import Bot
from bot.channels.matrix.channel import MatrixChannel, MatrixConfig
from kernel.db import Database


def nio_client(cfg: MatrixConfig) -> AsyncClient:
    # Plain rooms only: no key store, and nio's own sync-token store is off because ours is in the database.
    return AsyncClient(
        cfg.homeserver,
        cfg.user_id,
        device_id=cfg.device_id or None,
        config=AsyncClientConfig(store_sync_tokens=False, encryption_enabled=False),
    )


@asynccontextmanager
async def running(
    cfg: MatrixConfig, db: Database, bot: Bot, now: Callable[[], datetime]
) -> AsyncIterator[MatrixChannel]:
    channel = MatrixChannel(nio_client(cfg), cfg, db, bot.process, now)
    await channel.start()
    try:
        yield channel
    finally:
        await channel.stop()
