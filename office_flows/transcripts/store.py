"""Recording turns, reading transcripts and purging old ones (all the SQL of the transcripts domain).

A turn joins the sender's latest conversation on its channel unless that one has been idle for ``idle``; then
it opens a new one. Texts are masked (phone and ID-card numbers) before they are stored, and the sender is
kept only as a hash of channel and id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import Clock
from kernel.db import Database
from kernel.logging_setup import mask_sensitive
from office_flows.transcripts.models import BotConversation, BotTurn

MAX_TEXT = 4000  # characters kept of one message or reply


@dataclass(frozen=True)
class TurnRecord:
    """One turn as the bot saw it: what came in, what went out, and who answered."""

    channel: str
    sender: str
    text: str
    replies: Sequence[str] = ()
    handler: str = ""
    intent: str = ""
    kb: str = ""
    failure: bool = False
    handoff: bool = False


@dataclass(frozen=True)
class TranscriptConfig:
    idle: timedelta = timedelta(minutes=30)
    retention: timedelta = timedelta(days=180)


def user_key(channel: str, sender: str) -> str:
    """The pseudonymous key of a sender on a channel (the sender id itself is not stored)."""
    return hashlib.sha256(f"{channel}\x00{sender}".encode()).hexdigest()[:32]


def _masked(text: str) -> str:
    return mask_sensitive(text[:MAX_TEXT].replace("\x00", ""))


@dataclass
class TranscriptStore:
    db: Database
    clock: Clock
    config: TranscriptConfig = field(default_factory=TranscriptConfig)

    async def record(self, turn: TurnRecord) -> int:
        """Store one turn (in one transaction); the id of its conversation."""
        now = self.clock.now()
        key = user_key(turn.channel, turn.sender)
        async with self.db.session() as s:
            convo = await s.scalar(
                select(BotConversation)
                .where(BotConversation.channel == turn.channel[:32], BotConversation.user_key == key)
                .order_by(BotConversation.last_at.desc(), BotConversation.id.desc())
                .limit(1)
            )
            if convo is None or convo.last_at <= now - self.config.idle:
                convo = BotConversation(
                    channel=turn.channel[:32], user_key=key, started_at=now, last_at=now, turns=0, failures=0
                )
                s.add(convo)
                await s.flush()
            convo.turns += 1
            convo.failures += int(turn.failure)
            convo.last_at = now
            s.add(
                BotTurn(
                    conversation_id=convo.id,
                    seq=convo.turns,
                    at=now,
                    text=_masked(turn.text),
                    replies=[_masked(r) for r in turn.replies],
                    handler=turn.handler[:64],
                    intent=turn.intent[:64],
                    kb=turn.kb[:8],
                    failure=turn.failure,
                    handoff=turn.handoff,
                )
            )
            return convo.id

    async def purge(self, now: datetime) -> int:
        """The scheduler's retention job: delete conversations idle longer than the retention; how many."""
        cutoff = now - self.config.retention
        async with self.db.session() as s:
            old = select(BotConversation.id).where(BotConversation.last_at < cutoff)
            ids = list(await s.scalars(old.limit(5000)))
            if not ids:
                return 0
            await s.execute(delete(BotTurn).where(BotTurn.conversation_id.in_(ids)))
            await s.execute(delete(BotConversation).where(BotConversation.id.in_(ids)))
            return len(ids)


async def turns_of(s: AsyncSession, ids: Sequence[int]) -> dict[int, list[BotTurn]]:
    """The turns of each conversation, in order."""
    out: dict[int, list[BotTurn]] = {}
    if not ids:
        return out
    rows = await s.scalars(
        select(BotTurn)
        .where(BotTurn.conversation_id.in_(ids))
        .order_by(BotTurn.conversation_id, BotTurn.seq, BotTurn.id)
    )
    for t in rows:
        out.setdefault(t.conversation_id, []).append(t)
    return out


async def transcript(s: AsyncSession, conversation_id: int) -> tuple[BotConversation, list[BotTurn]] | None:
    convo = await s.get(BotConversation, conversation_id)
    if convo is None:
        return None
    return convo, (await turns_of(s, [convo.id])).get(convo.id, [])
