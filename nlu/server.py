"""A supervised Rasa server child process on loopback: started, awaited, restarted if it dies, stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from pathlib import Path

import aiohttp

from nlu.training import _rasa_env

log = logging.getLogger(__name__)


class RasaStartError(RuntimeError):
    pass


class RasaServer:
    def __init__(self, rasa: Path, model: Path, *, port: int, project: Path, log_file: Path) -> None:
        self.rasa, self.model, self.port, self.project, self.log_file = rasa, model, port, project, log_file
        self.url = f"http://127.0.0.1:{port}"
        self._proc: asyncio.subprocess.Process | None = None
        self._watch: asyncio.Task[None] | None = None
        self._stopping = False
        self.restarts = 0

    async def _spawn(self) -> None:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        out = self.log_file.open("ab")
        try:
            self._proc = await asyncio.create_subprocess_exec(
                str(self.rasa),
                "run",
                "--enable-api",
                "-m",
                str(self.model.resolve()),
                "-i",
                "127.0.0.1",
                "-p",
                str(self.port),
                cwd=self.project,
                stdout=out,
                stderr=out,
                env=_rasa_env(),
                start_new_session=True,  # our Ctrl+C must not reach it before we stop it cleanly
            )
        finally:
            out.close()

    async def wait_ready(self, timeout: float) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        async with aiohttp.ClientSession() as http:
            while asyncio.get_running_loop().time() < deadline:
                if self._proc is not None and self._proc.returncode is not None:
                    raise RasaStartError(f"Rasa 进程退出（代码 {self._proc.returncode}），日志：{self.log_file}")
                with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
                    async with http.get(f"{self.url}/status", timeout=aiohttp.ClientTimeout(total=2)) as r:
                        if r.status == 200:
                            return
                await asyncio.sleep(0.5)
        raise RasaStartError(f"Rasa 在 {timeout:.0f} 秒内没有就绪，日志：{self.log_file}")

    async def start(self, timeout: float = 180) -> None:
        await self._spawn()
        await self.wait_ready(timeout)
        self._watch = asyncio.create_task(self._supervise())
        log.info("Rasa server ready at %s (model %s)", self.url, self.model.name)

    async def _supervise(self) -> None:
        backoff = 1.0
        while not self._stopping:
            assert self._proc is not None
            code = await self._proc.wait()
            if self._stopping:
                return
            self.restarts += 1
            log.warning("Rasa server exited with code %s; restarting in %.0fs", code, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 60)
            try:
                await self._spawn()
                await self.wait_ready(180)
                backoff = 1.0
                log.info("Rasa server is back")
            except (RasaStartError, OSError) as exc:
                log.error("Rasa restart failed: %s", exc)

    async def stop(self) -> None:
        self._stopping = True
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        proc = self._proc
        if proc is None or proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 20)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None
