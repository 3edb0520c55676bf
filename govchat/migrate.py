"""Alembic migrations: the numbered, described scripts in ``govchat/migrations/versions`` over every
package's tables (``govchat.models``), applied on start."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from kernel.db import sqlite_file


def _alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def upgrade_sync(url: str, revision: str = "head") -> None:
    """Apply Alembic migrations (blocking)."""
    from alembic import command

    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(_alembic_config(url), revision)


async def upgrade(url: str, revision: str = "head") -> None:
    await asyncio.to_thread(upgrade_sync, url, revision)


def downgrade_sync(url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(_alembic_config(url), revision)
