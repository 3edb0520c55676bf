"""Passive replies within the platforms' five seconds, and what comes later.

WeChat waits five seconds for the answer to a message, then retries it (three attempts in all, same MsgId).
The bot gets ``budget`` seconds (4 by default); an answer ready in time is the reply itself. Otherwise the
request is answered "success" (nothing shown) and the answer, when it comes, is written to the notification
outbox for the channel's delivery loop (customer-service / app message API): durable, retried while the
platform is unreachable. A retry of a message still being answered waits for the same work; a retry of one
already answered late gets "success" — each message is processed once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.messages import Reply

log = logging.getLogger(__name__)
MAX_BYTES = 2000  # the platforms cut a text message at 2048 bytes
KEEP = 10_000  # messages remembered for deduplication (WeChat retries within about 15 seconds)

Late = Callable[[str, list[Reply]], Awaitable[None]]


def texts_of(replies: list[Reply]) -> list[str]:
    """The replies as plain texts, each cut at line breaks to fit one platform message."""
    out: list[str] = []
    for reply in replies:
        chunk = ""
        for line in reply.text.split("\n"):
            while len(line.encode()) > MAX_BYTES:  # one line longer than a message: cut it by characters
                cut = len(line.encode()[:MAX_BYTES].decode("utf-8", "ignore"))
                if chunk:
                    out.append(chunk)
                    chunk = ""
                out.append(line[:cut])
                line = line[cut:]
            candidate = f"{chunk}\n{line}" if chunk else line
            if len(candidate.encode()) > MAX_BYTES:
                out.append(chunk)
                candidate = line
            chunk = candidate
        if chunk.strip():
            out.append(chunk)
    return out


def one_text(replies: list[Reply]) -> str | None:
    """The replies as one passive message, or None when they do not fit in one."""
    texts = texts_of(replies)
    joined = "\n\n".join(texts)
    return joined if texts and len(joined.encode()) <= MAX_BYTES else None


@dataclass
class _Work:
    task: asyncio.Future[list[Reply]]
    address: str
    late: bool = False


class PassiveReplies:
    """Runs each message once, gives its answer if ready within the budget, hands a late one to ``late``."""

    def __init__(self, late: Late, budget: float = 4.0) -> None:
        self.late = late
        self.budget = budget
        self._work: OrderedDict[str, _Work] = OrderedDict()
        self._late_tasks: set[asyncio.Task[None]] = set()

    def seen(self, key: str) -> bool:
        """This message came before (the platform is retrying it)."""
        return key in self._work

    def remember(self, key: str) -> None:
        """A message answered without the bot (its retries are then recognised)."""
        if key not in self._work:
            done: asyncio.Future[list[Reply]] = asyncio.get_running_loop().create_future()
            done.set_result([])
            self._work[key] = _Work(done, "")

    async def answer(self, key: str, address: str, work: Callable[[], Awaitable[list[Reply]]]) -> list[Reply] | None:
        """The replies to give now, or None ("success"; anything to say comes later or was said already)."""
        entry = self._work.get(key)
        if entry is None:
            entry = _Work(asyncio.ensure_future(work()), address)
            self._work[key] = entry
            while len(self._work) > KEEP:
                self._work.popitem(last=False)
        elif entry.late:
            return None
        try:
            replies = await asyncio.wait_for(asyncio.shield(entry.task), self.budget)
        except TimeoutError:
            if not entry.late:
                entry.late = True
                entry.task.add_done_callback(lambda t: self._hand_over(entry, t))
            return None
        return None if entry.late else replies

    def _hand_over(self, entry: _Work, task: asyncio.Future[list[Reply]]) -> None:
        if task.cancelled() or task.exception() is not None:
            log.error("a late WeChat answer failed", exc_info=task.exception() if not task.cancelled() else None)
            return
        replies = task.result()
        if replies:
            later = asyncio.ensure_future(self.late(entry.address, replies))
            self._late_tasks.add(later)
            later.add_done_callback(self._late_tasks.discard)

    async def drain(self) -> None:
        """Wait for answers under way and their hand-over (shutdown, tests)."""
        for entry in list(self._work.values()):
            with contextlib.suppress(Exception):
                await asyncio.shield(entry.task)
        while self._late_tasks:
            await asyncio.gather(*list(self._late_tasks), return_exceptions=True)
