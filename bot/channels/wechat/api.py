"""The platforms' server APIs: an access token kept fresh, and the calls that send messages.

Both platforms hand out a token valid for ``expires_in`` seconds (7200) from one endpoint and take it as the
``access_token`` query parameter of every call. The token is cached, refreshed ``REFRESH_MARGIN`` before it
ends, fetched by one caller at a time (others wait for it), and fetched again once when a call answers that it
is invalid or expired (40001, 40014, 42001).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp

log = logging.getLogger(__name__)
REFRESH_MARGIN = timedelta(minutes=5)
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# Official account: the citizen has not written for 48 hours (45015) or got too many messages since (45047);
# the message can go when they write again. WeCom: the user is outside the app's visible range (81013).
WAIT_FOR_USER = frozenset({45015, 45047})
NEVER = frozenset({40003, 43004, 81013, 40031, 60111})  # no such user, unsubscribed, not in the app's range


class ApiError(Exception):
    """The platform answered with a non-zero ``errcode``."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"{errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class Unreachable(Exception):
    """No answer from the platform (network, timeout, 5xx, "system busy"): try again later."""


@dataclass(frozen=True)
class TokenSource:
    path: str  # /cgi-bin/token (official account) or /cgi-bin/gettoken (WeCom)
    query: Mapping[str, str]


def official_token(app_id: str, secret: str) -> TokenSource:
    return TokenSource("/cgi-bin/token", {"grant_type": "client_credential", "appid": app_id, "secret": secret})


def wecom_token(corp_id: str, secret: str) -> TokenSource:
    return TokenSource("/cgi-bin/gettoken", {"corpid": corp_id, "corpsecret": secret})


class WeixinApi:
    """One account's API: ``base_url`` is https://api.weixin.qq.com or https://qyapi.weixin.qq.com
    (a local server in tests)."""

    def __init__(
        self, base_url: str, source: TokenSource, now: Callable[[], datetime], *, timeout: float = 10.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.source = source
        self.now = now
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._token = ""
        self._expires = now()
        self._lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None
        self.refreshes = 0

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _call(self, method: str, path: str, params: Mapping[str, str], body: object = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"} if data is not None else {}
        try:
            async with self._http().request(
                method, self.base_url + path, params=dict(params), data=data, headers=headers
            ) as resp:
                if resp.status >= 500:
                    raise Unreachable(f"HTTP {resp.status}")
                if resp.status != 200:
                    raise ApiError(-resp.status, f"HTTP {resp.status}")
                payload = json.loads(await resp.read())
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise Unreachable(str(exc) or type(exc).__name__) from exc
        except ValueError as exc:
            raise Unreachable("answer is not JSON") from exc
        if not isinstance(payload, dict):
            raise Unreachable("answer is not a JSON object")
        code = int(payload.get("errcode") or 0)
        if code == -1:  # 系统繁忙
            raise Unreachable("system busy (-1)")
        if code:
            raise ApiError(code, str(payload.get("errmsg", "")))
        return payload

    async def token(self, *, stale: str = "") -> str:
        """A valid token; ``stale``: the token a call just refused (fetched again unless someone already did)."""
        async with self._lock:
            if self._token and self._token != stale and self.now() < self._expires - REFRESH_MARGIN:
                return self._token
            got = await self._call("GET", self.source.path, self.source.query)
            token, expires_in = got.get("access_token"), got.get("expires_in")
            if not isinstance(token, str) or not token or not isinstance(expires_in, int):
                raise Unreachable("token answer without access_token/expires_in")
            self._token, self._expires = token, self.now() + timedelta(seconds=expires_in)
            self.refreshes += 1
            return token

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST with the token; a refused token is fetched again and the call made once more."""
        token = await self.token()
        try:
            return await self._call("POST", path, {"access_token": token}, body)
        except ApiError as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            log.info("access token refused (%s); fetching a new one", exc.errcode)
        token = await self.token(stale=token)
        return await self._call("POST", path, {"access_token": token}, body)


class OfficialAccountApi(WeixinApi):
    async def send_text(self, openid: str, content: str) -> None:
        """客服消息: a text to a citizen (within 48 hours of their last message)."""
        body = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        await self.post("/cgi-bin/message/custom/send", body)


class WeComApi(WeixinApi):
    def __init__(
        self, base_url: str, source: TokenSource, now: Callable[[], datetime], agent_id: int, *, timeout: float = 10.0
    ) -> None:
        super().__init__(base_url, source, now, timeout=timeout)
        self.agent_id = agent_id

    async def send_text(self, userid: str, content: str) -> None:
        await self.post(
            "/cgi-bin/message/send",
            {"touser": userid, "msgtype": "text", "agentid": self.agent_id, "text": {"content": content}, "safe": 0},
        )

    async def send_card(self, userid: str, card: dict[str, Any]) -> None:
        await self.post(
            "/cgi-bin/message/send",
            {"touser": userid, "msgtype": "template_card", "agentid": self.agent_id, "template_card": card},
        )
