"""GET /metrics (Prometheus text format) and the request-latency middleware.

Protected: ``Authorization: Bearer <GOVCHAT_METRICS_TOKEN>`` (for the scraper), or an admin's API token or
console session. The gauges of stored state (outbox, tickets) come from three aggregate queries over the shared
database, run at most every ``STORED_EVERY`` per worker (a scrape in between serves the cached figures): at
2M tickets the count by state is an index-only scan, not something to repeat for every scraper and worker.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiohttp import web

from admin.guard import Handler, resolve_principal
from govchat.runtime import Runtime
from kernel.identity import Role
from kernel.metrics import CONTENT_TYPE, Metrics
from kernel.outbox import backlog
from nlu.service import Parser
from office_flows.tickets.queries import state_gauges

METRICS: web.AppKey[Metrics] = web.AppKey("metrics", Metrics)
RUNTIME_KEY: web.AppKey[Runtime] = web.AppKey("metrics_runtime", Runtime)
PROBE_SECONDS = 2.0
STORED_EVERY = timedelta(seconds=15)


@dataclass
class StoredGauges:
    """The figures read from the database, and when (by the injected clock); refreshed by one scrape at a time."""

    pending: int = 0
    oldest: datetime | None = None
    by_state: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    read_at: datetime | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def fresh(self, rt: Runtime) -> StoredGauges:
        async with self.lock:
            now = rt.clock.now()
            if self.read_at is not None and now - self.read_at < STORED_EVERY:
                return self
            async with rt.db.session() as s:
                self.pending, self.oldest = await backlog(s)
                self.by_state, self.overdue = await state_gauges(s, now)
            self.read_at = now
        return self


STORED: web.AppKey[StoredGauges] = web.AppKey("metrics_stored", StoredGauges)


def route_of(request: web.Request) -> str:
    """The route's template (/api/tickets/{code}), never the raw path: bounded label values."""
    info = request.match_info
    if info.http_exception is not None or info.route.resource is None:
        return "unmatched"
    return info.route.resource.canonical


@web.middleware
async def measure(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        request.app[METRICS].request(request.method, route_of(request), status, time.perf_counter() - started)


async def _allowed(request: web.Request, token: str) -> bool:
    header = request.headers.get("Authorization", "")
    sent = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if token and sent and hmac.compare_digest(sent, token):
        return True
    principal = await resolve_principal(request)
    return principal is not None and Role.ADMIN in principal.roles


async def refresh(rt: Runtime, metrics: Metrics, stored: StoredGauges) -> None:
    got = await stored.fresh(rt)
    now = rt.clock.now()
    metrics.outbox_backlog.set(got.pending)
    metrics.outbox_oldest.set(max((now - got.oldest).total_seconds(), 0.0) if got.oldest else 0.0)
    metrics.tickets.clear()
    for status, count in got.by_state.items():
        metrics.tickets.labels(status).set(count)
    metrics.tickets_overdue.set(got.overdue)
    last = rt.ticker.last_tick_at
    metrics.scheduler_since.set((now - last).total_seconds() if last else -1)
    nlu = rt.bot.services.nlu
    metrics.nlu_enabled.set(1 if nlu is not None else 0)
    metrics.nlu_up.set(0 if nlu is None else await _nlu_answers(nlu.parser))
    snap = rt.index.snapshot
    metrics.kb_version.set(snap.kb_version if snap else 0)


async def _nlu_answers(parser: Parser) -> int:
    """Probe the NLU server at scrape time (a quiet chat would otherwise leave the last parse's verdict)."""
    try:
        await asyncio.wait_for(parser.parse("你好"), PROBE_SECONDS)
    except Exception:
        return 0
    return 1


async def metrics_page(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME_KEY]
    if not await _allowed(request, rt.settings.metrics_token):
        return web.json_response({"error": "需要监控令牌（GOVCHAT_METRICS_TOKEN）或管理员身份"}, status=401)
    await refresh(rt, request.app[METRICS], request.app[STORED])
    return web.Response(body=request.app[METRICS].render(), headers={"Content-Type": CONTENT_TYPE})


def setup(app: web.Application, runtime: Runtime) -> None:
    app[METRICS] = runtime.metrics
    app[RUNTIME_KEY] = runtime
    app[STORED] = StoredGauges()
    app.middlewares.insert(0, measure)
    app.router.add_get("/metrics", metrics_page)
