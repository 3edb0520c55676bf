"""Passive replies within the platforms' five seconds, and what comes later.

WeChat waits five seconds for the answer to a message, then retries it (three attempts in all, same MsgId).
The bot gets ``budget`` seconds (4 by default); an answer ready in time is the reply itself. Otherwise the
request is answered "success" (nothing shown) and the answer, when it comes, is written to the notification
outbox for the channel's delivery loop (customer-service / app message API): durable, retried while the
platform is unreachable. A retry of a message still being answered waits for the same work; a retry of one
already answered late gets "success" — each message is processed once, across workers: the claim is a row
in the database (``store.ChannelState``), and a retry that reaches another worker gets the recorded answer
or "success", never a second run of the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.channels.wechat.store import LATE, REPLIED, ChannelState
from bot.messages import Reply

log = logging.getLogger(__name__)
MAX_BYTES = 2000  # the platforms cut a text message at 2048 bytes
KEEP = 10_000  # answers under way remembered in this worker (the claims themselves are in the database)

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


POLL = 0.2  # seconds between looks at another worker's claim of a retried message


@dataclass
class _Work:
    task: asyncio.Future[list[Reply]]
    address: str
    late: bool = False


@dataclass(frozen=True)
class Answer:
    """The replies to give now (None: answer "success"), and whether this request ran the bot (False: a retry)."""

    replies: list[Reply] | None
    first: bool


class PassiveReplies:
    """Runs each message once across workers, gives its answer if ready within the budget, hands a late one to
    ``late``.

    The worker whose claim (``ChannelState.take``) succeeds runs the bot and records the outcome: the answer when
    it was ready in time (a retry means the platform did not get it: the retry gets the same answer), or "late"
    (the answer comes through the outbox, retries get "success"). A retry that reaches another worker never runs
    the bot: it looks at the claim for up to the budget and gives the recorded answer, else "success"."""

    def __init__(self, late: Late, claims: ChannelState, budget: float = 4.0) -> None:
        self.late = late
        self.claims = claims
        self.budget = budget
        self._work: OrderedDict[str, _Work] = OrderedDict()
        self._late_tasks: set[asyncio.Task[None]] = set()

    async def answer(self, key: str, address: str, work: Callable[[], Awaitable[list[Reply]]]) -> Answer:
        """Run ``work`` for message ``key`` unless some worker already did; what to reply to this request."""
        entry = self._work.get(key)
        first = entry is None
        if entry is None:
            if not await self.claims.take(key):
                return Answer(await self._elsewhere(key), first=False)
            entry = _Work(asyncio.ensure_future(work()), address)
            self._work[key] = entry
            while len(self._work) > KEEP:
                self._work.popitem(last=False)
        elif entry.late:
            return Answer(None, first)
        try:
            replies = await asyncio.wait_for(asyncio.shield(entry.task), self.budget)
        except TimeoutError:
            if not entry.late:
                entry.late = True
                await self.claims.settle(key, LATE, [])
                entry.task.add_done_callback(lambda t: self._hand_over(entry, t))
            return Answer(None, first)
        if entry.late:
            return Answer(None, first)
        if first:
            await self.claims.settle(key, REPLIED, [r.text for r in replies])
        return Answer(replies, first)

    async def _elsewhere(self, key: str) -> list[Reply] | None:
        """A retry of a message another worker (or this one, before a restart) took up: its recorded answer."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.budget
        while True:
            outcome = await self.claims.outcome(key)
            if outcome is None or outcome[0] == LATE:
                return None
            if outcome[0] == REPLIED:
                return [Reply(text) for text in outcome[1]]
            if loop.time() + POLL > deadline:
                return None  # still being answered: "success", the answer will come through the outbox
            await asyncio.sleep(POLL)

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
