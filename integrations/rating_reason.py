"""What a citizen said against the answer to their ticket before rating it ("点解冇人打电话畀我" after the
department's answer): kept in the session for a while, so that the rating that follows ("不满意", typed or
clicked) carries it as its reason (the rectification and the quality rule on bad ratings read it)."""

from __future__ import annotations

from datetime import datetime, timedelta

from integrations.context import fresh_entry
from integrations.contract import SessionData

REASON_KEY = "rating_reason"  # {"code", "reason", "at"}
REASON_TTL = timedelta(minutes=30)


def remember_reason(session: SessionData, code: str, reason: str, now: datetime) -> None:
    session[REASON_KEY] = {"code": code, "reason": reason[:500], "at": now.isoformat()}


def kept_reason(session: SessionData, code: str, now: datetime) -> str:
    """The reason kept for ``code`` (taken: used once), or ""."""
    kept = fresh_entry(session, REASON_KEY, now, REASON_TTL)
    if kept is None or kept.get("code") != code:
        return ""
    session.pop(REASON_KEY, None)
    return kept.get("reason", "")
