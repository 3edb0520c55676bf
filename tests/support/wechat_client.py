"""The platforms' side of the callbacks: signed (and encrypted) requests to the product, as WeChat and WeCom
send them, and the replies read back (decrypted and checked)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp.test_utils import TestClient

from bot.bot import FAILURE
from bot.channels.wechat.crypto import MsgCrypt, signature
from bot.channels.wechat.xmlmsg import build, parse
from kernel.clock import Clock
from tests.support.dialogue import TurnLike, as_turn, expected_list

TOKEN = "govchatWechatToken"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"  # the WXBizMsgCrypt sample key: any 43 characters do
WECOM_TOKEN = "govchatWecomToken"
WECOM_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


@dataclass
class OfficialPlatform:
    """WeChat calling the official account's URL (safe mode when ``aes_key`` is set)."""

    client: TestClient[Any, Any]
    clock: Clock
    app_id: str
    token: str = TOKEN
    aes_key: str = ""
    account: str = "gh_govchat"
    path: str = "/wechat/official"
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(6054768590064713728))

    def query(self, nonce: str = "1320562132", *, stamp: str | None = None) -> dict[str, str]:
        stamp = stamp or str(int(self.clock.now().timestamp()))
        return {"timestamp": stamp, "nonce": nonce, "signature": signature(self.token, stamp, nonce)}

    def message(self, openid: str, fields: dict[str, str | int]) -> dict[str, str | int]:
        base: dict[str, str | int] = {
            "ToUserName": self.account,
            "FromUserName": openid,
            "CreateTime": int(self.clock.now().timestamp()),
        }
        return {**base, **fields}

    def text(self, openid: str, content: str, msg_id: int | None = None) -> dict[str, str | int]:
        return self.message(
            openid, {"MsgType": "text", "Content": content, "MsgId": msg_id if msg_id is not None else next(self._ids)}
        )

    def event(self, openid: str, event: str, key: str = "") -> dict[str, str | int]:
        return self.message(openid, {"MsgType": "event", "Event": event, "EventKey": key})

    async def post(self, fields: dict[str, str | int], **query: str) -> tuple[int, str]:
        """Post one message; returns the status and the reply's plaintext (decrypted in safe mode)."""
        q = {**self.query(), "openid": str(fields["FromUserName"])}
        body = build(fields)
        crypt = MsgCrypt(self.token, self.aes_key, self.app_id) if self.aes_key else None
        if crypt is not None:
            encrypt = crypt.encrypt(body)
            q.update(encrypt_type="aes", msg_signature=crypt.sign(q["timestamp"], q["nonce"], encrypt))
            body = build({"ToUserName": self.account, "Encrypt": encrypt})
        q.update(query)  # a test's forgery replaces what the platform would send
        resp = await self.client.post(self.path, params=q, data=body.encode())
        text = await resp.text()
        if crypt is None or resp.status != 200 or text == "success":
            return resp.status, text
        env = parse(text)
        assert env["MsgSignature"] == crypt.sign(env["TimeStamp"], env["Nonce"], env["Encrypt"])
        return resp.status, crypt.decrypt(env["Encrypt"])

    async def say(self, openid: str, content: str, msg_id: int | None = None) -> str:
        """The passive reply's Content ("" when the answer is "success")."""
        status, text = await self.post(self.text(openid, content, msg_id))
        assert status == 200, text
        if text == "success":
            return ""
        reply = parse(text)
        assert reply["ToUserName"] == openid and reply["FromUserName"] == self.account and reply["MsgType"] == "text"
        return reply["Content"]


