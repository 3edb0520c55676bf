"""Storage operations of the knowledge base (one AsyncSession, the caller's transaction)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge_base.models import (
    DialectWord,
    EntryKind,
    EntryStatus,
    EntryVersion,
    Faq,
    KbState,
    SearchText,
    ServiceItem,
    StatusChange,
    Synonym,
    UnansweredQuestion,
)


class KbError(ValueError):
    """A knowledge-base operation that cannot be done; the message is for people (Chinese)."""


ITEM_FIELDS = [
    "source_code",
    "name",
    "aliases",
    "catalog_name",
    "department",
    "item_type",
    "area",
    "level",
    "legal_time_limit",
    "promised_time_limit",
    "materials",
    "conditions",
    "fees",
    "location",
    "consult_phone",
    "complain_phone",
    "online_url",
    "online_booking",
    "legal_basis",
    "service_objects",
    "themes",
]
FAQ_FIELDS = ["question", "similar_questions", "answer", "item_id", "category", "tags"]

# Allowed status moves of an entry's working version. Publishing happens from review;
# archived entries come back as drafts.
TRANSITIONS: dict[str, set[str]] = {
    EntryStatus.DRAFT: {EntryStatus.REVIEW, EntryStatus.ARCHIVED},
    EntryStatus.REVIEW: {EntryStatus.DRAFT, EntryStatus.PUBLISHED, EntryStatus.ARCHIVED},
    EntryStatus.PUBLISHED: {EntryStatus.ARCHIVED},
    EntryStatus.ARCHIVED: {EntryStatus.DRAFT},
}
STATUS_LABELS = {"draft": "草稿", "review": "待审核", "published": "已发布", "archived": "已归档"}
KB_VERSION_KEY = "kb_version"

Entry = ServiceItem | Faq


def model_of(kind: str) -> type[ServiceItem] | type[Faq]:
    if kind == EntryKind.ITEM:
        return ServiceItem
    if kind == EntryKind.FAQ:
        return Faq
    raise KbError(f"未知的条目类型：{kind}")


def fields_of(kind: str) -> list[str]:
    return ITEM_FIELDS if kind == EntryKind.ITEM else FAQ_FIELDS


def snapshot(entry: Entry) -> dict[str, Any]:
    kind = EntryKind.ITEM if isinstance(entry, ServiceItem) else EntryKind.FAQ
    return {name: getattr(entry, name) for name in fields_of(kind)}


# --- KB version counter ----------------------------------------------------------------------


async def kb_version(session: AsyncSession) -> int:
    value = await session.scalar(select(KbState.value).where(KbState.key == KB_VERSION_KEY))
    return int(value or 0)


async def bump_kb_version(session: AsyncSession) -> int:
    # UPDATE ... RETURNING-free form that works on SQLite and PostgreSQL; the row lock serialises writers.
    result = await session.execute(update(KbState).where(KbState.key == KB_VERSION_KEY).values(value=KbState.value + 1))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        session.add(KbState(key=KB_VERSION_KEY, value=1))
        await session.flush()
    return await kb_version(session)


RANKER_CLAIM_KEY = "ranker_claim"


async def claim_ranker_training(session: AsyncSession, version: int) -> bool:
    """Claim the retraining of the learned stage for a KB version: True for exactly one worker.

    A claim that never finished (the worker died) is superseded by the next publish's version.
    """
    result = await session.execute(
        update(KbState).where(KbState.key == RANKER_CLAIM_KEY, KbState.value < version).values(value=version)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        return True
    if await session.scalar(select(KbState.value).where(KbState.key == RANKER_CLAIM_KEY)) is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(KbState(key=RANKER_CLAIM_KEY, value=version))
    except IntegrityError:  # another worker inserted it first
        return False
    return True


# --- entries -----------------------------------------------------------------------------------


async def get_entry(session: AsyncSession, kind: str, entry_id: int, *, lock: bool = False) -> Entry:
    model = model_of(kind)
    stmt = select(model).where(model.id == entry_id)
    if lock:
        stmt = stmt.with_for_update()
    entry = await session.scalar(stmt)
    if not isinstance(entry, ServiceItem | Faq):
        raise KbError(f"找不到{'事项' if kind == EntryKind.ITEM else '问答'} #{entry_id}")
    return entry


async def _write_version(
    session: AsyncSession, kind: str, entry: Entry, actor: str, now: datetime, comment: str
) -> None:
    session.add(
        EntryVersion(
            kind=kind,
            entry_id=entry.id,
            version=entry.version,
            status=entry.status,
            data=snapshot(entry),
            actor=actor,
            at=now,
            comment=comment,
        )
    )


def _check_fields(kind: str, data: dict[str, Any]) -> None:
    unknown = set(data) - set(fields_of(kind))
    if unknown:
        raise KbError(f"未知字段：{', '.join(sorted(unknown))}")
    if kind == EntryKind.ITEM and "name" in data and not str(data["name"]).strip():
        raise KbError("事项名称不能为空")
    if kind == EntryKind.FAQ:
        if "question" in data and not str(data["question"]).strip():
            raise KbError("标准问题不能为空")
        if "answer" in data and not str(data["answer"]).strip():
            raise KbError("答案不能为空")


async def create_entry(
    session: AsyncSession,
    kind: str,
    data: dict[str, Any],
    *,
    actor: str,
    now: datetime,
    comment: str = "新建",
) -> Entry:
    _check_fields(kind, data)
    model = model_of(kind)
    entry = model(**data, status=EntryStatus.DRAFT.value, version=1, created_at=now, updated_at=now)
    entry.updated_by = actor
    session.add(entry)
    await session.flush()
    await _write_version(session, kind, entry, actor, now, comment)
    return entry


async def edit_entry(
    session: AsyncSession,
    kind: str,
    entry_id: int,
    changes: dict[str, Any],
    *,
    actor: str,
    now: datetime,
    comment: str = "修改",
) -> Entry:
    """A new working version in draft; the published version keeps answering until re-published."""
    _check_fields(kind, changes)
    entry = await get_entry(session, kind, entry_id, lock=True)
    if entry.status == EntryStatus.ARCHIVED:
        raise KbError("已归档的条目不能修改，请先恢复为草稿")
    for name, value in changes.items():
        setattr(entry, name, value)
    entry.version += 1
    entry.status = EntryStatus.DRAFT.value
    entry.updated_at, entry.updated_by = now, actor
    await session.flush()
    await _write_version(session, kind, entry, actor, now, comment)
    return entry


async def transition(
    session: AsyncSession,
    kind: str,
    entry_id: int,
    to_status: str,
    *,
    actor: str,
    now: datetime,
    comment: str = "",
    bump: bool = True,
) -> Entry:
    """Move an entry's working version; ``bump=False`` lets a bulk import bump the KB version once."""
    entry = await get_entry(session, kind, entry_id, lock=True)
    current = entry.status
    if to_status not in TRANSITIONS.get(current, set()):
        raise KbError(f"不能从“{STATUS_LABELS.get(current, current)}”变为“{STATUS_LABELS.get(to_status, to_status)}”")
    entry.status = to_status
    entry.updated_at, entry.updated_by = now, actor
    session.add(
        StatusChange(
            kind=kind,
            entry_id=entry.id,
            version=entry.version,
            from_status=current,
            to_status=to_status,
            actor=actor,
            at=now,
            comment=comment,
        )
    )
    await session.execute(
        update(EntryVersion)
        .where(EntryVersion.kind == kind, EntryVersion.entry_id == entry.id)
        .where(EntryVersion.version == entry.version)
        .values(status=to_status)
    )
    if to_status == EntryStatus.PUBLISHED:
        entry.published_version = entry.version
        await replace_search_texts(session, kind, entry)
        if bump:
            await bump_kb_version(session)
    elif to_status == EntryStatus.ARCHIVED and entry.published_version is not None:
        entry.published_version = None
        await session.execute(delete(SearchText).where(SearchText.kind == kind, SearchText.entry_id == entry.id))
        if bump:
            await bump_kb_version(session)
    await session.flush()
    return entry


