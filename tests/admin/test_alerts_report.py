"""未诉先办 pages and the monthly report through the console (aiohttp client) and the ``govchat`` CLI:
the alert lists its tickets; the report button gives a PDF whose text reads in Chinese and an XLSX whose
rates are numbers in percent format."""

from __future__ import annotations

import asyncio
import io
import os
import random
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook
from sqlalchemy import insert, update

from govchat.app import create_app
from govchat.runtime import Runtime, build_runtime
from kernel.clock import SHANGHAI, FakeClock
from kernel.config import Settings
from office_flows.tickets.models import Ticket
from tests.support.admin_rig import login, seed
from tests.support.env import ROOT
from tests.support.report_data import seed_month
from tests.support.topic_data import surge

pytestmark = pytest.mark.slow
NOV, DEC = datetime(2026, 11, 1, tzinfo=SHANGHAI), datetime(2026, 12, 1, tzinfo=SHANGHAI)
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)
PLACE = "梅江区江南街道鸿都社区"


def _text(pdf: bytes) -> tuple[int, str]:
    """Page count and the text as PDFium (Chrome's PDF engine) extracts it, whitespace removed."""
    doc = pdfium.PdfDocument(pdf)
    try:
        pages = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
        return len(pages), re.sub(r"\s+", "", "".join(pages))
    finally:
        doc.close()


def _check_xlsx(body: bytes) -> Any:
    wb = load_workbook(io.BytesIO(body))
    assert {
        "概览",
        "受理量",
        "考核指标",
        "部门指标",
        "超期工单",
        "差评整改",
        "质检",
        "未诉先办预警",
        "每月一题候选",
    } <= set(wb.sheetnames)
    rates = {row[0].value: row[1] for row in wb["考核指标"].iter_rows(min_row=2)}
    for label in (
        "响应率",
        "解决率",
        "满意率（北京口径）",
        "按期签收率",
        "按时办结率",
        "满意率",
        "回访率",
        "发回重办率",
    ):
        cell = rates[label]
        assert isinstance(cell.value, float) and 0 <= cell.value <= 1, (label, cell.value)
        assert cell.number_format == "0.0%"
    assert wb["考核指标"].column_dimensions["F"].width > 20  # the definitions' column is sized to them
    assert wb["质检"]["A2"].value == "质检数据暂无"
    return wb


@pytest.fixture
async def rt(sqlite_settings: Settings, encoder: Any) -> AsyncIterator[Runtime]:
    runtime = await build_runtime(sqlite_settings, clock=FakeClock(NOW), encoder=encoder)
    await seed(runtime)
    yield runtime
    await runtime.close()


