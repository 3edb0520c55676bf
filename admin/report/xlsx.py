"""The month's report as XLSX: one sheet per section, named in Chinese; numbers are numbers (rates in percent
format), dates are dates, columns sized to their content, header rows frozen."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kernel.clock import SHANGHAI
from kernel.spreadsheet import mark_xlsx_text
from office_flows.reports.month import MonthReport, TicketLine
from office_flows.reports.quality import NO_DATA
from office_flows.reports.rates import LOWER_IS_BETTER, Rate

PERCENT = "0.0%"
WHEN = "yyyy-mm-dd hh:mm"
HEAD_FILL = PatternFill("solid", fgColor="E2EAF4")
MAX_WIDTH = 60


def _local(at: datetime | None) -> datetime | None:
    return at.astimezone(SHANGHAI).replace(tzinfo=None) if at else None  # Excel has no time zones


def _width(value: Any) -> int:
    if isinstance(value, float):
        return 8  # shown as "100.0%" or with two decimals
    text = value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value if value is not None else "")
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def _sheet(
    wb: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]], percent: Sequence[int] = ()
) -> Worksheet:
    ws = wb.create_sheet(title)
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
    widths = [_width(h) for h in header]
    for row in ws.iter_rows(min_row=2):
        for i, cell in enumerate(row):
            if isinstance(cell.value, datetime):
                cell.number_format = WHEN
            if i in percent and isinstance(cell.value, float):
                cell.number_format = PERCENT
            if isinstance(cell.value, str) and len(cell.value) > MAX_WIDTH // 2:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths[i] = max(widths[i], _width(cell.value))
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = min(MAX_WIDTH, w + 2)
    mark_xlsx_text(ws)  # citizens' words never become formulas
    ws.freeze_panes = "A2"
    return ws


def _rate_rows(rates: list[Rate]) -> list[list[Any]]:
    return [
        [x.label, x.rate, x.good, x.total, "越低越好" if x.key in LOWER_IS_BETTER else "越高越好", x.definition]
        for x in rates
    ]


def _ticket_rows(lines: list[TicketLine]) -> list[list[Any]]:
    return [
        [t.code, t.department, t.kind, t.status, _local(t.created_at), _local(t.deadline_at), t.note, t.content]
        for t in lines
    ]


TICKET_HEADER = ["工单号", "部门", "类型", "状态", "受理时间", "办理期限", "情况", "内容"]


def report_xlsx(r: MonthReport) -> bytes:
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    overview: list[list[Any]] = [["统计月份", r.month], ["受理工单（件）", r.total]]
    overview += [["其中市民撤回（件）", r.withdrawn]]
    overview += [[x.label, x.rate] for x in r.beijing + r.guangdong]
    overview += [["超期工单（件）", r.overdue_total], ["发回重办（件）", r.reworked_total]]
    overview += [[f"{k}（件）", v] for k, v in r.bad_summary.items()]
    overview += [["未诉先办预警（条）", len(r.alerts)], ["生成时间", _local(r.generated_at)]]
    _sheet(wb, "概览", ["项目", "数值"], overview, percent=[1])
    volumes = [["按部门", k, v] for k, v in r.by_department]
    volumes += [["按类型", k, v] for k, v in r.by_kind] + [["按渠道", k, v] for k, v in r.by_channel]
    _sheet(wb, "受理量", ["分组", "名称", "件数"], volumes)
    _sheet(wb, "每日受理", ["日期", "件数"], [[d.isoformat(), n] for d, n in r.daily])
    _sheet(
        wb,
        "考核指标",
        ["指标", "数值", "达标", "总数", "方向", "口径"],
        _rate_rows(r.beijing + r.guangdong),
        percent=[1],
    )
    keys = [x.key for x in r.guangdong]
    dept_rows = []
    for dept in sorted(r.department_rates):
        rates = {x.key: x for x in r.department_rates[dept]}
        dept_rows.append([dept] + [rates[k].rate for k in keys] + [f"{rates[k].good}/{rates[k].total}" for k in keys])
    _sheet(
        wb,
        "部门指标",
        ["部门"] + [x.label for x in r.guangdong] + [f"{x.label}（达标/总数）" for x in r.guangdong],
        dept_rows,
        percent=list(range(1, len(keys) + 1)),
    )
    _sheet(wb, "超期工单", TICKET_HEADER, _ticket_rows(r.overdue))
    _sheet(wb, "发回重办", TICKET_HEADER, _ticket_rows(r.reworked))
    _sheet(
        wb,
        "差评整改",
        ["工单号", "部门", "评价（1-5）", "意见", "评价时间", "按时回访", "已整改", "再评价（1-5）"],
        [
            [
                b.code,
                b.department,
                b.level,
                b.comment,
                _local(b.at),
                "" if b.callback_on_time is None else ("是" if b.callback_on_time else "否"),
                "是" if b.rectified else "否",
                b.rerated,
            ]
            for b in r.bad
        ],
    )
    q = r.quality
    _sheet(
        wb,
        "质检",
        ["对象", "质检数", "问题数", "必须整改", "得分"],
        [[x.name, x.inspected, x.findings, x.must_fix, x.score] for x in q.rows] if q.available else [[NO_DATA]],
        percent=[4],
    )
    _sheet(
        wb,
        "热点问题",
        ["问题（代表性诉求）", "主要地点", "件数", "涉及部门", "未解决", "工单号"],
        [[t.title, t.place, t.count, "、".join(t.departments), t.unresolved, ",".join(t.codes[:50])] for t in r.topics],
    )
    _sheet(
        wb,
        "未诉先办预警",
        ["预警时间", "范围", "地点", "主题", "近一周件数", "前四周周均", "去年同期", "季节性提示", "工单号"],
        [
            [
                _local(a.created_at),
                "地点" if a.scope == "place" else "全区主题",
                a.place,
                a.title,
                a.current,
                round(a.baseline, 2),
                a.last_year,
                a.seasonal_note,
                ",".join(a.codes[:50]),
            ]
            for a in r.alerts
        ],
    )
    _sheet(
        wb,
        "每月一题候选",
        ["序号", "问题", "件数", "涉及部门", "未解决", "理由"],
        [
            [i, c.topic.title, c.topic.count, "、".join(c.topic.departments), c.topic.unresolved, c.reason]
            for i, c in enumerate(r.candidates, 1)
        ],
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
