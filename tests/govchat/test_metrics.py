"""GET /metrics (issue 19, item 3) through the real app: protected, per-route latency by template, KB
decisions, NLU availability, outbox backlog and age, scheduler lag, tickets by state and overdue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from govchat.app import create_app
from govchat.metrics import STORED_EVERY
from govchat.migrate import upgrade
from govchat.runtime import Runtime, build_runtime
from kernel.clock import FakeClock
from kernel.config import Settings, load_settings
from kernel.db import Database
from kernel.metrics import Metrics
from nlu.service import NluService
from office_flows.directory.demo import load_demo_directory
from office_flows.tickets.queries import state_gauge_queries
from tests.support.admin_rig import seed
from tests.support.nlu_double import RecordedParser, nlu_result

SCRAPER = "scrape-0123456789abcdef"
TOKENS = "t-admin-0123456789=MJ900,t-disp-0123456789=MJ010"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def rig(sqlite_settings: Settings, clock: FakeClock) -> AsyncIterator[tuple[TestClient[Any, Any], Runtime]]:
    settings = replace(sqlite_settings, api_tokens=TOKENS, metrics_token=SCRAPER, nlu_enabled=False)
    runtime = await build_runtime(settings, clock=clock, load_model=False)
    async with runtime.db.session() as s:
        await load_demo_directory(s)
    await seed(runtime)
    async with TestClient(TestServer(create_app(runtime, background=False))) as c:
        yield c, runtime


async def scrape(client: TestClient[Any, Any]) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    resp = await client.get("/metrics", headers=bearer(SCRAPER))
    assert resp.status == 200 and resp.content_type == "text/plain"
    out = {}
    for family in text_string_to_metric_families(await resp.text()):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


async def test_metrics_are_protected(rig: tuple[TestClient[Any, Any], Runtime]) -> None:
    client, _ = rig
    assert (await client.get("/metrics")).status == 401
    assert (await client.get("/metrics", headers=bearer("wrong"))).status == 401
    assert (await client.get("/metrics", headers=bearer("t-disp-0123456789"))).status == 401  # not an admin
    assert (await client.get("/metrics", headers=bearer("t-admin-0123456789"))).status == 200
    assert (await client.get("/metrics", headers=bearer(SCRAPER))).status == 200


async def test_metrics_describe_requests_kb_outbox_scheduler_and_tickets(
    rig: tuple[TestClient[Any, Any], Runtime], clock: FakeClock
) -> None:
    client, rt = rig
    admin = bearer("t-admin-0123456789")
    created = await client.post(
        "/api/tickets",
        json={"kind": "投诉", "content": "小区门口占道经营，晚上很吵", "phone": "13900001111"},
        headers=admin,
    )
    code = (await created.json())["code"]
    assert (
        await client.post(f"/api/tickets/{code}/dispatch", json={"department": "MJ-CGJ"}, headers=admin)
    ).status == 200
    assert (await client.get(f"/api/tickets/{code}", headers=admin)).status == 200
    assert (await client.get("/api/tickets/GD2026111899999", headers=admin)).status == 404
    answered = await client.post("/webhooks/rest/webhook", json={"sender": "u1", "message": "居住证怎么办理"})
    assert "身份证" in (await answered.json())[0]["text"]
    await client.post("/webhooks/rest/webhook", json={"sender": "u1", "message": "火星上的快递怎么寄"})

    await rt.ticker.tick()
    clock.advance(timedelta(seconds=rt.ticker.interval + 7))
    await rt.ticker.tick()
    clock.advance(timedelta(days=30))  # past the deadline, the dispatch notice still waiting for its reader

    m = await scrape(client)
    count = "govchat_http_request_duration_seconds_count"
    assert value(m, count, method="GET", route="/api/tickets/{code}", status="200") == 1
    assert value(m, count, method="GET", route="/api/tickets/{code}", status="404") == 1
    assert value(m, count, method="POST", route="/api/tickets/{code}/dispatch", status="200") == 1
    routes = {dict(labels).get("route", "") for (_, labels) in m}
    assert "/webhooks/rest/webhook" in routes and not any("GD2026" in r for r in routes)  # templates, not paths
    assert value(m, "govchat_kb_decisions_total", decision="answer") == 1
    assert sum(v for (n, labels), v in m.items() if n == "govchat_kb_decisions_total") == 2
    assert value(m, "govchat_kb_decision_duration_seconds_count") == 2
    assert value(m, "govchat_nlu_enabled") == 0 and value(m, "govchat_nlu_up") == 0
    assert value(m, "govchat_outbox_backlog") >= 1
    assert value(m, "govchat_outbox_oldest_age_seconds") >= 30 * 24 * 3600
    assert value(m, "govchat_scheduler_lag_seconds") == pytest.approx(7)
    assert value(m, "govchat_scheduler_seconds_since_tick") == pytest.approx(30 * 24 * 3600)
    assert value(m, "govchat_tickets", status="dispatched") == 1
    assert value(m, "govchat_tickets_overdue") == 1


async def test_nlu_availability_and_parse_latency(clock: FakeClock) -> None:
    metrics = Metrics()
    parser = RecordedParser({"我要投诉": nlu_result("file_ticket", 0.9)})
    nlu = NluService(parser, clock, metrics=metrics)
    assert (await nlu.understand("我要投诉")).intent == "file_ticket"
    assert b"govchat_nlu_up 1.0" in metrics.render()
    parser.down = True
    with pytest.raises(Exception):  # noqa: B017 - whatever a dead Rasa raises
        await nlu.understand("我要投诉")
    samples = {s.name: s.value for f in text_string_to_metric_families(metrics.render().decode()) for s in f.samples}
    assert samples["govchat_nlu_up"] == 0
    assert samples["govchat_nlu_parse_failures_total"] == 1
    assert samples["govchat_nlu_parse_duration_seconds_count"] == 1


async def test_a_scrape_probes_the_nlu_server(rig: tuple[TestClient[Any, Any], Runtime], clock: FakeClock) -> None:
    client, rt = rig
    parser = RecordedParser({})
    rt.bot.services.nlu = NluService(parser, clock, metrics=rt.metrics)
    m = await scrape(client)
    assert value(m, "govchat_nlu_enabled") == 1 and value(m, "govchat_nlu_up") == 1
    parser.down = True
    assert value(await scrape(client), "govchat_nlu_up") == 0


async def test_stored_gauges_are_read_at_most_every_15_seconds(
    rig: tuple[TestClient[Any, Any], Runtime], clock: FakeClock
) -> None:
    client, _ = rig

    def tickets(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> float:
        return sum(v for (name, _labels), v in samples.items() if name == "govchat_tickets")

    before = tickets(await scrape(client))
    created = await client.post(
        "/api/tickets",
        json={"kind": "投诉", "content": "小区门口占道经营，晚上很吵", "phone": "13900001111"},
        headers=bearer("t-admin-0123456789"),
    )
    assert created.status == 201
    clock.advance(STORED_EVERY - timedelta(seconds=1))
    assert tickets(await scrape(client)) == before  # the cached figures: no query
    clock.advance(timedelta(seconds=1))
    assert tickets(await scrape(client)) == before + 1


def test_a_worker_label_on_every_sample() -> None:
    metrics = Metrics(worker="1")
    metrics.request("GET", "/api/tickets/{code}", 200, 0.01)
    metrics.tickets.labels("accepted").set(3)
    samples = [s for f in text_string_to_metric_families(metrics.render().decode()) for s in f.samples]
    assert samples and all(s.labels.get("worker") == "1" for s in samples)
    counts = [s for s in samples if s.name == "govchat_http_request_duration_seconds_count"]
    assert [c.labels for c in counts] == [
        {"method": "GET", "route": "/api/tickets/{code}", "status": "200", "worker": "1"}
    ]
    assert all(
        "worker" not in s.labels for f in text_string_to_metric_families(Metrics().render().decode()) for s in f.samples
    )


async def test_a_worker_of_govchat_serve_workers_labels_its_samples(
    sqlite_settings: Settings, clock: FakeClock
) -> None:
    settings = load_settings(environ={"GOVCHAT_WORKER_INDEX": "2"}, data_dir=str(sqlite_settings.data_dir))
    assert settings.worker_index == "2"  # what the supervisor (govchat/workers.py) gives each worker
    runtime = await build_runtime(replace(sqlite_settings, worker_index="2"), clock=clock, load_model=False)
    try:
        runtime.metrics.kb_decision("answer", 0.01)
        samples = [s for f in text_string_to_metric_families(runtime.metrics.render().decode()) for s in f.samples]
        assert {s.labels.get("worker") for s in samples} == {"2"}
    finally:
        await runtime.close()


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_the_ticket_gauges_are_served_by_indexes(db_url: str, clock: FakeClock) -> None:
    """EXPLAIN on PostgreSQL: with sequential scans priced out, both aggregates still find an index to read
    (at 2M tickets the planner picks them by itself: bench/metrics_bench.py)."""
    await upgrade(db_url)
    db = Database(db_url)
    try:
        async with db.session() as s:
            await s.execute(text("SET LOCAL enable_seqscan = off"))
            for stmt in state_gauge_queries(clock.now()):
                sql = stmt.compile(dialect=s.get_bind().dialect, compile_kwargs={"literal_binds": True})
                plan = "\n".join(row[0] for row in await s.execute(text(f"EXPLAIN {sql}")))
                assert "Seq Scan" not in plan and "Index" in plan, plan
    finally:
        await db.dispose()
