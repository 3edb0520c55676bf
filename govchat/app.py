"""The aiohttp application: channels and background tasks around one Runtime."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from admin import console, office_api
from admin.api_auth import parse_tokens
from admin.appkeys import (
    ALERTS,
    API_TOKENS,
    CLOCK,
    DB,
    HANDOFF_CONFIG,
    INDEX,
    KB,
    NLU,
    NLU_THRESHOLD,
    QUALITY,
    TICKETS,
)
from bot.appkeys import BOT, CHAT_SIGNER, DEMO_MODE, INTEGRATIONS, PUBLIC_DEMO
from bot.channels import rest, webchat
from bot.channels.matrix.channel import MatrixConfig
from bot.channels.matrix.runner import MatrixLeader
from govchat import metrics
from govchat.runtime import Runtime
from kernel.config import Settings
from kernel.lease import worker_name
from kernel.proxy import TRUSTED_PROXIES, is_secure, parse_proxies
from office_flows.handoff.service import HandoffConfig

RUNTIME: web.AppKey[Runtime] = web.AppKey("runtime")
MATRIX_LEADER: web.AppKey[MatrixLeader] = web.AppKey("matrix_leader")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def _health(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    snap = rt.index.snapshot
    return web.json_response(
        {
            "status": "ok" if snap is not None else "starting",
            "kb_version": snap.kb_version if snap else None,
            "texts": len(snap.texts) if snap else 0,
            "dense": bool(snap and snap.vectors is not None),
            "dense_models": [d.vectors.model_name for d in snap.dense] if snap else [],
            "matrix": _matrix_role(request.app),
        }
    )


def _matrix_role(app: web.Application) -> str:
    """off (not configured here, or --no-matrix), leader (this worker syncs) or standby (it would take over)."""
    leader = app.get(MATRIX_LEADER)
    if leader is None:
        return "off"
    return "leader" if leader.leading else "standby"


def matrix_config(settings: Settings) -> MatrixConfig:
    return MatrixConfig(
        homeserver=settings.matrix_homeserver,
        user_id=settings.matrix_user_id,
        password=settings.matrix_password,
        access_token=settings.matrix_access_token,
        device_id=settings.matrix_device_id,
        allowed_inviters=settings.matrix_allowed_inviters,
        command_prefix=settings.matrix_command_prefix,
        operators_room=settings.matrix_operators_room,
    )


# Pages are ours alone: no framing, no sniffing, scripts and connections only from this origin. No inline
# script runs (the chat page's and the dashboard's scripts are files; the dashboard's data is a JSON block);
# inline style attributes remain allowed.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if is_secure(request):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")


def _refusal(request: web.Request, status: int, message: str) -> web.Response:
    if request.path.startswith(("/api", "/webhooks", "/chat/")):
        return web.json_response({"error": message}, status=status)
    return web.Response(text=message, status=status, content_type="text/plain")


@web.middleware
async def _input_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Malformed input is the caller's mistake (4xx with a reason), never a 5xx: NUL characters in the address,
    nesting too deep, numbers or dates out of range, values the database cannot store, a missing field."""
    if "\x00" in request.path or "\x00" in request.query_string or "%00" in request.raw_path:
        return _refusal(request, 400, "请求地址含有空字符（\\u0000），无法处理")
    try:
        return await handler(request)
    except RecursionError:
        return _refusal(request, 400, "请求嵌套过深，无法处理")
    except OverflowError:
        return _refusal(request, 400, "数值或日期超出允许的范围")
    except IntegrityError:
        return _refusal(request, 409, "缺少必填字段，或与已有数据冲突")
    except DBAPIError as exc:
        code = str(getattr(exc.orig, "sqlstate", "") or getattr(exc.orig, "pgcode", "") or "")
        if code.startswith("22") or isinstance(exc, DataError):  # SQLSTATE class 22: data exception
            return _refusal(request, 400, "输入含有无法保存的字符或超出范围的值")
        raise


def create_app(runtime: Runtime, *, background: bool = True) -> web.Application:
    app = web.Application(client_max_size=256 * 1024, middlewares=[_input_errors])
    app.on_response_prepare.append(_security_headers)
    app[RUNTIME] = runtime
    app[BOT] = runtime.bot
    app[INTEGRATIONS] = runtime.integrations
    assert runtime.chat_signer is not None
    app[CHAT_SIGNER] = runtime.chat_signer
    app[TRUSTED_PROXIES] = parse_proxies(runtime.settings.trusted_proxies)
    app[DEMO_MODE] = runtime.settings.demo
    app[PUBLIC_DEMO] = runtime.settings.allow_public_demo
    app[DB] = runtime.db
    app[TICKETS] = runtime.tickets
    app[HANDOFF_CONFIG] = runtime.bot.services.handoff.config or HandoffConfig()
    if runtime.quality is not None:
        app[QUALITY] = runtime.quality
    app[API_TOKENS] = parse_tokens(runtime.settings.api_tokens)
    app[CLOCK] = runtime.clock
    app[KB] = runtime.kb
    app[INDEX] = runtime.index
    app[ALERTS] = runtime.alerts
    app[NLU] = lambda: runtime.bot.services.nlu
    app[NLU_THRESHOLD] = runtime.bot.services.nlu_threshold
    rest.setup(app)
    console.setup(app)  # admin console pages and /api (tickets, kb), behind one guard
    webchat.setup(app)
    if runtime.office is not None:
        office_api.setup(app, runtime.office)
    if runtime.settings.wechat_enabled or runtime.settings.wecom_enabled:
        from bot.channels.wechat import wiring as wechat

        wechat.setup(app, wechat.build(runtime.settings, runtime.bot), background=background)
    app.router.add_get("/healthz", _health)
    metrics.setup(app, runtime)

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

    async def scheduler(app: web.Application) -> AsyncIterator[None]:
        # Deadlines live in the database; the tick only fires what is due (see govchat/scheduler.py).
        runtime.ticker.start()
        yield
        runtime.ticker.stop()

    async def matrix(app: web.Application) -> AsyncIterator[None]:
        # Every worker campaigns; the one holding the lease syncs (bot/channels/matrix/runner.py).
        leader = app[MATRIX_LEADER]
        await leader.start()
        yield
        await leader.stop()

    app.cleanup_ctx.append(close_runtime)
    if background:
        app.cleanup_ctx.append(index_sync)
        app.cleanup_ctx.append(scheduler)
        if runtime.settings.matrix_candidate:
            app[MATRIX_LEADER] = MatrixLeader(
                matrix_config(runtime.settings),
                runtime.db,
                runtime.bot,
                runtime.clock,
                worker_name(),
                runtime.settings.matrix_lease_seconds,
            )
            app.cleanup_ctx.append(matrix)
    return app
