"""The REST (Rasa-compatible) channel and the web chat page, through the real aiohttp app.

These tests use a small KB and lexical retrieval only, so they need no model;
answer quality with the dense model is tested in test_retrieval.py.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from govchat.app import RUNTIME, create_app
from govchat.runtime import build_runtime
from kernel.config import Settings
from knowledge_base import store
from knowledge_base.models import UnansweredQuestion
from tests.support.dialogue import verify_http_dialog

ITEMS = [
    {
        "name": "居住证办理",
        "aliases": ["办居住证", "暂住证"],
        "department": "梅州市公安局梅江分局",
        "promised_time_limit": "5个工作日",
        "materials": ["身份证", "居住证明"],
        "location": "梅江区政务服务中心",
    },
    {
        "name": "个体工商户营业执照办理",
        "aliases": ["个体户执照"],
        "department": "梅江区市场监督管理局",
        "materials": ["身份证", "经营场所证明"],
    },
    {"name": "个体工商户营业执照注销", "aliases": ["个体户注销"], "department": "梅江区市场监督管理局"},
]


@pytest.fixture
async def client(settings: Settings, clock) -> AsyncIterator[TestClient[Any, Any]]:
    async with _client(settings, clock) as c:
        yield c


@pytest.fixture
async def close_race_client(settings: Settings, clock) -> AsyncIterator[TestClient[Any, Any]]:
    """Answers directly only with a clear lead (0.2) over the runner-up: look-alike items are offered instead."""
    async with _client(dataclasses.replace(settings, answer_margin=0.2), clock) as c:
        yield c


@asynccontextmanager
async def _client(settings: Settings, clock: Any) -> AsyncIterator[TestClient[Any, Any]]:
    runtime = await build_runtime(settings, clock=clock, load_model=False)
    async with runtime.db.session() as s:
        for n, data in enumerate(ITEMS, start=1):
            entry = await store.create_entry(s, "item", {**data, "source_code": f"T-{n}"}, actor="t", now=clock.now())
            await store.publish_now(s, "item", entry, actor="t", now=clock.now(), comment="")
    await runtime.index.sync()
    app = create_app(runtime, background=False)
    async with TestClient(TestServer(app)) as c:
        yield c


async def test_question_is_answered_with_the_item_cited(client):
    card = re.compile(r"【居住证办理】[\s\S]*办理部门：梅州市公安局梅江分局[\s\S]*1\. 身份证")
    await verify_http_dialog(client, [("请问居住证办理要带什么材料", card)])


async def test_close_candidates_are_offered_and_picked_by_number(close_race_client):
    client = close_race_client
    [[offer]] = await verify_http_dialog(client, [("个体工商户营业执照", "请回复序号")], sender="c2")
    assert [b["payload"] for b in offer["buttons"]][:2] == ["1", "2"]
    second_title = offer["buttons"][1]["title"].split(". ", 1)[1]
    # the choice is used up: the next "2" is a new question, not a pick
    await verify_http_dialog(client, [("2", f"【{second_title}】"), ("2", "没有找到准确的答案")], sender="c2")


async def test_unknown_question_is_declined_and_logged(client, settings):
    [[reply]] = await verify_http_dialog(client, [("明天会下雨吗", "没有找到准确的答案")])
    assert {b["payload"] for b in reply["buttons"]} == {"登记工单", "人工"}
    runtime = client.server.app[RUNTIME]
    async with runtime.db.session() as s:
        logged = (await s.scalars(select(UnansweredQuestion))).all()
    assert [q.question for q in logged] == ["明天会下雨吗"]
    assert logged[0].channel == "web" and logged[0].sender_hash  # an anonymous visitor of the web chat


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("", "没有输入内容"),
        ("   ", "没有输入内容"),
        ("问" * 2001, "消息太长了"),
        ("\x00\x01\x02\x03abc", "无法识别的字符"),
        (12345, "无法识别的字符"),
        (["a"], "无法识别的字符"),
    ],
)
async def test_bad_input_gets_a_clear_reply(client, message, expected):
    await verify_http_dialog(client, [(message, expected)])


@pytest.mark.parametrize(
    "body",
    [b"not json", b"\xff\xfe\x00binary", b'["a list"]', b'{"sender": 5, "message": "hi"}'],
)
async def test_malformed_requests_get_400_with_a_reason(client, body):
    resp = await client.post("/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"})
    assert resp.status == 400
    assert "error" in await resp.json()


async def test_oversized_body_is_refused(client):
    resp = await client.post("/webhooks/rest/webhook", data=b"x" * (300 * 1024))
    assert resp.status in (400, 413)


async def test_greeting_and_help(client):
    await verify_http_dialog(client, [("你好", "12345"), ("/帮助", "我能帮您")])


async def test_chat_page_is_served(client):
    resp = await client.get("/")
    assert resp.status == 200
    html = await resp.text()
    assert "政务服务" in html and '<script src="/chat/chat.js">' in html
    script = await (await client.get("/chat/chat.js")).text()
    assert "/webhooks/rest/webhook" in script and "政务服务智能助手" in script
