"""The real Rasa server for tests: trained once per fingerprint (cached), started once per session as our
supervised child, shared by the NLU tests and the free-conversation dialogues."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from kernel.config import load_settings
from nlu.rasa_env import RasaEnvError, ensure_rasa_env, find_python310
from nlu.server import RasaServer
from nlu.training import PROJECT_DIR, train
from tests.support.env import need_or_skip

MODELS = Path(os.environ.get("GOVCHAT_TEST_NLU_MODELS", Path.home() / ".cache" / "govchat" / "nlu-models"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def rasa_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    settings = load_settings()
    try:
        find_python310(settings.rasa_python)
    except RasaEnvError as exc:
        need_or_skip(False, str(exc))
    rasa = ensure_rasa_env(settings.rasa_venv.expanduser(), python=settings.rasa_python, progress=print)
    model, _ = train(rasa, MODELS, progress=print)
    yield rasa, model


@pytest.fixture(scope="session")
async def rasa_server(
    rasa_model: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RasaServer]:
    rasa, model = rasa_model
    log = tmp_path_factory.mktemp("rasa") / "rasa.log"
    server = RasaServer(rasa, model, port=_free_port(), project=PROJECT_DIR, log_file=log)
    await server.start(timeout=240)
    yield server
    await server.stop()
