"""The WeCom (企业微信) app channel for civil servants: ``GET/POST /wechat/wecom``.

Callbacks are WXBizMsgCrypt-encrypted (``crypto.py``): the URL check decrypts ``echostr``; every message is
checked (``msg_signature`` over the ciphertext, the CorpID inside it, the app's AgentID) before it is read.
The sender's UserID speaks on channel "wecom": linked in the directory (``govchat directory link``, channel
``wecom``) it is that person, with their approvals, meetings, notices and tickets.

Approval to-dos from the outbox go out as template cards (button_interaction) with 同意 / 退回 / 查看; a
click comes back as a ``template_card_event`` whose key names the action and the document, and runs the
same chat command (/同意, /公文) as if typed; 退回 asks for the reason, and the person's next text runs
``/退回 文号 理由``. When 同意 went through, the click's passive reply turns
the card's buttons into a greyed "已同意"; the command's answer (or why not) follows as an app message.
The wait for a reason is a row in the database, so the reason may reach any worker.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.channels.wechat.callback import fresh, late_writer, plain, read_body, sealed, xml_response
from bot.channels.wechat.crypto import CryptoError, MsgCrypt
from bot.channels.wechat.delivery import Pending
from bot.channels.wechat.passive import Answer, PassiveReplies, one_text
from bot.channels.wechat.store import ChannelState
from bot.channels.wechat.xmlmsg import BadXml, build, cdata, parse, text_reply
from bot.messages import Incoming, Reply
from kernel.credentials import WECOM

CHANNEL = WECOM
PATH = "/wechat/wecom"
ONLY_TEXT = "抱歉，目前只能处理文字消息。"
ASK_REASON = "请直接回复退回 {doc} 的理由（例如“请补充经费来源”），回复“取消”则不退回。"
NOT_RETURNED = "好的，{doc} 未退回。"
CANCEL_WORDS = frozenset({"取消", "算了", "不退了", "不退回"})
REASON_WAIT = timedelta(minutes=10)
KEY_PREFIX = "gc"
# A card button's action → the chat command it runs (the document id follows).
ACTIONS = {"approve": "/同意", "reject": "/退回", "view": "/公文"}
BUTTONS = (("approve", "同意", 1), ("reject", "退回", 2), ("view", "查看", 3))
# How the document flow says an approval went through (a stage's step, or a 加签 opinion).
APPROVED = ("已同意", "已将您的意见（同意）")
# Outbox rows that ask the person to act on a document: they become cards.
ACTIONABLE = ("待办公文", "转交给您办理", "征求您的意见", "请尽快办理")
_DOC_ID = re.compile(r"^[A-Za-z]{1,8}-\d{4}-\d{1,6}$")
_TASK_ID = re.compile(r"[^A-Za-z0-9_\-@]")

Process = Callable[[Incoming], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class WeComConfig:
    token: str
    encoding_aes_key: str
    corp_id: str
    agent_id: int
    reply_budget: float = 4.0
    max_skew: int = 300


def card_key(action: str, doc_id: str) -> str:
    return f"{KEY_PREFIX}:{action}:{doc_id}"


def command_of(key: str) -> str | None:
    """The chat command a button key stands for; None for keys that are not ours."""
    prefix, _, rest = key.partition(":")
    action, _, doc_id = rest.partition(":")
    if prefix != KEY_PREFIX or action not in ACTIONS or not _DOC_ID.match(doc_id):
        return None
    return f"{ACTIONS[action]} {doc_id}"


def is_card(row: Pending) -> bool:
    return (
        row.kind in ("document", "doc_reminder")
        and bool(_DOC_ID.match(row.ref))
        and any(word in row.text for word in ACTIONABLE)
    )


def approval_card(row: Pending) -> dict[str, Any]:
    """A button_interaction template card for a document waiting for this person."""
    return {
        "card_type": "button_interaction",
        "source": {"desc": "公文审批"},
        "main_title": {"title": "待办公文", "desc": row.ref},
        "sub_title_text": row.text[:300],
        "task_id": _TASK_ID.sub("-", f"gc-{row.ref}-{row.id}")[:128],
        "button_list": [{"text": text, "style": style, "key": card_key(a, row.ref)} for a, text, style in BUTTONS],
    }


class WeComApp:
    def __init__(self, config: WeComConfig, process: Process, state: ChannelState) -> None:
        self.config = config
        self.process = process
        self.state = state  # also the 退回 clicks awaiting a reason (any worker may get the reason)
        self.now = state.now
        self.crypt = MsgCrypt(config.token, config.encoding_aes_key, config.corp_id)
        self.passive = PassiveReplies(late_writer(state.db, CHANNEL, state.now), state, config.reply_budget)

    async def _with_reason(self, userid: str, text: str) -> str | Reply:
        """After a 退回 click, the person's next plain text is the reason: it becomes ``/退回 文号 理由``."""
        doc = await self.state.reason_for(userid, REASON_WAIT)  # taken either way: the next text ends the wait
        if doc is None or text.lstrip().startswith("/"):
            return text
        if text.strip().rstrip("。.!！") in CANCEL_WORDS:
            return Reply(NOT_RETURNED.format(doc=doc))
        return f"{ACTIONS['reject']} {doc} {text.strip()}"

    def _query(self, request: web.Request) -> tuple[str, str, str] | None:
        q = request.query
        stamp = q.get("timestamp", "")
        if not fresh(stamp, self.now(), self.config.max_skew):
            return None
        return q.get("msg_signature", ""), stamp, q.get("nonce", "")

    async def verify(self, request: web.Request) -> web.Response:
        signed = self._query(request)
        if signed is None:
            return plain("时间戳无效", 403)
        try:
            return plain(self.crypt.verify_url(*signed, request.query.get("echostr", "")))
        except CryptoError:
            return plain("签名或密文无效", 403)

    async def receive(self, request: web.Request) -> web.Response:
        signed = self._query(request)
        if signed is None:
            return plain("时间戳无效", 403)
        raw = await read_body(request)
        if raw is None:
            return plain("消息体过大", 413)
        try:
            fields = parse(self.crypt.open(*signed, parse(raw).get("Encrypt", "")))
        except CryptoError:
            return plain("消息签名或密文无效", 403)
        except BadXml as exc:
            return plain(str(exc), 400)
        if fields.get("AgentID", str(self.config.agent_id)) != str(self.config.agent_id):
            return plain("不是本应用的消息", 403)
        userid = fields.get("FromUserName", "")
        if not userid or len(userid) > 64:
            return plain("缺少 FromUserName", 400)
        if fields.get("MsgType") == "event" and fields.get("Event") == "template_card_event":
            return await self._card_click(fields, userid)
        answer = await self._answer(fields, userid)
        replies = answer.replies
        text = one_text(replies) if replies else None
        if text is None:
            if replies and answer.first:
                await self.passive.late(userid, replies)
            return plain("")
        body = text_reply(userid, self.config.corp_id, int(self.now().timestamp()), text)
        return xml_response(sealed(self.crypt, body, self.now()))

    async def _answer(self, fields: dict[str, str], userid: str) -> Answer:
        kind = fields.get("MsgType", "")
        key = fields.get("MsgId") or f"{userid}:{fields.get('CreateTime', '')}:{fields.get('Event', '')}"
        if kind == "event":
            if fields.get("Event") != "click" or not fields.get("EventKey"):
                return Answer(None, first=True)  # entering the app, location reports, subscriptions: nothing to say
            said = fields["EventKey"]
        elif kind == "text":
            said = fields.get("Content", "")
        else:
            return Answer([Reply(ONLY_TEXT)], first=True)

        async def work() -> list[Reply]:  # run once per message: a retry never takes the 退回 reason again
            turned = await self._with_reason(userid, said) if kind == "text" else said
            if isinstance(turned, Reply):
                return [turned]
            return await self.process(Incoming(CHANNEL, userid, turned))

        return await self.passive.answer(key, userid, work)

    async def _card_click(self, fields: dict[str, str], userid: str) -> web.Response:
        command = command_of(fields.get("EventKey", ""))
        if command is None:
            return plain("")
        key = f"{userid}:{fields.get('TaskId', '')}:{fields.get('EventKey', '')}:{fields.get('CreateTime', '')}"
        if command.startswith(ACTIONS["reject"]):  # a return needs its reason: ask, and take the next text
            doc = command.split()[1]

            async def ask() -> list[Reply]:
                await self.state.expect_reason(userid, doc)
                return [Reply(ASK_REASON.format(doc=doc))]

            work: Callable[[], Awaitable[list[Reply]]] = ask
        else:
            incoming = Incoming(CHANNEL, userid, command)
            work = functools.partial(self.process, incoming)
        answer = await self.passive.answer(key, userid, work)
        replies = answer.replies
        if replies and answer.first:  # the answer goes as an app message; the passive reply can only update the card
            await self.passive.late(userid, replies)
        approved = command.startswith(ACTIONS["approve"]) and any(r.text.startswith(APPROVED) for r in replies or [])
        if not approved:  # 查看 and 退回 change nothing; a refused 同意 leaves the card as it was
            return plain("")
        update: dict[str, str | int] = {
            "ToUserName": userid,
            "FromUserName": self.config.corp_id,
            "CreateTime": int(self.now().timestamp()),
            "MsgType": "update_button",
        }
        body = build(update).replace("</xml>", f"<Button><ReplaceName>{cdata('已同意')}</ReplaceName></Button></xml>")
        return xml_response(sealed(self.crypt, body, self.now()))


def setup(app: web.Application, channel: WeComApp) -> None:
    app.router.add_get(PATH, channel.verify)
    app.router.add_post(PATH, channel.receive)
