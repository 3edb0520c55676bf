"""Sign-in limits kept in the database: shared by every worker, and not bypassed by parallel requests.

Each attempt is written (``pending``) and committed *before* the password is checked, then counted: the
n-th of 40 parallel guesses sees at least n attempts, so no more than the limit are ever evaluated.
Three limits apply:

- per account name and client address: 5 failures in 15 minutes (someone guessing from one address);
- per account name, from any address: 20 in 15 minutes (a guesser spread over many addresses);
- all failed (or still running) sign-ins together: 120 a minute (argon2 costs CPU: a flood of guesses must
  not starve the chat; argon2 itself runs in a bounded thread pool, admin/accounts.py).

The client address comes from ``kernel.proxy.client_address`` (a forwarded header only from a trusted proxy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, delete, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, BigId, Database, UTCDateTime

PENDING, FAILED, OK = "pending", "failed", "ok"


class LoginAttempt(Base):
    __tablename__ = "admin_login_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    outcome: Mapped[str] = mapped_column(String(8))


@dataclass(frozen=True)
class Admission:
    """An attempt that may go ahead (``attempt_id``), or must wait (``wait``)."""

    attempt_id: int | None
    wait: timedelta | None


class LoginThrottle:
    def __init__(
        self,
        db: Database,
        *,
        limit: int = 5,
        account_limit: int = 20,
        window: timedelta = timedelta(minutes=15),
        global_limit: int = 120,
        global_window: timedelta = timedelta(minutes=1),
        tarpit_seconds: float = 1.0,
    ) -> None:
        self.db = db
        self.limit = limit
        self.account_limit = account_limit
        self.window = window
        self.global_limit = global_limit
        self.global_window = global_window
        # A refused attempt is answered only after this pause (it costs the server nothing: a sleeping
        # coroutine): a client guessing in a loop gets about one answer a second instead of a thousand.
        self.tarpit_seconds = tarpit_seconds
        # Limits this worker has seen exceeded, and until when: a flood of guesses is refused from memory,
        # without a write per guess (on SQLite every write waits in the process's one queue, before the
        # chat's). Only refuses what the database would refuse too; the database stays the shared truth.
        self._blocked: dict[tuple[str, ...], datetime] = {}

    def _keys(self, name: str, address: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        return ("pair", name, address), ("account", name), ("all",)

    def _known_block(self, name: str, address: str, now: datetime) -> timedelta | None:
        until = max((self._blocked.get(k, now) for k in self._keys(name, address)), default=now)
        return until - now if until > now else None

    def _remember_blocks(self, name: str, address: str, untils: list[datetime | None], now: datetime) -> None:
        if len(self._blocked) > 10_000:
            self._blocked = {k: v for k, v in self._blocked.items() if v > now}
        for key, until in zip(self._keys(name, address), untils, strict=True):
            if until is not None and until > now:
                self._blocked[key] = until

    async def admit(self, username: str, address: str, now: datetime) -> Admission:
        """Record the attempt, then decide: refused attempts are not evaluated (and count as failures)."""
        name, address = _name(username), address[:64]
        known = self._known_block(name, address, now)
        if known is not None:
            return Admission(None, max(known, timedelta(seconds=1)))
        async with self.db.session() as s:
            await s.execute(delete(LoginAttempt).where(LoginAttempt.at < now - self.window))
            row = LoginAttempt(username=name, address=address, at=now, outcome=PENDING)
            s.add(row)
            await s.flush()
            attempt_id = row.id
        async with self.db.session() as s:
            not_ok = LoginAttempt.outcome != OK
            since = now - self.window  # an attempt leaves the window exactly `window` after it was made
            pair = (
                await s.execute(
                    select(func.count(), func.min(LoginAttempt.at)).where(
                        LoginAttempt.username == name,
                        LoginAttempt.address == address,
                        LoginAttempt.at > since,
                        LoginAttempt.id <= attempt_id,
                        not_ok,
                    )
                )
            ).one()
            account = (
                await s.execute(
                    select(func.count(), func.min(LoginAttempt.at)).where(
                        LoginAttempt.username == name, LoginAttempt.at > since, LoginAttempt.id <= attempt_id, not_ok
                    )
                )
            ).one()
            overall = (
                await s.execute(
                    select(func.count(), func.min(LoginAttempt.at)).where(
                        LoginAttempt.at > now - self.global_window, LoginAttempt.id <= attempt_id, not_ok
                    )
                )
            ).one()
        untils = [
            first + span if count > limit and first is not None else None
            for (count, first), limit, span in (
                (pair, self.limit, self.window),
                (account, self.account_limit, self.window),
                (overall, self.global_limit, self.global_window),
            )
        ]
        waits = [until - now for until in untils if until is not None]
        if waits:
            await self._finish(attempt_id, FAILED)
            self._remember_blocks(name, address, untils, now)
            return Admission(None, max(max(waits), timedelta(seconds=1)))
        return Admission(attempt_id, None)

    async def failed(self, attempt_id: int) -> None:
        await self._finish(attempt_id, FAILED)

    async def succeeded(self, attempt_id: int, username: str, address: str) -> None:
        """A right password clears this pair's failures (the account's other addresses keep theirs)."""
        async with self.db.session() as s:
            await s.execute(
                delete(LoginAttempt).where(
                    LoginAttempt.username == _name(username),
                    LoginAttempt.address == address[:64],
                    LoginAttempt.id != attempt_id,
                    LoginAttempt.outcome != OK,
                )
            )
            await s.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(outcome=OK))

    async def _finish(self, attempt_id: int, outcome: str) -> None:
        async with self.db.session() as s:
            await s.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(outcome=outcome))


def _name(username: str) -> str:
    return username.strip().lower()[:64]
