"""Loads the hand-written demo knowledge base of the demo district (梅江区)."""

from __future__ import annotations

import json
from datetime import datetime
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge_base import store
from knowledge_base.importers.faq_table import apply_rows
from knowledge_base.importers.gdzwfw import import_items
from knowledge_base.importers.rows import ImportFailed, ImportReport, RowProblem
from knowledge_base.models import EntryVersion, ServiceItem


def _load(name: str) -> list[dict[str, Any]]:
    text = (resources.files("knowledge_base") / "demo" / name).read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, list):
        raise ValueError(f"demo/{name} must hold a JSON array")
    return data


def demo_items() -> list[dict[str, Any]]:
    allowed = set(store.ITEM_FIELDS)
    items = []
    for raw in _load("items.json"):
        item = {k: v for k, v in raw.items() if k in allowed}
        item.setdefault("catalog_name", item["name"])
        items.append(item)
    return items


def demo_faqs() -> list[dict[str, Any]]:
    return [
        {
            "row": n,
            "question": f["question"],
            "similar_questions": f.get("similar_questions", []),
            "answer": f["answer"],
            "item_code": f.get("item_code"),
            "category": f.get("category", ""),
            "tags": f.get("tags", []),
        }
        for n, f in enumerate(_load("faqs.json"), start=1)
    ]


async def load_demo(session: AsyncSession, *, now: datetime, actor: str = "demo") -> dict[str, Any]:
    """Import and publish the demo items and FAQs (idempotent: unchanged entries are skipped)."""
    items = await import_items(session, demo_items(), actor=actor, now=now, publish=True)
    faqs = await apply_rows(session, demo_faqs(), actor=actor, now=now, publish=True)
    if not faqs.ok:
        raise ImportFailed(faqs)
    return {"items": items.as_dict(), "faqs": faqs.as_dict()}


async def kb_is_empty(session: AsyncSession) -> bool:
    return await store.count(session, ServiceItem) == 0


__all__ = ["ImportReport", "RowProblem", "archive_demo", "kb_is_empty", "load_demo"]


async def archive_demo(session: AsyncSession, *, now: datetime, actor: str) -> int:
    """Archive demo entries no editor has touched: invented demo facts must not answer next to real data.

    They stay in the version history and can be restored (archived → draft → published).
    """
    rows = await session.execute(
        select(EntryVersion.kind, EntryVersion.entry_id).where(EntryVersion.version == 1, EntryVersion.actor == "demo")
    )
    archived = 0
    for kind, entry_id in rows.all():
        entry = await store.get_entry(session, kind, entry_id)
        if entry.status == "published" and entry.updated_by == "demo":
            await store.transition(
                session,
                kind,
                entry_id,
                "archived",
                actor=actor,
                now=now,
                comment="导入正式数据，归档演示数据",
                bump=False,
            )
            archived += 1
    if archived:
        await store.bump_kb_version(session)
    return archived
