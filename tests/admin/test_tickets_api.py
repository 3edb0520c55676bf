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


async def test_api_objection_review_and_co_handling(client: TestClient[Any, Any]) -> None:
    created = await client.post(
        "/api/tickets",
        json={"kind": "投诉", "content": "江南路夜市烧烤油烟大，还占道经营到凌晨", "address": "梅江区江南路"},
        headers=auth("t-disp"),
    )
    code = (await created.json())["code"]
    detail = await (await client.get(f"/api/tickets/{code}", headers=auth("t-disp"))).json()
    assert detail["first_contact"] == "钟丽（梅江区政务服务数据管理局）"  # 首接负责: the operator who took the call
    sent = await client.post(f"/api/tickets/{code}/dispatch", json={"department": "住建局"}, headers=auth("t-disp"))
    assert sent.status == 200 and (await sent.json())["department"] == "MJ-ZJJ"  # an alias of the catalogue
    assert (await client.post(f"/api/tickets/{code}/sign", headers=auth("t-zj"))).status == 200
    bad = await client.post(
        f"/api/tickets/{code}/return", json={"reason": "不想办", "text": "占道归城管"}, headers=auth("t-zj")
    )
    assert bad.status == 409 and "退单理由须从以下选择" in (await bad.json())["error"]
    ret = await client.post(
        f"/api/tickets/{code}/return",
        json={"reason": "非本部门职责", "text": "占道经营属城管执法"},
        headers=auth("t-zj"),
    )
    assert ret.status == 200 and (await ret.json())["status"] == "objected"
    listed = await (await client.get("/api/tickets/objections", headers=auth("t-disp"))).json()
    assert [(o["code"], o["department"], o["reason"], o["status"]) for o in listed["objections"]] == [
        (code, "MJ-ZJJ", "非本部门职责", "pending")
    ]
    assert listed["per_department"]["MJ-ZJJ"]["pending"] == 1 and "其他" in listed["reasons"]
    assert (await client.get("/api/tickets/objections", headers=auth("t-zj"))).status == 403
    wrong = await client.post(
        f"/api/tickets/{code}/objection-review", json={"decision": "maybe"}, headers=auth("t-disp")
    )
    assert wrong.status == 409 and "decision" in (await wrong.json())["error"]
    ok = await client.post(
        f"/api/tickets/{code}/objection-review",
        json={"decision": "accept", "department": "城管局", "ruling": "同意"},
        headers=auth("t-disp"),
    )
    body = await ok.json()
    assert ok.status == 200 and body["status"] == "dispatched" and body["department"] == "MJ-CGJ"
    again = await client.post(
        f"/api/tickets/{code}/objection-review",
        json={"decision": "reject", "ruling": "不同意退单"},
        headers=auth("t-disp"),
    )
    assert again.status == 409 and "不能驳回退单" in (await again.json())["error"]

    assisted = await client.post(
        f"/api/tickets/{code}/assist", json={"departments": ["市监局"]}, headers=auth("t-disp")
    )
    assert assisted.status == 200
    assert (await client.post(f"/api/tickets/{code}/sign", headers=auth("t-cg"))).status == 200
    early = await client.post(f"/api/tickets/{code}/reply", json={"result": "已清理占道摊点"}, headers=auth("t-cg"))
    assert early.status == 409 and "梅江区市场监督管理局" in (await early.json())["error"]
    detail = await (await client.get(f"/api/tickets/{code}", headers=auth("t-disp"))).json()
    assert [(a["department"], a["signed_at"], a["part"]) for a in detail["assists"]] == [("MJ-SJJ", None, "")]
