"""Server-rendered pages: one Jinja2 environment, a render helper and small form readers."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from admin.guard import ADMINS, DISPATCH, EDITORS, HANDOFF, PRINCIPAL, REPORT, SUPERVISE, Principal
from kernel.appkeys import DEMO_MODE
from kernel.clock import SHANGHAI
from kernel.identity import ROLE_LABELS
from kernel.spreadsheet import mark_xlsx_text

HERE = Path(__file__).resolve().parent
NAV = [
    ("/admin/kb", "知识库", EDITORS),
    ("/admin/kb/hittest", "命中测试", EDITORS),
    ("/admin/kb/unanswered", "未答问题", EDITORS),
    ("/admin/kb/import", "批量导入导出", EDITORS),
    ("/admin/tickets", "工单派发", DISPATCH),
    ("/admin/catalogue", "派单目录", DISPATCH),
    ("/admin/handoff", "人工转接", HANDOFF),
    ("/admin/dashboard", "督办看板", SUPERVISE),
    ("/admin/quality", "质检", SUPERVISE),
    ("/admin/alerts", "未诉先办", SUPERVISE),
    ("/admin/report", "月度报告", REPORT),
    ("/admin/accounts", "账号管理", ADMINS),
    ("/admin/audit", "操作日志", ADMINS),
]


def _fmt(at: datetime | None) -> str:
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if at else "—"


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True}
env.filters["dt"] = _fmt
env.filters["pct"] = _pct
env.globals["ROLE_LABELS"] = {r.value: label for r, label in ROLE_LABELS.items()}


def render(request: web.Request, template: str, *, http_status: int = 200, **ctx: Any) -> web.Response:
    p: Principal | None = request.get(PRINCIPAL)
    nav = [(href, label) for href, label, roles in NAV if p is not None and p.roles & roles]
    html = env.get_template(template).render(
        me=p,
        csrf=p.csrf if p else "",
        nav=nav,
        path=request.path,
        flash=request.query.get("msg", ""),
        demo=request.app.get(DEMO_MODE, False),
        **ctx,
    )
    return web.Response(text=html, content_type="text/html", status=http_status)


def back(location: str, message: str = "") -> web.HTTPFound:
    from urllib.parse import quote

    sep = "&" if "?" in location else "?"
    return web.HTTPFound(f"{location}{sep}msg={quote(message)}" if message else location)


async def form(request: web.Request) -> dict[str, str]:
    data = await request.post()
    return {k: v for k, v in data.items() if isinstance(v, str)}


def lines(text: str) -> list[str]:
    return [x.strip() for x in text.replace("\r", "").split("\n") if x.strip()]


def _width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def xlsx_response(
    filename: str,
    header: list[str],
    rows: list[list[Any]],
    *,
    sheet: str = "数据",
    percent_columns: set[int] | None = None,
) -> web.Response:
    """One named sheet; numbers stay numbers (rates in ``percent_columns`` get a percent format), the header is
    frozen and each column is sized to its content."""
    from urllib.parse import quote

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append(header)
    for r in rows:
        ws.append(r)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    # Citizens write ticket texts and rating comments: "=HYPERLINK(…)" must stay text, never a formula.
    mark_xlsx_text(ws)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if percent_columns and cell.column - 1 in percent_columns and isinstance(cell.value, int | float):
                cell.number_format = "0.0%"
    for i, column in enumerate(ws.iter_cols(min_row=1, max_row=min(ws.max_row, 500)), start=1):
        widest = max((_width(c.value) for c in column), default=8)
        ws.column_dimensions[get_column_letter(i)].width = min(max(widest + 2, 8), 60)
    buf = io.BytesIO()
    wb.save(buf)
    return web.Response(
        body=buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )
