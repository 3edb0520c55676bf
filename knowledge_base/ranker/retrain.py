"""Retraining the learned stage in the background after enough editor publishes.

Every publish bumps the KB version. After a poll, when the served snapshot is ``every`` versions or
more ahead of the ranker's training version (or no ranker was ever trained and the KB has at least
``min_entries`` entries), one worker (claimed in the database) trains a new ranker on that snapshot in a
thread; the old one keeps answering until ``IndexManager.install_ranker`` swaps the new one in and
stores it, and the other workers load it on their next poll.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from kernel.clock import Clock
from kernel.db import Database
from knowledge_base import store
from knowledge_base.index_manager import IndexManager
from knowledge_base.ranker.model import Ranker
from knowledge_base.ranker.train import train_ranker
from knowledge_base.retriever import SearchSnapshot

log = logging.getLogger(__name__)
Trainer = Callable[[SearchSnapshot, str, str], Ranker]


def _train(snap: SearchSnapshot, stamp: str, trained_at: str) -> Ranker:
    return train_ranker(snap, stamp=stamp, trained_at=trained_at, batch=16)


class BackgroundTrainer:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        index: IndexManager,
        *,
        every: int,
        train: Trainer = _train,
        min_entries: int = 10,
    ) -> None:
        self.db = db
        self.clock = clock
        self.index = index
        self.every = every
        self.train = train
        self.min_entries = min_entries
        self.task: asyncio.Task[None] | None = None

    def due(self) -> SearchSnapshot | None:
        """The snapshot to train on, when enough publishes happened since the ranker's training."""
        snap = self.index.snapshot
        if not self.index.use_ranker or self.every <= 0 or snap is None:
            return None
        if self.task is not None and not self.task.done():
            return None
        if snap.ranker is None:  # never trained: train once there is something to learn from
            return snap if len(snap.entries) >= self.min_entries else None
        return snap if snap.kb_version - snap.ranker.kb_version >= self.every else None

    async def maybe_train(self) -> bool:
        """Start a background training when one is due and this worker wins the claim."""
        snap = self.due()
        if snap is None:
            return False
        async with self.db.session() as s:
            if not await store.claim_ranker_training(s, snap.kb_version):
                return False
        self.task = asyncio.create_task(self._run(snap))
        return True

    async def _run(self, snap: SearchSnapshot) -> None:
        now = self.clock.now()
        stamp = f"v{snap.kb_version}-{now:%Y%m%dT%H%M%S}"
        try:
            ranker = await asyncio.to_thread(self.train, snap, stamp, now.isoformat(timespec="seconds"))
        except Exception:  # keep answering with the old model
            log.exception("Background KB ranker training failed for KB v%s", snap.kb_version)
            return
        await self.index.install_ranker(ranker)
        log.info("KB ranker retrained on KB v%s in %ss", snap.kb_version, ranker.meta.get("seconds"))
