"""Quality inspection end to end: tickets answered and rated through the real service, a handoff through the bot,
the inspection on closure and on the tick, the supervisors' chat command and console pages, sampling and verdicts."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from govchat.app import RUNTIME, create_app
from govchat.runtime import Runtime, build_runtime
from kernel.config import Settings
from kernel.identity import StaticRoles
from office_flows.directory.resolver import DirectoryIdentity
from office_flows.handoff.service import HandoffConfig
from office_flows.quality.models import Finding, Inspection
from tests.support.admin_rig import login, seed, seed_rated_tickets
from tests.support.dialogue import Turn, verify_dialog

SUP = "@sup:localhost"
OP = "@op:localhost"
CITIZEN = "@citizen:localhost"
MONTH = "2026-11"  # the test clock's month


@pytest.fixture
async def client(sqlite_settings: Settings, clock: Any) -> AsyncIterator[TestClient[Any, Any]]:
    runtime = await build_runtime(sqlite_settings, clock=clock, load_model=False)
    await seed(runtime)
    runtime.bot.services.handoff.config = HandoffConfig()
    async with TestClient(TestServer(create_app(runtime, background=False))) as c:
        yield c


def chat(who: str, says: str, expect: Any) -> Turn:
    return Turn(says, expect, who=who, channel="matrix")


async def post(client: TestClient[Any, Any], path: str, csrf: str, **data: str) -> str:
    resp = await client.post(path, data={"_csrf": csrf, **data}, allow_redirects=False)
    assert resp.status == 302, (path, resp.status, await resp.text())
    return unquote(resp.headers["Location"])


async def counts(rt: Runtime) -> tuple[int, int]:
    async with rt.db.session() as s:
        inspections = await s.scalar(select(func.count()).select_from(Inspection))
        findings = await s.scalar(select(func.count()).select_from(Finding))
    return int(inspections or 0), int(findings or 0)


async def test_inspection_from_closure_to_verdicts(client: TestClient[Any, Any]) -> None:
    rt = client.app[RUNTIME]
    # Chat identities sit beside the demo directory (whose people speak on the web chat).
    codes = await seed_rated_tickets(rt)
    rt.bot.services.identity = DirectoryIdentity(
        rt.db, StaticRoles(f"{SUP}=supervisor,{OP}=operator"), staff_channels=frozenset({"web", "matrix"})
    )
    good, bad = codes["good"][0], codes["bad"][0]

    # Inspected when answered (the reply names the result only): evidence quotes the reply.
    await verify_dialog(
        rt,
        [
            chat(
                SUP,
                f"/质检 {good}",
                re.compile(
                    rf"工单 {good} 质检：80 分，必改 1 条[\s\S]*答复缺少依据、联系方式[\s\S]*"
                    r"原文：“已责令施工单位停止夜间施工”[\s\S]*无法判断"
                ),
            ),
            chat(CITIZEN, f"/质检 {good}", "仅限督办人员"),
            chat(SUP, "/质检 12345", "工单编号格式不对"),
        ],
    )

    # A bad rating not called back within its working day: found by the tick once the deadline passed.
    rt.clock.advance(timedelta(days=4))
    fired = await rt.ticker.tick()
    assert fired["quality"] >= 1
    await verify_dialog(rt, [chat(SUP, f"/质检 {bad}", re.compile(r"差评后未在时限内回访[\s\S]*回访 未回访"))])
    assert (await rt.ticker.tick())["quality"] == 0  # idempotent: nothing changed, nothing re-inspected
    before = await counts(rt)
    assert before[0] == 4  # the three tickets, and the citizen's conversation with the bot (its /质检 refused)

    # A handoff taken after 5 minutes, with a forbidden phrase: the conversation's inspection.
    await verify_dialog(rt, [("web-9", "人工", "正在为您转接人工客服")])
    rt.clock.advance(timedelta(minutes=5))
    await verify_dialog(
        rt,
        [
            chat(OP, "/接入 1", "已接入 #1"),
            chat(OP, "这个不归我们管，你打别的电话吧。", []),
            chat(OP, "/结束", "已交还"),
        ],
    )
    assert (await rt.ticker.tick())["quality"] == 1
    await verify_dialog(rt, [chat(SUP, "/质检", re.compile(rf"{MONTH} 质检：已检 5 件[\s\S]*必改问题"))])

    # The console: scores, drill-down to a department's findings, a ticket and a transcript.
    csrf = await login(client, "supervisor")
    page = await (await client.get(f"/admin/quality?month={MONTH}")).text()
    assert "梅江区城市管理和综合执法局" in page and "本月已检 <b>5</b> 件" in page
    drill = await (await client.get(f"/admin/quality/findings?month={MONTH}&department=MJ-CGJ")).text()
    assert good in drill and "答复缺少依据、联系方式" in drill and "人工对话" not in drill
    ticket = await (await client.get(f"/admin/quality/ticket/{good}")).text()
    assert "已责令施工单位停止夜间施工" in ticket and "无法判断" in ticket
    convo = await (await client.get("/admin/quality/conversation/1")).text()
    assert "不归我们管" in convo and "市民等待 5.0 分钟后接入" in convo and "服务禁语" in convo

    # Stratified sample, verdicts, and the measured precision.
    assert "分层抽取" in await post(client, "/admin/quality/sample", csrf, month=MONTH, per_cell="1")
    review = await (await client.get(f"/admin/quality/findings?month={MONTH}&review=1")).text()
    assert "待复核抽样" in review
    async with rt.db.session() as s:
        ids = list(await s.scalars(select(Finding.id).where(Finding.rule == "reply_elements").order_by(Finding.id)))
    assert len(ids) == 3
    back_to = "/admin/quality?month=" + MONTH
    assert "成立" in await post(client, f"/admin/quality/findings/{ids[0]}/verdict", csrf, verdict="成立", next=back_to)
    said = await post(client, f"/admin/quality/findings/{ids[1]}/verdict", csrf, verdict="不成立", note="口头告知")
    assert "不成立" in said
    assert "复核结论只能是" in await post(client, f"/admin/quality/findings/{ids[2]}/verdict", csrf, verdict="也许")
    assert "没有编号为 999" in await post(client, "/admin/quality/findings/999/verdict", csrf, verdict="成立")
    page = await (await client.get(f"/admin/quality?month={MONTH}")).text()
    assert re.search(r"答复要素不全[^<]*</td><td>3</td><td>2</td><td>1</td><td>50.0%", page), page
    assert "月份格式" in unquote(
        (await client.get("/admin/quality?month=2026-13", allow_redirects=False)).headers["Location"]
    )

    # Archiving re-inspects the ticket at once (closure hook); the reviewer's verdict stays with the finding.
    dispatcher = await rt.bot.services.identity.whois("web", "demo-zhongli")
    await rt.tickets.archive(good, dispatcher)
    async with rt.db.session() as s:
        kept = (
            await s.execute(
                select(Finding.id, Finding.verdict, Inspection.inspected_at)
                .join(Inspection, Inspection.id == Finding.inspection_id)
                .where(Inspection.ref == good, Finding.rule == "reply_elements")
            )
        ).one()
    assert kept[0] != ids[0] and kept[1] == "成立" and kept[2] == rt.clock.now()
    assert (await rt.ticker.tick())["quality"] == 0


async def test_operators_cannot_see_inspection(client: TestClient[Any, Any]) -> None:
    await login(client, "operator")
    assert (await client.get("/admin/quality")).status == 403
