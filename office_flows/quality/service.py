"""Running the inspection: facts from the ticket and handoff tables, the rules, and the results stored.

Idempotent: an inspection is one row per (subject, ref); running again replaces its findings only when the
subject changed since (or a return-call deadline passed), and keeps a reviewer's verdict on a finding that is
found again. Triggered when a ticket is answered or archived (``TicketService.closed_listeners``) and by the
scheduler tick, which picks up whatever is due in batches (closed tickets, ended conversations).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import SHANGHAI, Clock
from kernel.db import Database
from office_flows.directory.models import Person
from office_flows.handoff.models import CLOSED, RETURNED, Handoff, HandoffMessage
from office_flows.quality import rules as R
from office_flows.quality.models import BOT, BOT_OPERATOR, CONVERSATION, REJECTED, TICKET, UPHELD, Finding, Inspection
from office_flows.quality.scorer import BigramScorer, Scorer
from office_flows.tickets.models import Rectification, Ticket, TicketRating
from office_flows.transcripts import store as transcripts
from office_flows.transcripts.models import BotConversation

log = logging.getLogger(__name__)
CLOSED_TICKETS = ("answered", "visited", "archived")
ENDED_HANDOFFS = (RETURNED, CLOSED)
VERDICTS = (UPHELD, REJECTED)


class QualityError(ValueError):
    """A request the inspection cannot do; the message is Chinese."""


@dataclass(frozen=True)
class QualityConfig:
    rules_path: Path | None = None
    batch: int = 500  # subjects inspected per transaction by the tick
    sample_per_cell: int = 3  # findings drawn per (rule, department) for human review
    bot_idle: timedelta = timedelta(minutes=30)  # a bot conversation idle this long is closed and inspected


def month_of(at: datetime) -> str:
    return at.astimezone(SHANGHAI).strftime("%Y-%m")


class QualityService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        config: QualityConfig | None = None,
        *,
        judge: R.CategoryJudge | None = None,
        scorer: Scorer | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.config = config or QualityConfig()
        self.rules = R.load_rules(self.config.rules_path)
        self.judge = judge
        self.scorer: Scorer = scorer or BigramScorer()

    def label(self, rule: str) -> str:
        cfg = self.rules.get(rule)
        return cfg.label if cfg else rule

    # --- running ------------------------------------------------------------------------------

    async def inspect_ticket(self, code: str) -> int:
        """Inspect one closed ticket now (after its answer is committed); the number of findings."""
        async with self.db.session() as s:
            t = await s.scalar(select(Ticket).where(Ticket.code == code))
            if t is None or t.status not in CLOSED_TICKETS:
                return 0
            return sum(await self._tickets(s, [t], self.clock.now()))

    async def after_close(self, code: str) -> None:
        """The ticket service's hook: a failure is logged, the tick retries, the answer stands."""
        try:
            await self.inspect_ticket(code)
        except Exception:
            log.exception("quality inspection of %s failed; the tick will retry", code)

    async def tick(self, now: datetime) -> int:
        """Inspect one batch of due tickets and conversations; the number inspected."""
        done = 0
        try:
            async with self.db.session() as s:
                tickets = await self._due_tickets(s, now)
                done += len(await self._tickets(s, tickets, now))
            async with self.db.session() as s:
                handoffs = await self._due_handoffs(s)
                done += len(await self._conversations(s, handoffs, now))
            async with self.db.session() as s:
                bots = await self._due_bots(s, now)
                done += len(await self._bots(s, bots, now))
        except IntegrityError:
            log.info("another worker inspected the same batch; retried at the next tick")
        return done

    async def run_all(self, now: datetime) -> int:
        """Tick until nothing is due (the CLI's ``govchat quality run`` and the benchmark)."""
        total = 0
        while True:
            n = await self.tick(now)
            total += n
            if n == 0:
                return total

    async def _due_tickets(self, s: AsyncSession, now: datetime) -> Sequence[Ticket]:
        insp = Inspection.__table__.alias("insp")
        q = (
            select(Ticket)
            .outerjoin(insp, and_(insp.c.subject == TICKET, insp.c.ref == Ticket.code))
            .outerjoin(Rectification, Rectification.ticket_id == Ticket.id)
            .where(Ticket.status.in_(CLOSED_TICKETS))
            .where(
                or_(
                    insp.c.id.is_(None),
                    insp.c.inspected_at < Ticket.updated_at,
                    and_(
                        Rectification.callback_at.is_(None),
                        Rectification.callback_due_at <= now,
                        insp.c.inspected_at < Rectification.callback_due_at,
                    ),
                )
            )
            .order_by(Ticket.id)
            .limit(self.config.batch)
        )
        return list(await s.scalars(q))

    async def _due_handoffs(self, s: AsyncSession) -> Sequence[Handoff]:
        insp = Inspection.__table__.alias("insp")
        q = (
            select(Handoff)
            .outerjoin(insp, and_(insp.c.subject == CONVERSATION, insp.c.ref == Handoff.id.cast(insp.c.ref.type)))
            .where(Handoff.status.in_(ENDED_HANDOFFS), Handoff.ended_at.is_not(None))
            .where(or_(insp.c.id.is_(None), insp.c.inspected_at < Handoff.ended_at))
            .order_by(Handoff.id)
            .limit(self.config.batch)
        )
        return list(await s.scalars(q))

    async def _due_bots(self, s: AsyncSession, now: datetime) -> Sequence[BotConversation]:
        """Bot conversations idle-closed and not inspected since their last turn."""
        insp = Inspection.__table__.alias("insp")
        q = (
            select(BotConversation)
            .outerjoin(insp, and_(insp.c.subject == BOT, insp.c.ref == BotConversation.id.cast(insp.c.ref.type)))
            .where(BotConversation.last_at <= now - self.config.bot_idle)
            .where(or_(insp.c.id.is_(None), insp.c.inspected_at < BotConversation.last_at))
            .order_by(BotConversation.id)
            .limit(self.config.batch)
        )
        return list(await s.scalars(q))

    def _context(self) -> R.Context:
        return R.Context(self.rules, self.judge)

    async def _tickets(self, s: AsyncSession, tickets: Sequence[Ticket], now: datetime) -> list[int]:
        if not tickets:
            return []
        ids = [t.id for t in tickets]
        ratings: dict[int, list[R.Rating]] = {}
        for r in await s.scalars(select(TicketRating).where(TicketRating.ticket_id.in_(ids)).order_by(TicketRating.id)):
            ratings.setdefault(r.ticket_id, []).append(R.Rating(r.level, r.at))
        rects = {r.ticket_id: r for r in await s.scalars(select(Rectification).where(Rectification.ticket_id.in_(ids)))}
        people = {t.handler_person_id for t in tickets if t.handler_person_id}
        names = (
            dict((await s.execute(select(Person.id, Person.name).where(Person.id.in_(people)))).all()) if people else {}
        )
        existing = await self._existing(s, TICKET, [t.code for t in tickets])
        models = await self._scores([(t.content, t.result) for t in tickets])
        out = []
        for t, model in zip(tickets, models, strict=True):
            rect = rects.get(t.id)
            facts = R.TicketFacts(
                code=t.code,
                kind=t.kind,
                content=t.content,
                address=t.address,
                phone=t.phone,
                anonymous=t.anonymous,
                category=t.category,
                department=t.department_code,
                result=t.result,
                created=t.created_at,
                now=now,
                dispatched=t.dispatched_at,
                sign_deadline=t.sign_deadline_at,
                signed=t.signed_at,
                deadline=t.deadline_at,
                answered=t.answered_at,
                ratings=tuple(ratings.get(t.id, ())),
                callback_due=rect.callback_due_at if rect else None,
                callback_at=rect.callback_at if rect else None,
            )
            ctx = self._context()
            hits = R.inspect_ticket(facts, ctx) + self._relevance(t.content, t.result, model)
            closed = t.answered_at or t.closed_at or t.updated_at
            await self._store(
                s,
                existing.get(t.code),
                subject=TICKET,
                ref=t.code,
                department=t.department_code,
                operator=names.get(t.handler_person_id, "") if t.handler_person_id else "",
                month=month_of(closed),
                hits=hits,
                notes=ctx.notes,
                model=model,
                version=t.updated_at,
                now=now,
            )
            out.append(len(hits))
        return out

    async def _scores(self, pairs: list[tuple[str, str]]) -> list[float | None]:
        """The model score of each (question, answer); None where there is no answer or the rule is off."""
        cfg = self.rules.get("answer_relevance")
        wanted = [i for i, (q, a) in enumerate(pairs) if q and a] if cfg is not None and cfg.enabled else []
        out: list[float | None] = [None] * len(pairs)
        if wanted:
            values = await asyncio.to_thread(self.scorer.score_many, [pairs[i] for i in wanted])
            for i, v in zip(wanted, values, strict=True):
                out[i] = round(float(v), 3)
        return out

    def _relevance(self, question: str, answer: str, value: float | None) -> list[R.Hit]:
        cfg = self.rules.get("answer_relevance")
        if cfg is None or not cfg.enabled or value is None:
            return []
        limits = cfg.params.get("min_score", {})
        limit = float(limits.get(self.scorer.key, 0.0) if isinstance(limits, dict) else limits)
        if value >= limit:
            return []
        return [
            R.Hit(
                cfg.name,
                cfg.severity,
                f"答复与诉求的相关度 {value:.2f} 低于 {limit}（{self.scorer.name}）",
                {"quote": answer, "question": question, "score": value, "model": self.scorer.name},
            )
        ]

    async def _conversations(self, s: AsyncSession, handoffs: Sequence[Handoff], now: datetime) -> list[int]:
        if not handoffs:
            return []
        ids = [h.id for h in handoffs]
        lines: dict[int, list[R.Line]] = {}
        rows = await s.scalars(
            select(HandoffMessage).where(HandoffMessage.handoff_id.in_(ids)).order_by(HandoffMessage.id)
        )
        for m in rows:
            lines.setdefault(m.handoff_id, []).append(R.Line(m.author, m.text, m.created_at))
        existing = await self._existing(s, CONVERSATION, [str(i) for i in ids])
        texts = []
        for h in handoffs:
            said = lines.get(h.id, [])
            asked = "\n".join(x.text for x in said if x.author == "citizen")
            texts.append((asked, "\n".join(x.text for x in said if x.author == "operator")))
        models = await self._scores(texts)
        out = []
        for h, model, (asked, answered) in zip(handoffs, models, texts, strict=True):
            said = lines.get(h.id, [])
            facts = R.ConversationFacts(str(h.id), h.created_at, h.taken_at, h.ended_at, tuple(said), now)
            ctx = self._context()
            hits = R.inspect_conversation(facts, ctx) + self._relevance(asked, answered, model)
            await self._store(
                s,
                existing.get(str(h.id)),
                subject=CONVERSATION,
                ref=str(h.id),
                department="",
                operator=h.operator_name,
                month=month_of(h.created_at),
                hits=hits,
                notes=ctx.notes,
                model=model,
                version=h.ended_at or h.created_at,
                now=now,
            )
            out.append(len(hits))
        return out

    async def _bots(self, s: AsyncSession, convos: Sequence[BotConversation], now: datetime) -> list[int]:
        if not convos:
            return []
        ids = [c.id for c in convos]
        turns = await transcripts.turns_of(s, ids)
        existing = await self._existing(s, BOT, [str(i) for i in ids])
        out = []
        for c in convos:
            facts = R.BotFacts(
                str(c.id),
                tuple(
                    R.BotTurnFacts(t.seq, t.text, tuple(t.replies or ()), t.kb, t.failure, t.handoff)
                    for t in turns.get(c.id, [])
                ),
            )
            ctx = self._context()
            hits = R.inspect_bot(facts, ctx)
            await self._store(
                s,
                existing.get(str(c.id)),
                subject=BOT,
                ref=str(c.id),
                department="",
                operator=BOT_OPERATOR,
                month=month_of(c.started_at),
                hits=hits,
                notes=ctx.notes,
                model=None,
                version=c.last_at,
                now=now,
            )
            out.append(len(hits))
        return out

    async def _existing(self, s: AsyncSession, subject: str, refs: list[str]) -> dict[str, Inspection]:
        rows = await s.scalars(select(Inspection).where(Inspection.subject == subject, Inspection.ref.in_(refs)))
        return {i.ref: i for i in rows}

    async def _store(
        self,
        s: AsyncSession,
        insp: Inspection | None,
        *,
        subject: str,
        ref: str,
        department: str,
        operator: str,
        month: str,
        hits: list[R.Hit],
        notes: dict[str, str],
        model: float | None,
        version: datetime,
        now: datetime,
    ) -> None:
        kept: dict[tuple[str, str], Finding] = {}
        if insp is None:
            insp = Inspection(subject=subject, ref=ref)
            s.add(insp)
        else:
            for f in await s.scalars(select(Finding).where(Finding.inspection_id == insp.id)):
                if f.sampled or f.verdict:
                    kept[(f.rule, f.message)] = f
            await s.execute(delete(Finding).where(Finding.inspection_id == insp.id))
        insp.department_code, insp.operator, insp.month = department, operator[:64], month
        insp.score = R.score_of(hits)
        insp.model_score, insp.model_name = model, self.scorer.name if model is not None else ""
        insp.notes = dict(notes)
        insp.must_fix = sum(1 for h in hits if h.severity == "must")
        insp.advice = len(hits) - insp.must_fix
        insp.version, insp.inspected_at = version, now
        await s.flush()
        for h in hits:
            old = kept.get((h.rule, h.message))
            s.add(
                Finding(
                    inspection_id=insp.id,
                    rule=h.rule,
                    severity=h.severity,
                    message=h.message,
                    evidence=h.evidence,
                    sampled=old.sampled if old else False,
                    verdict=old.verdict if old else "",
                    verdict_note=old.verdict_note if old else "",
                    reviewer=old.reviewer if old else "",
                    reviewed_at=old.reviewed_at if old else None,
                )
            )

    # --- human review -------------------------------------------------------------------------

    async def draw_sample(self, month: str, per_cell: int | None = None) -> int:
        async with self.db.session() as s:
            return await draw_sample(s, month, per_cell if per_cell is not None else self.config.sample_per_cell)

    async def record_verdict(self, finding_id: int, verdict: str, note: str, reviewer: str) -> Finding:
        async with self.db.session() as s:
            return await record_verdict(s, finding_id, verdict, note, reviewer, self.clock.now())


