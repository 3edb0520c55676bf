"""Console pages of dispatching: the objection review, assisting departments, the versioned dispatch catalogue
(and its aliases used by the router and by name matching), and styled Chinese error pages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from govchat.app import RUNTIME, create_app
from govchat.runtime import Runtime, build_runtime
from kernel.config import Settings
from kernel.identity import Actor, Role
from office_flows.directory.demo import load_demo_directory
from office_flows.routing import catalogue
from office_flows.tickets.models import Ticket
from tests.support.admin_rig import login, seed
from tests.support.office_rig import who


@pytest.fixture
async def client(sqlite_settings: Settings, clock: Any) -> AsyncIterator[TestClient[Any, Any]]:
    runtime = await build_runtime(sqlite_settings, clock=clock, load_model=False)
    async with runtime.db.session() as s:
        await load_demo_directory(s)
    app = create_app(runtime, background=False)
    await seed(runtime)
    async with TestClient(TestServer(app)) as c:
        yield c


def rt_of(client: TestClient[Any, Any]) -> Runtime:
    return client.app[RUNTIME]


async def new_ticket(rt: Runtime) -> str:
    citizen = Actor("web", "citizen-3", frozenset({Role.CITIZEN}))
    created = await rt.tickets.create(
        kind="投诉",
        content="梅江区江南路夜市占道经营到凌晨，油烟很大",
        channel="web",
        sender="citizen-3",
        actor=citizen,
    )
    return created.code


async def test_missing_department_is_a_styled_page_and_no_model_is_explained(client: TestClient[Any, Any]) -> None:
    code = await new_ticket(rt_of(client))
    csrf = await login(client, "dispatcher")
    page = await (await client.get("/admin/tickets")).text()
    assert "尚未训练分派模型" in page and "未训练分派模型" in page and ">无<" not in page
    resp = await client.post(f"/admin/tickets/{code}/dispatch", data={"_csrf": csrf, "department": ""})
    html = await resp.text()
    assert resp.status == 400 and "<title>请求有误" in html and "没有分类建议，请指明派往哪个部门" in html
    assert "请在下拉框中选择承办部门" in html and "/派单" not in html  # never a chat command to a web user
    assert 'href="/admin/static/console.css"' in html  # the console's own layout


async def test_console_errors_are_styled_chinese_pages(client: TestClient[Any, Any]) -> None:
    await login(client, "dispatcher")
    missing = await client.get("/admin/no-such-page")
    assert missing.status == 404 and "页面不存在" in await missing.text() and "console.css" in await missing.text()
    forbidden = await client.get("/admin/accounts")
    assert forbidden.status == 403 and "无权访问" in await forbidden.text() and "您的角色无权" in await forbidden.text()
    await login(client, "supervisor")
    bad = await client.get("/admin/dashboard?from=2026-12-01&to=2026-11-01")
    text = await bad.text()
    assert bad.status == 400 and "统计区间无效" in text and "console.css" in text
    api = await client.get("/api/tickets/objections")
    assert api.content_type == "application/json"  # the API keeps JSON errors


async def test_objection_review_and_assist_in_the_console(client: TestClient[Any, Any]) -> None:
    rt = rt_of(client)
    code = await new_ticket(rt)
    await rt.tickets.dispatch(code, await who(rt.db, "demo-zhongli"), "住建局")
    zj = await who(rt.db, "demo-yechunmei")
    await rt.tickets.sign(code, zj)
    await rt.tickets.return_(code, zj, "非本部门职责", "占道经营属城管执法职责")
    csrf = await login(client, "dispatcher")
    page = await (await client.get("/admin/tickets")).text()
    assert re.search(rf"{code}[\s\S]*梅江区住房和城乡建设局[\s\S]*非本部门职责[\s\S]*占道经营属城管执法职责", page)
    assert re.search(r'id="objection-counts"[\s\S]*梅江区住房和城乡建设局</td><td class="num">1</td>', page)
    empty = await client.post(f"/admin/tickets/{code}/review", data={"_csrf": csrf, "decision": "reject", "ruling": ""})
    assert empty.status == 409 and "须写明裁定意见" in await empty.text()
    ok = await client.post(
        f"/admin/tickets/{code}/review", data={"_csrf": csrf, "decision": "accept", "department": "MJ-CGJ"}
    )
    assert ok.status == 200 and "已同意退单并改派梅江区城市管理和综合执法局" in await ok.text()
    assisted = await client.post(
        "/admin/tickets/assist", data={"_csrf": csrf, "code": code, "departments": ["MJ-SJJ", "MJ-STJ"]}
    )
    assert "已指定协办部门：梅江区市场监督管理局、梅州市生态环境局梅江分局" in await assisted.text()
    lead = await client.post("/admin/tickets/assist", data={"_csrf": csrf, "code": code, "departments": ["MJ-CGJ"]})
    assert lead.status == 400 and "主办部门，不能同时协办" in await lead.text()


async def test_catalogue_edit_is_versioned_used_by_matching_and_restorable(client: TestClient[Any, Any]) -> None:
    rt = rt_of(client)
    code = await new_ticket(rt)
    csrf = await login(client, "dispatcher")
    page = await (await client.get("/admin/catalogue")).text()
    assert "派单目录（第 1 版）" in page and "城管局" in page and "梅江区城市管理和综合执法局" in page
    api = await (await client.get("/api/tickets/catalogue")).json()
    data = {"departments": api["departments"], "categories": api["categories"], "note": "城管增加简称“执法队”"}
    for d in data["departments"]:
        if d["name"] == "梅江区城市管理和综合执法局":
            d["aliases"].append("执法队")
    clash = {**data, "departments": [*data["departments"], {"name": "某局", "aliases": ["执法队"]}]}
    refused = await client.put("/api/tickets/catalogue", json=clash, headers={"X-CSRF-Token": csrf})
    assert refused.status == 400 and "同时属于" in (await refused.json())["error"]
    saved = await client.put("/api/tickets/catalogue", json=data, headers={"X-CSRF-Token": csrf})
    assert saved.status == 200 and (await saved.json())["version"] == 2
    # the new alias works where a dispatcher types a department name
    await rt.tickets.dispatch(code, await who(rt.db, "demo-zhongli"), "执法队")
    async with rt.db.session() as s:
        assert await s.scalar(select(Ticket.department_code).where(Ticket.code == code)) == "MJ-CGJ"
    # the console form: an unknown department for a category is refused on the page, nothing saved
    form = await client.post(
        "/admin/catalogue",
        data={
            "_csrf": csrf,
            "name": "梅江区教育局",
            "aliases": "教育局",
            "matters": "学位",
            "category": "教育文体",
            "category_department": "不存在的局",
        },
    )
    assert form.status == 400 and "不在目录的部门中" in await form.text()
    restored = await client.post("/admin/catalogue/restore/1", data={"_csrf": csrf})
    assert "已恢复第 1 版的内容（保存为第 3 版）" in await restored.text()
    async with rt.db.session() as s:
        current = await catalogue.current(s)
        history = [(v.version, v.note) for v in await catalogue.versions(s)]
    assert current is not None and current.match("执法队") is None and current.match("城管局")
    assert history == [(3, "恢复为第 1 版"), (2, "城管增加简称“执法队”"), (1, "初始目录")]
    assert rt.tickets.router is not None and rt.tickets.router.departments.department_of("城市管理") == (  # type: ignore[attr-defined]
        "梅江区城市管理和综合执法局"
    )
    gone = await client.post("/admin/catalogue/restore/99", data={"_csrf": csrf})
    assert gone.status == 404 and "没有第 99 版派单目录" in await gone.text()
