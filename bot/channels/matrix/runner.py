"""Builds the Matrix channel from settings-like values and runs it next to the web app.

With several workers on one database, every worker with the Matrix role ``auto`` is a candidate and only the
holder of the lease ``matrix:<bot id>`` (kernel/lease.py) syncs: it renews the lease every third of its
length; the others look as often and take over once it has expired (a killed leader: within the lease's
length plus one look). A leader that fails to renew stops its channel at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from nio import AsyncClient, AsyncClientConfig

from bot.bot import Bot
from bot.channels.matrix.channel import MatrixChannel, MatrixConfig
from kernel.clock import Clock
from kernel.db import Database
from kernel.lease import LeaderLease

log = logging.getLogger(__name__)


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


def lease_name(cfg: MatrixConfig) -> str:
    return f"matrix:{cfg.user_id}"


class MatrixLeader:
    """Campaigns for the Matrix lease and runs the channel while it holds it."""

    def __init__(
        self,
        cfg: MatrixConfig,
        db: Database,
        bot: Bot,
        clock: Clock,
        worker: str,
        lease_seconds: float,
        make_client: Callable[[MatrixConfig], AsyncClient] = nio_client,
    ) -> None:
        self.cfg = cfg
        self.db = db
        self.bot = bot
        self.clock = clock
        self.lease = LeaderLease(db, clock, lease_name(cfg), worker, lease_seconds)
        self.make_client = make_client
        self.channel: MatrixChannel | None = None
        self.terms = 0  # how many times this worker became the leader
        self._task: asyncio.Task[None] | None = None

    @property
    def leading(self) -> bool:
        return self.channel is not None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._campaign())

    async def stop(self) -> None:
        """Stop syncing (letting messages already taken finish) and give the lease up for the next worker."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.channel is not None:
            await self._step_down(grace=10.0)
            await self.lease.release()

    async def _campaign(self) -> None:
        failures = 0
        while True:
            holding = await self.lease.try_hold()
            if holding and self.channel is None:
                try:
                    await self._take_office()
                    failures = 0
                except Exception:
                    failures += 1
                    log.exception("Matrix channel did not start; giving the lease back")
                    await self.lease.release()
                    await asyncio.sleep(min(60.0, 2.0**failures))
                    continue
            elif not holding and self.channel is not None:
                log.warning("Matrix lease lost (not renewed in time); this worker stops syncing")
                await self._step_down(grace=0.0)
            await asyncio.sleep(self.lease.renew_seconds)

    async def _take_office(self) -> None:
        channel = MatrixChannel(
            self.make_client(self.cfg),
            self.cfg,
            self.db,
            self.bot.process,
            self.clock.now,
            worker=self.lease.holder,
            fence=self.lease.fence,
        )
        try:
            await channel.start()
        except BaseException:
            await channel.client.close()
            raise
        self.channel = channel
        self.terms += 1
        log.info("Matrix: this worker (%s) now syncs %s", self.lease.holder, self.cfg.user_id)

    async def _step_down(self, grace: float) -> None:
        channel, self.channel = self.channel, None
        if channel is not None:
            await channel.stop(grace=grace)
