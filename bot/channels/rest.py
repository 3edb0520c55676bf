"""Rasa-compatible REST channel: POST /webhooks/rest/webhook {"sender", "message"} → [{"recipient_id", "text"}].

Who speaks is decided by authentication, never by the body:

- an **integration** (``GOVCHAT_REST_INTEGRATIONS``) proves itself with its bearer token or an HMAC of the
  body (kernel/credentials.py); its ``sender`` is then "that integration's user X", on the integration's own
  channel, and is a person of the directory only if the integration may assert staff identities;
- anyone else is an **anonymous web visitor**: the server gives them a random identity in a signed cookie
  (``govchat_chat``) that they cannot choose; the ``sender`` they send is only echoed back as a label.

The outbox (``GET /webhooks/rest/outbox``) gives the same caller the messages for its own users only, with
ids; a message is delivered when the client acknowledges it (``POST /webhooks/rest/outbox/ack``), otherwise
it comes back after ``LEASE``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from bot.appkeys import BOT, CHAT_SIGNER, INTEGRATIONS
from bot.channels import rest_models as m
from bot.guard import BINARY
from bot.messages import Incoming, Reply
from kernel.contract import Invalid, Operation, register, respond, validate
from kernel.credentials import WEB, Integration, authenticate, presents_credential
from kernel.jsonbody import parse_json as kernel_parse_json
from kernel.outbox import acknowledge, lease_pending
from kernel.proxy import client_address, is_secure

MAX_BODY = 64 * 1024
CHANNEL = "rest"  # the endpoint's name; messages arrive on the caller's channel (an integration's, or "web")
COOKIE = "govchat_chat"
COOKIE_AGE = 180 * 24 * 3600
LEASE = timedelta(seconds=60)
MAX_ACK = 500


def _bad_request(text: str) -> web.Response:
    return web.json_response({"error": text}, status=400)


def reply_model(recipient: str, reply: Reply) -> m.BotMessage:
    return m.BotMessage(
        recipient_id=recipient,
        text=reply.text,
        buttons=[m.Button(title=b.title, payload=b.payload) for b in reply.buttons] or None,
        custom={"html": reply.html} if reply.html else None,
    )


@dataclass(frozen=True)
class Caller:
    channel: str
    integration: Integration | None = None
    visitor: str | None = None  # the web visitor's server-issued identity
    new_cookie: str | None = None  # set on the response when the visitor had none (or a forged one)


class Unauthorized(Exception):
    pass


def parse_json(raw: bytes) -> object:
    """The body as JSON, or ValueError with a Chinese message (bad encoding, bad JSON, too deep, NUL)."""
    return kernel_parse_json(raw, example='{"sender": "u1", "message": "你好"}', allow_nul=True)


def caller_of(request: web.Request, raw: bytes) -> Caller:
    """The authenticated caller; Unauthorized when a credential is presented but proves nothing."""
    app = request.app
    if presents_credential(request.headers):
        now = app[BOT].services.clock.now().timestamp()
        integration = authenticate(app[INTEGRATIONS], request.headers, raw, now)
        if integration is None:
            raise Unauthorized
        return Caller(integration.channel, integration=integration)
    signer = app[CHAT_SIGNER]
    token = request.cookies.get(COOKIE, "")
    visitor = signer.unsign(token) if token else None
    if visitor is not None:
        return Caller(WEB, visitor=visitor)
    visitor = "v-" + secrets.token_urlsafe(18)
    return Caller(WEB, visitor=visitor, new_cookie=signer.sign(visitor))


def set_visitor_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="Strict", path="/", max_age=COOKIE_AGE, secure=is_secure(request)
    )


def _unauthorized() -> web.Response:
    return web.json_response({"error": "集成凭据无效：请检查令牌或签名（及时间戳）"}, status=401)


def _respond(
    request: web.Request, caller: Caller, payload: m.BotMessages | m.OutboxMessages | m.AckOut
) -> web.Response:
    # Rasa's clients expect no null buttons or custom: absent fields, not nulls
    response = web.json_response(payload.model_dump(mode="json", exclude_none=True))
    if caller.new_cookie is not None:
        set_visitor_cookie(request, response, caller.new_cookie)
    return response


async def _read_call(request: web.Request) -> tuple[Caller, object] | web.Response:
    """The authenticated caller and the parsed JSON body of a POST, or the 4xx answer to give instead."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _bad_request("请求体过大")
    raw = await request.read()
    if len(raw) > MAX_BODY:
        return _bad_request("请求体过大")
    try:
        caller = caller_of(request, raw)
    except Unauthorized:
        return _unauthorized()
    try:
        return caller, parse_json(raw)
    except ValueError as exc:
        return _bad_request(str(exc))


