"""Reads for the console and chat: scores per department, operator and month, findings with their evidence,
one subject's inspection, the review queue and each rule's precision from the reviewers' verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from office_flows.directory.models import Department
from office_flows.handoff.models import Handoff, HandoffMessage
from office_flows.quality.models import MUST, UPHELD, Finding, Inspection
from office_flows.tickets.models import Ticket

DIMENSIONS = {"department": Inspection.department_code, "operator": Inspection.operator, "month": Inspection.month}
_HAS_MUST = case((Inspection.must_fix > 0, 1), else_=0)
DIMENSION_LABELS = {"department": "部门", "operator": "承办人 / 客服", "month": "月份"}


@dataclass(frozen=True)
class ScoreRow:
    key: str
    label: str
    inspected: int
    score: float
    must_fix: int
    advice: int
    with_must_fix: int  # subjects with at least one must-fix finding


@dataclass(frozen=True)
class FindingRow:
    id: int
    subject: str
    ref: str
    department: str
    operator: str
    month: str
    rule: str
    severity: str
    message: str
    evidence: dict[str, Any]
    sampled: bool
    verdict: str
    verdict_note: str


@dataclass(frozen=True)
class RulePrecision:
    rule: str
    findings: int
    reviewed: int
    upheld: int

    @property
    def precision(self) -> float | None:
        return self.upheld / self.reviewed if self.reviewed else None


async def department_names(s: AsyncSession) -> dict[str, str]:
    return dict((await s.execute(select(Department.code, Department.name))).all())


async def scores(s: AsyncSession, by: str, month: str | None = None) -> list[ScoreRow]:
    """Average score and finding counts per department, operator or month, worst first."""
    column = DIMENSIONS[by]
    q = select(
        column,
        func.count(),
        func.avg(Inspection.score),
        func.sum(Inspection.must_fix),
        func.sum(Inspection.advice),
        func.sum(_HAS_MUST),
    ).group_by(column)
    if month and by != "month":
        q = q.where(Inspection.month == month)
    names = await department_names(s) if by == "department" else {}
    rows = []
    for key, n, avg, must, advice, with_must in (await s.execute(q)).all():
        key = key or ""
        label = names.get(key, key) if by == "department" else key
        rows.append(
            ScoreRow(
                key,
                label or "（对话，无部门）" if by == "department" and not key else label or "（未记录）",
                int(n),
                round(float(avg or 0), 1),
                int(must or 0),
                int(advice or 0),
                int(with_must or 0),
            )
        )
    if by == "month":
        return sorted(rows, key=lambda r: r.key, reverse=True)
    return sorted(rows, key=lambda r: (r.score, -r.inspected))


async def months(s: AsyncSession) -> list[str]:
    return list(await s.scalars(select(Inspection.month).distinct().order_by(Inspection.month.desc())))


async def findings(
    s: AsyncSession,
    *,
    month: str | None = None,
    department: str | None = None,
    operator: str | None = None,
    rule: str | None = None,
    sampled: bool | None = None,
    unreviewed: bool = False,
    limit: int = 200,
) -> list[FindingRow]:
    q = select(Finding, Inspection).join(Inspection, Inspection.id == Finding.inspection_id)
    if month:
        q = q.where(Inspection.month == month)
    if department is not None:
        q = q.where(Inspection.department_code == department)
    if operator is not None:
        q = q.where(Inspection.operator == operator)
    if rule:
        q = q.where(Finding.rule == rule)
    if sampled is not None:
        q = q.where(Finding.sampled == sampled)
    if unreviewed:
        q = q.where(Finding.verdict == "")
    q = q.order_by((Finding.severity != MUST), Finding.id.desc()).limit(limit)
    return [_row(f, i) for f, i in (await s.execute(q)).all()]


def _row(f: Finding, i: Inspection) -> FindingRow:
    return FindingRow(
        f.id,
        i.subject,
        i.ref,
        i.department_code,
        i.operator,
        i.month,
        f.rule,
        f.severity,
        f.message,
        dict(f.evidence or {}),
        f.sampled,
        f.verdict,
        f.verdict_note,
    )


async def for_subject(s: AsyncSession, subject: str, ref: str) -> tuple[Inspection, list[FindingRow]] | None:
    insp = await s.scalar(select(Inspection).where(Inspection.subject == subject, Inspection.ref == ref))
    if insp is None:
        return None
    rows = await s.scalars(select(Finding).where(Finding.inspection_id == insp.id).order_by(Finding.id))
    return insp, [_row(f, insp) for f in rows]


async def rule_counts(s: AsyncSession, month: str, subject: str) -> dict[str, int]:
    """Findings per rule among one kind of subject in a month, most frequent first."""
    q = (
        select(Finding.rule, func.count())
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .where(Inspection.month == month, Inspection.subject == subject)
        .group_by(Finding.rule)
        .order_by(func.count().desc(), Finding.rule)
    )
    return {rule: int(n) for rule, n in (await s.execute(q)).all()}


async def precision(s: AsyncSession) -> list[RulePrecision]:
    """Per rule: findings, reviewed, upheld (成立); precision = upheld / reviewed."""
    q = select(
        Finding.rule,
        func.count(),
        func.sum(case((Finding.verdict != "", 1), else_=0)),
        func.sum(case((Finding.verdict == UPHELD, 1), else_=0)),
    ).group_by(Finding.rule)
    return [RulePrecision(rule, int(n), int(r or 0), int(u or 0)) for rule, n, r, u in (await s.execute(q)).all()]


async def totals(s: AsyncSession, month: str | None = None, subject: str | None = None) -> dict[str, float]:
    q = select(
        func.count(),
        func.avg(Inspection.score),
        func.sum(Inspection.must_fix),
        func.sum(Inspection.advice),
        func.sum(_HAS_MUST),
    )
    if month:
        q = q.where(Inspection.month == month)
    if subject:
        q = q.where(Inspection.subject == subject)
    n, avg, must, advice, with_must = (await s.execute(q)).one()
    return {
        "inspected": int(n or 0),
        "score": round(float(avg or 0), 1),
        "must_fix": int(must or 0),
        "advice": int(advice or 0),
        "with_must_fix": int(with_must or 0),
    }


async def ticket(s: AsyncSession, code: str) -> Ticket | None:
    return await s.scalar(select(Ticket).where(Ticket.code == code))


async def conversation(s: AsyncSession, handoff_id: int) -> tuple[Handoff, list[HandoffMessage]] | None:
    h = await s.get(Handoff, handoff_id)
    if h is None:
        return None
    rows = await s.scalars(select(HandoffMessage).where(HandoffMessage.handoff_id == h.id).order_by(HandoffMessage.id))
    return h, list(rows)
