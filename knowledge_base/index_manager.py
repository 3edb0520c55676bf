"""Keeps each worker's search snapshot in step with the published KB in the database.

The database is the source of truth: a publish bumps ``kb_version``. Every
worker polls that number and, when it moved, re-embeds only texts that are new
or changed, removes the rest, rebuilds BM25 (cheap), persists the vectors and
swaps the snapshot reference in one assignment.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from kernel.clock import Clock
from kernel.db import Database
from knowledge_base import lexicon, store, tokenize
from knowledge_base.encoder import Encoder
from knowledge_base.models import IndexBuild, Synonym
from knowledge_base.normalize import DialectMap, normalize
from knowledge_base.ranker.model import Ranker
from knowledge_base.retriever import (
    DenseChannel,
    EntryInfo,
    FusionParams,
    IndexedText,
    SearchSnapshot,
    build_snapshot,
)
from knowledge_base.vector_index import VectorIndex, text_hash

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass
class SyncReport:
    kb_version: int
    texts: int
    added: int
    removed: int
    seconds: float
    changed: bool


def build_dialect_map(
    pairs: list[tuple[str, str]], synonyms: Sequence[Synonym], *, service_terms: bool = True
) -> DialectMap:
    """The KB's map for texts and questions: dialect words, then the editors' synonyms, then the shipped
    everyday abbreviations of service names (低保 → 最低生活保障); synonyms and terms as whole words only."""
    pairs = list(pairs)
    whole_words: set[str] = set()
    for syn in synonyms:
        pairs.extend((v, syn.term) for v in syn.variants if v and v != syn.term)
        whole_words.update(syn.variants)
    if service_terms:
        pairs.extend(lexicon.service_terms())
        whole_words.update(v for v, _term in lexicon.service_terms())
    return DialectMap.build(pairs, whole_words=whole_words)


class IndexManager:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        index_dir: Path,
        encoders: Sequence[tuple[str, Encoder]],
        params: FusionParams,
        persist: bool = True,
        ranker: bool = True,
    ) -> None:
        self.db = db
        self.clock = clock
        self.index_dir = index_dir
        self.encoders = list(encoders)  # (channel, encoder), the main model first
        self.params = params
        self.persist = persist
        self.snapshot: SearchSnapshot | None = None
        self._lock = asyncio.Lock()
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        # The learned stage is stored beside the vectors; every worker loads a newer one on its next poll.
        self.use_ranker = ranker
        # Called after every poll (knowledge_base.ranker.retrain.BackgroundTrainer.maybe_train).
        self.after_sync: Any = None

    async def current_version(self) -> int:
        async with self.db.session() as s:
            return await store.kb_version(s)

    async def sync(self, *, force: bool = False, progress: Progress | None = None) -> SyncReport:
        async with self._lock:
            return await self._sync(force=force, progress=progress)

    async def _sync(self, *, force: bool, progress: Progress | None) -> SyncReport:
        started = time.perf_counter()
        async with self.db.session() as s:
            version = await store.kb_version(s)
            if not force and self.snapshot is not None and self.snapshot.kb_version == version:
                await self._refresh_ranker()
                return SyncReport(version, len(self.snapshot.texts), 0, 0, 0.0, False)
            rows = await store.published_search_texts(s)
            titles = await store.published_titles(s)
            pairs = await store.dialect_pairs(s)
            synonyms = await store.synonyms(s)
        dialect = build_dialect_map(pairs, synonyms)
        # Names and aliases become jieba words so that 居住证 or 食品经营许可 stay whole.
        tokenize.add_words(normalize(t.text, dialect) for t in rows if t.kind == "item")
        texts = [IndexedText(r.id, r.kind, r.entry_id, r.field, normalize(r.text, dialect)) for r in rows]
        entries = [EntryInfo(kind, i, title, code) for kind, i, title, code in titles]
        dense: list[DenseChannel] = []
        builds: list[IndexBuild] = []
        added = removed = 0
        for channel, enc in self.encoders:
            t0 = time.perf_counter()
            vectors, n_add, n_rm = await self._update_vectors(channel, enc, texts, version, progress)
            dense.append(DenseChannel(channel, enc, vectors))
            added, removed = max(added, n_add), max(removed, n_rm)
            if n_add or n_rm or force:
                builds.append(self._build_row(vectors, version, n_add, n_rm, time.perf_counter() - t0))
        snap = await asyncio.to_thread(
            build_snapshot, version, texts, entries, dense, dialect, self.params, lexicon.question_dialects()
        )
        snap.ranker = await self._stored_ranker()
        self.snapshot = snap  # the atomic swap
        seconds = time.perf_counter() - started
        if builds:
            async with self.db.session() as s:
                s.add_all(builds)
        # A caller with a progress line (the start) says it in Chinese itself; later syncs are logged.
        log.log(
            logging.DEBUG if progress is not None else logging.INFO,
            "KB index v%s: %d texts (+%d −%d vectors) in %.1fs",
            version,
            len(texts),
            added,
            removed,
            seconds,
        )
        return SyncReport(version, len(texts), added, removed, seconds, True)

    async def _stored_ranker(self) -> Ranker | None:
        """The current snapshot's ranker, or a newer one from disk (the old one keeps answering meanwhile)."""
        current = self.snapshot.ranker if self.snapshot is not None else None
        if not self.use_ranker:
            return None
        if not self.persist:
            return current
        stamp = await asyncio.to_thread(Ranker.stored_stamp, self.index_dir)
        if current is not None and (not stamp or current.stamp == stamp):
            return current
        if not stamp:
            return None
        loaded = await asyncio.to_thread(Ranker.load, self.index_dir)
        if loaded is not None:
            log.info("KB ranker %s loaded (trained on KB v%s)", loaded.stamp, loaded.kb_version)
        return loaded or current

    async def _refresh_ranker(self) -> None:
        if self.snapshot is None:
            return
        ranker = await self._stored_ranker()
        if ranker is not self.snapshot.ranker:
            self.snapshot = replace(self.snapshot, ranker=ranker)  # the atomic swap

    async def install_ranker(self, ranker: Ranker) -> None:
        """Store a newly trained ranker and answer with it from now on (other workers follow on their poll)."""
        async with self._lock:
            if self.persist:
                await asyncio.to_thread(ranker.save, self.index_dir)
            if self.snapshot is not None and self.use_ranker:
                self.snapshot = replace(self.snapshot, ranker=ranker)

    def _build_row(self, vectors: VectorIndex, version: int, added: int, removed: int, seconds: float) -> IndexBuild:
        return IndexBuild(
            model_name=vectors.model_name,
            kb_version=version,
            vectors=len(vectors),
            added=added,
            removed=removed,
            seconds=round(seconds, 3),
            worker=self.worker,
            built_at=self.clock.now(),
        )

    def _current(self, channel: str, model_name: str) -> VectorIndex | None:
        if self.snapshot is None:
            return None
        return next(
            (d.vectors for d in self.snapshot.dense if d.channel == channel and d.vectors.model_name == model_name),
            None,
        )

    async def _update_vectors(
        self, channel: str, enc: Encoder, texts: list[IndexedText], version: int, progress: Progress | None
    ) -> tuple[VectorIndex, int, int]:
        """One dense index brought up to date: texts keep their database ids in every model's index."""
        current = self._current(channel, enc.name)
        if current is None and self.persist:
            current = await asyncio.to_thread(VectorIndex.load, self.index_dir, enc.name)
        base = current.copy() if current is not None else VectorIndex.empty(enc.name, enc.dim)
        wanted = {t.id: text_hash(t.text) for t in texts}
        stale = [i for i, h in base.hashes.items() if wanted.get(i) != h]
        # A re-published entry gets new text ids; reuse the vectors of texts whose content is unchanged.
        reusable = base.vectors_by_hash(stale)
        base.remove(stale)
        missing = [t for t in texts if t.id not in base.hashes]
        recycled = [t for t in missing if wanted[t.id] in reusable]
        if recycled:
            base.add(
                [t.id for t in recycled],
                np.stack([reusable[wanted[t.id]] for t in recycled]),
                [wanted[t.id] for t in recycled],
            )
        todo = [t for t in missing if wanted[t.id] not in reusable]
        batch = 128
        for start in range(0, len(todo), batch):
            chunk = todo[start : start + batch]
            vecs = await asyncio.to_thread(enc.encode, [t.text for t in chunk])
            base.add([t.id for t in chunk], vecs, [wanted[t.id] for t in chunk])
            if progress is not None and len(todo) > batch:
                progress(f"向量索引（{channel}）：{min(start + batch, len(todo))}/{len(todo)}")
        base.kb_version = version
        if self.persist and (todo or stale or current is None):
            await asyncio.to_thread(base.save, self.index_dir)
        return base, len(todo), len(stale)

    async def run_forever(self, interval: float) -> None:
        """Poll the KB version; a failed sync is logged once per error kind and retried."""
        last_error = ""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.sync()
                if self.after_sync is not None:
                    await self.after_sync()
                last_error = ""
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep serving the old snapshot
                if repr(exc) != last_error:
                    log.exception("KB index sync failed; still serving version %s", self._version())
                    last_error = repr(exc)

    def _version(self) -> int | None:
        return self.snapshot.kb_version if self.snapshot else None