async def publish_now(
    session: AsyncSession,
    kind: str,
    entry: Entry,
    *,
    actor: str,
    now: datetime,
    comment: str,
    bump: bool = True,
) -> None:
    """Walk the entry to published (archived → draft → review → published), for trusted imports."""
    path = {
        EntryStatus.ARCHIVED: (EntryStatus.DRAFT, EntryStatus.REVIEW, EntryStatus.PUBLISHED),
        EntryStatus.DRAFT: (EntryStatus.REVIEW, EntryStatus.PUBLISHED),
        EntryStatus.REVIEW: (EntryStatus.PUBLISHED,),
    }.get(EntryStatus(entry.status), ())
    for status in path:
        await transition(session, kind, entry.id, status, actor=actor, now=now, comment=comment, bump=bump)


async def restore_version(
    session: AsyncSession, kind: str, entry_id: int, version: int, *, actor: str, now: datetime
) -> Entry:
    """Roll back: the content of an earlier version becomes a new draft version."""
    old = await session.scalar(
        select(EntryVersion).where(
            EntryVersion.kind == kind, EntryVersion.entry_id == entry_id, EntryVersion.version == version
        )
    )
    if old is None:
        raise KbError(f"找不到第 {version} 版")
    entry = await get_entry(session, kind, entry_id, lock=True)
    if entry.status == EntryStatus.ARCHIVED:
        await transition(session, kind, entry_id, EntryStatus.DRAFT, actor=actor, now=now, comment="恢复")
    return await edit_entry(
        session, kind, entry_id, dict(old.data), actor=actor, now=now, comment=f"回滚到第 {version} 版"
    )


