"""Identity on the REST webhook comes from authentication, never from the ``sender`` in the body (issue 15).

The probe's reproduction: an anonymous ``{"sender": "demo-…"}`` (or a staff member's Matrix id) acted as a
civil servant. Now an anonymous caller is a web visitor with a server-issued identity; an integration speaks
only for its own channel, and as staff only when it is allowed to.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from office_flows.directory.demo import load_demo_directory
from office_flows.directory.importer import import_directory
from office_flows.directory.store import link_identity
from office_flows.handoff.models import Handoff
from tests.bot.channels.rest_rig import APP_TOKEN, IVR_SECRET, OA_TOKEN, runtime_of, say, served, signed, text_of

STAFF_ONLY = "/工单队列"
REFUSED = "这个命令需要工作人员身份"
DEPTS = "编码,名称,上级编码,文号前缀\nMJ-12345,12345热线,,\n"
PEOPLE = (
    "工号,姓名,部门编码,职务,角色,手机,聊天账号\n"
    "MJ900,管理员,MJ-12345,科员,staff+admin+dispatcher,13800000900,matrix:@admin:gov.example\n"
)


async def _real_directory(client: TestClient[Any, Any]) -> None:
    rt = runtime_of(client)
    async with rt.db.session() as s:
        report = await import_directory(s, DEPTS, PEOPLE)
        assert report.errors == []
        await link_identity(s, "MJ900", "oa", "admin-in-oa", by="t", channels=frozenset({"matrix", "oa"}))
        await link_identity(s, "MJ900", "app", "admin-in-app", by="t", channels=frozenset({"matrix", "app"}))


async def test_anonymous_sender_claims_are_ignored_in_production(settings, clock):
    async with served(settings, clock, mode="production") as client:
        await _real_directory(client)
        for claimed in ("@admin:gov.example", "admin-in-oa", "admin-in-app", "demo-admin"):
            status, replies = await say(client, {"sender": claimed, "message": STAFF_ONLY})
            assert status == 200 and REFUSED in text_of(replies), claimed


async def test_anonymous_sender_claims_are_ignored_in_demo_mode(settings, clock):
    async with served(settings, clock) as client:
        async with runtime_of(client).db.session() as s:
            await load_demo_directory(s)
        status, replies = await say(client, {"sender": "demo-zhongli", "message": STAFF_ONLY})
        assert status == 200 and REFUSED in text_of(replies)


async def test_integration_speaks_as_staff_only_when_allowed(settings, clock):
    async with served(settings, clock, mode="production") as client:
        await _real_directory(client)
        bearer = {"Authorization": f"Bearer {APP_TOKEN}"}
        _, replies = await say(client, {"sender": "admin-in-app", "message": STAFF_ONLY}, **bearer)
        assert REFUSED in text_of(replies)  # "app" may not assert staff identities
        oa = {"Authorization": f"Bearer {OA_TOKEN}"}
        _, replies = await say(client, {"sender": "admin-in-oa", "message": STAFF_ONLY}, **oa)
        assert "目前没有待派单的工单" in text_of(replies)
        # the staff integration's user X is not the Matrix user X nor another integration's X
        _, replies = await say(client, {"sender": "@admin:gov.example", "message": STAFF_ONLY}, **oa)
        assert REFUSED in text_of(replies)


async def test_wrong_credentials_are_refused(settings, clock):
    async with served(settings, clock) as client:
        status, body = await say(client, {"sender": "u", "message": "你好"}, Authorization="Bearer nope")
        assert status == 401 and "凭据无效" in body["error"]
        raw = json.dumps({"sender": "u", "message": "你好"}).encode()
        now = clock.now().timestamp()
        for headers in (
            signed("wrong-secret-0123456789", raw, now),
            signed(IVR_SECRET, raw, now - 3600),  # a replayed, hour-old signature
            signed(IVR_SECRET, raw, now, name="app"),  # a bearer integration cannot sign
            {**signed(IVR_SECRET, raw, now), "X-Govchat-Timestamp": "nan"},
        ):
            resp = await client.post("/webhooks/rest/webhook", data=raw, headers=headers)
            assert resp.status == 401
        resp = await client.post("/webhooks/rest/webhook", data=raw, headers=signed(IVR_SECRET, raw, now))
        assert resp.status == 200


async def test_integration_must_name_its_user(settings, clock):
    async with served(settings, clock) as client:
        status, body = await say(client, {"message": "你好"}, Authorization=f"Bearer {APP_TOKEN}")
        assert status == 400 and "sender" in body["error"]


async def test_senders_are_namespaced_by_channel(settings, clock):
    async with served(settings, clock) as client:
        await say(client, {"sender": "u1", "message": "人工"}, Authorization=f"Bearer {APP_TOKEN}")
        raw = json.dumps({"sender": "u1", "message": "人工"}).encode()
        await client.post("/webhooks/rest/webhook", data=raw, headers=signed(IVR_SECRET, raw, clock.now().timestamp()))
        await say(client, {"sender": "u1", "message": "人工"})  # an anonymous visitor calling itself u1
        async with runtime_of(client).db.session() as s:
            rows = [(h.channel, h.sender) for h in await s.scalars(select(Handoff).order_by(Handoff.id))]
        assert rows[:2] == [("app", "u1"), ("phone", "u1")]
        assert rows[2][0] == "web" and rows[2][1] != "u1" and rows[2][1].startswith("v-")


async def test_visitor_identity_is_issued_signed_and_kept(settings, clock):
    async with served(settings, clock) as client:
        resp = await client.post("/webhooks/rest/webhook", json={"message": "人工"})
        set_cookie = resp.headers["Set-Cookie"]
        assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
        token = resp.cookies["govchat_chat"].value
        visitor = token.rsplit(".", 1)[0]
        _, replies = await say(client, {"message": "取消"})
        assert "已退出人工排队" in text_of(replies)  # same identity, same conversation
        assert "Set-Cookie" not in (await client.post("/webhooks/rest/webhook", json={"message": "你好"})).headers
    # a forged identity (that visitor's id with a made-up signature) is replaced by a fresh one
    async with served(settings, clock) as fresh:
        other: TestClient[Any, Any] = TestClient(fresh.server, cookie_jar=DummyCookieJar())
        for forged in (f"{visitor}.{'0' * 32}", visitor, "demo-zhongli"):
            resp = await other.post(
                "/webhooks/rest/webhook", json={"message": "取消"}, headers={"Cookie": f"govchat_chat={forged}"}
            )
            issued = resp.cookies["govchat_chat"].value
            assert issued.rsplit(".", 1)[0] not in (visitor, "demo-zhongli")


@pytest.mark.parametrize("body", [b"[" * 30_000 + b"]" * 30_000, b'{"a":' * 50 + b"1" + b"}" * 50])
async def test_deep_json_is_a_400_with_a_reason(settings, clock, body):
    async with served(settings, clock) as client:
        resp = await client.post("/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"})
        assert resp.status == 400 and "error" in await resp.json()
