"""Every malformed request gets a 4xx with a reason, never a 5xx (issue 15, item 8): a seeded fuzz of the
webhook and every JSON route, plus the probe's own cases (deep JSON, 1e999, year 1, NUL, negative limit)."""

from __future__ import annotations

import json
import random
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from admin.appkeys import ROUTE_ROLES
from govchat.app import create_app
from govchat.runtime import build_runtime
from kernel.config import Settings
from office_flows.directory.demo import load_demo_directory

ADMIN = {"Authorization": "Bearer t-admin-0123456789"}
SUP = {"Authorization": "Bearer t-sup-0123456789"}
TOKENS = "t-admin-0123456789=MJ010,t-sup-0123456789=MJ011"
SAMPLE = {
    "kind": "faq",
    "id": "1",
    "code": "GD2026111800001",
    "action": "extension",
    "fmt": "csv",
    "table": "metrics",
    "doc_id": "FW-2026-001",
    "meeting_id": "HY-2026-0001",
    "notice_id": "TZ-2026-001",
}
NASTY: list[Any] = [
    None,
    True,
    -1,
    0,
    10**30,
    1e308,
    "",
    "\x00",
    "a\x00b",
    "0001-01-01",
    "9999-12-31T00:00:00+08:00",
    "x" * 5000,
    [],
    {},
    [[[]]],
    {"a": {"b": {}}},
    "=HYPERLINK(1)",
    "😀" * 10,
]
KEYS = [
    "kind",
    "content",
    "address",
    "phone",
    "sender",
    "message",
    "days",
    "reason",
    "department",
    "result",
    "to",
    "version",
    "rating",
    "comment",
    "question",
    "answer",
    "name",
    "start",
    "minutes",
    "room",
    "people",
    "title",
    "body",
    "approve",
    "into",
    "note",
    "ids",
    "limit",
    "topic",
]


@pytest.fixture
async def client(settings: Settings, clock) -> AsyncIterator[TestClient[Any, Any]]:
    runtime = await build_runtime(replace(settings, api_tokens=TOKENS), clock=clock, load_model=False)
    async with runtime.db.session() as s:
        await load_demo_directory(s)
    async with TestClient(TestServer(create_app(runtime, background=False))) as c:
        yield c


def _deep(n: int) -> bytes:
    return b"[" * n + b"]" * n


async def _post(client: TestClient[Any, Any], path: str, raw: bytes) -> int:
    resp = await client.post(path, data=raw, headers={**ADMIN, "Content-Type": "application/json"})
    await resp.read()
    return resp.status


async def test_the_probes_cases_get_a_4xx(client: TestClient[Any, Any]) -> None:
    for path in ("/webhooks/rest/webhook", "/api/tickets", "/api/kb/faq", "/api/tickets/GD2026111800001/extension"):
        for raw in (_deep(30_000), b'{"a":' * 500 + b"1" + b"}" * 500):
            status = await _post(client, path, raw)
            assert 400 <= status < 500, (path, status)
    created = await client.post(
        "/api/tickets", json={"kind": "投诉", "content": "小区门口占道经营很吵", "phone": "13900001111"}, headers=ADMIN
    )
    code = (await created.json())["code"]
    assert (await _post(client, f"/api/tickets/{code}/extension", b'{"days": 1e999, "reason": "x"}')) == 400
    for query in ("from=0001-01-01&to=0001-02-01", "from=9999-12-01&to=9999-12-31", "from=x&to=y"):
        assert (await client.get(f"/api/tickets/stats?{query}", headers=SUP)).status == 400
    assert (await client.get("/api/tickets?limit=-1", headers=ADMIN)).status == 400
    assert (await client.get("/api/tickets?status=%00", headers=ADMIN)).status == 400
    nul = await client.post("/api/tickets", json={"kind": "投诉", "content": "占道\x00经营很吵很吵"}, headers=ADMIN)
    assert nul.status == 400 and "空字符" in (await nul.json())["error"]
    assert 400 <= await _post(client, "/api/kb/faq", b"{}") < 500  # the required field is missing


async def test_fuzzing_every_json_route_gives_no_5xx(client: TestClient[Any, Any]) -> None:
    rng = random.Random(15)
    routes = sorted(k for k in client.app[ROUTE_ROLES] if k[0] == "POST" and k[1].startswith("/api"))
    routes += [("POST", "/webhooks/rest/webhook"), ("POST", "/webhooks/rest/outbox/ack")]
    failures = []
    for _, path in routes:
        url = re.sub(r"{(\w+)(:[^}]*)?}", lambda m: SAMPLE.get(m.group(1), "1"), path)
        for _ in range(12):
            body = {k: rng.choice(NASTY) for k in rng.sample(KEYS, rng.randint(0, 6))}
            raw = (
                json.dumps(body).encode() if rng.random() < 0.9 else rng.choice([b"", b"[", b"\xff", b"null", b"1e999"])
            )
            status = await _post(client, url, raw)
            if status >= 500:
                failures.append((url, raw[:120], status))
    assert failures == []
