"""One seal key per deployment (issue 15, item 7): a document sealed on one worker verifies on another, and a
rotation keeps old seals verifiable."""

from __future__ import annotations

from pathlib import Path

from kernel.clock import FakeClock
from kernel.db import Database
from office_flows.documents.seal import Sealer, load_key_ring, rotate_seal_key

PAYLOAD = {"doc_id": "FW-2026-001", "title": "关于做好汛期值班工作的通知", "body": "各单位：请做好汛期值班。"}


async def _ring(db: Database, sealer: Sealer, clock: FakeClock) -> Sealer:
    async with db.session() as s:
        await load_key_ring(s, sealer, clock.now())
    return sealer


async def test_a_seal_made_on_one_worker_verifies_on_another(database: Database, clock: FakeClock, tmp_path: Path):
    a = await _ring(database, Sealer(tmp_path / "worker-a" / "keys"), clock)  # each worker has its own data folder
    b = await _ring(database, Sealer(tmp_path / "worker-b" / "keys"), clock)
    assert a.key_id == b.key_id  # one active key for the deployment
    signature = a.sign(PAYLOAD)
    assert b.verify(PAYLOAD, signature, a.key_id).ok
    assert not b.verify({**PAYLOAD, "body": "改"}, signature, a.key_id).ok


async def test_a_workers_older_file_key_stays_verifiable(database: Database, clock: FakeClock, tmp_path: Path):
    a = await _ring(database, Sealer(tmp_path / "a"), clock)
    before = Sealer(tmp_path / "b")  # worker b sealed with its own key before the ring existed
    old_id, old_sig = before.key_id, before.sign(PAYLOAD)
    b = await _ring(database, Sealer(tmp_path / "b"), clock)
    assert b.key_id == a.key_id != old_id
    assert (await _ring(database, Sealer(tmp_path / "c"), clock)).verify(PAYLOAD, old_sig, old_id).ok


async def test_rotation_keeps_old_seals_verifiable(database: Database, clock: FakeClock, tmp_path: Path):
    a = await _ring(database, Sealer(tmp_path / "a"), clock)
    old_id, old_sig = a.key_id, a.sign(PAYLOAD)
    async with database.session() as s:
        new_id = await rotate_seal_key(s, clock.now())
    a = await _ring(database, a, clock)
    b = await _ring(database, Sealer(tmp_path / "b"), clock)
    assert a.key_id == b.key_id == new_id != old_id
    assert b.verify(PAYLOAD, old_sig, old_id).ok and b.verify(PAYLOAD, a.sign(PAYLOAD), new_id).ok