@dataclass
class WeComPlatform:
    """WeCom calling the app's callback URL (always encrypted)."""

    client: TestClient[Any, Any]
    clock: Clock
    corp_id: str
    agent_id: int
    token: str = WECOM_TOKEN
    aes_key: str = WECOM_AES_KEY
    path: str = "/wechat/wecom"
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(4561255354251345929))

    @property
    def crypt(self) -> MsgCrypt:
        return MsgCrypt(self.token, self.aes_key, self.corp_id)

    def _query(self, encrypt: str, nonce: str = "1372623149") -> dict[str, str]:
        stamp = str(int(self.clock.now().timestamp()))
        return {"msg_signature": self.crypt.sign(stamp, nonce, encrypt), "timestamp": stamp, "nonce": nonce}

    async def verify(self, echo: str) -> tuple[int, str]:
        echostr = self.crypt.encrypt(echo)
        resp = await self.client.get(self.path, params={**self._query(echostr), "echostr": echostr})
        return resp.status, await resp.text()

    async def post(self, userid: str, fields: dict[str, str | int]) -> tuple[int, dict[str, str] | None]:
        inner: dict[str, str | int] = {
            "ToUserName": self.corp_id,
            "FromUserName": userid,
            "CreateTime": int(self.clock.now().timestamp()),
            **fields,
            "AgentID": self.agent_id,
        }
        encrypt = self.crypt.encrypt(build(inner))
        body = build({"ToUserName": self.corp_id, "AgentID": self.agent_id, "Encrypt": encrypt})
        resp = await self.client.post(self.path, params=self._query(encrypt), data=body.encode())
        text = await resp.text()
        if resp.status != 200 or not text:
            return resp.status, None
        env = parse(text)
        assert env["MsgSignature"] == self.crypt.sign(env["TimeStamp"], env["Nonce"], env["Encrypt"])
        raw = self.crypt.decrypt(env["Encrypt"])
        reply = parse(raw)
        if reply.get("MsgType") == "update_button":
            reply["ReplaceName"] = raw.split("<ReplaceName><![CDATA[", 1)[1].split("]]>", 1)[0]
        return resp.status, reply

    async def say(self, userid: str, content: str) -> str:
        status, reply = await self.post(userid, {"MsgType": "text", "Content": content, "MsgId": next(self._ids)})
        assert status == 200 and reply is not None and reply["MsgType"] == "text", (status, reply)
        return reply["Content"]

    async def click(self, userid: str, card: dict[str, Any], button: str) -> tuple[int, dict[str, str] | None]:
        """Press the button titled ``button`` of a card the product sent: a template_card_event."""
        key = next(b["key"] for b in card["button_list"] if b["text"] == button)
        return await self.post(
            userid,
            {
                "MsgType": "event",
                "Event": "template_card_event",
                "EventKey": key,
                "TaskId": card["task_id"],
                "CardType": card["card_type"],
                "ResponseCode": "response-code-1",
            },
        )


async def verify_passive_dialog(
    say: Callable[[str, str], Awaitable[str]],
    turns: Sequence[TurnLike],
    *,
    sender: str = "citizen",
    names: Mapping[str, str] | None = None,
    where: str = "wechat",
) -> list[str]:
    """A dialogue table (tests/support/dialogue.py) played through a platform's passive replies.

    One passive message carries every reply of a turn, so the expected replies are matched in order inside
    it; a turn that expects no reply gets "success". Never the bot's failure reply. Returns each turn's text."""
    __tracebackhide__ = True
    table = [as_turn(t) for t in turns]
    out: list[str] = []
    for n, turn in enumerate(table, start=1):
        who = turn.who or sender
        address = (names or {}).get(who, who)
        text = await say(address, turn.says)
        wanted = expected_list(turn.expect)
        head = f"turn {n} of {len(table)}: {who} on {where} said {turn.says!r}; got {text!r}"
        assert FAILURE not in text, f"the bot answered with its failure reply\n{head}"
        assert bool(text) == bool(wanted), f"expected {len(wanted)} replies\n{head}"
        pos = 0
        for p in wanted:
            found = p.search(text, pos) if isinstance(p, re.Pattern) else None
            at = (
                found.end() if found else (text.find(p, pos) + len(p) if isinstance(p, str) and p in text[pos:] else -1)
            )
            assert at >= 0, f"expected {p!r} (in order)\n{head}"
            pos = at
        out.append(text)
    return out