async def draw_sample(s: AsyncSession, month: str, per: int) -> int:
    """Mark up to ``per`` not yet sampled findings of each (rule, department) of the month for review; the pick
    is a stable hash of the finding's id, so drawing again adds to a cell only what it lacks."""
    if per < 1 or per > 50:
        raise QualityError("每类抽样数量应在 1 到 50 之间")
    rows = (
        await s.execute(
            select(Finding, Inspection.department_code, Inspection.subject)
            .join(Inspection, Inspection.id == Finding.inspection_id)
            .where(Inspection.month == month)
        )
    ).all()
    cells: dict[tuple[str, str], list[Finding]] = {}
    for f, dept, subject in rows:
        cells.setdefault((f.rule, dept or subject), []).append(f)
    added = 0
    for found in cells.values():
        have = sum(1 for f in found if f.sampled)
        fresh = sorted((f for f in found if not f.sampled), key=lambda f: hashlib.sha1(str(f.id).encode()).hexdigest())
        for f in fresh[: max(0, per - have)]:
            f.sampled = True
            added += 1
    return added


async def record_verdict(
    s: AsyncSession, finding_id: int, verdict: str, note: str, reviewer: str, now: datetime
) -> Finding:
    """A reviewer's 成立 / 不成立 with a note, inside the caller's transaction."""
    if verdict not in VERDICTS:
        raise QualityError("复核结论只能是“成立”或“不成立”")
    note = note.strip()
    if len(note) > 500:
        raise QualityError("复核说明最长 500 字")
    f = await s.get(Finding, finding_id)
    if f is None:
        raise QualityError(f"没有编号为 {finding_id} 的质检发现")
    f.verdict, f.verdict_note, f.reviewer, f.reviewed_at = verdict, note, reviewer[:100], now
    f.sampled = True
    return f