async def versions(session: AsyncSession, kind: str, entry_id: int) -> Sequence[EntryVersion]:
    rows = await session.scalars(
        select(EntryVersion)
        .where(EntryVersion.kind == kind, EntryVersion.entry_id == entry_id)
        .order_by(EntryVersion.version)
    )
    return rows.all()


async def published_data(session: AsyncSession, kind: str, entry_id: int) -> dict[str, Any] | None:
    model = model_of(kind)
    row = await session.execute(
        select(EntryVersion.data)
        .join(model, (model.id == EntryVersion.entry_id) & (EntryVersion.kind == kind))
        .where(model.id == entry_id, EntryVersion.version == model.published_version)
    )
    data = row.scalar_one_or_none()
    return dict(data) if data is not None else None


# --- search texts ----------------------------------------------------------------------------


def search_texts_of(kind: str, data: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, text) pairs to index: names and questions, never answers alone."""
    out: list[tuple[str, str]] = []
    if kind == EntryKind.ITEM:
        out.append(("name", data["name"]))
        if data.get("catalog_name") and data["catalog_name"] != data["name"]:
            out.append(("alias", data["catalog_name"]))
        out.extend(("alias", a) for a in data.get("aliases") or [])
        if data.get("department"):
            # Who handles it disambiguates look-alike names (measured: +5 points hit@1 on the catalogue).
            out.append(("profile", f"{data['department']} {data['name']}"))
    else:
        out.append(("question", data["question"]))
        out.extend(("similar", q) for q in data.get("similar_questions") or [])
    seen: set[str] = set()
    unique = []
    for fld, text in out:
        text = str(text).strip()
        if text and text not in seen:
            seen.add(text)
            unique.append((fld, text))
    return unique


async def replace_search_texts(session: AsyncSession, kind: str, entry: Entry) -> None:
    await session.execute(delete(SearchText).where(SearchText.kind == kind, SearchText.entry_id == entry.id))
    for fld, text in search_texts_of(kind, snapshot(entry)):
        session.add(SearchText(kind=kind, entry_id=entry.id, field=fld, text=text))


async def published_search_texts(session: AsyncSession) -> Sequence[SearchText]:
    return (await session.scalars(select(SearchText).order_by(SearchText.id))).all()


async def published_titles(session: AsyncSession) -> list[tuple[str, int, str, str | None]]:
    """(kind, id, title, source_code) of published entries; a FAQ carries its item's code."""
    out: list[tuple[str, int, str, str | None]] = []
    items = await session.execute(
        select(ServiceItem.id, ServiceItem.name, ServiceItem.source_code).where(
            ServiceItem.published_version.is_not(None)
        )
    )
    out.extend((EntryKind.ITEM.value, i, name, code) for i, name, code in items)
    faqs = await session.execute(
        select(Faq.id, Faq.question, ServiceItem.source_code)
        .outerjoin(ServiceItem, ServiceItem.id == Faq.item_id)
        .where(Faq.published_version.is_not(None))
    )
    out.extend((EntryKind.FAQ.value, i, q, code) for i, q, code in faqs)
    return out


