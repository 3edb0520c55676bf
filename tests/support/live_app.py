"""The real app served on a loopback port from its own thread and event loop, for synchronous HTTP clients
(schemathesis, requests) that cannot share the test's loop. Real SQLite database, real tokens."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from govchat.app import create_app
from govchat.runtime import Runtime, build_runtime
from kernel.clock import Clock
from kernel.config import Settings
from tests.support.env import free_port

Seed = Callable[[Runtime], Awaitable[None]]


@dataclass
class LiveApp:
    settings: Settings
    seed: Seed
    clock: Clock | None = None
    port: int = field(default_factory=free_port)
    _loop: asyncio.AbstractEventLoop | None = None
    _stop: asyncio.Event | None = None
    _ready: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveApp:
        self._thread = threading.Thread(target=self._run, name="live-app", daemon=True)
        self._thread.start()
        if not self._ready.wait(120):
            raise TimeoutError("live app did not start in 120 s")
        if self._error is not None:
            raise self._error
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(60)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported to the starting thread
            self._error = exc
            self._ready.set()
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        runtime = await build_runtime(self.settings, clock=self.clock, load_model=False)
        await self.seed(runtime)
        runner = web.AppRunner(create_app(runtime, background=False))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", self.port).start()
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await runner.cleanup()
