"""The learned stage in a running KB: trained, stored, swapped in the background, picked up by other workers."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import numpy as np
import pytest

from govchat.runtime import Runtime, build_runtime
from kernel.clock import FakeClock
from kernel.config import Settings
from knowledge_base import store
from knowledge_base.index_manager import IndexManager
from knowledge_base.policy import Decision
from knowledge_base.ranker.model import Ranker
from knowledge_base.ranker.retrain import BackgroundTrainer
from knowledge_base.ranker.train import train_ranker
from knowledge_base.retriever import SearchSnapshot

NAMES = [
    "居住证办理",
    "《中华人民共和国残疾人证》挂失补办",
    "《中华人民共和国残疾人证》新办证申请",
    "食品安全管理员考试报名",
    "企业职工基本养老金申领",
    "结婚登记预约",
    "离婚登记预约",
    "机动车注册登记",
]


class ConstantModel:
    """A stand-in classifier: the same probability for every candidate (picklable by reference)."""

    def __init__(self, p: float) -> None:
        self.p = p

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return np.tile([1 - self.p, self.p], (len(x), 1))


async def _runtime(settings: Settings, clock: FakeClock) -> Runtime:
    rt = await build_runtime(settings, clock=clock, load_model=False)
    async with rt.db.session() as s:
        for n, name in enumerate(NAMES):
            item = await store.create_entry(
                s, "item", {"name": name, "department": "某某局", "source_code": f"T-{n}"}, actor="t", now=clock.now()
            )
            await store.publish_now(s, "item", item, actor="t", now=clock.now(), comment="")
    await rt.index.sync()
    return rt


async def _publish_one(rt: Runtime, name: str, clock: FakeClock) -> None:
    async with rt.db.session() as s:
        item = await store.create_entry(s, "item", {"name": name, "source_code": name}, actor="t", now=clock.now())
        await store.publish_now(s, "item", item, actor="t", now=clock.now(), comment="")
    await rt.index.sync()


@pytest.fixture
async def rt(sqlite_settings: Settings, clock: FakeClock) -> Any:
    runtime = await _runtime(sqlite_settings, clock)
    yield runtime
    await runtime.close()


async def test_train_ranker_stores_the_model_and_the_kb_decides_with_it(rt: Runtime, clock: FakeClock) -> None:
    snap = rt.index.snapshot
    assert snap is not None and snap.ranker is None and rt.kb.default_mode() == "fused"
    ranker = train_ranker(snap, stamp="s1", trained_at=clock.now().isoformat())
    assert ranker.meta["kb_version"] == snap.kb_version and ranker.meta["pairs"] > 0
    await rt.index.install_ranker(ranker)
    assert rt.kb.default_mode() == "learned"
    decision, _shown, hits = rt.kb.decide("结婚登记要预约吗")
    assert all(h.prob is not None for h in hits[:3])
    assert decision in (Decision.ANSWER, Decision.SUGGEST, Decision.DECLINE)
    # A second worker on the same data folder loads the stored model when it starts.
    other = IndexManager(
        rt.db, rt.clock, index_dir=rt.settings.index_dir, encoders=[], params=rt.index.params, persist=True
    )
    await other.sync()
    assert other.snapshot is not None and other.snapshot.ranker is not None
    assert other.snapshot.ranker.stamp == "s1"


async def test_background_retrain_keeps_the_old_model_until_the_new_one_is_ready(rt: Runtime, clock: FakeClock) -> None:
    old = Ranker(ConstantModel(0.2), {"kb_version": rt.index.snapshot.kb_version, "stamp": "old"})  # type: ignore[union-attr]
    await rt.index.install_ranker(old)
    release = threading.Event()
    trained: list[int] = []

    def slow_train(snap: SearchSnapshot, stamp: str, trained_at: str) -> Ranker:
        release.wait(10)
        trained.append(snap.kb_version)
        return Ranker(ConstantModel(0.9), {"kb_version": snap.kb_version, "stamp": stamp})

    trainer = BackgroundTrainer(rt.db, clock, rt.index, every=2, train=slow_train)
    await _publish_one(rt, "新事项一", clock)
    assert not await trainer.maybe_train()  # one publish: not yet
    await _publish_one(rt, "新事项二", clock)
    assert await trainer.maybe_train()
    assert not await trainer.maybe_train()  # already training
    # A second worker cannot claim the same version.
    other = BackgroundTrainer(rt.db, clock, rt.index, every=2, train=slow_train)
    other.task = None
    async with rt.db.session() as s:
        assert not await store.claim_ranker_training(s, rt.index.snapshot.kb_version)  # type: ignore[union-attr]
    # Meanwhile the old model answers.
    _, _, hits = rt.kb.decide("居住证办理")
    assert rt.index.snapshot.ranker.stamp == "old"  # type: ignore[union-attr]
    assert hits[0].prob is not None
    release.set()
    assert trainer.task is not None
    await asyncio.wait_for(trainer.task, 10)
    assert trained == [rt.index.snapshot.kb_version]  # type: ignore[union-attr]
    new = rt.index.snapshot.ranker  # type: ignore[union-attr]
    assert new is not None and new.stamp.startswith(f"v{trained[0]}-")
    # Stored for the other workers: a fresh index manager on the same folder loads the new stamp.
    assert Ranker.stored_stamp(rt.settings.index_dir) == new.stamp


async def test_no_background_training_when_the_learned_stage_is_off(rt: Runtime, clock: FakeClock) -> None:
    rt.index.use_ranker = False
    trainer = BackgroundTrainer(rt.db, clock, rt.index, every=1, min_entries=1)
    await _publish_one(rt, "新事项三", clock)
    assert trainer.due() is None and not await trainer.maybe_train()
