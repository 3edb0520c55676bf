"""The aiohttp application: channels and background tasks around one Runtime."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.appkeys import BOT
from bot.channels import office_api, rest, webchat
from govchat.runtime import Runtime
from office_flows.services import Office

log = logging.getLogger(__name__)

RUNTIME: web.AppKey[Runtime] = web.AppKey("runtime")


async def _health(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    snap = rt.index.snapshot
    return web.json_response(
        {
            "status": "ok" if snap is not None else "starting",
            "kb_version": snap.kb_version if snap else None,
            "texts": len(snap.texts) if snap else 0,
            "dense": bool(snap and snap.vectors is not None),
        }
    )


def create_app(runtime: Runtime, *, background: bool = True) -> web.Application:
    app = web.Application(client_max_size=256 * 1024)
    app[RUNTIME] = runtime
    app[BOT] = runtime.bot
    rest.setup(app)
    webchat.setup(app)
    if runtime.office is not None:
        office_api.setup(app, runtime.office)
    app.router.add_get("/healthz", _health)

    async def index_sync(app: web.Application) -> AsyncIterator[None]:
        # Other workers (or the admin console) publish; pick the new KB version up within seconds.
        task = asyncio.create_task(runtime.index.run_forever(runtime.settings.index_sync_seconds))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def close_runtime(app: web.Application) -> AsyncIterator[None]:
        yield
        await runtime.close()

    async def office_tick(app: web.Application) -> AsyncIterator[None]:
        # Fires due office reminders (each claimed once in the database); the lead's scheduler replaces this.
        async def loop(office: Office) -> None:
            while True:
                try:
                    await office.tick(runtime.clock.now())
                except Exception:
                    log.exception("office reminder tick failed")
                await asyncio.sleep(60)

        task = asyncio.create_task(loop(runtime.office)) if runtime.office is not None else None
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.cleanup_ctx.append(close_runtime)
    if background:
        app.cleanup_ctx.append(index_sync)
        app.cleanup_ctx.append(office_tick)
    return app
