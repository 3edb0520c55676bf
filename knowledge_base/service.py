"""The knowledge base as the rest of the product sees it: ask a question, pick a choice."""

from __future__ import annotations

import asyncio
import hashlib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kernel.clock import Clock
from kernel.db import Database
from kernel.metrics import Metrics
from knowledge_base import query, store
from knowledge_base.index_manager import IndexManager
from knowledge_base.models import EntryKind, UnansweredQuestion
from knowledge_base.policy import Decision, LearnedThresholds, Thresholds, decide, decide_learned
from knowledge_base.ranker.features import FEATURES, features, question_profile, question_shape
from knowledge_base.ranker.rerank import DEPTH, rerank
from knowledge_base.retriever import EntryHit, SearchSnapshot


@dataclass
class Card:
    """What a channel needs to show one entry: the published data, plus the linked item for a FAQ."""

    kind: str
    entry_id: int
    data: dict[str, Any]
    item: dict[str, Any] | None = None


@dataclass
class AskResult:
    question: str
    normalized: str
    decision: Decision
    hits: list[EntryHit]
    cards: list[Card] = field(default_factory=list)
    kb_version: int = 0
    millis: float = 0.0


class KnowledgeBaseUnavailable(RuntimeError):
    """The index has not been built yet."""


class KnowledgeBase:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        index: IndexManager,
        thresholds: Thresholds,
        *,
        learned: LearnedThresholds | None = None,
        query_threads: int = 16,
    ) -> None:
        self.db = db
        self.clock = clock
        self.index = index
        self.thresholds = thresholds
        # The learned stage decides whenever the snapshot carries a trained ranker (None: score thresholds).
        self.learned = learned
        # Enough threads that questions arriving together meet in the encoder and share a batch;
        # the shared default pool (cpu + 4 threads) would cap a batch at a handful.
        self._pool = ThreadPoolExecutor(max_workers=query_threads, thread_name_prefix="kb-query")
        self.metrics: Metrics | None = None  # set by the runtime: decisions and their latency

    def close(self) -> None:
        self._pool.shutdown(wait=False)

    def search(self, question: str, k: int = 10, mode: str = "fused") -> list[EntryHit]:
        snap = self.index.snapshot
        if snap is None:
            raise KnowledgeBaseUnavailable("知识库索引尚未就绪")
        return snap.search(question, k, mode=mode)

    def _snapshot(self) -> SearchSnapshot:
        snap = self.index.snapshot
        if snap is None:
            raise KnowledgeBaseUnavailable("知识库索引尚未就绪")
        return snap

    def default_mode(self) -> str:
        snap = self.index.snapshot
        return "learned" if snap is not None and snap.ranker is not None and self.learned is not None else "fused"

    def decide(
        self, question: str, *, k: int = 10, mode: str | None = None
    ) -> tuple[Decision, list[EntryHit], list[EntryHit]]:
        """(decision, hits to show, all ranked hits). ``mode`` "learned": fused candidates scored by the
        learned stage, probability thresholds; "fused" and the measurement modes: score thresholds."""
        snap = self._snapshot()
        mode = mode or self.default_mode()
        query = snap.normalise(question)
        if mode != "learned":
            hits = snap.search_normalised(query, k, mode=mode)
            decision, shown = decide(hits, self.thresholds)
            return decision, shown, hits
        if snap.ranker is None or self.learned is None:
            raise KnowledgeBaseUnavailable("相关性模型尚未训练（govchat kb train-ranker）")
        hits = snap.search_normalised(query, k)
        ranked = rerank(snap, snap.ranker, query, hits)
        ranked += hits[len(ranked) :]
        shape = question_shape(snap, question_profile(snap, query), ranked, self.learned.choices)
        decision, shown = decide_learned(ranked, self.learned, shape)
        return decision, shown, ranked

    def features_of(self, question: str, hits: list[EntryHit]) -> list[dict[str, float]]:
        """The learned stage's features behind each hit (for the console's hit test)."""
        snap = self._snapshot()
        query = snap.normalise(question)
        fused_order = sorted(hits[:DEPTH], key=lambda h: -h.fused)
        rows = features(snap, question_profile(snap, query), fused_order)
        by_key = {
            h.key: dict(zip(FEATURES, map(float, row), strict=True)) for h, row in zip(fused_order, rows, strict=True)
        }
        return [by_key.get(h.key, {}) for h in hits]

    def policy_description(self, mode: str) -> dict[str, Any]:
        if mode == "learned" and self.learned is not None:
            snap = self.index.snapshot
            meta = snap.ranker.meta if snap is not None and snap.ranker is not None else {}
            return {
                "answer_probability": self.learned.answer,
                "suggest_probability": self.learned.suggest,
                "ranker": {k: meta.get(k) for k in ("kb_version", "trained_at", "questions", "pairs", "seconds")},
            }
        t = self.thresholds
        return {"answer": t.answer, "suggest": t.suggest, "margin": t.margin}

    def only_asks_an_aspect(self, question: str) -> bool:
        """The question names no service, only a detail every service has ("要带咩资料", "要几耐"), once
        normalised like any question (dialect words included); False while the index is not ready."""
        try:
            return query.only_an_aspect(self._snapshot().normalise(question))
        except KnowledgeBaseUnavailable:
            return False

    def aspect_followed_up(self, question: str) -> str | None:
        """The detail a follow-up asks about when it names no service ("要几多钱" → "cost"), else None."""
        try:
            normalised = self._snapshot().normalise(question)
        except KnowledgeBaseUnavailable:
            return None
        return query.aspect_asked(normalised) if query.only_an_aspect(normalised) else None

    def asked_about_another(self, question: str, last: str) -> tuple[str, str] | None:
        """ "咁居住证呢" after ``last`` ("社保卡要带咩资料"): the last question asked about the service named
        ("居住证 要带什么资料") and the detail it asks ("materials", or ""); None when it is no such question."""
        try:
            snap = self._snapshot()
        except KnowledgeBaseUnavailable:
            return None
        other = query.another_service(snap.normalise(question))
        if other is None:
            return None
        last_normalised = snap.normalise(last)
        phrase = query.aspect_phrase(last_normalised)
        return f"{other} {phrase}".strip(), (query.aspect_asked(last_normalised) or "") if phrase else ""

    def classify(self, question: str) -> tuple[str, Decision, list[EntryHit]]:
        """Pure retrieval and decision, no side effects (for hit tests and evaluation)."""
        snap = self._snapshot()
        decision, shown, _ = self.decide(question)
        return snap.normalise(question), decision, shown

    async def ask(self, question: str, *, channel: str = "", sender: str = "", log_decline: bool = True) -> AskResult:
        """Retrieve and decide; a declined question is logged for the editors unless ``log_decline`` is False
        (staff at work: their office requests are not citizens' unanswered questions)."""
        started = time.perf_counter()
        # Encoding takes ~20 ms of CPU: keep it off the event loop so other chats stay responsive.
        loop = asyncio.get_running_loop()
        normalized, decision, shown = await loop.run_in_executor(self._pool, self.classify, question)
        if self.metrics is not None:
            self.metrics.kb_decision(decision.value, time.perf_counter() - started)
        version = self.index.snapshot.kb_version if self.index.snapshot else 0
        result = AskResult(question, normalized, decision, shown, kb_version=version)
        async with self.db.session() as s:
            if decision is Decision.ANSWER:
                top = shown[0]
                await store.record_hit(s, top.kind, top.entry_id)
                card = await self._card(s, top.kind, top.entry_id)
                if card is not None:
                    result.cards.append(card)
            elif decision is Decision.DECLINE and log_decline:
                best = shown[0] if shown else None
                await store.log_unanswered(
                    s,
                    UnansweredQuestion(
                        question=question[:2000],
                        normalized=normalized[:2000],
                        channel=channel,
                        sender_hash=hashlib.sha256(sender.encode()).hexdigest()[:16] if sender else "",
                        best_score=round(best.fused, 4) if best else 0.0,
                        best_kind=best.kind if best else None,
                        best_entry_id=best.entry_id if best else None,
                        asked_at=self.clock.now(),
                    ),
                )
        result.millis = (time.perf_counter() - started) * 1000
        return result

    async def unanswered(self, limit: int = 10) -> tuple[int, list[tuple[str, int, datetime]]]:
        """The editors' queue of declined questions: the total, and the most asked ones."""
        async with self.db.session() as s:
            return await store.open_unanswered(s, limit)

    async def choose(self, kind: str, entry_id: int) -> Card | None:
        """The user picked one of the offered choices: count the hit and return its card."""
        async with self.db.session() as s:
            card = await self._card(s, kind, entry_id)
            if card is not None:
                await store.record_hit(s, kind, entry_id)
            return card

    async def _card(self, s: Any, kind: str, entry_id: int) -> Card | None:
        data = await store.published_data(s, kind, entry_id)
        if data is None:  # archived since the question was asked
            return None
        item = None
        if kind == EntryKind.FAQ and data.get("item_id"):
            item = await store.published_data(s, EntryKind.ITEM, int(data["item_id"]))
        return Card(kind, entry_id, data, item)
