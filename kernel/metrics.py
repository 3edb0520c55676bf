"""The process's Prometheus metrics: one registry per runtime (tests build several apps in one process).

Events are recorded where they happen (a request by the app's middleware, a KB decision by the knowledge
base, an NLU parse by the NLU service, a tick by the scheduler); the gauges that describe stored state
(outbox backlog, tickets by state, overdue tickets) are set at scrape time by govchat/metrics.py.

Each worker process has its own counters. Given a ``worker`` name (``govchat serve --workers N`` numbers its
workers), every sample carries ``worker="…"``, so that a scraper reaching several workers through one port
never adds one worker's counter to another's.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

CONTENT_TYPE = CONTENT_TYPE_LATEST
FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _Labelled(Collector):
    """The registry's samples with one more label (the worker)."""

    def __init__(self, inner: CollectorRegistry, worker: str) -> None:
        self.inner = inner
        self.worker = worker

    def collect(self) -> Iterator[Metric]:
        for family in self.inner.collect():
            family.samples = [s._replace(labels={**s.labels, "worker": self.worker}) for s in family.samples]
            yield family


class Metrics:
    def __init__(self, worker: str = "") -> None:
        self.worker = worker
        r = self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Histogram(
            "govchat_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["method", "route", "status"],
            buckets=FAST,
            registry=r,
        )
        self.kb_decisions = Counter(
            "govchat_kb_decisions", "Knowledge-base decisions (answer, suggest, decline)", ["decision"], registry=r
        )
        self.kb_latency = Histogram(
            "govchat_kb_decision_duration_seconds", "Retrieval and decision time per question", buckets=FAST, registry=r
        )
        self.nlu_up = Gauge(
            "govchat_nlu_up", "1 when the NLU server answered its last parse (0: down or off)", registry=r
        )
        self.nlu_enabled = Gauge("govchat_nlu_enabled", "1 when an NLU server is configured", registry=r)
        self.nlu_latency = Histogram(
            "govchat_nlu_parse_duration_seconds", "NLU parse latency", buckets=FAST, registry=r
        )
        self.nlu_failures = Counter("govchat_nlu_parse_failures", "NLU parses that failed", registry=r)
        self.outbox_backlog = Gauge("govchat_outbox_backlog", "Notifications not yet delivered", registry=r)
        self.outbox_oldest = Gauge(
            "govchat_outbox_oldest_age_seconds", "Age of the oldest undelivered notification (0: none)", registry=r
        )
        self.scheduler_lag = Gauge(
            "govchat_scheduler_lag_seconds", "How late the last scheduler tick ran against its interval", registry=r
        )
        self.scheduler_since = Gauge(
            "govchat_scheduler_seconds_since_tick", "Seconds since the last scheduler tick (-1: none yet)", registry=r
        )
        self.scheduler_failures = Counter(
            "govchat_scheduler_tick_failures", "Scheduler ticks that raised", ["tick"], registry=r
        )
        self.tickets = Gauge("govchat_tickets", "Tickets by state", ["status"], registry=r)
        self.tickets_overdue = Gauge("govchat_tickets_overdue", "Open tickets past their deadline", registry=r)
        self.kb_version = Gauge("govchat_kb_version", "Knowledge-base version of the served index", registry=r)

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).observe(seconds)

    def kb_decision(self, decision: str, seconds: float) -> None:
        self.kb_decisions.labels(decision).inc()
        self.kb_latency.observe(seconds)

    def nlu_parse(self, ok: bool, seconds: float) -> None:
        self.nlu_up.set(1 if ok else 0)
        if ok:
            self.nlu_latency.observe(seconds)
        else:
            self.nlu_failures.inc()

    def render(self) -> bytes:
        if not self.worker:
            return generate_latest(self.registry)
        labelled = CollectorRegistry(auto_describe=False)
        labelled.register(_Labelled(self.registry, self.worker))
        return generate_latest(labelled)
