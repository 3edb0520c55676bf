"""Failed sign-ins, counted per account name and client address, slow down password guessing.

Per pair rather than per account: someone guessing at ``admin`` from one address does not lock the real
admin out from theirs. Kept in memory (no table): a restart forgets the counts, and an attacker cannot
cause one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass
class _Failures:
    first: datetime
    count: int


class LoginThrottle:
    def __init__(self, limit: int = 5, window: timedelta = timedelta(minutes=15), max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._failures: dict[tuple[str, str], _Failures] = {}

    def wait(self, username: str, address: str, now: datetime) -> timedelta | None:
        """How long this pair must wait before another try, or None when it may try now."""
        f = self._failures.get(_key(username, address))
        if f is None or f.count < self.limit:
            return None
        left = f.first + self.window - now
        return left if left > timedelta(0) else None

    def failed(self, username: str, address: str, now: datetime) -> None:
        key = _key(username, address)
        f = self._failures.get(key)
        if f is None or now - f.first >= self.window:
            if len(self._failures) >= self.max_keys:
                self._forget_stale(now)
            self._failures[key] = _Failures(now, 1)
        else:
            f.count += 1

    def succeeded(self, username: str, address: str) -> None:
        self._failures.pop(_key(username, address), None)

    def _forget_stale(self, now: datetime) -> None:
        stale = [k for k, f in self._failures.items() if now - f.first >= self.window]
        for k in stale or list(self._failures)[: self.max_keys // 10]:  # bounded memory under a flood
            del self._failures[k]


def _key(username: str, address: str) -> tuple[str, str]:
    return username.strip().lower(), address
