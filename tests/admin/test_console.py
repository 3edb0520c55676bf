"""The admin console through the real app: rights on every route, CSRF, KB publishing, accounts, API."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from admin.appkeys import ROUTE_ROLES
from admin.guard import PUBLIC
from admin.models import AuditEntry
from govchat.app import RUNTIME, create_app
from govchat.runtime import build_runtime
from kernel.config import Settings
from knowledge_base.models import UnansweredQuestion
from tests.support.admin_rig import PASSWORD, login, seed

SAMPLE = {
    "kind": "faq",
    "id": "1",
    "code": "GD2026111800001",
    "action": "sign",
    "fmt": "csv",
    "table": "metrics",
    "version": "1",
    "month": "2026-11",
    "ext": "xlsx",
    "doc_id": "FW-2026-001",
    "meeting_id": "HY-2026-0001",
    "notice_id": "TZ-2026-001",
}
ACCOUNTS = ["editor", "dispatcher", "operator", "supervisor", "department_head", "admin"]
FAQ_IDS: web.AppKey[dict[str, int]] = web.AppKey("faq_ids")


@pytest.fixture
async def client(sqlite_settings: Settings, clock: Any) -> AsyncIterator[TestClient[Any, Any]]:
    runtime = await build_runtime(sqlite_settings, clock=clock, load_model=False)
    app = create_app(runtime, background=False)
    app[FAQ_IDS] = await seed(runtime)
    async with TestClient(TestServer(app)) as c:
        yield c


def _url(path: str) -> str:
    return re.sub(r"{(\w+)}", lambda m: SAMPLE[m.group(1)], path)


async def test_every_route_refuses_users_without_the_role(client: TestClient[Any, Any]) -> None:
    table = client.app[ROUTE_ROLES]
    guarded = {k: v for k, v in table.items() if v is not PUBLIC}
    assert len(guarded) > 30
    # Every /admin and /api route of the app is declared (nothing slips past the guard).
    for resource in client.app.router.resources():
        for r in resource:
            if resource.canonical.startswith(("/admin", "/api")):
                assert (r.method, resource.canonical) in table, (r.method, resource.canonical)
    checked = 0
    for (method, path), roles in sorted(guarded.items()):
        client.session.cookie_jar.clear()
        resp = await client.request(method, _url(path), allow_redirects=False)
        assert resp.status in (401, 302), (method, path, resp.status)
        if resp.status == 302:
            assert resp.headers["Location"].startswith("/admin/login")
        for user in ACCOUNTS:
            if user in {r.value for r in roles}:
                continue
            csrf = await login(client, user)
            resp = await client.request(method, _url(path), headers={"X-CSRF-Token": csrf}, allow_redirects=False)
            assert resp.status == 403, (user, method, path, resp.status)
            checked += 1
    assert checked > 50


async def test_post_without_csrf_is_refused_and_audit_is_written(client: TestClient[Any, Any]) -> None:
    await login(client, "admin")
    resp = await client.post("/admin/accounts", data={"username": "zhang", "role_editor": "on"})
    assert resp.status == 403 and "CSRF" in await resp.text()
    csrf = await login(client, "admin")
    resp = await client.post("/admin/accounts", data={"username": "zhang", "role_editor": "on", "_csrf": csrf})
    html = await resp.text()
    password = re.search(r'id="new-password">([^<]+)<', html)
    assert resp.status == 200 and password
    await login(client, "zhang", password.group(1))  # the generated password works
    resp = await client.get("/admin/accounts", allow_redirects=False)
    assert resp.status == 403  # an editor is not an admin
    async with client.app[RUNTIME].db.session() as s:
        actions = [a.action for a in await s.scalars(select(AuditEntry))]
    assert "account.create" in actions


async def test_wrong_password_is_refused(client: TestClient[Any, Any]) -> None:
    resp = await client.post("/admin/login", data={"username": "editor", "password": "nope-nope-nope"})
    assert resp.status == 401 and "不正确" in await resp.text()


async def test_password_guessing_is_slowed_down_and_audited(client: TestClient[Any, Any], clock: Any) -> None:
    for _ in range(5):
        resp = await client.post("/admin/login", data={"username": "editor", "password": "guess"})
        assert resp.status == 401
    resp = await client.post("/admin/login", data={"username": "editor", "password": PASSWORD})
    assert resp.status == 429 and "15 分钟后再试" in await resp.text()  # even the right password waits
    await login(client, "admin")  # another account is not affected
    clock.advance(timedelta(minutes=15))
    await login(client, "editor")
    async with client.app[RUNTIME].db.session() as s:
        actions = [a.action for a in await s.scalars(select(AuditEntry).where(AuditEntry.actor == "console:editor"))]
    assert actions.count("login.failed") == 5 and actions.count("login") == 1


async def test_sign_in_posted_from_another_site_is_refused(client: TestClient[Any, Any]) -> None:
    data = {"username": "editor", "password": PASSWORD, "next": "/admin/"}
    resp = await client.post("/admin/login", data=data, headers={"Origin": "https://evil.example"})
    assert resp.status == 403 and "请求来源不明" in await resp.text()
    origin = f"http://{client.host}:{client.port}"
    resp = await client.post("/admin/login", data=data, headers={"Origin": origin})
    assert resp.status == 200 and "csrf-token" in await resp.text()


async def _chat(client: TestClient[Any, Any], text: str) -> str:
    resp = await client.post("/webhooks/rest/webhook", json={"sender": "citizen-9", "message": text})
    return " ".join(m.get("text", "") for m in await resp.json())


async def test_publishing_an_edit_changes_the_chat_answer_and_rollback_restores_it(
    client: TestClient[Any, Any],
) -> None:
    faq = client.app[FAQ_IDS]["居住证怎么办理"]
    assert "政务服务中心" in await _chat(client, "居住证怎么办理")
    csrf = await login(client, "editor")
    form = {
        "_csrf": csrf,
        "question": "居住证怎么办理",
        "similar_questions": "办居住证要什么材料",
        "answer": "居住证现在可以在粤省事小程序上全程网办。",
        "item_id": "",
        "category": "",
        "tags": "",
    }
    resp = await client.post(f"/admin/kb/faq/{faq}", data=form)
    assert resp.status == 200
    page = await (await client.get(f"/admin/kb/faq/{faq}")).text()
    assert "<ins>" in page  # the diff against the published version
    assert "政务服务中心" in await _chat(client, "居住证怎么办理")  # the draft does not answer yet
    for to in ("review", "published"):
        resp = await client.post(f"/admin/kb/faq/{faq}/status", data={"_csrf": csrf, "to": to})
        assert resp.status == 200
    assert "粤省事" in await _chat(client, "居住证怎么办理")
    # roll back to version 1 and publish again
    await client.post(f"/admin/kb/faq/{faq}/rollback", data={"_csrf": csrf, "version": "1"})
    for to in ("review", "published"):
        await client.post(f"/admin/kb/faq/{faq}/status", data={"_csrf": csrf, "to": to})
    assert "政务服务中心" in await _chat(client, "居住证怎么办理")
    async with client.app[RUNTIME].db.session() as s:
        actions = [a.action for a in await s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert {"kb.edit", "kb.review", "kb.published", "kb.rollback"} <= set(actions)


async def test_unanswered_group_becomes_an_faq(client: TestClient[Any, Any]) -> None:
    for q in ["垃圾分类怎么投放", "垃圾分类怎么投放呢", "小区垃圾分类怎么投放"]:
        await _chat(client, q)
    csrf = await login(client, "editor")
    page = await (await client.get("/admin/kb/unanswered")).text()
    assert "垃圾分类怎么投放" in page
    async with client.app[RUNTIME].db.session() as s:
        ids = [r.id for r in await s.scalars(select(UnansweredQuestion))]
    resp = await client.post(
        "/admin/kb/unanswered/faq",
        data={
            "_csrf": csrf,
            "ids": ",".join(map(str, ids)),
            "question": "垃圾分类怎么投放",
            "similar_questions": "小区垃圾分类怎么投放",
            "answer": "请按可回收物、有害垃圾、厨余垃圾和其他垃圾分开投放。",
        },
    )
    assert resp.status == 200 and "已由未答问题新建问答草稿" in await resp.text()
    async with client.app[RUNTIME].db.session() as s:
        left = [r for r in await s.scalars(select(UnansweredQuestion)) if r.resolved_at is None]
    assert left == []


async def test_hittest_shows_scores_and_decision(client: TestClient[Any, Any]) -> None:
    await login(client, "editor")
    body = await (await client.get("/api/kb/hittest", params={"q": "营业执照在哪里办"})).json()
    assert body["decision"] == "answer"
    top = body["candidates"][0]
    assert top["title"] == "营业执照在哪里办" and top["fused"] > 0 and "lexical" in top and "dense" in top
    assert body["thresholds"]["answer"] > body["thresholds"]["suggest"]


async def test_import_validates_before_applying(client: TestClient[Any, Any]) -> None:
    csrf = await login(client, "editor")
    bad = "标准问题,答案\n没有答案的问题,\n".encode("utf-8-sig")
    from aiohttp import FormData

    fd = FormData()
    fd.add_field("_csrf", csrf)
    fd.add_field("apply", "1")
    fd.add_field("file", bad, filename="faq.csv", content_type="text/csv")
    resp = await client.post("/admin/kb/import", data=fd)
    assert resp.status == 400 and "校验未通过" in await resp.text()
    resp = await client.get("/admin/kb/export.xlsx")
    assert resp.status == 200 and (await resp.read())[:2] == b"PK"


async def test_openapi_lists_every_api_route(client: TestClient[Any, Any]) -> None:
    doc = await (await client.get("/api/openapi.json")).json()
    for method, path in client.app[ROUTE_ROLES]:
        if path.startswith("/api"):
            assert method.lower() in doc["paths"][path], (method, path)


async def test_bearer_token_and_console_session_both_reach_the_ticket_api(
    client: TestClient[Any, Any],
) -> None:
    await login(client, "supervisor")
    resp = await client.get("/api/tickets/stats", params={"from": "2026-11-01", "to": "2026-12-01"})
    assert resp.status == 200
    client.session.cookie_jar.clear()
    resp = await client.get("/api/tickets", headers={"Authorization": "Bearer wrong"})
    assert resp.status == 401
