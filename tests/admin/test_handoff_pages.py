"""Operators' handoff queue in the console: take a waiting citizen, reply, hand back — relayed through the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from admin.models import AuditEntry
from govchat.app import RUNTIME, create_app
from govchat.runtime import Runtime, build_runtime
from kernel.config import Settings
from kernel.outbox import take_pending
from office_flows.handoff.models import Handoff
from tests.support.admin_rig import login, seed
from tests.support.dialogue import verify_dialog


@pytest.fixture
async def client(sqlite_settings: Settings, clock: Any) -> AsyncIterator[TestClient[Any, Any]]:
    runtime = await build_runtime(sqlite_settings, clock=clock, load_model=False)
    await seed(runtime)
    async with TestClient(TestServer(create_app(runtime, background=False))) as c:
        yield c


async def inbox(rt: Runtime) -> list[str]:
    async with rt.db.session() as s:
        return [r.text for r in await take_pending(s, ["rest"], rt.clock.now(), address="web-1")]


async def post(client: TestClient[Any, Any], path: str, csrf: str, **data: str) -> str:
    resp = await client.post(path, data={"_csrf": csrf, **data}, allow_redirects=False)
    assert resp.status == 302, (path, resp.status, await resp.text())
    return unquote(resp.headers["Location"])


async def test_operator_takes_replies_and_hands_back_from_the_console(client: TestClient[Any, Any]) -> None:
    rt = client.app[RUNTIME]
    await verify_dialog(
        rt, [("人工", "正在为您转接人工客服"), ("我的社保卡丢了怎么补办", "人工客服接入后会看到")], sender="web-1"
    )

    csrf = await login(client, "operator")
    page = await (await client.get("/admin/handoff")).text()
    assert "#1" in page and "我的社保卡丢了怎么补办" in page and "排队中" in page

    assert "已接入 #1" in await post(client, "/admin/handoff/1/take", csrf)
    assert any("已接入" in t for t in await inbox(rt))
    # a person holds the conversation: the bot is silent
    await verify_dialog(rt, [("补办要带什么材料", [])], sender="web-1")
    assert "补办要带什么材料" in await (await client.get("/admin/handoff")).text()

    assert "回复内容不能为空" in await post(client, "/admin/handoff/1/reply", csrf, text="  ")
    assert "已回复 #1" in await post(client, "/admin/handoff/1/reply", csrf, text="请带身份证到社保窗口补办")
    assert await inbox(rt) == ["【人工客服】请带身份证到社保窗口补办"]

    admin_csrf = await login(client, "admin")  # another operator cannot speak in someone else's conversation
    assert "您没有接入 #1" in await post(client, "/admin/handoff/1/reply", admin_csrf, text="插话")
    assert "已不在排队中" in await post(client, "/admin/handoff/1/take", admin_csrf)
    assert await inbox(rt) == []

    csrf = await login(client, "operator")
    assert "已交还智能助手" in await post(client, "/admin/handoff/1/return", csrf)
    assert any("已结束本次对话" in t for t in await inbox(rt))
    assert "当前没有排队或进行中的人工对话" in await (await client.get("/admin/handoff")).text()
    await verify_dialog(
        rt, [("居住证怎么办理", "请带身份证到政务服务中心办理")], sender="web-1"
    )  # the bot answers again

    async with rt.db.session() as s:
        h = await s.scalar(select(Handoff))
        assert h is not None and h.status == "returned" and h.operator == "operator" and h.operator_channel == "console"
        actions = [
            (e.actor, e.action) for e in await s.scalars(select(AuditEntry).where(AuditEntry.action.like("handoff.%")))
        ]
    assert actions == [
        ("console:operator", "handoff.take"),
        ("console:operator", "handoff.reply"),
        ("console:operator", "handoff.return"),
    ]


async def test_only_operators_and_admins_see_the_queue(client: TestClient[Any, Any]) -> None:
    for user, status in [("dispatcher", 403), ("editor", 403), ("supervisor", 403), ("operator", 200), ("admin", 200)]:
        await login(client, user)
        assert (await client.get("/admin/handoff", allow_redirects=False)).status == status, user


async def test_admin_sets_skills_and_console_take_respects_the_desk(client: TestClient[Any, Any]) -> None:
    """A Cantonese conversation waits for the console operator with 粤语; another operator is told why."""
    rt = client.app[RUNTIME]
    admin_csrf = await login(client, "admin")
    said = await post(client, "/admin/handoff/skills", admin_csrf, operator="operator", skills="粤语，企业服务")
    assert "已设置 console:operator 的坐席技能：粤语、企业服务" in said
    assert "太长" in await post(client, "/admin/handoff/skills", admin_csrf, operator="operator", skills="很" * 20)
    said = await post(client, "/admin/handoff/skills", admin_csrf, operator="@hak:localhost", skills="客家话")
    assert "matrix:@hak:localhost" in said
    page = await (await client.get("/admin/handoff")).text()
    assert "粤语、企业服务" in page and "matrix:@hak:localhost" in page and 'id="skills-form"' in page

    await verify_dialog(rt, [("唔该，我想问下点样补办身份证，你哋喺边度", "没有找到准确的答案")], sender="yue-1")
    await verify_dialog(rt, [("人工", "已为您安排粤语坐席")], sender="yue-1")
    page = await (await client.get("/admin/handoff")).text()
    assert "粤语专席" in page
    # the admin (no skill) may not take it yet; the operator with 粤语 may
    assert "#1 为粤语专席对话" in await post(client, "/admin/handoff/1/take", admin_csrf)
    csrf = await login(client, "operator")
    assert "skills-form" not in await (await client.get("/admin/handoff")).text()  # only admins edit skills
    assert "已接入 #1" in await post(client, "/admin/handoff/1/take", csrf)
    resp = await client.post("/admin/handoff/skills", data={"_csrf": csrf, "operator": "x", "skills": "粤语"})
    assert resp.status == 403
