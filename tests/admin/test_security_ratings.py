"""Ratings are the citizen's (issue 15, item 4): staff never rate, an IVR integration may, each rating says how."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.messages import Incoming
from govchat.app import RUNTIME, create_app
from govchat.runtime import Runtime, build_runtime
from kernel.config import Settings
from office_flows.directory.demo import load_demo_directory
from office_flows.tickets.models import Ticket, TicketEvent, TicketRating
from tests.bot.channels.rest_rig import signed

TOKENS = "t-disp=MJ010,t-cg=MJ091,t-sup=MJ011"
IVR_SECRET = "ivr-secret-0123456789abcdef"
APP = "app-token-0123456789abcdef"
INTEGRATIONS = f"ivr=phone:hmac:{IVR_SECRET}:ratings,app=app:bearer:{APP}"
PHONE = "13900001111"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def client(settings: Settings, clock) -> AsyncIterator[TestClient[Any, Any]]:
    runtime = await build_runtime(
        replace(settings, api_tokens=TOKENS, rest_integrations=INTEGRATIONS), clock=clock, load_model=False
    )
    async with runtime.db.session() as s:
        await load_demo_directory(s)
    async with TestClient(TestServer(create_app(runtime, background=False))) as c:
        yield c


async def _answered(client: TestClient[Any, Any], channel: str = "phone", sender: str = PHONE) -> str:
    rt: Runtime = client.server.app[RUNTIME]
    created = await rt.tickets.create(
        kind="投诉",
        content="小区门口占道经营，晚上很吵",
        address="梅江区彬芳大道 8 号",
        phone=PHONE,
        channel=channel,
        sender=sender,
    )
    ident = rt.bot.services.identity
    await rt.tickets.dispatch(created.code, await ident.whois("web", "demo-zhongli"), "MJ-CGJ")
    await rt.tickets.sign(created.code, await ident.whois("web", "demo-zhuli"))
    await rt.tickets.reply(created.code, await ident.whois("web", "demo-zhuli"), "已清理占道摊点")
    return created.code


async def _rate(client: TestClient[Any, Any], code: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return await client.post(f"/api/tickets/{code}/rating", data=json.dumps(body).encode(), headers=headers)


async def test_staff_tokens_sessions_and_other_integrations_cannot_rate(client: TestClient[Any, Any]) -> None:
    code = await _answered(client)
    body = {"rating": "非常满意", "sender": PHONE}
    for token in ("t-disp", "t-cg", "t-sup"):
        assert (await _rate(client, code, body, auth(token))).status == 403
    assert (await _rate(client, code, body, auth(APP))).status == 403  # an integration without the right
    assert (await _rate(client, code, body, {})).status == 401
    assert (await _rate(client, code, body, auth("nonsense"))).status == 403
    rt: Runtime = client.server.app[RUNTIME]
    async with rt.db.session() as s:
        assert list(await s.scalars(select(TicketRating))) == []


async def test_the_ivr_rates_for_its_caller_and_the_rating_says_how(client: TestClient[Any, Any], clock) -> None:
    code = await _answered(client)
    raw = json.dumps({"rating": "满意", "sender": "13900002222"}).encode()
    other = await client.post(
        f"/api/tickets/{code}/rating", data=raw, headers=signed(IVR_SECRET, raw, clock.now().timestamp())
    )
    assert other.status == 403  # not the caller who filed it: and nothing says the ticket exists
    raw = json.dumps({"rating": "满意", "sender": PHONE}).encode()
    ok = await client.post(
        f"/api/tickets/{code}/rating", data=raw, headers=signed(IVR_SECRET, raw, clock.now().timestamp())
    )
    assert ok.status == 200, await ok.text()
    rt: Runtime = client.server.app[RUNTIME]
    async with rt.db.session() as s:
        rating = await s.scalar(select(TicketRating))
        assert rating is not None and rating.collected_via == "integration:ivr" and rating.level == 4


async def test_staff_cannot_rate_in_chat_even_as_the_filer(client: TestClient[Any, Any]) -> None:
    rt: Runtime = client.server.app[RUNTIME]
    code = await _answered(client, channel="web", sender="demo-zhongli")
    replies = await rt.bot.process(Incoming("web", "demo-zhongli", f"/评价 {code} 非常满意"))
    assert "工作人员不能代为评价" in replies[0].text
    citizen = await _answered(client, channel="web", sender="v-citizen")
    replies = await rt.bot.process(Incoming("web", "v-citizen", f"/评价 {citizen} 满意"))
    assert "已收到您的评价" in replies[0].text
    async with rt.db.session() as s:
        vias = list(await s.scalars(select(TicketRating.collected_via)))
    assert vias == ["chat:web"]


async def test_rating_reply_reveals_nothing_to_others(client: TestClient[Any, Any]) -> None:
    rt: Runtime = client.server.app[RUNTIME]
    code = await _answered(client, channel="web", sender="v-owner")
    mine = await rt.bot.process(Incoming("web", "v-stranger", f"/评价 {code} 满意"))
    missing = await rt.bot.process(Incoming("web", "v-stranger", "/评价 GD2026111899999 满意"))
    assert mine[0].text.replace(code, "X") == missing[0].text.replace("GD2026111899999", "X")


async def test_citizen_ids_are_not_shown_to_staff(client: TestClient[Any, Any]) -> None:
    rt: Runtime = client.server.app[RUNTIME]
    code = await _answered(client, channel="web", sender="v-secret-citizen-id")
    await rt.bot.process(Incoming("web", "v-secret-citizen-id", f"/评价 {code} 满意"))
    detail = await client.get(f"/api/tickets/{code}", headers=auth("t-sup"))
    text = await detail.text()
    assert detail.status == 200 and "v-secret-citizen-id" not in text
    history = await rt.bot.process(Incoming("web", "demo-zhongli", f"/工单记录 {code}"))
    assert "v-secret-citizen-id" not in history[0].text and "市民" in history[0].text
    async with rt.db.session() as s:
        t = await s.scalar(select(Ticket).where(Ticket.code == code))
        names = list(await s.scalars(select(TicketEvent.actor_name).where(TicketEvent.ticket_id == t.id)))  # type: ignore[union-attr]
    assert "v-secret-citizen-id" not in names


async def test_staff_cannot_file_in_a_chat_identitys_name(client: TestClient[Any, Any]) -> None:
    """Otherwise a clerk could file a ticket for their own anonymous browser and then rate it as a citizen."""
    body = {"kind": "投诉", "content": "小区门口占道经营，晚上很吵", "phone": PHONE}
    for channel in ("web", "matrix", "rest", "*"):
        resp = await client.post(
            "/api/tickets", json={**body, "channel": channel, "sender": "v-mine"}, headers=auth("t-disp")
        )
        assert resp.status == 400, channel
    assert (await client.post("/api/tickets", json=body, headers=auth("t-disp"))).status == 201
