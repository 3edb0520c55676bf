"""The WeChat channels' shared state in the database (models.py): message claims, waiting addresses and
pending 退回 reasons. Every write is one short transaction; times come from the injected clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Delete, Select, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.wechat.models import WechatClaim, WechatReason, WechatWaiting
from kernel.db import Database, insert_or_ignore
from kernel.lease import worker_name

TAKEN, REPLIED, LATE = "taken", "replied", "late"
KEEP_CLAIMS = timedelta(hours=1)  # the platforms retry within about 15 seconds
WAITING_RETRY = timedelta(hours=24)  # a refused address is tried once more after this (then waits again)
PURGE_EVERY = timedelta(minutes=10)


class ChannelState:
    def __init__(self, db: Database, channel: str, now: Callable[[], datetime], worker: str = "") -> None:
        self.db = db
        self.channel = channel
        self.now = now
        self.worker = worker or worker_name()
        self._purged: datetime | None = None

    # --- messages taken up (one worker answers each) ---

    async def take(self, key: str) -> bool:
        """Take the message ``key`` up; True for the one worker that did (the others see a retry)."""
        await self._purge_now_and_then()
        async with self.db.session() as s:
            return await insert_or_ignore(
                s,
                WechatClaim,
                channel=self.channel,
                msg_key=key,
                worker=self.worker,
                state=TAKEN,
                texts=[],
                at=self.now(),
            )

    async def settle(self, key: str, state: str, texts: list[str]) -> None:
        """The claimed message was answered in time (REPLIED, with the passive answer) or late (LATE)."""
        async with self.db.session() as s:
            await s.execute(
                update(WechatClaim)
                .where(WechatClaim.channel == self.channel, WechatClaim.msg_key == key)
                .values(state=state, texts=texts)
                .execution_options(synchronize_session=False)
            )

    async def outcome(self, key: str) -> tuple[str, list[str]] | None:
        """What became of a claimed message: its state and, when REPLIED, the answer; None if unknown."""
        async with self.db.session() as s:
            row = (
                await s.execute(
                    select(WechatClaim.state, WechatClaim.texts).where(
                        WechatClaim.channel == self.channel, WechatClaim.msg_key == key
                    )
                )
            ).one_or_none()
        return None if row is None else (str(row[0]), list(row[1] or []))

    # --- addresses the platform accepts messages for only after they write ---

    async def wait_for_user(self, addresses: set[str]) -> None:
        """The platform refused these addresses (48 hours without a message from them): keep their rows."""
        now = self.now()
        async with self.db.session() as s:
            for address in sorted(addresses):
                if not await insert_or_ignore(s, WechatWaiting, channel=self.channel, address=address, since=now):
                    await s.execute(
                        update(WechatWaiting)
                        .where(WechatWaiting.channel == self.channel, WechatWaiting.address == address)
                        .values(since=now)
                        .execution_options(synchronize_session=False)
                    )

    async def resume(self, address: str) -> None:
        """The person wrote: the platform accepts messages for them again."""
        async with self.db.session() as s:
            await s.execute(
                delete(WechatWaiting).where(WechatWaiting.channel == self.channel, WechatWaiting.address == address)
            )

    def waiting(self) -> Select[str]:
        """The addresses not to try now (refused less than WAITING_RETRY ago), as a subquery for the outbox."""
        return select(WechatWaiting.address).where(
            WechatWaiting.channel == self.channel, WechatWaiting.since > self.now() - WAITING_RETRY
        )

    async def waiting_now(self) -> list[str]:
        async with self.db.session() as s:
            return list(await s.scalars(self.waiting().order_by(WechatWaiting.address)))

    # --- a 退回 waiting for its reason ---

    async def expect_reason(self, address: str, doc_id: str) -> None:
        now = self.now()
        async with self.db.session() as s:
            values = {"doc_id": doc_id, "since": now}
            if not await insert_or_ignore(s, WechatReason, channel=self.channel, address=address, **values):
                await s.execute(
                    update(WechatReason)
                    .where(WechatReason.channel == self.channel, WechatReason.address == address)
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )

    async def reason_for(self, address: str, within: timedelta) -> str | None:
        """The document whose reason this person's text is (taken once, by one worker); None if none or stale."""
        async with self.db.session() as s:
            row = await s.get(WechatReason, (self.channel, address))
            if row is None:
                return None
            doc_id, since = row.doc_id, row.since
            gone = await s.execute(
                delete(WechatReason).where(
                    WechatReason.channel == self.channel, WechatReason.address == address, WechatReason.since == since
                )
            )
        taken = gone.rowcount == 1  # type: ignore[attr-defined]
        return doc_id if taken and self.now() - since <= within else None

    # --- forgetting ---

    async def purge(self) -> int:
        """Forget claims older than KEEP_CLAIMS, reasons older than a day and waiting addresses past WAITING_RETRY."""
        now = self.now()
        async with self.db.session() as s:
            n = await _delete(s, delete(WechatClaim).where(WechatClaim.at < now - KEEP_CLAIMS))
            n += await _delete(s, delete(WechatReason).where(WechatReason.since < now - timedelta(days=1)))
            n += await _delete(s, delete(WechatWaiting).where(WechatWaiting.since <= now - WAITING_RETRY))
        self._purged = now
        return n

    async def _purge_now_and_then(self) -> None:
        if self._purged is None or self.now() - self._purged >= PURGE_EVERY:
            await self.purge()


async def _delete(s: AsyncSession, stmt: Delete) -> int:
    result = await s.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
