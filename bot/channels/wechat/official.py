"""The WeChat official account (公众号) channel for citizens: ``GET/POST /wechat/official``.

The server side of the message protocol as WeChat publishes it: the URL check (``signature`` = sha1 of the
sorted token, timestamp and nonce; the answer is ``echostr``), messages in plaintext mode or, with an
EncodingAESKey set, in safe/compatible mode (``encrypt_type=aes``; the reply is encrypted too — with a key
set, plaintext posts are refused). Text messages, voice messages with WeChat's recognition, the
subscribe event (a welcome) and menu clicks (the menu key is said to the bot) become
``Incoming("wechat", OpenID, text)``. The OpenID is a citizen on this channel, authenticated by the
signature, and never a person of the directory (``kernel.identity.CITIZEN_ONLY``).

Answers come back as the passive reply when ready within the budget, otherwise through the outbox and the
customer-service message API (``bot/channels/wechat/passive.py``, ``delivery.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from bot.channels.wechat.callback import fresh, late_writer, plain, read_body, sealed, xml_response
from bot.channels.wechat.crypto import CryptoError, MsgCrypt, same, signature
from bot.channels.wechat.delivery import OutboxDelivery
from bot.channels.wechat.passive import Answer, PassiveReplies, one_text
from bot.channels.wechat.store import ChannelState
from bot.channels.wechat.xmlmsg import BadXml, parse, text_reply
from bot.messages import Incoming, Reply
from kernel.credentials import WECHAT

CHANNEL = WECHAT
PATH = "/wechat/official"
WELCOME = (
    "欢迎关注！我是政务服务智能助手，可以：\n"
    "1. 解答办事问题，例如“居住证怎么办理”；\n"
    "2. 受理投诉、求助、建议，例如“我要投诉工地半夜施工”；\n"
    "3. 查询您反映的工单进度，例如“/工单 GD2026092900001”。\n"
    "发送“帮助”查看更多；紧急情况请直接拨打 110、120、119。"
)
ONLY_TEXT = "抱歉，目前只能处理文字消息，请用文字描述您的问题。"

Process = Callable[[Incoming], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class OfficialConfig:
    token: str
    app_id: str
    encoding_aes_key: str = ""  # set: safe (or compatible) mode, plaintext posts refused
    reply_budget: float = 4.0  # seconds the bot has before the passive reply gives way to "success"
    max_skew: int = 300  # seconds a request's timestamp may differ from now


class OfficialAccount:
    def __init__(
        self, config: OfficialConfig, process: Process, state: ChannelState, delivery: OutboxDelivery | None = None
    ) -> None:
        self.config = config
        self.process = process
        self.state = state
        self.now = state.now
        self.delivery = delivery
        self.crypt = MsgCrypt(config.token, config.encoding_aes_key, config.app_id) if config.encoding_aes_key else None
        self.passive = PassiveReplies(late_writer(state.db, CHANNEL, state.now), state, config.reply_budget)

    def _signed(self, request: web.Request) -> bool:
        q = request.query
        stamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
        return fresh(stamp, self.now(), self.config.max_skew) and same(
            q.get("signature", ""), signature(self.config.token, stamp, nonce)
        )

    async def verify(self, request: web.Request) -> web.Response:
        """Server configuration check: answer ``echostr`` when the signature is ours."""
        if not self._signed(request):
            return plain("签名无效", 403)
        return plain(request.query.get("echostr", ""))

    async def receive(self, request: web.Request) -> web.Response:
        if not self._signed(request):
            return plain("签名无效", 403)
        raw = await read_body(request)
        if raw is None:
            return plain("消息体过大", 413)
        encrypted = request.query.get("encrypt_type", "raw") == "aes"
        if self.crypt is not None and not encrypted:
            return plain("已启用安全模式，拒绝明文消息", 403)
        if encrypted and self.crypt is None:
            return plain("未配置 EncodingAESKey，无法解密", 400)
        try:
            fields = parse(raw)
            if self.crypt is not None:
                q = request.query
                inner = self.crypt.open(
                    q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""), fields.get("Encrypt", "")
                )
                fields = parse(inner)
        except CryptoError:
            return plain("消息签名或密文无效", 403)
        except BadXml as exc:
            return plain(str(exc), 400)
        openid = fields.get("FromUserName", "")
        if not openid or len(openid) > 128:
            return plain("缺少 FromUserName", 400)
        await self.state.resume(openid)  # they wrote: the 48-hour window for messages to them is open again
        answer = await self._answer(fields, openid)
        replies = answer.replies
        text = one_text(replies) if replies else None
        if text is None:
            if replies and answer.first:  # too long for one passive message: all of it through the customer-service API
                await self.passive.late(openid, replies)
            return plain("success")
        body = text_reply(openid, fields.get("ToUserName", ""), int(self.now().timestamp()), text)
        return xml_response(sealed(self.crypt, body, self.now()) if self.crypt is not None else body)

    async def _answer(self, fields: dict[str, str], openid: str) -> Answer:
        kind = fields.get("MsgType", "")
        if kind == "event":
            event = fields.get("Event", "").lower()
            if event == "subscribe":
                return Answer([Reply(WELCOME)], first=True)
            if event != "click" or not fields.get("EventKey"):
                return Answer(None, first=True)  # unsubscribe, menu links, location reports: nothing to say
            said = fields["EventKey"]
        elif kind == "text":
            said = fields.get("Content", "")
        elif kind == "voice" and fields.get("Recognition"):
            said = fields["Recognition"]
        else:
            return Answer([Reply(ONLY_TEXT)], first=True)
        key = fields.get("MsgId") or f"{openid}:{fields.get('CreateTime', '')}:{fields.get('Event', '')}"
        incoming = Incoming(CHANNEL, openid, said)
        return await self.passive.answer(key, openid, lambda: self.process(incoming))


def setup(app: web.Application, channel: OfficialAccount) -> None:
    app.router.add_get(PATH, channel.verify)
    app.router.add_post(PATH, channel.receive)
