"""The test environment: where the project and the reference data are, the PostgreSQL server, skip-or-fail."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
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


def pg_available() -> bool:
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


def pg_admin(sql: str) -> None:
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


def free_port() -> int:
    """A loopback TCP port that is free right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
