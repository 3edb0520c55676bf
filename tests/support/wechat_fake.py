"""A local, protocol-faithful stand-in for api.weixin.qq.com and qyapi.weixin.qq.com.

It hands out access tokens, accepts customer-service messages (official account) and app messages (WeCom),
and checks every request the product sends as the platforms document them: the method, the token in the
query, the JSON body's shape and sizes. What it finds wrong goes to ``problems`` (tests assert it stays
empty) and is answered with the platform's error code. Tests can expire every token (the next call gets
42001), or take the platform down (HTTP 503, as an unreachable gateway would).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

TASK_ID = re.compile(r"^[A-Za-z0-9_\-@]{1,128}$")


@dataclass
class Sent:
    to: str
    msgtype: str
    body: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.body.get("text", {}).get("content", ""))


@dataclass
class FakeWeixin:
    app_id: str = "wx-test-app"
    app_secret: str = "app-secret"
    corp_id: str = "ww-test-corp"
    corp_secret: str = "corp-secret"
    agent_id: int = 1000002
    followers: set[str] = field(default_factory=set)  # OpenIDs that may receive customer-service messages
    outside_window: set[str] = field(default_factory=set)  # OpenIDs that last wrote more than 48 hours ago
    down: bool = False
    tokens: dict[str, str] = field(default_factory=dict)  # token → "official" | "wecom"
    issued: int = 0
    sent: list[Sent] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def texts_to(self, who: str) -> list[str]:
        return [s.text for s in self.sent if s.to == who and s.msgtype == "text"]

    def cards_to(self, who: str) -> list[dict[str, Any]]:
        return [s.body["template_card"] for s in self.sent if s.to == who and s.msgtype == "template_card"]

    # --- protocol --------------------------------------------------------------------------------

    def _problem(self, text: str, errcode: int, errmsg: str) -> web.Response:
        self.problems.append(text)
        return web.json_response({"errcode": errcode, "errmsg": errmsg})

    def _issue(self, kind: str) -> str:
        self.issued += 1
        token = f"{kind}-token-{self.issued}"
        self.tokens[token] = kind
        return token

    async def official_token(self, request: web.Request) -> web.Response:
        self.calls.append("token")
        if self.down:
            raise web.HTTPServiceUnavailable()
        q = request.query
        if q.get("grant_type") != "client_credential":
            return self._problem(f"grant_type {q.get('grant_type')!r}", 40002, "invalid grant_type")
        if q.get("appid") != self.app_id:
            return self._problem(f"appid {q.get('appid')!r}", 40013, "invalid appid")
        if q.get("secret") != self.app_secret:
            return self._problem("wrong AppSecret", 40125, "invalid appsecret")
        return web.json_response({"access_token": self._issue("official"), "expires_in": 7200})

    async def wecom_token(self, request: web.Request) -> web.Response:
        self.calls.append("gettoken")
        if self.down:
            raise web.HTTPServiceUnavailable()
        q = request.query
        if q.get("corpid") != self.corp_id:
            return self._problem(f"corpid {q.get('corpid')!r}", 40013, "invalid corpid")
        if q.get("corpsecret") != self.corp_secret:
            return self._problem("wrong corpsecret", 40001, "invalid credential")
        return web.json_response(
            {"errcode": 0, "errmsg": "ok", "access_token": self._issue("wecom"), "expires_in": 7200}
        )

    async def _body(self, request: web.Request, kind: str) -> dict[str, Any] | web.Response:
        if self.down:
            raise web.HTTPServiceUnavailable()
        token = request.query.get("access_token", "")
        if not token:
            return self._problem("call without access_token", 41001, "access_token missing")
        if self.tokens.get(token) != kind:
            # An expired or unknown token is not a mistake of the product's protocol: the platform says 42001.
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        if not request.content_type.startswith("application/json"):
            self.problems.append(f"content type {request.content_type}")
        try:
            body = json.loads(await request.read())
        except ValueError:
            return self._problem("body is not JSON", 47001, "data format error")
        if not isinstance(body, dict):
            return self._problem("body is not an object", 47001, "data format error")
        return body

    def _text_ok(self, body: dict[str, Any]) -> str | None:
        text = body.get("text")
        if not isinstance(text, dict) or not isinstance(text.get("content"), str) or not text["content"]:
            return "text.content missing"
        if len(text["content"].encode()) > 2048:
            return "text.content longer than 2048 bytes"
        return None

    async def custom_send(self, request: web.Request) -> web.Response:
        self.calls.append("custom/send")
        body = await self._body(request, "official")
        if isinstance(body, web.Response):
            return body
        to, msgtype = body.get("touser"), body.get("msgtype")
        if not isinstance(to, str) or not to:
            return self._problem("touser missing", 40003, "invalid openid")
        if msgtype != "text":
            return self._problem(f"msgtype {msgtype!r}", 40008, "invalid message type")
        if (problem := self._text_ok(body)) is not None:
            return self._problem(problem, 44003, "empty news data")
        if to not in self.followers:
            return web.json_response({"errcode": 40003, "errmsg": "invalid openid"})
        if to in self.outside_window:
            return web.json_response({"errcode": 45015, "errmsg": "response out of time limit"})
        self.sent.append(Sent(to, msgtype, body))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def message_send(self, request: web.Request) -> web.Response:
        self.calls.append("message/send")
        body = await self._body(request, "wecom")
        if isinstance(body, web.Response):
            return body
        to, msgtype = body.get("touser"), body.get("msgtype")
        if not isinstance(to, str) or not to:
            return self._problem("touser missing", 40031, "invalid userid list")
        if body.get("agentid") != self.agent_id:
            return self._problem(f"agentid {body.get('agentid')!r}", 40056, "invalid agentid")
        if msgtype == "text":
            if (problem := self._text_ok(body)) is not None:
                return self._problem(problem, 44004, "empty content")
        elif msgtype == "template_card":
            if (problem := self._card_problem(body.get("template_card"))) is not None:
                return self._problem(problem, 40058, "invalid template_card")
        else:
            return self._problem(f"msgtype {msgtype!r}", 40008, "invalid message type")
        self.sent.append(Sent(to, msgtype, body))
        return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"m{len(self.sent)}"})

    @staticmethod
    def _card_problem(card: object) -> str | None:
        if not isinstance(card, dict):
            return "template_card missing"
        if card.get("card_type") != "button_interaction":
            return f"card_type {card.get('card_type')!r}"
        title = card.get("main_title")
        if not isinstance(title, dict) or not (title.get("title") or title.get("desc")):
            return "main_title.title or desc required"
        if not isinstance(card.get("task_id"), str) or not TASK_ID.match(card["task_id"]):
            return f"task_id {card.get('task_id')!r}"
        buttons = card.get("button_list")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 6:
            return "button_list must have 1 to 6 buttons"
        for b in buttons:
            if not isinstance(b, dict) or not b.get("text") or not b.get("key") or len(str(b["key"])) > 1024:
                return f"button {b!r}"
        return None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self.official_token)
        app.router.add_get("/cgi-bin/gettoken", self.wecom_token)
        app.router.add_post("/cgi-bin/message/custom/send", self.custom_send)
        app.router.add_post("/cgi-bin/message/send", self.message_send)
        return app


@asynccontextmanager
async def running(fake: FakeWeixin) -> AsyncIterator[str]:
    """Serve the fake on a local port; yields its base URL."""
    server = TestServer(fake.app())
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()
