"""Importer for the Guangdong government service catalogue (广东政务服务网) JSONL format."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge_base import store
from knowledge_base.importers.rows import ImportFailed, ImportReport, RowProblem, list_field, text_field
from knowledge_base.models import EntryKind, ServiceItem

_LIMIT = re.compile(r"^\s*(\d+)\s*[（(]\s*(工作日|自然日|日|天)\s*[)）]\s*$")


def _time_limit(text: str) -> str:
    """'7(工作日)' → '7个工作日'; anything else is kept as written."""
    m = _LIMIT.match(text)
    if not m:
        return text
    unit = "个工作日" if m.group(2) == "工作日" else "个自然日" if m.group(2) == "自然日" else "天"
    return f"{m.group(1)}{unit}"


def parse_row(raw: Any, row: int, problems: list[RowProblem]) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        problems.append(RowProblem(row, "(整行)", "不是 JSON 对象"))
        return None
    before = len(problems)
    location = text_field(raw, "location", row, problems)
    location = re.sub(r"^办理地点[:：]\s*", "", location)
    data = {
        "source_code": text_field(raw, "task_code", row, problems, required=True, max_len=64),
        "name": text_field(raw, "name", row, problems, required=True, max_len=300),
        "catalog_name": text_field(raw, "catalog_name", row, problems, max_len=300),
        "department": text_field(raw, "department", row, problems, max_len=200),
        "item_type": text_field(raw, "type", row, problems, max_len=50),
        "area": text_field(raw, "area", row, problems, max_len=100),
        "level": text_field(raw, "level", row, problems, max_len=20),
        "legal_time_limit": _time_limit(text_field(raw, "legal_time_limit", row, problems, max_len=100)),
        "promised_time_limit": _time_limit(text_field(raw, "promised_time_limit", row, problems, max_len=100)),
        "materials": list_field(raw, "materials", row, problems),
        "service_objects": list_field(raw, "service_objects", row, problems),
        "themes": list_field(raw, "themes", row, problems),
        "location": location,
        "consult_phone": text_field(raw, "consult_phone", row, problems, max_len=2000),
        "complain_phone": text_field(raw, "complain_phone", row, problems, max_len=2000),
        "online_booking": text_field(raw, "online_booking", row, problems) == "是",
        "legal_basis": text_field(raw, "basis", row, problems),
        "online_url": text_field(raw, "url", row, problems, max_len=500),
    }
    return data if len(problems) == before else None


def read_jsonl(path: Path) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    problems: list[RowProblem] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise ImportFailed(ImportReport(problems=[RowProblem(0, "(文件)", f"不是 UTF-8 文本：{exc}")])) from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(RowProblem(number, "(整行)", f"JSON 格式错误：{exc.msg}"))
            continue
        data = parse_row(raw, number, problems)
        if data is None:
            continue
        code = data["source_code"]
        if code in seen:
            problems.append(RowProblem(number, "task_code", f"与第 {seen[code]} 行重复：{code}"))
            continue
        seen[code] = number
        rows.append(data)
    return rows, problems


async def import_items(
    session: AsyncSession,
    rows: list[dict[str, Any]],
    *,
    actor: str,
    now: datetime,
    publish: bool = True,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Create or update items by source code, in the caller's transaction; bumps the KB version once."""
    report = ImportReport()
    existing = {
        item.source_code: item
        for item in (
            await session.scalars(
                select(ServiceItem).where(ServiceItem.source_code.in_([r["source_code"] for r in rows]))
            )
        ).all()
    }
    for n, data in enumerate(rows, start=1):
        item = existing.get(data["source_code"])
        if item is None:
            entry = await store.create_entry(session, EntryKind.ITEM, data, actor=actor, now=now, comment="导入")
            report.created += 1
        else:
            current = store.snapshot(item)
            changes = {k: v for k, v in data.items() if current.get(k) != v}
            if not changes and item.published_version == item.version:
                report.unchanged += 1
                continue
            entry = item
            if changes:
                entry = await store.edit_entry(
                    session, EntryKind.ITEM, item.id, changes, actor=actor, now=now, comment="导入更新"
                )
            report.updated += 1
        if publish and entry.status != "published":
            await store.publish_now(
                session, EntryKind.ITEM, entry, actor=actor, now=now, comment="导入发布", bump=False
            )
        if progress is not None and n % 500 == 0:
            progress(f"导入事项：{n}/{len(rows)}")
    if publish and (report.created or report.updated):
        await store.bump_kb_version(session)
    report.applied = True
    return report
