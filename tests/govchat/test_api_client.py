"""The Python client generated from the OpenAPI document (govchat/api_client.py): it is up to date with the
served document, and it drives the ticket loop end to end against the real app (issue 19, item 2)."""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from dataclasses import replace
from types import ModuleType
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from govchat.api_client import ApiError, GovchatClient
from govchat.app import create_app
from govchat.runtime import build_runtime
from kernel.config import Settings
from office_flows.directory.demo import load_demo_directory
from tests.support.env import ROOT

TOKENS = "t-disp-0123456789=MJ010,t-cg-0123456789=MJ091,t-sup-0123456789=MJ011"
IVR = "ivr-client-0123456789abcdef"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_client", ROOT / "scripts" / "gen_client.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
async def client(sqlite_settings: Settings, clock: Any) -> AsyncIterator[TestClient[Any, Any]]:
    settings = replace(sqlite_settings, api_tokens=TOKENS, rest_integrations=f"ivr=phone:bearer:{IVR}:ratings")
    runtime = await build_runtime(settings, clock=clock, load_model=False)
    async with runtime.db.session() as s:
        await load_demo_directory(s)
    async with TestClient(TestServer(create_app(runtime, background=False))) as c:
        yield c


async def test_the_committed_client_matches_the_served_document(client: TestClient[Any, Any]) -> None:
    doc = await (await client.get("/api/openapi.json")).json()
    gen = _generator()
    expected = gen.formatted(gen.render(doc))
    assert (ROOT / "govchat" / "api_client.py").read_text(encoding="utf-8") == expected, (
        "govchat/api_client.py is out of date: run scripts/gen_client.py"
    )


async def test_the_generated_client_drives_the_ticket_loop(client: TestClient[Any, Any]) -> None:
    base = str(client.make_url("/")).rstrip("/")
    http = client.session

    def api(token: str) -> GovchatClient:
        return GovchatClient(http, base, token=token)

    dispatcher, worker = api("t-disp-0123456789"), api("t-cg-0123456789")
    supervisor, ivr = api("t-sup-0123456789"), api(IVR)

    created = await dispatcher.create_ticket(
        {
            "kind": "投诉",
            "content": "小区门口占道经营，晚上很吵",
            "address": "梅江区彬芳大道 8 号",
            "phone": "13900001111",
        }
    )
    code = created["code"]
    assert code.startswith("GD") and created["deadline"]

    with pytest.raises(ApiError) as refused:
        await worker.ticket_reply(code, {"result": "已处理"})
    assert refused.value.status in (403, 409) and refused.value.message  # a Chinese reason, not a crash

    with pytest.raises(ApiError) as malformed:
        await worker.ticket_extension(code, {"days": "三天"})  # type: ignore[typeddict-item]
    assert malformed.value.status == 400 and "days" in malformed.value.message

    dispatched = await dispatcher.ticket_dispatch(code, {"department": "MJ-CGJ", "comment": "请尽快处理"})
    assert dispatched["status"] == "dispatched" and dispatched["department"] == "MJ-CGJ"
    signed = await worker.ticket_sign(code)
    assert signed["status_label"]
    answered = await worker.ticket_reply(code, {"result": "已清理占道摊点"})
    assert answered["status"] == "answered" and answered["result"] == "已清理占道摊点"

    rated = await ivr.rate_ticket(code, {"rating": "满意", "sender": "13900001111"})
    assert rated["message"] and rated["rectification"] is False

    detail = await supervisor.get_ticket(code)
    assert [e["action"] for e in detail["events"]] == ["accept", "dispatch", "sign", "reply", "rate"]
    listed = await supervisor.list_tickets(status=detail["status"], limit=10)
    assert [t["code"] for t in listed["tickets"]] == [code]
    stats = await supervisor.ticket_stats(from_="2026-11-01", to="2026-12-01")
    assert stats["departments"]["MJ-CGJ"]["satisfaction_rate"]["rate"] == 1.0
    assert detail["status"] == "visited"  # rated: visited
    closed = await dispatcher.ticket_archive(code)
    assert closed["status"] == "archived"
    with pytest.raises(ApiError) as again:
        await dispatcher.ticket_archive(code)
    assert again.value.status == 409
