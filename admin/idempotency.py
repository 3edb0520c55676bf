"""``Idempotency-Key`` on creating API calls: the same key from the same caller creates once.

The first request with a key reserves it (a row, committed before the work starts); a repeat gets the first
answer back, or 409 while the first is still running. Keys are per caller, kept 24 hours.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy import Integer, String, Text, delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, Database, UTCDateTime

KEEP = timedelta(hours=24)
MAX_KEY = 200


class IdempotentRequest(Base):
    __tablename__ = "api_idempotency"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[int] = mapped_column(Integer, default=0)  # 0 while the first request runs
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


async def once(
    db: Database,
    request: web.Request,
    caller: str,
    now: datetime,
    work: Callable[[], Awaitable[web.Response]],
) -> web.Response:
    """Run ``work`` once per (caller, Idempotency-Key); without the header, just run it."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return await work()
    if not key or len(key) > MAX_KEY:
        return web.json_response({"error": f"Idempotency-Key 须为 1 到 {MAX_KEY} 个字符"}, status=400)
    digest = hashlib.sha256(f"{caller}\x1f{request.method} {request.path}\x1f{key}".encode()).hexdigest()
    try:
        async with db.session() as s:
            await s.execute(delete(IdempotentRequest).where(IdempotentRequest.created_at < now - KEEP))
            s.add(IdempotentRequest(key_hash=digest, status=0, body="", created_at=now))
    except IntegrityError:
        async with db.session() as s:
            row = await s.get(IdempotentRequest, digest)
        if row is None or row.status == 0:
            return web.json_response({"error": "相同 Idempotency-Key 的请求正在处理，请稍后重试"}, status=409)
        return web.json_response(json.loads(row.body), status=row.status, headers={"Idempotent-Replayed": "true"})
    try:
        response = await work()
    except BaseException:
        async with db.session() as s:  # nothing was created: the key may be used again
            await s.execute(delete(IdempotentRequest).where(IdempotentRequest.key_hash == digest))
        raise
    if response.status >= 500 or response.status in (401, 403, 429):
        async with db.session() as s:
            await s.execute(delete(IdempotentRequest).where(IdempotentRequest.key_hash == digest))
        return response
    body = response.text or "null"
    async with db.session() as s:
        await s.execute(
            update(IdempotentRequest)
            .where(IdempotentRequest.key_hash == digest)
            .values(status=response.status, body=body)
        )
    return response


__all__ = ["IdempotentRequest", "once"]
