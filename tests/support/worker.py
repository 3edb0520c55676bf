"""Worker processes for the multi-worker tests: the product's app (``govchat.app.create_app`` with every
background task: KB index sync, scheduler, the Matrix lease) on its own port, on a shared database.

Two things differ from ``govchat serve``: the KB is lexical (no embedding model to load in every process)
and the NLU is recorded (``RECORDED``), so a worker starts in a few seconds. Run one as
``python -m tests.support.worker CONFIG.json``; ``WorkerProcess`` starts, watches and kills them.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.env import ROOT, free_port
from tests.support.nlu_double import nlu_result

COMPLAINT = "我要投诉隔壁工地半夜施工，吵得睡不着"
RECORDED = {COMPLAINT: nlu_result("complain")}


@dataclass
class WorkerProcess:
    name: str
    folder: Path
    settings: dict[str, Any]  # load_settings keywords (data_dir and port are filled in)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> WorkerProcess:
        self.folder.mkdir(parents=True, exist_ok=True)
        config = {**self.settings, "data_dir": str(self.folder / "data"), "port": self.port, "host": "127.0.0.1"}
        path = self.folder / "worker.json"
        path.write_text(json.dumps(config))
        log = (self.folder / "worker.log").open("ab")
        env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCHAT_")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.worker", str(path)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        return self

    def health(self) -> dict[str, Any] | None:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as resp:
                return dict(json.loads(resp.read()))
        except OSError:
            return None

    def wait_ready(self, timeout: float = 120) -> WorkerProcess:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited; log: {self.log_tail()}")
            h = self.health()
            if h is not None and h.get("status") == "ok":
                return self
            time.sleep(0.3)
        raise TimeoutError(f"worker {self.name} not ready; log: {self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        path = self.folder / "worker.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: the process dies at once, holding whatever it held (a crash, a power cut)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


async def _serve(config: dict[str, Any]) -> None:
    from aiohttp import web

    from govchat.app import create_app
    from govchat.runtime import build_runtime
    from kernel.config import load_settings
    from kernel.logging_setup import configure_logging
    from nlu.service import NluService
    from tests.support.nlu_double import RecordedParser

    settings = load_settings(environ={}, **config)
    configure_logging("INFO")
    runtime = await build_runtime(settings, load_model=False)
    runtime.bot.services.nlu = NluService(RecordedParser(RECORDED), runtime.clock)
    runner = web.AppRunner(create_app(runtime))
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()  # stops the Matrix channel and gives its lease up, like govchat serve


if __name__ == "__main__":
    asyncio.run(_serve(json.loads(Path(sys.argv[1]).read_text())))
