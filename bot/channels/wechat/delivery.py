"""The outbox, delivered through a platform's message API (official account or WeCom).

Rows are claimed, sent and kept delivered only once the platform accepted them. A platform that does not
answer gets its rows back (nothing lost) and is tried again with a growing pause; an official account that
may not message a citizen right now (no message from them in 48 hours) keeps that citizen's rows until they
write again (to any worker: the address waits in the database, ``store.ChannelState``; after a day it is tried
once more); a recipient that does not exist (unsubscribed, left the app) is logged and dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.channels.wechat.api import NEVER, WAIT_FOR_USER, ApiError, Unreachable
from bot.channels.wechat.store import ChannelState
from kernel.outbox import take_pending, unclaim

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pending:
    id: int
    address: str
    kind: str
    ref: str
    text: str


Send = Callable[[Pending], Awaitable[None]]


class OutboxDelivery:
    def __init__(self, state: ChannelState, send: Send, *, every: float = 2.0, max_backoff: float = 300.0) -> None:
        self.state = state
        self.db = state.db
        self.channel = state.channel
        self.send = send
        self.now = state.now
        self.every = every
        self.max_backoff = max_backoff
        self.failures = 0

    async def deliver_once(self) -> int:
        """One round; the number of rows delivered. Raises Unreachable when the platform did not answer."""
        async with self.db.session() as s:
            rows = [
                Pending(r.id, r.address, r.kind, r.ref, r.text)
                for r in await take_pending(s, [self.channel], self.now(), with_any=False, skip=self.state.waiting())
            ]
        give_back: list[int] = []
        refused: set[str] = set()  # addresses the platform refused in this round (48 hours without a message)
        done = 0
        down: Unreachable | None = None
        for row in rows:
            if down is not None or row.address in refused or not row.address:
                give_back.append(row.id)
                continue
            try:
                await self.send(row)
                done += 1
            except Unreachable as exc:
                down = exc
                give_back.append(row.id)
            except ApiError as exc:
                if exc.errcode in NEVER:
                    log.warning("%s: dropping message %s for %s: %s", self.channel, row.id, row.address, exc)
                    continue
                if exc.errcode in WAIT_FOR_USER:
                    refused.add(row.address)
                else:
                    log.warning("%s: message %s refused (%s); will retry", self.channel, row.id, exc)
                    down = Unreachable(str(exc))
                give_back.append(row.id)
        if refused:
            await self.state.wait_for_user(refused)
        if give_back:
            async with self.db.session() as s:
                await unclaim(s, give_back)
        if down is not None:
            raise down
        return done

    async def run_forever(self) -> None:
        while True:
            try:
                await self.deliver_once()
                self.failures = 0
                delay = self.every
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the platform is down or refuses: back off, the rows wait in the outbox
                self.failures += 1
                delay = min(self.max_backoff, self.every * 2**self.failures)
                log.warning("%s outbox delivery failed (%s); next try in %.0fs", self.channel, exc, delay)
            await asyncio.sleep(delay)
