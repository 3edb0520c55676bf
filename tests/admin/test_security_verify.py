"""A staff member not on a document cannot confirm a guess of its body through verify (issue 15, item 8)."""

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

TOKENS = "t-zw=MJ001,t-ln=MJ002,t-wq=MJ003,t-ly=MJ004,t-lj=MJ011,t-hz=MJ020,t-zeng=MJ030"
BODY = "各单位：请做好汛期值班，值班电话 12345。"


@pytest.fixture
async def client(sqlite_settings: Settings, clock: FakeClock) -> AsyncIterator[TestClient[Any, Any]]:
    runtime = await build_runtime(replace(sqlite_settings, api_tokens=TOKENS), clock=clock, load_model=False)
    await seed_demo(runtime.db, clock)
    async with TestClient(TestServer(create_app(runtime, background=False))) as c:
        yield c


async def call(c: TestClient[Any, Any], method: str, path: str, token: str, **json: Any) -> tuple[int, Any]:
    r = await c.request(method, path, headers={"Authorization": f"Bearer {token}"}, json=json or None)
    return r.status, await r.json()


async def test_checking_a_copy_is_for_those_who_may_read_it(client: TestClient[Any, Any]) -> None:
    st, _ = await call(client, "POST", "/api/office/documents", "t-zw", title="关于汛期值班的通知", body=BODY)
    for token in ("t-ln", "t-ly", "t-lj", "t-hz", "t-wq"):
        st, body = await call(client, "POST", "/api/office/documents/FW-2026-001/approve", token, comment="同意")
        assert st == 200, body
    path = "/api/office/documents/FW-2026-001/verify"
    st, body = await call(client, "POST", path, "t-zw", body=BODY)
    assert st == 200 and body["valid"] is True  # the drafter checks a copy
    # 曾文 (人社局) is not on the document: a right guess and a wrong one look alike, and like no document
    right = await call(client, "POST", path, "t-zeng", body=BODY)
    wrong = await call(client, "POST", path, "t-zeng", body="猜错的正文")
    missing = await call(client, "POST", "/api/office/documents/FW-2026-999/verify", "t-zeng", body=BODY)
    assert right[0] == wrong[0] == missing[0] == 404
    assert right[1]["error"].replace("001", "X") == missing[1]["error"].replace("999", "X")
    st, body = await call(client, "GET", path, "t-zeng")  # the stored seal anyone may verify
    assert st == 200 and body["valid"] is True
