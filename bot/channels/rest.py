"""Rasa-compatible REST channel: POST /webhooks/rest/webhook {"sender", "message"} → [{"recipient_id", "text"}]."""

from __future__ import annotations

import json

from aiohttp import web

from bot.appkeys import BOT
from bot.guard import BINARY
from bot.messages import Incoming, Reply
from kernel.outbox import take_pending

MAX_BODY = 64 * 1024
CHANNEL = "rest"


def _bad_request(text: str) -> web.Response:
    return web.json_response({"error": text}, status=400)


def reply_json(recipient: str, reply: Reply) -> dict[str, object]:
    out: dict[str, object] = {"recipient_id": recipient, "text": reply.text}
    if reply.buttons:
        out["buttons"] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    if reply.html:
        out["custom"] = {"html": reply.html}
    return out


async def webhook(request: web.Request) -> web.Response:
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _bad_request("请求体过大")
    raw = await request.read()
    if len(raw) > MAX_BODY:
        return _bad_request("请求体过大")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _bad_request('请求体必须是 UTF-8 编码的 JSON，例如 {"sender": "u1", "message": "你好"}')
    if not isinstance(body, dict):
        return _bad_request("请求体必须是 JSON 对象")
    sender = body.get("sender") or "default"
    if not isinstance(sender, str) or len(sender) > 255:
        return _bad_request("sender 必须是不超过 255 个字符的字符串")
    message = body.get("message")
    if message is None:
        message = ""
    if not isinstance(message, str):
        return web.json_response([reply_json(sender, Reply(BINARY))])
    replies = await request.app[BOT].process(Incoming(channel=CHANNEL, sender=sender, text=message))
    return web.json_response([reply_json(sender, r) for r in replies])


async def outbox(request: web.Request) -> web.Response:
    """Messages waiting for a web/REST sender (operator replies in a handoff, notifications); claimed once."""
    sender = request.query.get("sender", "")
    if not sender or len(sender) > 255:
        return _bad_request("请提供 sender 参数（不超过 255 个字符）")
    bot = request.app[BOT]
    db = bot.services.db
    if db is None:
        return web.json_response([])
    async with db.session() as s:
        rows = await take_pending(s, [CHANNEL], bot.services.clock.now(), address=sender)
        out = [{"recipient_id": sender, "text": r.text, "kind": r.kind} for r in rows]
    return web.json_response(out)


def setup(app: web.Application) -> None:
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/webhooks/rest/outbox", outbox)
    app.router.add_get("/webhooks/rest/", _status)


async def _status(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})
