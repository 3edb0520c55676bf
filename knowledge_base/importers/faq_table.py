"""FAQ import and export as CSV or XLSX, with a validation report before anything is applied.

Columns (Chinese headers; the English names are accepted too):
标准问题 question | 相似问题 similar_questions (one per line, or separated by ｜ or |) | 答案 answer |
关联事项编码 item_code | 分类 category | 标签 tags (separated by commas)
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.spreadsheet import csv_rows, from_csv_cell, mark_xlsx_text
from knowledge_base import store
from knowledge_base.importers.rows import ImportReport, RowProblem, text_field
from knowledge_base.models import EntryKind, Faq, ServiceItem

COLUMNS = [
    ("question", "标准问题"),
    ("similar_questions", "相似问题"),
    ("answer", "答案"),
    ("item_code", "关联事项编码"),
    ("category", "分类"),
    ("tags", "标签"),
]
_HEADER_TO_KEY = {zh: key for key, zh in COLUMNS} | {key: key for key, _ in COLUMNS}
_SPLIT_SIMILAR = re.compile(r"[\n｜|]+")
_SPLIT_TAGS = re.compile(r"[,，;；、]+")


def read_table(path: Path) -> list[dict[str, Any]]:
    """Rows as dicts keyed by the English column names; row 1 is the header."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            raw_rows = [[from_csv_cell(c) for c in r] for r in csv.reader(fh)]
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        raw_rows = [["" if c is None else str(c) for c in r] for r in wb.active.iter_rows(values_only=True)]
        wb.close()
    else:
        raise ValueError(f"不支持的文件类型：{suffix}（请用 .csv 或 .xlsx）")
    if not raw_rows:
        return []
    header = [_HEADER_TO_KEY.get(h.strip(), "") for h in raw_rows[0]]
    if "question" not in header or "answer" not in header:
        raise ValueError("表头缺少“标准问题”或“答案”列")
    return [
        {key: value for key, value in zip(header, r, strict=False) if key}
        for r in raw_rows[1:]
        if any(str(c).strip() for c in r)
    ]


def parse_rows(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    problems: list[RowProblem] = []
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(rows, start=2):  # row 1 is the header
        before = len(problems)
        question = text_field(raw, "question", n, problems, required=True, max_len=500)
        answer = text_field(raw, "answer", n, problems, required=True, max_len=5000)
        similar = [q.strip() for q in _SPLIT_SIMILAR.split(str(raw.get("similar_questions") or "")) if q.strip()]
        if any(len(q) > 500 for q in similar):
            problems.append(RowProblem(n, "similar_questions", "某个相似问题超过 500 个字符"))
        tags = [t.strip() for t in _SPLIT_TAGS.split(str(raw.get("tags") or "")) if t.strip()]
        if question in seen:
            problems.append(RowProblem(n, "question", f"与第 {seen[question]} 行的标准问题重复"))
        if len(problems) == before:
            seen[question] = n
            out.append(
                {
                    "row": n,
                    "question": question,
                    "similar_questions": list(dict.fromkeys(q for q in similar if q != question)),
                    "answer": answer,
                    "item_code": text_field(raw, "item_code", n, problems, max_len=64) or None,
                    "category": text_field(raw, "category", n, problems, max_len=50),
                    "tags": tags,
                }
            )
    return out, problems


async def apply_rows(
    session: AsyncSession, rows: list[dict[str, Any]], *, actor: str, now: datetime, publish: bool
) -> ImportReport:
    """Validate against the database, then create or update FAQs by standard question.

    Problems found here raise nothing by themselves: the report lists them and the caller
    rolls back; an import applies whole or not at all.
    """
    report = ImportReport()
    codes = {r["item_code"] for r in rows if r["item_code"]}
    items = (
        dict(
            (
                await session.execute(
                    select(ServiceItem.source_code, ServiceItem.id).where(ServiceItem.source_code.in_(codes))
                )
            ).all()
        )
        if codes
        else {}
    )
    for r in rows:
        if r["item_code"] and r["item_code"] not in items:
            report.problems.append(RowProblem(r["row"], "item_code", f"找不到事项编码 {r['item_code']}"))
    if report.problems:
        return report
    existing = {
        f.question: f
        for f in (await session.scalars(select(Faq).where(Faq.question.in_([r["question"] for r in rows])))).all()
    }
    for r in rows:
        data = {
            "question": r["question"],
            "similar_questions": r["similar_questions"],
            "answer": r["answer"],
            "item_id": items.get(r["item_code"]) if r["item_code"] else None,
            "category": r["category"],
            "tags": r["tags"],
        }
        faq = existing.get(r["question"])
        if faq is None:
            entry = await store.create_entry(session, EntryKind.FAQ, data, actor=actor, now=now, comment="导入")
            report.created += 1
        else:
            changes = {k: v for k, v in data.items() if store.snapshot(faq).get(k) != v}
            if not changes:
                report.unchanged += 1
                continue
            entry = await store.edit_entry(
                session, EntryKind.FAQ, faq.id, changes, actor=actor, now=now, comment="导入更新"
            )
            report.updated += 1
        if publish:
            await store.publish_now(session, EntryKind.FAQ, entry, actor=actor, now=now, comment="导入发布", bump=False)
    if publish and (report.created or report.updated):
        await store.bump_kb_version(session)
    report.applied = True
    return report


async def export_rows(session: AsyncSession, *, published_only: bool = False) -> list[list[str]]:
    stmt = select(Faq, ServiceItem.source_code).outerjoin(ServiceItem, ServiceItem.id == Faq.item_id)
    if published_only:
        stmt = stmt.where(Faq.published_version.is_not(None))
    out = [[zh for _, zh in COLUMNS]]
    for faq, code in (await session.execute(stmt.order_by(Faq.id))).all():
        out.append(
            [
                faq.question,
                "\n".join(faq.similar_questions),
                faq.answer,
                code or "",
                faq.category,
                "，".join(faq.tags),
            ]
        )
    return out


def write_table(rows: Iterable[list[str]], path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        buf = io.StringIO()
        csv.writer(buf).writerows(csv_rows(rows))
        path.write_text(buf.getvalue(), encoding="utf-8-sig")
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "常见问题"
        for r in rows:
            ws.append(r)
        mark_xlsx_text(ws)  # an editor's "=…" or "-…" stays the text it is
        wb.save(path)
    else:
        raise ValueError(f"不支持的文件类型：{suffix}（请用 .csv 或 .xlsx）")
