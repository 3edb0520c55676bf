"""The bot's default test district: the knowledge base loaded, no NLU (SQLite). A module that needs another
district (handoff, ticket lookup) defines its own ``rt``, which takes precedence."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from govchat.runtime import Runtime
from kernel.clock import FakeClock
from kernel.config import Settings
from tests.support.kb_rig import kb_runtime


@pytest.fixture
async def rt(sqlite_settings: Settings, clock: FakeClock) -> AsyncIterator[Runtime]:
    runtime = await kb_runtime(sqlite_settings, clock)
    yield runtime
    await runtime.close()
