"""The audit log: one row per change made through the console or its API, in the change's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from admin.models import AuditEntry

_MAX = 300


def _short(data: dict[str, Any] | None) -> dict[str, Any]:
    """A summary small enough to keep forever: long texts are cut."""
    out: dict[str, Any] = {}
    for key, value in (data or {}).items():
        if isinstance(value, str) and len(value) > _MAX:
            value = value[:_MAX] + "…"
        out[key] = value
    return out


def record(
    s: AsyncSession,
    *,
    actor: str,
    action: str,
    obj: str,
    now: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> None:
    s.add(
        AuditEntry(
            at=now, actor=actor, action=action, object=obj, before=_short(before), after=_short(after), note=note
        )
    )
