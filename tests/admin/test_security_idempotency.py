"""``Idempotency-Key`` on ``POST /api/tickets`` (issue 15, item 6): a retried call creates one ticket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from govchat.app import RUNTIME, create_app
from govchat.runtime import build_runtime
from kernel.config import Settings
from office_flows.directory.demo import load_demo_directory
from office_flows.tickets.models import Ticket

TOKENS = "t-disp-0123456789=MJ010,t-other-0123456789=MJ011"
TICKET = {
    "kind": "投诉",
    "content": "小区门口占道经营，晚上很吵",
    "address": "梅江区彬芳大道 8 号",
    "phone": "13900001111",
}


def auth(token: str, key: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **({"Idempotency-Key": key} if key else {})}


@pytest.fixture
async def client(settings: Settings, clock) -> AsyncIterator[TestClient[Any, Any]]:
    runtime = await build_runtime(replace(settings, api_tokens=TOKENS), clock=clock, load_model=False)
    async with runtime.db.session() as s:
        await load_demo_directory(s)
    async with TestClient(TestServer(create_app(runtime, background=False))) as c:
        yield c


async def _tickets(client: TestClient[Any, Any]) -> int:
    async with client.server.app[RUNTIME].db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(Ticket)) or 0)


async def test_the_same_key_creates_once_and_replays_the_answer(client: TestClient[Any, Any]) -> None:
    first = await client.post("/api/tickets", json=TICKET, headers=auth("t-disp-0123456789", "k-1"))
    again = await client.post("/api/tickets", json=TICKET, headers=auth("t-disp-0123456789", "k-1"))
    assert first.status == again.status == 201
    assert (await first.json())["code"] == (await again.json())["code"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert await _tickets(client) == 1
    # another key, or another caller with the same key, is another request
    await client.post("/api/tickets", json=TICKET, headers=auth("t-disp-0123456789", "k-2"))
    await client.post("/api/tickets", json=TICKET, headers=auth("t-other-0123456789", "k-1"))
    assert await _tickets(client) == 3


async def test_parallel_retries_create_once(client: TestClient[Any, Any]) -> None:
    answers = await asyncio.gather(
        *[client.post("/api/tickets", json=TICKET, headers=auth("t-disp-0123456789", "k-par")) for _ in range(5)]
    )
    assert sorted(r.status for r in answers).count(201) >= 1
    assert all(r.status in (201, 409) for r in answers)
    assert await _tickets(client) == 1


async def test_a_refused_request_does_not_burn_the_key(client: TestClient[Any, Any]) -> None:
    bad = await client.post("/api/tickets", json={**TICKET, "content": "吵"}, headers=auth("t-disp-0123456789", "k-3"))
    assert bad.status == 400
    again = await client.post(
        "/api/tickets", json={**TICKET, "content": "吵"}, headers=auth("t-disp-0123456789", "k-3")
    )
    assert again.status == 400 and await _tickets(client) == 0
