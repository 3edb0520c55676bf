"""Knowledge-base work of the console and its API: each change is one transaction with its audit row.

Publishing or archiving re-syncs this worker's index at once; the other workers pick the new
KB version up within ``index_sync_seconds`` (they poll it), so chat answers change without a restart.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin import audit
from admin.guard import Principal
from kernel.clock import Clock
from kernel.db import Database
from knowledge_base import store
from knowledge_base.index_manager import IndexManager
from knowledge_base.models import EntryKind, EntryStatus, Faq, ServiceItem, UnansweredQuestion
from knowledge_base.service import KnowledgeBase
from knowledge_base.store import KbError

KIND_LABELS = {"item": "服务事项", "faq": "常见问答"}
# What the console edits: the FAQ fields, and the item fields people correct most often.
ITEM_EDITABLE = ["name", "aliases", "department", "conditions", "materials", "fees", "location", "consult_phone"]
LIST_FIELDS = {"similar_questions", "tags", "aliases", "materials"}
FIELD_LABELS = {
    "question": "标准问题",
    "similar_questions": "相似问题",
    "answer": "答案",
    "item_id": "关联事项",
    "category": "分类",
    "tags": "标签",
    "name": "事项名称",
    "aliases": "别名（同义说法、方言说法）",
    "department": "实施部门",
    "conditions": "办理条件",
    "materials": "申请材料",
    "fees": "收费",
    "location": "办理地点",
    "consult_phone": "咨询电话",
}


def editable(kind: str) -> list[str]:
    return store.FAQ_FIELDS if kind == EntryKind.FAQ else ITEM_EDITABLE


def check_kind(kind: str) -> str:
    if kind not in KIND_LABELS:
        raise KbError(f"未知的条目类型：{kind}（item 或 faq）")
    return kind


def clean(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Form or JSON input → store fields: lists from lines (or JSON lists), item id from text."""
    out: dict[str, Any] = {}
    for name in editable(kind):
        if name not in raw:
            continue
        value = raw[name]
        if name in LIST_FIELDS:
            if isinstance(value, str):
                sep = "\n" if name != "tags" else None
                parts = value.replace("\r", "").split(sep) if sep else value.replace("，", ",").split(",")
                value = [p.strip() for p in parts if p.strip()]
            elif not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise KbError(f"字段“{FIELD_LABELS.get(name, name)}”必须是文本列表")
        elif name == "item_id":
            text = str(value or "").strip()
            if text and not text.isdigit():
                raise KbError("关联事项请填写事项编号（数字），不关联请留空")
            value = int(text) if text else None
        elif not isinstance(value, str):
            raise KbError(f"字段“{FIELD_LABELS.get(name, name)}”必须是文本")
        else:
            value = value.strip()
        out[name] = value
    return out


def entry_json(kind: str, e: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "id": e.id,
        "title": e.question if kind == EntryKind.FAQ else e.name,
        "status": e.status,
        "status_label": store.STATUS_LABELS.get(e.status, e.status),
        "version": e.version,
        "published_version": e.published_version,
        "hit_count": e.hit_count,
        "updated_at": e.updated_at.isoformat(),
        "updated_by": e.updated_by,
        "data": store.snapshot(e),
    }


def _char_diff(before: str, after: str) -> Markup:
    out = []
    sm = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            out.append(str(escape(before[i1:i2])))
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(before[i1:i2])}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(after[j1:j2])}</ins>")
    return Markup("".join(out))


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return "" if value is None else str(value)


@dataclass
class FieldDiff:
    field: str
    label: str
    before: str
    after: str
    html: Markup


def diff(published: dict[str, Any] | None, working: dict[str, Any]) -> list[FieldDiff]:
    """Fields of the working version that differ from the published one (all of them if unpublished)."""
    out = []
    for name, value in working.items():
        old = _as_text((published or {}).get(name))
        new = _as_text(value)
        if old != new:
            out.append(FieldDiff(name, FIELD_LABELS.get(name, name), old, new, _char_diff(old, new)))
    return out


