"""A whole runtime on the demo directory at a fixed time, optionally with recorded NLU readings,
and what the outbox holds for one person: the set-up the ticket dialogue tests share."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any

from govchat.runtime import Runtime, build_runtime
from kernel.clock import FakeClock
from kernel.config import Settings
from kernel.outbox import take_pending
from nlu.service import NluService
from office_flows.directory.demo import load_demo_directory
from tests.support.nlu_double import RecordedParser, nlu_result


@contextlib.asynccontextmanager
async def demo_runtime(
    settings: Settings, start: datetime, recorded: Mapping[str, dict[str, Any]] | None = None
) -> AsyncIterator[Runtime]:
    """The runtime at ``start`` (a FakeClock); with ``recorded``, the NLU answers from those readings."""
    runtime = await build_runtime(settings, clock=FakeClock(start), load_model=False)
    try:
        async with runtime.db.session() as s:
            await load_demo_directory(s)
        if recorded is not None:
            parser = RecordedParser(dict(recorded), fallback=nlu_result("nlu_fallback"))
            runtime.bot.services.nlu = NluService(parser, runtime.clock)
        yield runtime
    finally:
        await runtime.close()


async def inbox(rt: Runtime, sender: str, channel: str = "web") -> str:
    """The messages waiting for ``sender`` on ``channel``, taken from the outbox, one per line."""
    async with rt.db.session() as s:
        rows = await take_pending(s, [channel], rt.clock.now(), address=sender)
    return "\n".join(r.text for r in rows)