async def test_alert_pages_and_the_report_button(rt: Runtime) -> None:
    rng = random.Random(3)
    await seed_month(rt.db, NOV, DEC, 400, rng, NOW)
    run_day = DEC - timedelta(days=1)  # the run of November 30th: its window is November 23rd to 29th
    burst = surge(run_day, "停水", PLACE, 15, rng, start_index=90_000)
    async with rt.db.session() as s:
        await s.execute(insert(Ticket), burst)
    assert rt.alerts is not None and isinstance(rt.clock, FakeClock)
    rt.clock.set(run_day + timedelta(hours=6))
    report = await rt.alerts.run(run_day)
    rt.clock.set(NOW)
    assert report is not None
    gone = ["GR0000000000000", "GR0000000000001", "GR0000000000002"]
    async with rt.db.session() as s:  # three citizens withdrew theirs (撤单): still received, said apart
        await s.execute(update(Ticket).where(Ticket.code.in_(gone)).values(status="withdrawn"))
    alert = next(a for a in report.alerts if a.place == PLACE)

    client: TestClient[Any, Any] = TestClient(TestServer(create_app(rt, background=False)))
    await client.start_server()
    try:
        await login(client, "supervisor")
        html = await (await client.get("/admin/alerts")).text()
        assert PLACE in html and f'href="/admin/alerts/{alert.id}"' in html and alert.title in html
        html = await (await client.get(f"/admin/alerts/{alert.id}")).text()
        # the surge's tickets, listed (a few worded as "水压很低" may form a topic of their own)
        assert sum(1 for r in burst if r["code"] in html) >= 10
        assert "去年同期该主题 0 件" in html

        page = await (await client.get("/admin/report")).text()
        assert "生成 PDF" in page and "生成 XLSX" in page and 'value="2026-11"' in page
        resp = await client.get("/admin/report/go", params={"month": "2026-11", "fmt": "xlsx"})
        assert resp.status == 200 and resp.url.path == "/admin/report/2026-11.xlsx"
        wb = _check_xlsx(await resp.read())
        alerts_sheet = [[c.value for c in row] for row in wb["未诉先办预警"].iter_rows(min_row=2)]
        assert [r for r in alerts_sheet if r[2] == PLACE and r[4] == alert.current]
        assert wb["概览"]["B3"].value == 400 + 15  # tickets created in November, the surge included
        assert (wb["概览"]["A4"].value, wb["概览"]["B4"].value) == ("其中市民撤回（件）", 3)

        resp = await client.get("/admin/report/2026-11.pdf")
        assert resp.status == 200 and resp.content_type == "application/pdf"
        pages, text = _text(await resp.read())
        assert pages >= 6
        assert "本月受理415件（已合并的重复诉求不计，其中3件由市民撤回）" in text
        for words in ("2026年11月诉求数据分析报告", "北京三率", "广东五率", "响应率", "质检数据暂无", "每月一题"):
            assert words in text, words

        resp = await client.get("/admin/report/go", params={"month": "2026-13"})
        assert resp.status == 400 and "月份格式应为 YYYY-MM" in await resp.text()
        resp = await client.get("/admin/report/2027-01.pdf")
        assert resp.status == 400 and "尚未开始" in await resp.text()
        await login(client, "department_head")  # district-wide figures are for supervisors
        assert (await client.get("/admin/report/2026-11.pdf")).status == 403
    finally:
        await client.close()


def _govchat(*args: str, data_dir: Path, model: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOVCHAT_DATA_DIR": str(data_dir), "GOVCHAT_EMBEDDING_MODEL": str(model)}
    return subprocess.run(
        [sys.executable, "-m", "govchat.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


async def test_the_cli_writes_the_months_pdf_and_xlsx(
    sqlite_settings: Settings, model_path: Path, tmp_path: Path
) -> None:
    rt = await build_runtime(sqlite_settings, clock=FakeClock(NOW), load_model=False)
    try:
        await seed_month(rt.db, NOV, DEC, 300, random.Random(9), NOW)
    finally:
        await rt.close()
    out = tmp_path / "out"
    done = await asyncio.to_thread(
        _govchat, "report", "month", "2026-11", "--out", str(out), data_dir=sqlite_settings.data_dir, model=model_path
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "已生成 2026-11 月度分析报告：工单 300 件" in done.stderr
    pdf = out / "12345月度分析报告-2026-11.pdf"
    pages, text = _text(pdf.read_bytes())
    assert pages >= 6 and "热点问题与未诉先办预警" in text and "按时办结率" in text
    assert "每月一题”候选" in text
    _check_xlsx((out / "12345月度分析报告-2026-11.xlsx").read_bytes())
    bad = await asyncio.to_thread(
        _govchat, "report", "month", "11/2026", "--out", str(out), data_dir=sqlite_settings.data_dir, model=model_path
    )
    assert bad.returncode == 2 and "月份格式应为 YYYY-MM" in bad.stderr  # a clear error, nothing written
    assert sorted(p.name for p in out.iterdir()) == ["12345月度分析报告-2026-11.pdf", "12345月度分析报告-2026-11.xlsx"]


def test_a_month_that_has_not_begun_is_refused() -> None:
    from office_flows.reports.month import ReportError, month_span

    assert month_span("2026-11") == (NOV, DEC)
    with pytest.raises(ReportError, match="月份格式"):
        month_span("2026-1")
    assert timedelta(days=30) == DEC - NOV