@dataclass
class KbOps:
    db: Database
    clock: Clock
    index: IndexManager
    kb: KnowledgeBase

    async def entries(self, kind: str, q: str = "", status: str = "", limit: int = 200) -> list[Any]:
        model = store.model_of(check_kind(kind))
        stmt = select(model)
        if q:
            like = f"%{q}%"
            if model is Faq:
                stmt = stmt.where(or_(Faq.question.like(like), Faq.answer.like(like)))
            else:
                stmt = stmt.where(or_(ServiceItem.name.like(like), ServiceItem.department.like(like)))
        if status:
            stmt = stmt.where(model.status == status)
        async with self.db.session() as s:
            return list(await s.scalars(stmt.order_by(model.hit_count.desc(), model.id).limit(limit)))

    async def detail(self, kind: str, entry_id: int) -> tuple[Any, list[Any], dict[str, Any] | None]:
        async with self.db.session() as s:
            e = await store.get_entry(s, check_kind(kind), entry_id)
            return e, list(await store.versions(s, kind, entry_id)), await store.published_data(s, kind, entry_id)

    async def create(self, kind: str, raw: dict[str, Any], who: Principal) -> Any:
        data = clean(check_kind(kind), raw)
        now = self.clock.now()
        async with self.db.session() as s:
            e = await store.create_entry(s, kind, data, actor=who.audit_name, now=now)
            audit.record(s, actor=who.audit_name, action="kb.create", obj=f"{kind}#{e.id}", now=now, after=data)
            return e

    async def edit(self, kind: str, entry_id: int, raw: dict[str, Any], who: Principal) -> Any:
        changes = clean(check_kind(kind), raw)
        now = self.clock.now()
        async with self.db.session() as s:
            before = store.snapshot(await store.get_entry(s, kind, entry_id))
            changes = {k: v for k, v in changes.items() if before.get(k) != v}
            if not changes:
                raise KbError("内容没有变化")
            e = await store.edit_entry(s, kind, entry_id, changes, actor=who.audit_name, now=now)
            audit.record(
                s,
                actor=who.audit_name,
                action="kb.edit",
                obj=f"{kind}#{entry_id}",
                now=now,
                before={k: before.get(k) for k in changes},
                after=changes,
            )
            return e

    async def move(self, kind: str, entry_id: int, to: str, who: Principal, comment: str = "") -> Any:
        """draft → review (submit), review → published (publish), → archived, archived → draft."""
        if to not in {s.value for s in EntryStatus}:
            raise KbError(f"未知状态：{to}")
        now = self.clock.now()
        async with self.db.session() as s:
            e = await store.get_entry(s, check_kind(kind), entry_id)
            before = e.status
            e = await store.transition(s, kind, entry_id, to, actor=who.audit_name, now=now, comment=comment)
            audit.record(
                s,
                actor=who.audit_name,
                action=f"kb.{to}",
                obj=f"{kind}#{entry_id}",
                now=now,
                before={"status": before},
                after={"status": to, "version": e.version},
                note=comment,
            )
        if to in (EntryStatus.PUBLISHED, EntryStatus.ARCHIVED):
            await self.index.sync()
        return e

    async def rollback(self, kind: str, entry_id: int, version: int, who: Principal) -> Any:
        now = self.clock.now()
        async with self.db.session() as s:
            e = await store.restore_version(s, check_kind(kind), entry_id, version, actor=who.audit_name, now=now)
            audit.record(
                s,
                actor=who.audit_name,
                action="kb.rollback",
                obj=f"{kind}#{entry_id}",
                now=now,
                after={"restored": version, "new_version": e.version},
            )
            return e

    def hittest(self, question: str) -> dict[str, Any]:
        decision, shown, hits = self.kb.decide(question)
        mode = self.kb.default_mode()
        feats = self.kb.features_of(question, hits) if mode == "learned" else [{} for _ in hits]
        t = self.kb.thresholds
        return {
            "question": question,
            "normalized": self.kb.index.snapshot.normalise(question) if self.kb.index.snapshot else question,
            "decision": decision.value,
            "shown": [h.key for h in shown],
            "mode": mode,
            "thresholds": {"answer": t.answer, "suggest": t.suggest, "margin": t.margin},
            "policy": self.kb.policy_description(mode),
            "dense_available": bool(self.index.encoders),
            "candidates": [
                {
                    "kind": h.kind,
                    "id": h.entry_id,
                    "title": h.title,
                    "lexical": round(h.lexical, 4),
                    "dense": round(h.dense, 4),
                    "fused": round(h.fused, 4),
                    "prob": None if h.prob is None else round(h.prob, 4),
                    "features": {k: round(v, 3) for k, v in f.items()},
                    "matched_text": h.matched_text,
                }
                for h, f in zip(hits, feats, strict=True)
            ],
        }

    async def resolve_unanswered(self, s: AsyncSession, ids: list[int], resolution: str, who: Principal) -> None:
        rows = await s.scalars(select(UnansweredQuestion).where(UnansweredQuestion.id.in_(ids)))
        for row in rows:
            row.resolved_at, row.resolved_by, row.resolution = self.clock.now(), who.audit_name, resolution

    async def faq_from_group(self, ids: list[int], raw: dict[str, Any], who: Principal) -> Any:
        data = clean(EntryKind.FAQ, raw)
        now = self.clock.now()
        async with self.db.session() as s:
            e = await store.create_entry(
                s, EntryKind.FAQ, data, actor=who.audit_name, now=now, comment="由未答问题新建"
            )
            await self.resolve_unanswered(s, ids, f"faq:{e.id}", who)
            audit.record(
                s,
                actor=who.audit_name,
                action="kb.faq_from_unanswered",
                obj=f"faq#{e.id}",
                now=now,
                after=data,
                note=f"未答问题 {ids}",
            )
            return e

    async def add_similar(self, ids: list[int], faq_id: int, who: Principal) -> Any:
        now = self.clock.now()
        async with self.db.session() as s:
            faq = await store.get_entry(s, EntryKind.FAQ, faq_id)
            assert isinstance(faq, Faq)
            questions = [
                q
                for (q,) in (
                    await s.execute(select(UnansweredQuestion.question).where(UnansweredQuestion.id.in_(ids)))
                ).all()
            ]
            similar = list(faq.similar_questions) + [
                q for q in questions if q not in faq.similar_questions and q != faq.question
            ]
            if similar == list(faq.similar_questions):
                raise KbError("这些问题已经是该问答的相似问题")
            before = list(faq.similar_questions)
            e = await store.edit_entry(
                s,
                EntryKind.FAQ,
                faq_id,
                {"similar_questions": similar},
                actor=who.audit_name,
                now=now,
                comment="加入未答问题为相似问题",
            )
            await self.resolve_unanswered(s, ids, f"similar:{faq_id}", who)
            audit.record(
                s,
                actor=who.audit_name,
                action="kb.add_similar",
                obj=f"faq#{faq_id}",
                now=now,
                before={"similar_questions": before},
                after={"similar_questions": similar},
            )
            return e


@dataclass
class UnansweredGroup:
    ids: list[int]
    questions: list[str]
    best_score: float
    last_asked: Any


async def unanswered_groups(ops: KbOps, limit: int = 500) -> list[UnansweredGroup]:
    from admin.clusters import group

    async with ops.db.session() as s:
        rows = list(
            await s.scalars(
                select(UnansweredQuestion)
                .where(UnansweredQuestion.resolved_at.is_(None))
                .order_by(UnansweredQuestion.asked_at.desc())
                .limit(limit)
            )
        )
    out = []
    main_encoder = ops.index.encoders[0][1] if ops.index.encoders else None  # the main model (e5) comes first
    for idx in group([r.normalized or r.question for r in rows], main_encoder):
        members = [rows[i] for i in idx]
        out.append(
            UnansweredGroup(
                ids=[m.id for m in members],
                questions=list(dict.fromkeys(m.question for m in members)),
                best_score=max(m.best_score for m in members),
                last_asked=max(m.asked_at for m in members),
            )
        )
    return out
