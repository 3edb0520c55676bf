"""Document actions, pure of transport: register, approve, return, 转交, 加签, resubmit, query, verify.

Every action locks the document row first (SELECT … FOR UPDATE on PostgreSQL; SQLite has one
writer), then claims its step with a conditional UPDATE, so two people acting at once cannot
both win, and a countersign's last two approvals cannot both miss the stage's end.
Refusals raise ``OfficeError`` with a message for people; nothing is written then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import SHANGHAI, Clock
from kernel.db import Database, claim
from kernel.identity import Actor, Role
from kernel.workdays import WorkingCalendar, calendar_for
from office_flows.common import OfficeError, Outcome, find_person, person_required
from office_flows.counters import next_value
from office_flows.directory.models import Department, Person
from office_flows.directory.notify import notify_person
from office_flows.directory.store import PersonInfo, acting_for
from office_flows.documents import chains
from office_flows.documents.models import (
    APPROVED,
    CANCELLED,
    CONSULTING,
    FILED,
    IN_REVIEW,
    ISSUED,
    OPEN,
    PENDING,
    REJECTED,
    RETURNED,
    SKIPPED,
    TRANSFERRED,
    DocEvent,
    Document,
    Step,
)
from office_flows.documents.seal import Sealer, Verdict, load_key_ring

URGENCIES = ("特急", "加急", "平件")
CLASSIFIED = ("秘密", "机密", "绝密")
READ_ANY = frozenset({Role.SUPERVISOR, Role.ADMIN})  # may follow any document's progress
UNCLASSIFIED = ("非密", "公开", "内部", "")
KIND_LABEL = {"FW": "发文", "SW": "收文"}
STATUS_LABEL = {IN_REVIEW: "审批中", RETURNED: "已退回拟稿人修改", ISSUED: "已签发", FILED: "已办结"}
STEP_LABEL = {
    APPROVED: "同意",
    REJECTED: "退回",
    TRANSFERRED: "转交",
    CONSULTING: "加签征求意见",
    SKIPPED: "无需办理（或签已由他人办理）",
    CANCELLED: "已撤销",
}


@dataclass(frozen=True)
class TodoItem:
    doc_id: str
    title: str
    urgency: str
    step: str
    mode: str
    since: datetime
    due_at: datetime
    on_behalf_of: str  # "" for one's own step


@dataclass(frozen=True)
class OwnDocument:
    """A document the speaker drafted that is still under way."""

    doc_id: str
    title: str
    returned: bool  # returned to the drafter, waiting for a resubmission (else in review)


@dataclass(frozen=True)
class ReturnedDraft:
    """A document returned to its drafter, waiting for the drafter to revise and resubmit it."""

    doc_id: str
    title: str
    reason: str  # the last return's reason
    returned_by: str
    since: datetime


def fmt(t: datetime | None) -> str:
    return t.astimezone(SHANGHAI).strftime("%m月%d日 %H:%M") if t else "—"


def _refuse() -> None:
    raise OfficeError("无权查看", 403)


class DocumentService:
    def __init__(self, db: Database, clock: Clock, calendar: WorkingCalendar | None, sealer: Sealer) -> None:
        self.db = db
        self.clock = clock
        self.calendar = calendar
        self.sealer = sealer

    # --- registration --------------------------------------------------------------------------

    async def register(
        self, actor: Actor, kind: str, title: str, body: str, *, urgency: str = "平件", security: str = "非密"
    ) -> Outcome:
        pid = person_required(actor)
        kind = kind.upper()
        if kind not in chains.KINDS:
            raise OfficeError("公文类型只能是 FW（发文）或 SW（收文）。")
        if security in CLASSIFIED:
            raise OfficeError(f"本系统只处理非涉密公文，“{security}”级公文不能在此登记，请通过涉密网络和机要渠道办理。")
        if security not in UNCLASSIFIED:
            raise OfficeError(f"密级“{security}”无法识别；本系统只处理非涉密公文（非密）。")
        if urgency not in URGENCIES:
            raise OfficeError(f"紧急程度只能是：{'、'.join(URGENCIES)}。")
        title, body = title.strip(), body.strip()
        if not title or len(title) > 200:
            raise OfficeError("请填写标题（不超过 200 字）。")
        if not body:
            raise OfficeError("请填写正文。")
        if not actor.department_code:
            raise OfficeError("您在通讯录中没有所属部门，无法登记公文。")
        now = self.clock.now()
        async with self.db.session() as s:
            chain = await chains.current_chain(s, actor.department_code, kind)
            if chain is None:
                raise OfficeError(f"{actor.department_name}尚未配置{KIND_LABEL[kind]}审批链，请联系管理员。")
            n = await next_value(s, kind, now.astimezone(SHANGHAI).year)
            doc = Document(
                doc_id=f"{kind}-{now.astimezone(SHANGHAI).year}-{n:03d}",
                kind=kind,
                title=title,
                body=body,
                urgency=urgency,
                security=security or "非密",
                department_code=actor.department_code,
                drafter_id=pid,
                chain_id=chain.id,
                status=IN_REVIEW,
                created_at=now,
                updated_at=now,
            )
            s.add(doc)
            await s.flush()
            self._event(s, doc, actor, "register", f"{KIND_LABEL[kind]}登记（审批链第 {chain.version} 版）", now)
            where = await self._start_from(s, doc, 0, now)
            return Outcome(f"已登记{KIND_LABEL[kind]} {doc.doc_id}《{title}》（{urgency}）。{where}", doc.doc_id)

    # --- to-do ---------------------------------------------------------------------------------

    async def todo(self, actor: Actor) -> list[TodoItem]:
        pid = person_required(actor)
        now = self.clock.now()
        async with self.db.session() as s:
            principals = [pid, *await acting_for(s, pid, now)]
            rows = (
                await s.execute(
                    select(Step, Document)
                    .join(Document, Document.id == Step.document_id)
                    .where(Step.assignee_id.in_(principals), Step.status == PENDING)
                )
            ).all()
            items = []
            for step, doc in rows:
                behalf = "" if step.assignee_id == pid else await self._name(s, step.assignee_id)
                items.append(
                    TodoItem(
                        doc.doc_id, doc.title, doc.urgency, step.name, step.mode, step.created_at, step.due_at, behalf
                    )
                )
        return sorted(items, key=lambda i: (URGENCIES.index(i.urgency), i.due_at, i.doc_id))

    async def returned_drafts(self, actor: Actor) -> list[ReturnedDraft]:
        """The speaker's own drafts that were returned and wait for a resubmission, oldest first."""
        pid = person_required(actor)
        async with self.db.session() as s:
            docs = list(
                await s.scalars(
                    select(Document)
                    .where(Document.drafter_id == pid, Document.status == RETURNED)
                    .order_by(Document.updated_at, Document.id)
                )
            )
            out = []
            for doc in docs:
                last = await s.scalar(
                    select(DocEvent)
                    .where(DocEvent.document_id == doc.id, DocEvent.action == "return")
                    .order_by(DocEvent.at.desc(), DocEvent.id.desc())
                    .limit(1)
                )
                reason, by = (last.comment, last.actor) if last is not None else ("", "")
                out.append(ReturnedDraft(doc.doc_id, doc.title, reason, by, doc.updated_at))
        return out

    async def drafted_in_flight(self, actor: Actor) -> list[OwnDocument]:
        """The speaker's own documents not yet issued or filed (in review, or returned to them), newest first."""
        pid = person_required(actor)
        async with self.db.session() as s:
            docs = await s.scalars(
                select(Document)
                .where(Document.drafter_id == pid, Document.status.in_((IN_REVIEW, RETURNED)))
                .order_by(Document.updated_at.desc(), Document.id.desc())
            )
            return [OwnDocument(d.doc_id, d.title, d.status == RETURNED) for d in docs]

    # --- decisions -----------------------------------------------------------------------------

    async def approve(self, actor: Actor, doc_id: str, comment: str = "") -> Outcome:
        now = self.clock.now()
        async with self.db.session() as s:
            doc, step, label = await self._claim(s, actor, doc_id, APPROVED, comment, now)
            self._event(s, doc, actor, "approve", comment, now, label)
            if step.parent_id is not None:
                return Outcome(await self._answer_consult(s, doc, step, label, "同意", comment, now), doc.doc_id)
            msg = await self._after_approval(s, doc, step, now)
            return Outcome(f"已同意 {doc.doc_id}《{doc.title}》。{msg}", doc.doc_id)

    async def reject(self, actor: Actor, doc_id: str, reason: str, *, to_previous: bool = False) -> Outcome:
        if not reason.strip():
            raise OfficeError("退回需要写明理由，例如：/退回 FW-2026-015 请补充经费来源")
        now = self.clock.now()
        async with self.db.session() as s:
            doc, step, label = await self._claim(s, actor, doc_id, REJECTED, reason, now)
            if step.parent_id is not None:  # a 加签 opinion against: back to the owner, not a return
                self._event(s, doc, actor, "consult_no", reason, now, label)
                return Outcome(await self._answer_consult(s, doc, step, label, "不同意", reason, now), doc.doc_id)
            self._event(s, doc, actor, "return", reason, now, label)
            await self._cancel_open(s, doc, now)
            defs = await self._defs(s, doc)
            prev = [i for i in range(doc.stage) if defs[i].applies(self._fields(doc))]
            if to_previous and prev:
                where = await self._start_from(s, doc, prev[-1], now)
                return Outcome(f"已将 {doc.doc_id} 退回上一环节“{defs[prev[-1]].name}”。{where}", doc.doc_id)
            doc.status, doc.updated_at = RETURNED, now
            await notify_person(
                s,
                doc.drafter_id,
                f"您拟稿的 {doc.doc_id}《{doc.title}》被 {label} 退回，理由：{reason}。"
                f"修改后请发送“/重新提交 {doc.doc_id} 修改后的正文”（正文不变可省略）。",
                kind="doc_returned",
                ref=doc.doc_id,
                now=now,
            )
            drafter = await self._name(s, doc.drafter_id)
            return Outcome(f"已将 {doc.doc_id} 退回拟稿人{drafter}修改，理由：{reason}。", doc.doc_id)

    async def transfer(self, actor: Actor, doc_id: str, target: str, comment: str = "") -> Outcome:
        """转交: the step moves to the other person, who then decides instead of the actor."""
        now = self.clock.now()
        async with self.db.session() as s:
            other = await self._target(s, target, actor)
            doc, step, label = await self._claim(s, actor, doc_id, TRANSFERRED, comment, now)
            await self._refuse_if_holding(s, doc, other)
            self._event(
                s, doc, actor, "transfer", f"转交{other.name}" + (f"：{comment}" if comment else ""), now, label
            )
            hours = (await self._defs(s, doc))[step.stage].hours
            await self._add_step(
                s, doc, step.stage, step.name, step.mode, other.id, hours, now, parent_id=step.parent_id
            )
            await self._tell(
                s, other.id, doc, f"{label} 将 {doc.doc_id}《{doc.title}》（{step.name}）转交给您办理。", now
            )
            return Outcome(
                f"已将 {doc.doc_id} 的“{step.name}”转交{other.name}办理（转交：任务由对方办理，不再回到您这里）。",
                doc.doc_id,
            )

    async def consult(self, actor: Actor, doc_id: str, target: str, comment: str = "") -> Outcome:
        """加签: the other person gives an opinion, then the step comes back to the actor to decide."""
        now = self.clock.now()
        async with self.db.session() as s:
            other = await self._target(s, target, actor)
            doc, step, label = await self._claim(s, actor, doc_id, CONSULTING, comment, now)
            await self._refuse_if_holding(s, doc, other)
            self._event(
                s, doc, actor, "consult", f"征求{other.name}意见" + (f"：{comment}" if comment else ""), now, label
            )
            hours = (await self._defs(s, doc))[step.stage].hours
            await self._add_step(
                s, doc, step.stage, f"{step.name}·加签", "consult", other.id, hours, now, parent_id=step.id
            )
            await self._tell(
                s,
                other.id,
                doc,
                f"{label} 就 {doc.doc_id}《{doc.title}》征求您的意见（加签），请回复同意或退回并写明意见。",
                now,
            )
            return Outcome(
                f"已请{other.name}就 {doc.doc_id} 提出意见（加签：对方回复后，任务回到您这里继续办理）。", doc.doc_id
            )

    async def resubmit(self, actor: Actor, doc_id: str, body: str = "") -> Outcome:
        pid = person_required(actor)
        now = self.clock.now()
        async with self.db.session() as s:
            doc = await self._lock(s, doc_id)
            if doc.drafter_id != pid:
                raise OfficeError(f"只有拟稿人{await self._name(s, doc.drafter_id)}可以重新提交 {doc.doc_id}。", 403)
            if doc.status != RETURNED:
                raise OfficeError(f"{doc.doc_id} 目前{STATUS_LABEL[doc.status]}，不需要重新提交。", 409)
            if body.strip():
                doc.body = body.strip()
            doc.round += 1
            doc.status = IN_REVIEW
            self._event(s, doc, actor, "resubmit", "正文已修改" if body.strip() else "正文未改", now)
            where = await self._start_from(s, doc, 0, now)
            return Outcome(f"已重新提交 {doc.doc_id}（第 {doc.round} 轮）。{where}", doc.doc_id)

    # --- reading -------------------------------------------------------------------------------

    async def query(self, actor: Actor, doc_id: str) -> Outcome:
        pid = person_required(actor)
        async with self.db.session() as s:
            doc = await self._get(s, doc_id)
            await self._may_read(s, doc, actor, pid)
            open_steps = list(
                await s.scalars(select(Step).where(Step.document_id == doc.id, Step.status.in_(OPEN)).order_by(Step.id))
            )
            drafter = await self._name(s, doc.drafter_id)
            lines = [
                f"{doc.doc_id}《{doc.title}》（{KIND_LABEL[doc.kind]}，{doc.urgency}，拟稿人 {drafter}）",
                f"状态：{STATUS_LABEL[doc.status]}" + (f"，文号 {doc.number}" if doc.number else ""),
            ]
            holders = []
            if doc.status == IN_REVIEW and open_steps:
                lines.append(f"当前环节：{open_steps[0].name.split('·')[0]}（第 {doc.round} 轮）")
                for st in open_steps:
                    state = "等待加签意见" if st.status == CONSULTING else "待办"
                    holders.append({"name": await self._name(s, st.assignee_id), "since": st.created_at.isoformat()})
                    lines.append(
                        f"· {await self._name(s, st.assignee_id)}：{st.name}，{state}，自 {fmt(st.created_at)} 起，"
                        f"时限 {fmt(st.due_at)}"
                    )
            elif doc.status == RETURNED:
                lines.append(f"当前在拟稿人{await self._name(s, doc.drafter_id)}处修改，自 {fmt(doc.updated_at)} 起。")
            events = list(
                await s.scalars(
                    select(DocEvent).where(DocEvent.document_id == doc.id).order_by(DocEvent.id.desc()).limit(5)
                )
            )
            if events:
                lines.append("最近办理：")
                lines += [
                    f"· {fmt(e.at)} {e.actor} {ACTION_LABEL.get(e.action, e.action)}"
                    + (f"：{e.comment}" if e.comment else "")
                    for e in reversed(events)
                ]
            data = {
                "doc_id": doc.doc_id,
                "status": doc.status,
                "number": doc.number,
                "round": doc.round,
                "holders": holders,
            }
            return Outcome("\n".join(lines), doc.doc_id, data)

    async def history(self, doc_id: str) -> list[DocEvent]:
        async with self.db.session() as s:
            doc = await self._get(s, doc_id)
            return list(await s.scalars(select(DocEvent).where(DocEvent.document_id == doc.id).order_by(DocEvent.id)))

    async def verify(self, doc_id: str, copy: dict[str, Any] | None = None, actor: Actor | None = None) -> Verdict:
        """Verify the stored document (anyone may: the answer is only "valid" or not), or a copy of it
        (fields given in ``copy`` replace the stored ones). Checking a copy confirms or refutes a guess of
        the text, so it is only for those who may read the document (``actor``); anyone else gets the same
        answer as for a document that does not exist."""
        async with self.db.session() as s:
            doc = await s.scalar(select(Document).where(Document.doc_id == doc_id.upper()))
            if doc is not None and copy:
                try:
                    await self._may_read(s, doc, actor, person_required(actor)) if actor else _refuse()
                except OfficeError:
                    doc = None
            if doc is None:
                raise OfficeError(f"没有找到公文 {doc_id}，请核对文号（如 FW-2026-015）。", 404)
            payload = seal_payload(doc)
            key, sig = doc.seal_key, doc.seal_signature
            await load_key_ring(s, self.sealer, self.clock.now())  # a seal made on any worker, with any old key
        if copy:
            unknown = set(copy) - set(payload)
            if unknown:
                raise OfficeError(f"无法识别的字段：{'、'.join(sorted(unknown))}。")
            payload.update(copy)
        return self.sealer.verify(payload, sig, key)

    # --- internals -----------------------------------------------------------------------------

    async def _may_read(self, s: AsyncSession, doc: Document, actor: Actor, pid: int) -> None:
        """A document's progress is for the people in its circulation (drafter, anyone with a step, whom they
        act for), its department, supervisors and administrators; not for every civil servant."""
        if pid == doc.drafter_id or actor.roles & READ_ANY or actor.department_code == doc.department_code:
            return
        principals = [pid, *await acting_for(s, pid, self.clock.now())]
        involved = await s.scalar(
            select(Step.id)
            .where(
                Step.document_id == doc.id,
                or_(Step.assignee_id.in_(principals), Step.decided_by.in_(principals)),
            )
            .limit(1)
        )
        if involved is None:
            raise OfficeError(f"您不在公文 {doc.doc_id} 的办理人员之列，无法查看其办理情况。", 403)

    async def _get(self, s: AsyncSession, doc_id: str) -> Document:
        doc = await s.scalar(select(Document).where(Document.doc_id == doc_id.upper()))
        if doc is None:
            raise OfficeError(f"没有找到公文 {doc_id}，请核对文号（如 FW-2026-015）。", 404)
        return doc

    async def _lock(self, s: AsyncSession, doc_id: str) -> Document:
        doc = await s.scalar(select(Document).where(Document.doc_id == doc_id.upper()).with_for_update())
        if doc is None:
            raise OfficeError(f"没有找到公文 {doc_id}，请核对文号（如 FW-2026-015）。", 404)
        return doc

    async def _claim(
        self, s: AsyncSession, actor: Actor, doc_id: str, new_status: str, comment: str, now: datetime
    ) -> tuple[Document, Step, str]:
        """The actor's pending step on the document, decided; or the reason it cannot be."""
        pid = person_required(actor)
        doc = await self._lock(s, doc_id)
        if doc.status != IN_REVIEW:
            extra = f"（文号 {doc.number}）" if doc.number else ""
            raise OfficeError(f"{doc.doc_id} {STATUS_LABEL[doc.status]}{extra}，当前无需办理。", 409)
        principals = [pid, *await acting_for(s, pid, now)]
        steps = list(
            await s.scalars(
                select(Step)
                .where(Step.document_id == doc.id, Step.round == doc.round, Step.assignee_id.in_(principals))
                .order_by(Step.id.desc())
            )
        )
        step = next((st for st in steps if st.status == PENDING and st.assignee_id == pid), None) or next(
            (st for st in steps if st.status == PENDING), None
        )
        if step is None:
            consulting = next((st for st in steps if st.status == CONSULTING), None)
            if consulting is not None:
                raise OfficeError(f"您已就 {doc.doc_id} 加签征求意见，请等对方回复后再办理。", 409)
            holders = await self._holders(s, doc) or "他人"
            done = next((st for st in steps if st.decided_at is not None and st.decided_by is not None), None)
            if done is not None and done.decided_by is not None:
                who = await self._name(s, done.decided_by)
                raise OfficeError(
                    f"{doc.doc_id} 的“{done.name}”环节已于 {fmt(done.decided_at)} 由{who}办理"
                    f"（{STEP_LABEL.get(done.status, done.status)}），不能重复办理；目前由{holders}办理。",
                    409,
                )
            raise OfficeError(f"{doc.doc_id} 目前由{holders}办理，您不是当前办理人，无法办理。", 403)
        values = {"status": new_status, "decided_by": pid, "decided_at": now, "comment": comment}
        if not await claim(s, Step, step.id, Step.status == PENDING, **values):
            raise OfficeError("此环节刚刚已被他人办理，请用 /公文 查看最新状态。", 409)
        await s.refresh(step)
        label = actor.display
        if step.assignee_id != pid:
            label += f"（代{await self._name(s, step.assignee_id)}）"
        doc.updated_at = now
        return doc, step, label

    async def _after_approval(self, s: AsyncSession, doc: Document, step: Step, now: datetime) -> str:
        siblings = list(
            await s.scalars(
                select(Step).where(
                    Step.document_id == doc.id,
                    Step.round == doc.round,
                    Step.stage == step.stage,
                    Step.parent_id.is_(None),
                    Step.status.in_(OPEN),
                )
            )
        )
        if step.mode == "any":
            for st in siblings:
                st.status, st.decided_at = SKIPPED, now
        elif siblings:
            names = "、".join([await self._name(s, st.assignee_id) for st in siblings])
            return f"本环节为会签，还需{names}同意。"
        return await self._start_from(s, doc, step.stage + 1, now)

    async def _start_from(self, s: AsyncSession, doc: Document, index: int, now: datetime) -> str:
        """Open the first applicable stage at or after ``index``; issue the document when none is left."""
        defs = await self._defs(s, doc)
        for i in range(index, len(defs)):
            d = defs[i]
            if not d.applies(self._fields(doc)):
                continue
            people = await chains.resolve_assignees(s, d, doc.department_code)
            if not people:
                raise OfficeError(f"审批链环节“{d.name}”找不到办理人，请联系管理员检查审批链配置。", 409)
            doc.stage, doc.status = i, IN_REVIEW
            # One person decides alone; "single" resolving to several (two heads) means any one of them.
            mode = "single" if len(people) == 1 else ("any" if d.mode == "single" else d.mode)
            for p in people:
                await self._add_step(s, doc, i, d.name, mode, p, d.hours, now)
                await self._tell(
                    s, p, doc, f"您有一份待办公文：{doc.doc_id}《{doc.title}》（{doc.urgency}，{d.name}）。", now
                )
            names = "、".join([await self._name(s, p) for p in people])
            how = {"all": "会签", "any": "或签"}.get(mode, "办理")
            return f"已送{names}{how}（{d.name}）。"
        return await self._issue(s, doc, now)

    async def _issue(self, s: AsyncSession, doc: Document, now: datetime) -> str:
        year = now.astimezone(SHANGHAI).year
        if doc.kind == "FW":
            dept = await s.scalar(select(Department).where(Department.code == doc.department_code))
            prefix = dept.doc_prefix if dept and dept.doc_prefix else doc.department_code
            n = await next_value(s, f"num:{prefix}", year)
            doc.number = f"{prefix}〔{year}〕{n}号"
        doc.status = ISSUED if doc.kind == "FW" else FILED
        doc.issued_at = now
        await load_key_ring(s, self.sealer, now)  # the deployment's one active key, shared by workers
        doc.seal_key = self.sealer.key_id
        doc.seal_signature = self.sealer.sign(seal_payload(doc))
        s.add(
            DocEvent(document_id=doc.id, actor_id=None, actor="系统", action="seal", comment=doc.number or "", at=now)
        )
        what = f"签发，文号 {doc.number}" if doc.number else "办结"
        await self._tell(s, doc.drafter_id, doc, f"{doc.doc_id}《{doc.title}》已{what}，并加盖电子印章。", now)
        return f"审批完成：{doc.doc_id} 已{what}，已加盖电子印章（SM2）。"

    async def _answer_consult(
        self, s: AsyncSession, doc: Document, step: Step, label: str, verdict: str, comment: str, now: datetime
    ) -> str:
        parent = await s.get(Step, step.parent_id)
        assert parent is not None
        open_children = await s.scalar(
            select(Step.id).where(Step.parent_id == parent.id, Step.status.in_(OPEN)).limit(1)
        )
        if open_children is None and parent.status == CONSULTING:
            parent.status = PENDING
        opinion = (
            f"{label} 对 {doc.doc_id} 的加签意见：{verdict}" + (f"，{comment}" if comment else "") + "。请您继续办理。"
        )
        await self._tell(s, parent.assignee_id, doc, opinion, now)
        owner = await self._name(s, parent.assignee_id)
        return f"已将您的意见（{verdict}）反馈给{owner}，{doc.doc_id} 回到{owner}处继续办理。"

    async def _cancel_open(self, s: AsyncSession, doc: Document, now: datetime) -> None:
        await s.execute(
            update(Step)
            .where(Step.document_id == doc.id, Step.status.in_(OPEN))
            .values(status=CANCELLED, decided_at=now)
            .execution_options(synchronize_session=False)
        )

    async def _add_step(
        self,
        s: AsyncSession,
        doc: Document,
        stage: int,
        name: str,
        mode: str,
        person_id: int,
        hours: float,
        now: datetime,
        *,
        parent_id: int | None = None,
    ) -> None:
        cal = await calendar_for(s, self.calendar)
        s.add(
            Step(
                document_id=doc.id,
                round=doc.round,
                stage=stage,
                name=name,
                mode=mode,
                assignee_id=person_id,
                parent_id=parent_id,
                status=PENDING,
                created_at=now,
                due_at=cal.add_work_hours(now, hours).at,
                escalate_at=cal.add_work_hours(now, 2 * hours).at,
            )
        )

    async def _defs(self, s: AsyncSession, doc: Document) -> list[chains.StepDef]:
        chain = await s.get(chains.Chain, doc.chain_id)
        assert chain is not None
        return chains.steps_of(chain)

    @staticmethod
    def _fields(doc: Document) -> dict[str, str]:
        return {"urgency": doc.urgency, "kind": doc.kind, "security": doc.security}

    async def _target(self, s: AsyncSession, name: str, actor: Actor) -> PersonInfo:
        other = await find_person(s, name)
        if other.id == actor.person_id:
            raise OfficeError("不能转交或加签给自己。")
        return other

    async def _refuse_if_holding(self, s: AsyncSession, doc: Document, other: PersonInfo) -> None:
        busy = await s.scalar(
            select(Step.id).where(Step.document_id == doc.id, Step.assignee_id == other.id, Step.status.in_(OPEN))
        )
        if busy is not None:
            raise OfficeError(f"{other.name}已在办理 {doc.doc_id}，无需再转交或加签。", 409)

    async def _holders(self, s: AsyncSession, doc: Document) -> str:
        ids = await s.scalars(select(Step.assignee_id).where(Step.document_id == doc.id, Step.status == PENDING))
        return "、".join([await self._name(s, i) for i in ids])

    async def _tell(self, s: AsyncSession, person_id: int, doc: Document, text: str, now: datetime) -> None:
        await notify_person(s, person_id, text, kind="document", ref=doc.doc_id, now=now)

    @staticmethod
    async def _name(s: AsyncSession, person_id: int) -> str:
        p = await s.get(Person, person_id)
        return p.name if p else f"#{person_id}"

    @staticmethod
    def _event(
        s: AsyncSession, doc: Document, actor: Actor, action: str, comment: str, now: datetime, label: str = ""
    ) -> None:
        s.add(
            DocEvent(
                document_id=doc.id,
                actor_id=actor.person_id,
                actor=label or actor.display,
                action=action,
                comment=comment,
                at=now,
            )
        )


ACTION_LABEL = {
    "register": "登记",
    "approve": "同意",
    "return": "退回",
    "transfer": "转交",
    "consult": "加签",
    "consult_no": "加签意见：不同意",
    "resubmit": "重新提交",
    "seal": "签发盖章",
}


def seal_payload(doc: Document) -> dict[str, Any]:
    """What the seal covers: the final text and the metadata that give it meaning."""
    return {
        "doc_id": doc.doc_id,
        "number": doc.number or "",
        "kind": doc.kind,
        "title": doc.title,
        "body": doc.body,
        "urgency": doc.urgency,
        "security": doc.security,
        "department": doc.department_code,
        "drafter_id": doc.drafter_id,
        "issued_at": doc.issued_at.astimezone(UTC).isoformat() if doc.issued_at else "",
    }
