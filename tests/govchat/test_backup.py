"""Backups (issue 19, item 4): a backup restored into a fresh data folder (and a fresh database, SQLite or
PostgreSQL) answers from the KB, verifies a sealed document, keeps the keys and models; a corrupt or foreign
archive, or an occupied target, is refused with a Chinese reason before anything is written."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from govchat.backup import BackupError, make_backup, read_archive, restore_backup
from govchat.runtime import Runtime, build_runtime
from kernel.clock import FakeClock
from kernel.config import Settings
from knowledge_base.policy import Decision
from tests.support.admin_rig import seed
from tests.support.env import ROOT, pg_admin
from tests.support.office_rig import seed_demo, who

CHAIN = ["李娜", "刘洋", "赖建国", "黄志强", "王强"]


@pytest.fixture
def fresh(settings: Settings, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    """Settings of an empty data folder and an empty database of the same kind."""
    target = replace(settings, data_dir=tmp_path / "fresh")
    if settings.database_url.startswith("sqlite"):
        yield replace(target, database_url="")
        return
    name = f"gc_{uuid.uuid4().hex[:12]}"
    pg_admin(f'CREATE DATABASE "{name}"')
    yield replace(target, database_url=settings.database_url.rsplit("/", 1)[0] + f"/{name}")
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _issue_sealed_document(rt: Runtime) -> str:
    assert rt.office is not None
    docs = rt.office.documents
    out = await docs.register(await who(rt.db, "张伟"), "FW", "关于做好汛期值班工作的通知", "各单位：请做好汛期值班。")
    for name in CHAIN:
        await docs.approve(await who(rt.db, name), out.ref, "同意")
    assert (await docs.verify(out.ref)).ok
    return out.ref


async def _populated(settings: Settings, clock: FakeClock) -> tuple[str, str]:
    rt = await build_runtime(settings, clock=clock, load_model=False)
    try:
        await seed_demo(rt.db, clock)
        await seed(rt)
        doc = await _issue_sealed_document(rt)
        await rt.tickets.create(
            kind="投诉", content="小区门口占道经营，晚上很吵", channel="phone", sender="13900001111"
        )
        assert rt.chat_signer is not None
        cookie = rt.chat_signer.sign("v-visitor-1")
    finally:
        await rt.close()
    router = settings.data_dir / "router"
    router.mkdir(parents=True, exist_ok=True)
    (router / "model.joblib").write_bytes(b"router-model-bytes")
    return doc, cookie


async def test_a_backup_restored_into_a_fresh_folder_answers_and_verifies(
    settings: Settings, fresh: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    doc, cookie = await _populated(settings, clock)
    archive = tmp_path / "backup.tar.gz"
    lines: list[str] = []
    manifest = await make_backup(settings, archive, clock.now(), lines.append)
    assert manifest.tables["tickets"] == 1 and manifest.tables["kb_faqs"] == 2
    assert any(name.startswith("files/keys/") for name in manifest.files)
    assert "files/router/model.joblib" in manifest.files
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    report = await restore_backup(fresh, archive, lines.append)
    assert report["files"] >= 3 and any("数据库已恢复" in line for line in lines)
    assert (fresh.data_dir / "router" / "model.joblib").read_bytes() == b"router-model-bytes"
    for key in (settings.data_dir / "keys").iterdir():
        restored = fresh.data_dir / "keys" / key.name
        assert restored.read_bytes() == key.read_bytes()
        assert oct(restored.stat().st_mode & 0o777) == "0o600"

    rt = await build_runtime(fresh, clock=clock, load_model=False)
    try:
        answer = await rt.kb.ask("居住证怎么办理")
        assert answer.decision is Decision.ANSWER
        assert "身份证" in str(answer.cards[0].data["answer"])
        assert rt.office is not None
        verified = await rt.office.documents.verify(doc)
        assert verified.ok, verified.reason
        assert rt.chat_signer is not None and rt.chat_signer.unsign(cookie) == "v-visitor-1"  # same deployment key
        listed = await rt.tickets.queries.listing(limit=10)
        assert [t.content for t in listed] == ["小区门口占道经营，晚上很吵"]
        created = await rt.tickets.create(kind="咨询", content="恢复后新登记的工单内容", channel="phone", sender="1")
        assert created.code != listed[0].code  # sequences continue after the restored rows
    finally:
        await rt.close()

    with pytest.raises(BackupError, match="已有 govchat 数据"):
        await restore_backup(fresh, archive, lines.append)


def _rewrite(src: Path, dst: Path, change: dict[str, bytes]) -> None:
    with tarfile.open(src, "r:gz") as tin, tarfile.open(dst, "w:gz") as tout:
        for info in tin:
            data = tin.extractfile(info).read()  # type: ignore[union-attr]
            data = change.get(info.name, data)
            info.size = len(data)
            tout.addfile(info, io.BytesIO(data))


async def test_corrupt_or_foreign_archives_are_refused_before_anything_is_written(
    sqlite_settings: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    settings = sqlite_settings
    await _populated(settings, clock)
    good = tmp_path / "good.tar.gz"
    await make_backup(settings, good, clock.now(), lambda _m: None)
    target = replace(settings, data_dir=tmp_path / "target", database_url="")

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    tampered = tmp_path / "tampered.tar.gz"
    _rewrite(good, tampered, {"db/tickets.jsonl": b'{"id": 1}\n'})
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as tar:
        info = tarfile.TarInfo("notes.txt")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    newer = tmp_path / "newer.tar.gz"
    manifest = json.loads(read_archive_manifest(good))
    manifest["alembic_revision"] = "9999"
    _rewrite(good, newer, {"manifest.json": json.dumps(manifest).encode()})

    cases = {
        truncated: "已损坏或不完整",
        tampered: "校验和不符",
        foreign: "不是 govchat 备份",
        newer: "更新版本",
        tmp_path / "missing.tar.gz": "不存在",
    }
    for path, reason in cases.items():
        with pytest.raises(BackupError, match=reason):
            await restore_backup(target, path, lambda _m: None)
        assert not target.data_dir.exists(), path  # nothing written
    assert read_archive(good).manifest["tables"]["tickets"] == 1


def read_archive_manifest(path: Path) -> bytes:
    with tarfile.open(path, "r:gz") as tar:
        return tar.extractfile("manifest.json").read()  # type: ignore[union-attr]


def test_the_commands_back_up_and_restore(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOVCHAT_", "DATABASE_URL"))}
    env.update(PYTHONPATH=str(ROOT), GOVCHAT_NLU="0")

    def govchat(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "govchat.cli", *args]
        return subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)

    assert govchat("--data-dir", str(tmp_path / "a"), "migrate").returncode == 0
    made = govchat("--data-dir", str(tmp_path / "a"), "backup", "--out", str(tmp_path / "b.tar.gz"))
    assert made.returncode == 0 and "备份完成" in made.stderr, made.stderr
    restored = govchat("--data-dir", str(tmp_path / "c"), "restore", str(tmp_path / "b.tar.gz"))
    assert restored.returncode == 0 and "恢复完成" in restored.stderr, restored.stderr
    again = govchat("--data-dir", str(tmp_path / "c"), "restore", str(tmp_path / "b.tar.gz"))
    assert again.returncode == 2 and "恢复失败：目标数据库已有 govchat 数据" in again.stderr, again.stderr
