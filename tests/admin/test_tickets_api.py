"""The ticket REST API through the real aiohttp app: tokens, rights, errors, the loop, statistics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from govchat.app import create_app
from govchat.runtime import build_runtime
from kernel.config import Settings
from office_flows.directory.demo import load_demo_directory

TOKENS = "t-disp=MJ010,t-zj=MJ021,t-cg=MJ091,t-sup=MJ011"
IVR = "ivr-token-0123456789abcdef"  # the phone system, allowed to collect its callers' ratings


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def client(settings: Settings, clock) -> AsyncIterator[TestClient[Any, Any]]:
    runtime = await build_runtime(
        replace(settings, api_tokens=TOKENS, rest_integrations=f"ivr=phone:bearer:{IVR}:ratings"),
        clock=clock,
        load_model=False,
    )
    async with runtime.db.session() as s:
        await load_demo_directory(s)
    async with TestClient(TestServer(create_app(runtime, background=False))) as c:
        yield c


async def test_api_loop_rights_and_errors(client: TestClient[Any, Any]) -> None:
    assert (await client.post("/api/tickets", json={})).status == 401
    assert (await client.get("/api/tickets", headers=auth("wrong"))).status == 401
    bad = await client.post("/api/tickets", data=b"\xff", headers=auth("t-disp"))
    assert bad.status == 400 and "JSON" in (await bad.json())["error"]
    short = await client.post("/api/tickets", json={"kind": "投诉", "content": "吵"}, headers=auth("t-disp"))
    assert short.status == 400 and "太短" in (await short.json())["error"]
    created = await client.post(
        "/api/tickets",
        json={
            "kind": "投诉",
            "content": "小区门口占道经营，晚上很吵",
            "address": "梅江区彬芳大道 8 号",
            "phone": "13900001111",
        },
        headers=auth("t-disp"),
    )
    assert created.status == 201
    code = (await created.json())["code"]

    missing = await client.post("/api/tickets/GD2026111899999/sign", headers=auth("t-zj"))
    assert missing.status == 404
    forbidden = await client.post(f"/api/tickets/{code}/dispatch", json={"department": "MJ-ZJJ"}, headers=auth("t-zj"))
    assert forbidden.status == 403
    ok = await client.post(f"/api/tickets/{code}/dispatch", json={"department": "MJ-CGJ"}, headers=auth("t-disp"))
    assert ok.status == 200 and (await ok.json())["status"] == "dispatched"
    illegal = await client.post(f"/api/tickets/{code}/reply", json={"result": "已处理完毕"}, headers=auth("t-cg"))
    assert illegal.status == 409 and "待签收" in (await illegal.json())["error"]
    assert (await client.post(f"/api/tickets/{code}/sign", headers=auth("t-cg"))).status == 200
    ext = await client.post(
        f"/api/tickets/{code}/extension", json={"days": 3, "reason": "需联合执法"}, headers=auth("t-cg")
    )
    assert ext.status == 200
    decided = await client.post(
        f"/api/tickets/{code}/extension-decision", json={"approve": True}, headers=auth("t-disp")
    )
    assert decided.status == 200
    replied = await client.post(f"/api/tickets/{code}/reply", json={"result": "已清理占道摊点"}, headers=auth("t-cg"))
    assert (await replied.json())["status"] == "answered"
    rating = {"rating": "满意", "sender": "13900001111"}
    staff = await client.post(f"/api/tickets/{code}/rating", json=rating, headers=auth("t-disp"))
    assert staff.status == 403  # staff never rate on the citizen's behalf (issue 15)
    rated = await client.post(f"/api/tickets/{code}/rating", json=rating, headers=auth(IVR))  # the phone IVR
    assert rated.status == 200, await rated.text()

    detail = await (await client.get(f"/api/tickets/{code}", headers=auth("t-sup"))).json()
    assert [e["action"] for e in detail["events"]] == [
        "accept",
        "dispatch",
        "sign",
        "extend_request",
        "extend_decide",
        "reply",
        "rate",
    ]
    assert (await client.get(f"/api/tickets/{code}", headers=auth("t-zj"))).status == 404  # never handled it

    stats = await client.get("/api/tickets/stats?from=2026-11-01&to=2026-12-01", headers=auth("t-sup"))
    table = (await stats.json())["departments"]
    assert table["MJ-CGJ"]["satisfaction_rate"]["rate"] == 1.0
    drill = await client.get(
        "/api/tickets/stats/drill?metric=ontime_rate&from=2026-11-01&to=2026-12-01&part=good", headers=auth("t-sup")
    )
    assert (await drill.json())["tickets"] == [code]
    assert (await client.get("/api/tickets/stats?from=2026-11-01&to=2026-12-01", headers=auth("t-cg"))).status == 403
    assert (await client.get("/api/tickets/stats?from=x", headers=auth("t-sup"))).status == 400