async def webhook(request: web.Request) -> web.Response:
    call = await _read_call(request)
    if isinstance(call, web.Response):
        return call
    caller, body = call
    if not isinstance(body, dict):
        return _bad_request("请求体必须是 JSON 对象")
    try:
        request_body = validate(m.WebhookIn, body)
    except Invalid:
        return _bad_request("sender 必须是不超过 255 个字符的字符串")
    label = request_body.sender
    if label is not None and (len(label) > 255 or "\x00" in label):
        return _bad_request("sender 必须是不超过 255 个字符的字符串")
    if caller.integration is not None:
        if not label:
            return _bad_request("集成调用必须提供 sender（该集成自己的用户编号）")
        sender = label
    else:
        assert caller.visitor is not None
        sender = caller.visitor  # the label the page sends is never an identity
    recipient = label or sender
    message = request_body.message
    if message is None:
        message = ""
    if not isinstance(message, str):
        return _respond(request, caller, m.BotMessages([reply_model(recipient, Reply(BINARY))]))
    incoming = Incoming(channel=caller.channel, sender=sender, text=message, client=client_address(request))
    replies = await request.app[BOT].process(incoming)
    return _respond(request, caller, m.BotMessages([reply_model(recipient, r) for r in replies]))


async def outbox(request: web.Request) -> web.Response:
    """Messages waiting for the caller's own users (operator replies in a handoff, notifications).

    Each has an ``id``; it is delivered once the client acknowledges it, and comes back after ``LEASE``
    otherwise (a client that drops the connection loses nothing)."""
    try:
        caller = caller_of(request, await request.read())
    except Unauthorized:
        return _unauthorized()
    address = caller.visitor
    if caller.integration is not None:
        try:
            address = validate(m.OutboxQuery, dict(request.query)).sender or None
        except Invalid:
            return _bad_request("sender 参数不能超过 255 个字符")
    bot = request.app[BOT]
    db = bot.services.db
    if db is None or caller.new_cookie is not None:  # a brand-new visitor has nothing waiting
        return _respond(request, caller, m.OutboxMessages([]))
    async with db.session() as s:
        rows = await lease_pending(s, caller.channel, bot.services.clock.now(), LEASE, address=address)
        out = [m.OutboxMessage(id=r.id, recipient_id=r.address, text=r.text, kind=r.kind) for r in rows]
    return _respond(request, caller, m.OutboxMessages(out))


async def ack(request: web.Request) -> web.Response:
    """``{"ids": [1, 2]}``: these messages reached the user; only the caller's own messages are marked."""
    call = await _read_call(request)
    if isinstance(call, web.Response):
        return call
    caller, body = call
    ids = body.get("ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        return _bad_request(f'请提供 {{"ids": [消息编号, …]}}（正整数，最多 {MAX_ACK} 个）')
    try:
        wanted = validate(m.AckIn, {"ids": ids}).ids
    except Invalid:
        return _bad_request(f'请提供 {{"ids": [消息编号, …]}}（正整数，最多 {MAX_ACK} 个）')
    bot = request.app[BOT]
    db = bot.services.db
    if db is None or caller.new_cookie is not None:
        return _respond(request, caller, m.AckOut(acknowledged=0))
    async with db.session() as s:
        done = await acknowledge(s, caller.channel, wanted, bot.services.clock.now(), address=caller.visitor)
    return _respond(request, caller, m.AckOut(acknowledged=done))


CALLERS = ("integration", "web visitor")
SECURITY = ("integration", "chatCookie")


def setup(app: web.Application) -> None:
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/webhooks/rest/outbox", outbox)
    app.router.add_post("/webhooks/rest/outbox/ack", ack)
    app.router.add_get("/webhooks/rest/", _status)
    errors = (400, 401)
    register(
        app,
        "POST",
        "/webhooks/rest/webhook",
        Operation(
            "chatWebhook",
            "与机器人对话（兼容 Rasa REST 通道）：集成以其凭据并提供 sender；网页访客由签名 Cookie 识别",
            body=m.WebhookIn,
            response=m.BotMessages,
            errors=errors,
            callers=CALLERS,
            security=SECURITY,
            example={"sender": "u1", "message": "居住证怎么办理"},
        ),
    )
    register(
        app,
        "GET",
        "/webhooks/rest/outbox",
        Operation(
            "chatOutbox",
            "取待送达的消息（坐席回复、通知）；确认前每 60 秒重发",
            query=m.OutboxQuery,
            response=m.OutboxMessages,
            errors=errors,
            callers=CALLERS,
            security=SECURITY,
        ),
    )
    register(
        app,
        "POST",
        "/webhooks/rest/outbox/ack",
        Operation(
            "chatOutboxAck",
            "确认消息已送达（ids）",
            body=m.AckIn,
            response=m.AckOut,
            errors=errors,
            callers=CALLERS,
            security=SECURITY,
            example={"ids": [1, 2]},
        ),
    )
    register(
        app,
        "GET",
        "/webhooks/rest/",
        Operation("chatStatus", "通道状态", response=m.StatusOut, errors=(), callers=("anyone",), security=()),
    )


async def _status(_request: web.Request) -> web.Response:
    return respond(m.StatusOut(status="ok"))
