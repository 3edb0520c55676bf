"""The office REST API through the real aiohttp app: approvals, seal verification of a tampered copy,
meeting conflicts as 409 with alternatives, the iCalendar feed, notices, and Chinese 4xx errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from govchat.app import create_app
from govchat.runtime import build_runtime
from kernel.clock import FakeClock
from kernel.config import Settings
from tests.support.office_rig import seed_demo

TOKENS = "t-zw=MJ001,t-ln=MJ002,t-wq=MJ003,t-ly=MJ004,t-lj=MJ011,t-hz=MJ020,t-admin=MJ900"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def client(sqlite_settings: Settings, clock: FakeClock) -> AsyncIterator[TestClient[Any, Any]]:
    runtime = await build_runtime(replace(sqlite_settings, api_tokens=TOKENS), clock=clock, load_model=False)
    await seed_demo(runtime.db, clock)
    async with TestClient(TestServer(create_app(runtime, background=False))) as c:
        yield c


async def call(c: TestClient[Any, Any], method: str, path: str, token: str, **json: Any) -> tuple[int, Any]:
    r = await c.request(method, path, headers=auth(token), json=json or None)
    return r.status, await r.json()


async def test_document_api(client: TestClient[Any, Any]) -> None:
    assert (await client.get("/api/office/todo")).status == 401
    st, body = await call(client, "POST", "/api/office/documents", "t-zw", title="关于汛期值班的通知", body="正文")
    assert st == 200 and body["ref"] == "FW-2026-001"
    st, body = await call(client, "POST", "/api/office/documents", "t-zw", title="密件", body="x", security="绝密")
    assert st == 400 and "非涉密" in body["error"]
    st, body = await call(client, "GET", "/api/office/todo", "t-ln")
    assert [i["doc_id"] for i in body["items"]] == ["FW-2026-001"]
    st, body = await call(client, "POST", "/api/office/documents/FW-2026-001/approve", "t-ly")
    assert st == 403 and "不是当前办理人" in body["error"]
    st, body = await call(client, "POST", "/api/office/documents/FW-2026-009/approve", "t-ln")
    assert st == 404
    st, body = await call(client, "POST", "/api/office/documents/FW-2026-001/reject", "t-ln", to="sideways", reason="x")
    assert st == 400 and "previous" in body["error"]
    for token in ("t-ln", "t-ly", "t-lj", "t-hz", "t-wq"):
        st, body = await call(client, "POST", "/api/office/documents/FW-2026-001/approve", token, comment="同意")
        assert st == 200, body
    assert "梅江府办〔2026〕1号" in body["message"]
    st, body = await call(client, "POST", "/api/office/documents/FW-2026-001/approve", "t-wq")
    assert st == 409
    st, body = await call(client, "GET", "/api/office/documents/FW-2026-001/verify", "t-zw")
    assert body["valid"] is True
    st, body = await call(client, "POST", "/api/office/documents/FW-2026-001/verify", "t-zw", body="篡改后的正文")
    assert body["valid"] is False and "改动" in body["message"]
    st, body = await call(
        client, "POST", "/api/office/documents/FW-2026-001/verify", "t-zw", number="梅江府办〔2026〕9号"
    )
    assert body["valid"] is False
    st, body = await call(client, "GET", "/api/office/documents/FW-2026-001", "t-zw")
    assert body["status"] == "issued" and body["number"] == "梅江府办〔2026〕1号"


async def test_meeting_api_and_calendar(client: TestClient[Any, Any]) -> None:
    start = "2026-11-19T15:00:00+08:00"
    st, body = await call(
        client,
        "POST",
        "/api/office/meetings",
        "t-zw",
        start=start,
        minutes=60,
        room="三楼会议室",
        people=["李娜"],
        topic="汛期值班",
    )
    assert st == 200 and body["meeting_id"] == "HY-2026-0001"
    st, body = await call(client, "POST", "/api/office/meetings", "t-wq", start=start, room="三楼会议室", people=[])
    assert st == 409 and body["alternatives"][0]["room"] == "二楼小会议室"
    st, body = await call(
        client, "POST", "/api/office/meetings", "t-wq", start="2026-11-19T15:00:00", room="三楼会议室"
    )
    assert st == 400 and "时区" in body["error"]
    st, body = await call(client, "POST", "/api/office/meetings/HY-2026-0001/rsvp", "t-ln", accept=False, reason="出差")
    assert st == 200 and "请假" in body["message"]
    assert (await client.get("/api/office/calendar/MJ002.ics")).status == 401
    # the feed takes its own read-only calendar token, never an API token (issue 15)
    assert (await client.get("/api/office/calendar/MJ002.ics?token=t-ln")).status == 401
    _, zw = await call(client, "POST", "/api/office/calendar/token", "t-zw")
    _, ln = await call(client, "POST", "/api/office/calendar/token", "t-ln")
    assert (await client.get(f"/api/office/calendar/MJ002.ics?token={zw['token']}")).status == 403
    r = await client.get(ln["url"])
    text = await r.text()
    assert r.status == 200 and r.content_type == "text/calendar"
    assert "BEGIN:VEVENT" in text and "SUMMARY:汛期值班" in text and "UID:HY-2026-0001@govchat" in text
    st, body = await call(client, "POST", "/api/office/meetings/HY-2026-0001/cancel", "t-zw", reason="改日")
    assert st == 200
    assert "STATUS:CANCELLED" in await (await client.get(zw["url"])).text()
    _, again = await call(client, "POST", "/api/office/calendar/token", "t-zw")  # a new token revokes the old
    assert (await client.get(zw["url"])).status == 401 and (await client.get(again["url"])).status == 200
    st, _ = await call(client, "DELETE", "/api/office/calendar/token", "t-zw")
    assert st == 200 and (await client.get(again["url"])).status == 401


async def test_notice_api(client: TestClient[Any, Any]) -> None:
    st, body = await call(client, "POST", "/api/office/notices", "t-wq", to=["李娜", "刘洋"], title="通知", body="请阅")
    assert st == 200 and body["ref"] == "TZ-2026-001"
    assert (await call(client, "GET", "/api/office/notices/TZ-2026-001", "t-ln"))[0] == 200
    st, body = await call(client, "GET", "/api/office/notices/TZ-2026-001/receipts", "t-wq")
    assert body["read"] == ["李娜"] and body["unread"] == ["刘洋"]
    st, body = await call(client, "GET", "/api/office/notices/TZ-2026-001/receipts", "t-ln")
    assert st == 403
