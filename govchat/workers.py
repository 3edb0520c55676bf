"""``govchat serve --workers N``: N worker processes on one port (SO_REUSEPORT), supervised by this one.

The supervisor migrates the database once, starts the one shared Rasa server (unless RASA_URL names one),
then starts the first worker and waits until it answers (first-run seeding and the first admin account happen
once), then the others. A worker that dies is started again after a second; SIGTERM or Ctrl+C stops them all
(each finishes what it has begun and gives the Matrix lease up). The kernel spreads connections over the
workers; every shared thing (sessions, dialogue state, outbox, KB version, scheduler claims, the Matrix lease)
is in PostgreSQL, which is why several workers need it (SQLite has one writer per file).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

import aiohttp

from kernel.config import Settings

Progress = Callable[[str], None]
RESTART_DELAY = 1.0


def worker_command(argv_global: list[str], settings: Settings, extra: list[str]) -> list[str]:
    """The command line of one worker: this interpreter, the same global options, serve on the shared port."""
    return [
        sys.executable,
        "-m",
        "govchat.cli",
        *argv_global,
        "serve",
        "--host",
        settings.host,
        "--port",
        str(settings.port),
        "--reuse-port",
        *extra,
    ]


async def wait_ready(url: str, proc: asyncio.subprocess.Process, timeout: float = 600) -> bool:
    """Until ``url`` (a worker's /healthz) answers ok, the worker exits (False) or ``timeout`` passes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        while loop.time() < deadline:
            if proc.returncode is not None:
                return False
            with contextlib.suppress(aiohttp.ClientError, TimeoutError, ValueError):
                async with http.get(url) as resp:
                    if resp.status == 200 and (await resp.json()).get("status") == "ok":
                        return True
            await asyncio.sleep(0.5)
    return False


class Pool:
    def __init__(self, command: list[str], env: dict[str, str], count: int, health_url: str, progress: Progress):
        self.command = command
        self.env = env
        self.count = count
        self.health_url = health_url
        self.progress = progress
        self.procs: list[asyncio.subprocess.Process | None] = [None] * count
        self.stopping = asyncio.Event()

    async def _spawn(self, i: int) -> asyncio.subprocess.Process:
        env = {**self.env, "GOVCHAT_WORKER_INDEX": str(i)}
        proc = await asyncio.create_subprocess_exec(*self.command, env=env)
        self.procs[i] = proc
        return proc

    async def _keep(self, i: int) -> None:
        """Worker ``i``: wait for it, start it again if it died while the pool is not stopping."""
        while not self.stopping.is_set():
            proc = self.procs[i] or await self._spawn(i)
            code = await proc.wait()
            self.procs[i] = None
            if self.stopping.is_set():
                return
            self.progress(f"工作进程 {i + 1} 已退出（退出码 {code}），{RESTART_DELAY:.0f} 秒后重启")
            await asyncio.sleep(RESTART_DELAY)

    async def run(self) -> int:
        first = await self._spawn(0)
        if not await wait_ready(self.health_url, first):
            self.progress("第一个工作进程未能就绪，已停止")
            await self.stop()
            return 1
        for i in range(1, self.count):
            await self._spawn(i)
        self.progress(f"已启动 {self.count} 个工作进程（同一端口，由内核分配连接）")
        keepers = [asyncio.create_task(self._keep(i)) for i in range(self.count)]
        await self.stopping.wait()
        await self.stop()
        for k in keepers:
            k.cancel()
        await asyncio.gather(*keepers, return_exceptions=True)
        return 0

    async def stop(self, grace: float = 20.0) -> None:
        self.stopping.set()
        live = [p for p in self.procs if p is not None and p.returncode is None]
        for p in live:
            with contextlib.suppress(ProcessLookupError):
                p.send_signal(signal.SIGTERM)
        for p in live:
            try:
                await asyncio.wait_for(p.wait(), grace)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    p.kill()
                await p.wait()


async def serve_pool(
    settings: Settings, count: int, argv_global: list[str], extra: list[str], progress: Progress
) -> int:
    from govchat.migrate import upgrade
    from govchat.runtime import start_nlu_for

    await upgrade(settings.effective_database_url)  # once, before any worker starts
    env = dict(os.environ)
    nlu: Any = None
    if settings.nlu_enabled and not settings.rasa_url:
        try:
            nlu = await start_nlu_for(settings, progress)  # one Rasa server for every worker
        except Exception as exc:
            progress(f"⚠ NLU 未能启动：{exc}\n各工作进程将以降级模式运行（知识库问答和“/”命令可用）。")
            env["GOVCHAT_NLU"] = "0"
        if nlu is not None:
            env["RASA_URL"] = nlu.client.base_url
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "") else settings.host
    pool = Pool(
        worker_command(argv_global, settings, extra), env, count, f"http://{host}:{settings.port}/healthz", progress
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, pool.stopping.set)
    try:
        return await pool.run()
    finally:
        if nlu is not None:
            await nlu.stop()
