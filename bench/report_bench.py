"""The monthly report over a month of 10,000 tickets on SQLite: gathering the data (with the month's topics;
the first run encodes every ticket, later ones read the vector cache), the PDF and the XLSX, medians of
several runs, beside the dashboard's rate query for the same month (the baseline of the same run).

    .venv/bin/python -m bench.report_bench [--tickets 10000] [--runs 3] [--threads 2] [--out bench/results/report.json]
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import datetime
from typing import Any

from admin.report.pdf import report_pdf
from admin.report.xlsx import report_xlsx
from bench.alerts_bench import model_path
from bench.common import machine_speed, run_model_benchmark
from govchat.runtime import open_database
from kernel.clock import SHANGHAI, FakeClock
from kernel.config import load_settings
from knowledge_base.encoder import SentenceTransformerEncoder
from office_flows.alerts.service import AlertService
from office_flows.reports.month import build_month_report
from office_flows.tickets.stats import compute_for
from tests.support.report_data import seed_month

START, END = datetime(2026, 11, 1, tzinfo=SHANGHAI), datetime(2026, 12, 1, tzinfo=SHANGHAI)
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)


async def run(n: int, runs: int, threads: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(environ={}, data_dir=tmp, demo_data=False)
        db = await open_database(settings)
        await seed_month(db, START, END, n, random.Random(1), NOW)
        encoder = SentenceTransformerEncoder(str(model_path()), threads=threads)
        alerts = AlertService(db, FakeClock(NOW), encoder)

        t = time.perf_counter()
        await build_month_report(db, "2026-11", NOW, alerts=alerts)
        cold_s = time.perf_counter() - t
        data, pdf, xlsx, total, baseline = [], [], [], [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            report = await build_month_report(db, "2026-11", NOW, alerts=alerts)
            t1 = time.perf_counter()
            pdf_bytes = report_pdf(report)
            t2 = time.perf_counter()
            xlsx_bytes = report_xlsx(report)
            t3 = time.perf_counter()
            await compute_for(db, START, END, NOW)
            t4 = time.perf_counter()
            data.append(t1 - t0)
            pdf.append(t2 - t1)
            xlsx.append(t3 - t2)
            total.append(t3 - t0)
            baseline.append(t4 - t3)
        await db.dispose()
    med = statistics.median
    return {
        "tickets": n,
        "encoder_threads": threads,
        "first_report_data_s (encodes every ticket)": round(cold_s, 1),
        "report_s_median (data + PDF + XLSX)": round(med(total), 2),
        "data_s_median": round(med(data), 2),
        "pdf_s_median": round(med(pdf), 2),
        "xlsx_s_median": round(med(xlsx), 2),
        "baseline_dashboard_rates_s_median": round(med(baseline), 2),
        "report_over_baseline": round(med(total) / med(baseline), 1),
        "pdf_bytes": len(pdf_bytes),
        "xlsx_bytes": len(xlsx_bytes),
        "topics": len(report.topics),
        "candidates": len(report.candidates),
        "machine": machine_speed(),
    }


def main() -> None:
    run_model_benchmark(run, "bench/results/report.json", __doc__)


if __name__ == "__main__":
    main()
