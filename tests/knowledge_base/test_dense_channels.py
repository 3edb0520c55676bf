"""Several dense retrievers side by side: one FAISS index each, keyed by the same text ids, built incrementally.

Uses small deterministic encoders (character hashing) so that it runs without a model; the real models
are covered by test_retrieval.py.
"""

from __future__ import annotations

import hashlib

import numpy as np
from sqlalchemy import select

from govchat.runtime import open_database
from kernel.config import Settings
from knowledge_base import store
from knowledge_base.index_manager import IndexManager
from knowledge_base.models import IndexBuild
from knowledge_base.retriever import MAIN, USE, DenseCalibration, FusionParams
from knowledge_base.vector_index import model_slug


class CharEncoder:
    """Bag of hashed characters (or character pairs), L2-normalised: similar strings get similar vectors."""

    def __init__(self, name: str, ngram: int) -> None:
        self.name, self.dim, self.ngram, self.calls = name, 64, ngram, 0

    def encode(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for i in range(max(len(text) - self.ngram + 1, 1)):
                h = hashlib.md5(text[i : i + self.ngram].encode()).digest()
                out[row, h[0] % self.dim] += 1
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        return out


PARAMS = FusionParams(dense=(DenseCalibration(MAIN, 0.5, 0.0, 1.0), DenseCalibration(USE, 0.3, 0.0, 1.0)))


def _manager(db, clock, settings: Settings, main: CharEncoder, second: CharEncoder) -> IndexManager:
    return IndexManager(db, clock, index_dir=settings.index_dir, encoders=[(MAIN, main), (USE, second)], params=PARAMS)


async def _publish(db, clock, kind: str, data: dict) -> int:
    async with db.session() as s:
        entry = await store.create_entry(s, kind, data, actor="editor", now=clock.now())
        await store.publish_now(s, kind, entry, actor="chief", now=clock.now(), comment="")
        return entry.id


async def test_each_encoder_gets_its_own_persisted_index_rebuilt_incrementally(sqlite_settings: Settings, clock):
    db = await open_database(sqlite_settings)
    try:
        await _publish(db, clock, "item", {"name": "居住证办理", "aliases": ["办居住证"], "department": "公安分局"})
        await _publish(db, clock, "item", {"name": "营业执照申领", "department": "市场监督管理局"})
        main, second = CharEncoder("fake-main", 1), CharEncoder("fake-second", 2)
        first = _manager(db, clock, sqlite_settings, main, second)
        report = await first.sync()
        snap = first.snapshot
        assert snap is not None and snap.channels == [MAIN, USE]
        assert all(set(d.vectors.hashes) == set(snap.texts) for d in snap.dense)
        for enc in (main, second):  # beside each other, named after their model
            assert (sqlite_settings.index_dir / model_slug(enc.name) / "CURRENT").is_file()
        async with db.session() as s:
            builds = (await s.scalars(select(IndexBuild).order_by(IndexBuild.id))).all()
        assert [b.model_name for b in builds] == ["fake-main", "fake-second"]
        assert report.added == len(snap.texts)

        # a restart loads both indexes from disk and embeds nothing
        main2, second2 = CharEncoder("fake-main", 1), CharEncoder("fake-second", 2)
        restarted = _manager(db, clock, sqlite_settings, main2, second2)
        await restarted.sync()
        assert main2.calls == second2.calls == 0

        # a new FAQ is embedded once per encoder, only its own texts
        faq = {"question": "居住证丢了怎么补办", "similar_questions": ["居住证遗失补领"], "answer": "到派出所补领。"}
        await _publish(db, clock, "faq", faq)
        report = await restarted.sync()
        assert report.added == 2 and main2.calls == second2.calls == 2
        snap = restarted.snapshot
        assert snap is not None and all(len(d.vectors) == len(snap.texts) for d in snap.dense)
    finally:
        await db.dispose()


async def test_modes_and_pooling(sqlite_settings: Settings, clock):
    db = await open_database(sqlite_settings)
    try:
        await _publish(db, clock, "item", {"name": "居住证办理", "aliases": ["办居住证"], "department": "公安分局"})
        await _publish(db, clock, "item", {"name": "营业执照申领", "department": "市场监督管理局"})
        manager = _manager(db, clock, sqlite_settings, CharEncoder("m", 1), CharEncoder("s", 2))
        await manager.sync()
        snap = manager.snapshot
        assert snap is not None
        fused = snap.search("居住证怎么办")
        assert fused[0].title == "居住证办理"
        # every pooled text carries the scores of every retriever used
        for _text, lexical, cosines in snap.candidates("居住证怎么办"):
            assert all(c is not None for c in cosines) and 0 <= lexical <= 1
        # single-retriever modes use only their own score
        lex_only = snap.search("居住证怎么办", mode="lexical")
        assert lex_only[0].fused == lex_only[0].lexical
        one = snap.search("居住证怎么办", mode="dense-use")
        assert one and all(c[2][0] is None for c in snap.candidates("居住证怎么办", mode="dense-use"))
        # per-entry max over texts per retriever never scores below the best single text
        by_channel = snap.search("居住证怎么办", params=FusionParams(dense=PARAMS.dense, per_entry="channel"))
        assert by_channel[0].fused >= fused[0].fused
    finally:
        await db.dispose()


def test_weights_per_mode_sum_to_one():
    p = PARAMS
    channels = [MAIN, USE]
    lex, dense = p.weights("fused", channels)
    assert abs(lex - 0.2) < 1e-9 and dense == [0.5, 0.3]
    lex, dense = p.weights("dense", channels)
    assert lex == 0 and abs(sum(dense) - 1) < 1e-9 and dense[0] > dense[1]
    assert p.weights("dense-main", channels) == (0.0, [1.0, 0.0])
    assert p.weights("lexical", channels) == (1.0, [0.0, 0.0])
    # without the second encoder, its weight is shared out over what is present
    lex, dense = p.weights("fused", [MAIN])
    assert abs(lex + dense[0] - 1) < 1e-9 and abs(dense[0] - 0.5 / 0.7) < 1e-9
