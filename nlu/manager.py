"""Bringing the NLU up for the app: external Rasa by URL, or our own venv, model and supervised server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nlu.client import RasaClient
from nlu.rasa_env import ensure_rasa_env
from nlu.server import RasaServer
from nlu.training import PROJECT_DIR, train

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass
class NluRuntime:
    client: RasaClient
    server: RasaServer | None = None
    model: Path | None = None

    async def stop(self) -> None:
        await self.client.close()
        if self.server is not None:
            await self.server.stop()


async def prepare_model(venv: Path, python: str, models_dir: Path, progress: Progress) -> tuple[Path, Path]:
    """(rasa executable, model file): installs Rasa and trains only when needed."""
    rasa = await asyncio.to_thread(ensure_rasa_env, venv.expanduser(), python=python, progress=progress)
    model, _trained = await asyncio.to_thread(train, rasa, models_dir, progress=progress)
    return rasa, model


async def start_nlu(
    *,
    rasa_url: str,
    venv: Path,
    python: str,
    models_dir: Path,
    port: int,
    log_file: Path,
    timeout: float,
    progress: Progress,
) -> NluRuntime:
    if rasa_url:
        progress(f"使用外部 Rasa 服务：{rasa_url}")
        return NluRuntime(RasaClient(rasa_url, timeout=timeout))
    rasa, model = await prepare_model(venv, python, models_dir, progress)
    server = RasaServer(rasa, model, port=port, project=PROJECT_DIR, log_file=log_file)
    progress(f"启动 Rasa 服务（127.0.0.1:{port}，约 30 秒）…")
    await server.start()
    return NluRuntime(RasaClient(server.url, timeout=timeout), server, model)
