"""The dispatch catalogue (派单目录): which department takes which category, the matters each department
handles and the names people call it by (城管局 → 梅江区城市管理和综合执法局).

Kept in the database as versions: every edit is a new version with who and when; "undo" writes a new
version with an older one's content, so the history is never rewritten. The newest version is in force.
The router maps its categories through it and every place a dispatcher types a department name matches
through it (``Catalogue.match``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Integer, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, BigId, UTCDateTime
from office_flows.routing.departments import DepartmentMap

SHIPPED = Path(__file__).resolve().parent / "catalogue_meijiang.json"
_NOISE = re.compile(r"[\s，,。、（）()·]")


class CatalogueError(ValueError):
    """The catalogue cannot be saved as given; the message is for people (Chinese)."""


class CatalogueVersion(Base):
    __tablename__ = "dispatch_catalogue_versions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(200), default="")


@dataclass(frozen=True)
class DepartmentEntry:
    name: str
    aliases: tuple[str, ...] = ()
    matters: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalogue:
    departments: tuple[DepartmentEntry, ...]
    categories: dict[str, str] = field(default_factory=dict)  # category → department name
    version: int = 0

    @classmethod
    def from_data(cls, data: dict[str, Any], version: int = 0) -> Catalogue:
        """Check and normalise a catalogue given as data (the console's form, the API's JSON, the shipped file)."""
        if not isinstance(data, dict):
            raise CatalogueError("派单目录格式不对：应为包含 departments 和 categories 的对象。")
        raw = data.get("departments") or []
        if not isinstance(raw, list):
            raise CatalogueError("departments 应为部门列表。")
        seen: dict[str, str] = {}
        entries = []
        for i, d in enumerate(raw, start=1):
            if not isinstance(d, dict) or not str(d.get("name", "")).strip():
                raise CatalogueError(f"第 {i} 个部门缺少名称。")
            name = str(d["name"]).strip()
            aliases = tuple(_words(d.get("aliases")))
            matters = tuple(_words(d.get("matters")))
            for word in (name, *aliases):
                owner = seen.get(word)
                if owner is not None and owner != name:
                    raise CatalogueError(f"简称“{word}”同时属于“{owner}”和“{name}”，请只保留一个。")
                seen[word] = name
            entries.append(DepartmentEntry(name, aliases, matters))
        cats = data.get("categories") or {}
        if not isinstance(cats, dict):
            raise CatalogueError("categories 应为“类别 → 部门”的对应表。")
        names = {e.name for e in entries}
        categories: dict[str, str] = {}
        for cat, dept in cats.items():
            cat, dept = str(cat).strip(), str(dept).strip()
            if not cat:
                continue
            if dept not in names:
                raise CatalogueError(f"类别“{cat}”对应的部门“{dept}”不在目录的部门中。")
            categories[cat] = dept
        if not entries:
            raise CatalogueError("派单目录至少要有一个部门。")
        return cls(tuple(entries), categories, version)

    def as_data(self) -> dict[str, Any]:
        return {
            "departments": [
                {"name": e.name, "aliases": list(e.aliases), "matters": list(e.matters)} for e in self.departments
            ],
            "categories": dict(self.categories),
        }

    def department_map(self) -> DepartmentMap:
        return DepartmentMap(dict(self.categories), f"派单目录第 {self.version} 版")

    def match(self, typed: str) -> str | None:
        """The full department name a typed name stands for: the name itself, an alias, or a name that the
        typed words are a unique part of ("住建" → 梅江区住房和城乡建设局); None when nothing or several match."""
        key = _NOISE.sub("", typed)
        if not key:
            return None
        for e in self.departments:
            if key == _NOISE.sub("", e.name) or key in (_NOISE.sub("", a) for a in e.aliases):
                return e.name
        partial = {e.name for e in self.departments if key in e.name or any(key in a for a in e.aliases)}
        return partial.pop() if len(partial) == 1 else None

    def mentioned(self, text: str) -> str | None:
        """The department a sentence names by its name or an alias ("GD… 交城管局办" → 梅江区城市管理和综合执法局):
        the longest name found wins; None when none is named, or two departments are named equally well."""
        found: dict[str, int] = {}
        for e in self.departments:
            lengths = [len(w) for w in (e.name, *e.aliases) if len(w) >= 2 and w in text]
            if lengths:
                found[e.name] = max(lengths)
        if not found:
            return None
        best = max(found.values())
        names = [n for n, length in found.items() if length == best]
        return names[0] if len(names) == 1 else None

    def candidates(self, typed: str) -> list[str]:
        """Departments whose name or an alias looks like the typed name (for "您是指…？"), best first."""
        key = _NOISE.sub("", typed)
        scored = []
        for e in self.departments:
            best = max(SequenceMatcher(None, key, w).ratio() for w in (e.name, *e.aliases))
            if best >= 0.5:
                scored.append((-best, e.name))
        return [n for _, n in sorted(scored)[:3]]

    def entry(self, name: str) -> DepartmentEntry | None:
        return next((e for e in self.departments if e.name == name), None)


def _words(value: Any) -> list[str]:
    if value is None:
        return []
    items = re.split(r"[,，、\n]", value) if isinstance(value, str) else [str(v) for v in value]
    out: list[str] = []
    for x in (i.strip() for i in items):
        if x and x not in out:
            out.append(x)
    return out


def shipped() -> Catalogue:
    return Catalogue.from_data(json.loads(SHIPPED.read_text(encoding="utf-8")))


# --- versions in the database --------------------------------------------------------------------------


async def current(s: AsyncSession) -> Catalogue | None:
    row = await s.scalar(select(CatalogueVersion).order_by(CatalogueVersion.version.desc()).limit(1))
    return Catalogue.from_data(row.data, row.version) if row else None


async def versions(s: AsyncSession, limit: int = 50) -> list[CatalogueVersion]:
    q = select(CatalogueVersion).order_by(CatalogueVersion.version.desc()).limit(limit)
    return list(await s.scalars(q))


async def save(s: AsyncSession, cat: Catalogue, *, by: str, at: datetime, note: str = "") -> Catalogue:
    """A new version with this content (the caller's transaction)."""
    last = await s.scalar(select(func.max(CatalogueVersion.version))) or 0
    s.add(CatalogueVersion(version=last + 1, data=cat.as_data(), created_by=by, created_at=at, note=note[:200]))
    await s.flush()
    return Catalogue(cat.departments, cat.categories, last + 1)


async def restore(s: AsyncSession, version: int, *, by: str, at: datetime) -> Catalogue:
    """Undo: a new version with the content of ``version``."""
    row = await s.scalar(select(CatalogueVersion).where(CatalogueVersion.version == version))
    if row is None:
        raise CatalogueError(f"没有第 {version} 版派单目录。")
    return await save(s, Catalogue.from_data(row.data), by=by, at=at, note=f"恢复为第 {version} 版")


async def ensure(s: AsyncSession, *, at: datetime, fallback: DepartmentMap | None = None) -> Catalogue:
    """The catalogue in force; the first call writes version 1 (the shipped demo district's catalogue, or in
    production the configured category map with no aliases)."""
    cat = await current(s)
    if cat is not None:
        return cat
    if fallback is not None:
        names = sorted(set(fallback.departments.values()))
        first = Catalogue(tuple(DepartmentEntry(n) for n in names), dict(fallback.departments))
    else:
        first = shipped()
    return await save(s, first, by="系统", at=at, note="初始目录")
