"""``govchat report month YYYY-MM --out DIR`` (the monthly analysis report) and ``govchat alerts run``."""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from govchat.cli_common import progress, settings_of
from kernel.clock import SHANGHAI, SystemClock

if TYPE_CHECKING:
    from kernel.db import Database
    from office_flows.alerts.service import AlertService


async def _alert_service(args: argparse.Namespace, *, with_model: bool) -> tuple[Database, AlertService | None]:
    from govchat.runtime import alert_rules, load_encoder, open_database
    from office_flows.alerts.service import AlertService

    settings = settings_of(args)
    db = await open_database(settings)
    encoder = await asyncio.to_thread(load_encoder, settings, progress) if with_model else None
    alerts = AlertService(db, SystemClock(), encoder, alert_rules(settings), settings.alert_hour) if encoder else None
    return db, alerts


def report_files(out: Path, month: str) -> tuple[Path, Path]:
    return out / f"12345月度分析报告-{month}.pdf", out / f"12345月度分析报告-{month}.xlsx"


def cmd_report_month(args: argparse.Namespace) -> int:
    from admin.report.fonts import NoChineseFont
    from admin.report.pdf import report_pdf
    from admin.report.xlsx import report_xlsx
    from office_flows.reports.month import ReportError, build_month_report, month_span
    from office_flows.reports.quality import inspection_findings

    try:
        month_span(args.month)
    except ReportError as exc:
        progress(str(exc))
        return 2
    out = Path(args.out)

    async def body() -> int:
        db, alerts = await _alert_service(args, with_model=not args.no_topics)
        try:
            report = await build_month_report(
                db, args.month, SystemClock().now(), alerts=alerts, quality=inspection_findings
            )
        except ReportError as exc:
            progress(str(exc))
            return 2
        finally:
            await db.dispose()
        try:
            pdf, xlsx = await asyncio.to_thread(report_pdf, report), await asyncio.to_thread(report_xlsx, report)
        except NoChineseFont as exc:
            progress(str(exc))
            return 2
        out.mkdir(parents=True, exist_ok=True)
        pdf_path, xlsx_path = report_files(out, args.month)
        pdf_path.write_bytes(pdf)
        xlsx_path.write_bytes(xlsx)
        print(pdf_path)
        print(xlsx_path)
        progress(
            f"已生成 {args.month} 月度分析报告：工单 {report.total} 件，"
            f"热点 {len(report.topics)} 个，预警 {len(report.alerts)} 条"
        )
        return 0

    return asyncio.run(body())


def cmd_alerts_run(args: argparse.Namespace) -> int:
    from office_flows.alerts.service import day_start

    async def body() -> int:
        db, alerts = await _alert_service(args, with_model=True)
        assert alerts is not None
        try:
            day = (
                datetime.fromisoformat(args.day).replace(tzinfo=SHANGHAI)
                if args.day
                else day_start(SystemClock().now())
            )
            report = await alerts.run(day_start(day))
        finally:
            await db.dispose()
        if report is None:
            progress(f"{day.date()} 的分析已由其他进程完成或正在进行。")
            return 1
        progress(
            f"{report.day}：工单 {report.tickets} 件（新编码 {report.encoded} 件），主题 {report.topics} 个，"
            f"新预警 {report.new_alerts} 条"
        )
        for a in report.alerts:
            print(f"{a.id}\t{a.place or '全区'}\t{a.title}\t{a.current}\t{a.baseline:.1f}\t{a.seasonal_note}")
        return 0

    return asyncio.run(body())


def add_report_commands(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="分析报告").add_subparsers(dest="report_command", required=True)
    month = report.add_parser("month", help="生成某月的诉求数据分析报告（PDF 和 XLSX）")
    month.add_argument("month", help="月份，如 2026-11")
    month.add_argument("--out", default=".", help="输出目录（默认当前目录）")
    month.add_argument("--no-topics", action="store_true", help="不加载向量模型（略去热点问题和每月一题候选）")
    month.set_defaults(func=cmd_report_month)
    alerts = sub.add_parser("alerts", help="未诉先办预警").add_subparsers(dest="alerts_command", required=True)
    run = alerts.add_parser("run", help="立即运行某天的热点分析与预警（每天一次；默认今天）")
    run.add_argument("--day", default="", help="日期 YYYY-MM-DD（窗口截至当天零点）")
    run.set_defaults(func=cmd_alerts_run)