async def published_names(session: AsyncSession) -> list[tuple[str, str]]:
    """(word, jieba tag) for published item names, aliases and departments: for the NLU dictionary."""
    rows = await session.execute(
        select(ServiceItem.name, ServiceItem.aliases, ServiceItem.department).where(
            ServiceItem.published_version.is_not(None)
        )
    )
    out: list[tuple[str, str]] = []
    for name, aliases, department in rows:
        out.append((name, "n"))
        out.extend((a, "n") for a in aliases or [])
        if department:
            out.append((department, "nt"))
    return out


# --- hits, misses, lexicons ------------------------------------------------------------------


async def record_hit(session: AsyncSession, kind: str, entry_id: int) -> None:
    model = model_of(kind)
    await session.execute(update(model).where(model.id == entry_id).values(hit_count=model.hit_count + 1))


async def log_unanswered(session: AsyncSession, row: UnansweredQuestion) -> None:
    session.add(row)


async def open_unanswered(session: AsyncSession, limit: int) -> tuple[int, list[tuple[str, int, datetime]]]:
    """Unresolved declined questions: how many in all, and the most asked (by normalised text) with how many
    times and when last, most asked first."""
    unresolved = UnansweredQuestion.resolved_at.is_(None)
    total = int(await session.scalar(select(func.count()).where(unresolved)) or 0)
    times, last = func.count().label("times"), func.max(UnansweredQuestion.asked_at).label("last")
    rows = await session.execute(
        select(func.min(UnansweredQuestion.question), times, last)
        .where(unresolved)
        .group_by(UnansweredQuestion.normalized)
        .order_by(times.desc(), last.desc())
        .limit(limit)
    )
    return total, [(str(q), int(n), at) for q, n, at in rows.all()]


async def count(session: AsyncSession, model: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def dialect_pairs(session: AsyncSession) -> list[tuple[str, str]]:
    rows = await session.execute(
        select(DialectWord.word, DialectWord.mandarin)
        .where(DialectWord.enabled.is_(True))
        .order_by(DialectWord.source, DialectWord.id)
    )
    return [(w, m) for w, m in rows]


async def seed_dialect_words(session: AsyncSession, pairs: Iterable[tuple[str, str, str, str]]) -> int:
    rows = [{"dialect": d, "word": w, "mandarin": m, "source": s, "enabled": True} for d, w, m, s in pairs]
    if rows:
        await session.run_sync(lambda s: s.bulk_insert_mappings(DialectWord, rows))
    return len(rows)


async def sync_shipped_dialect_words(
    session: AsyncSession, pairs: Iterable[tuple[str, str, str, str]]
) -> tuple[int, int, int]:
    """Bring the shipped rows (every source but "editor") in line with the lists of this release.

    Rows a release no longer ships are deleted, new ones added, changed translations updated; an
    editor's own rows, and whether an editor switched a shipped row off, are left alone. Returns
    (added, updated, deleted).
    """
    shipped = {(d, w): (m, src) for d, w, m, src in pairs}
    rows = (await session.scalars(select(DialectWord))).all()
    present = {(r.dialect, r.word) for r in rows}
    updated = deleted = 0
    for row in rows:
        if row.source == "editor":
            continue
        want = shipped.get((row.dialect, row.word))
        if want is None:
            await session.delete(row)
            deleted += 1
        elif (row.mandarin, row.source) != want:
            row.mandarin, row.source = want
            updated += 1
    added = await seed_dialect_words(
        session, ((d, w, m, src) for (d, w), (m, src) in shipped.items() if (d, w) not in present)
    )
    return added, updated, deleted


async def synonyms(session: AsyncSession) -> Sequence[Synonym]:
    return (await session.scalars(select(Synonym))).all()
