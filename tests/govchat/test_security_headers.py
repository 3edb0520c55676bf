"""Security headers on every page, and Secure cookies behind a configured TLS proxy (issue 15, item 6)."""

from __future__ import annotations

import dataclasses

from aiohttp.test_utils import TestClient, TestServer

from govchat.app import create_app
from govchat.runtime import build_runtime
from tests.support.admin_rig import PASSWORD, seed


async def _client(settings, clock, fresh=True, **changes):  # type: ignore[no-untyped-def]
    rt = await build_runtime(dataclasses.replace(settings, **changes), clock=clock, load_model=False)
    if fresh:
        await seed(rt)
    client = TestClient(TestServer(create_app(rt, background=False)))
    await client.start_server()
    return client


async def test_every_page_says_no_framing_no_sniffing_and_its_sources(sqlite_settings, clock):
    client = await _client(sqlite_settings, clock)
    try:
        for path in ("/", "/admin/login", "/healthz", "/admin/nope", "/webhooks/rest/"):
            resp = await client.get(path, allow_redirects=False)
            assert resp.headers["X-Frame-Options"] == "DENY", path
            assert resp.headers["X-Content-Type-Options"] == "nosniff"
            csp = resp.headers["Content-Security-Policy"]
            assert "frame-ancestors 'none'" in csp
            assert "script-src 'self';" in csp  # no inline script runs: an injected <script> is inert
        assert "演示模式" in await (await client.get("/admin/login")).text()
        # the pages carry no inline script (their scripts are files of this origin)
        for path in ("/chat",):
            assert "<script>" not in await (await client.get(path)).text()
        script = await client.get("/chat/chat.js")
        assert script.status == 200 and script.content_type == "text/javascript"
    finally:
        await client.close()


async def _sign_in(client, **headers):  # type: ignore[no-untyped-def]
    data = {"username": "editor", "password": PASSWORD, "next": "/admin/"}
    return await client.post("/admin/login", data=data, headers=headers, allow_redirects=False)


async def test_cookies_are_secure_behind_a_trusted_tls_proxy_only(sqlite_settings, clock):
    client = await _client(sqlite_settings, clock, trusted_proxies="127.0.0.1", mode="production")
    try:
        resp = await _sign_in(client, **{"X-Forwarded-Proto": "https"})
        assert "Secure" in resp.headers["Set-Cookie"] and "Strict-Transport-Security" in resp.headers
        chat = await client.post(
            "/webhooks/rest/webhook", json={"message": "你好"}, headers={"X-Forwarded-Proto": "https"}
        )
        assert "Secure" in chat.headers["Set-Cookie"]
        assert "演示模式" not in await (await client.get("/admin/login")).text()
    finally:
        await client.close()
    client = await _client(sqlite_settings, clock, fresh=False)  # no trusted proxy: anyone can write the header
    try:
        resp = await _sign_in(client, **{"X-Forwarded-Proto": "https"})
        assert "Secure" not in resp.headers["Set-Cookie"]
    finally:
        await client.close()
