"""What the official-account and WeCom callbacks share: checking a request's time, sealing a reply,
writing a late answer to the outbox, plain-text responses."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from bot.channels.wechat.crypto import MsgCrypt
from bot.channels.wechat.passive import Late, texts_of
from bot.channels.wechat.xmlmsg import encrypted_envelope
from bot.messages import Reply
from kernel.db import Database
from kernel.outbox import notify_address

MAX_BODY = 64 * 1024
LATE_KIND = "late_reply"


def fresh(timestamp: str, now: datetime, max_skew: int) -> bool:
    """The request's timestamp is a number within ``max_skew`` seconds of now (a replayed request is old)."""
    if not timestamp.isdigit() or len(timestamp) > 12:
        return False
    return abs(int(timestamp) - now.timestamp()) <= max_skew


def nonce() -> str:
    return str(secrets.randbelow(10**10))


def sealed(crypt: MsgCrypt, plain_xml: str, now: datetime) -> str:
    stamp, n = str(int(now.timestamp())), nonce()
    encrypt, sig = crypt.seal(plain_xml, stamp, n)
    return encrypted_envelope(encrypt, sig, stamp, n)


def plain(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/plain", charset="utf-8")


def xml_response(body: str) -> web.Response:
    return web.Response(text=body, content_type="application/xml", charset="utf-8")


async def read_body(request: web.Request) -> bytes | None:
    if request.content_length is not None and request.content_length > MAX_BODY:
        return None
    raw = await request.read()
    return raw if len(raw) <= MAX_BODY else None


def late_writer(db: Database, channel: str, now: Callable[[], datetime]) -> Late:
    """An answer that missed the five seconds goes to the outbox, for the channel's delivery loop."""

    async def write(address: str, replies: list[Reply]) -> None:
        async with db.session() as s:
            for text in texts_of(replies):
                await notify_address(s, channel, address, text, kind=LATE_KIND, now=now())

    return write
