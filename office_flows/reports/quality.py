"""The report's hook for quality-inspection findings (质检). The inspection domain plugs a provider in; until
then (or when it has nothing for the month) the report says 质检数据暂无."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

NO_DATA = "质检数据暂无"


@dataclass(frozen=True)
class QualityRow:
    """One line of findings: e.g. a department or a rule, how many were inspected and found, the score."""

    name: str
    inspected: int
    findings: int
    must_fix: int
    score: float | None  # 0-1, None when the provider gives none


@dataclass(frozen=True)
class QualitySection:
    rows: list[QualityRow] = field(default_factory=list)
    note: str = ""  # what was inspected and how (the provider's own words)

    @property
    def available(self) -> bool:
        return bool(self.rows)


QualityProvider = Callable[[AsyncSession, datetime, datetime], Awaitable[QualitySection]]


async def inspection_findings(s: AsyncSession, start: datetime, end: datetime) -> QualitySection:
    """The quality-inspection domain's month (office_flows/quality): scores and findings per department.

    Inspections are filed by the month a ticket closed (or a conversation ended), so the report's month is the
    inspection month of ``start``; the score (0-100 there) is shown as a share of 100."""
    from kernel.clock import SHANGHAI
    from office_flows.quality import queries

    month = start.astimezone(SHANGHAI).strftime("%Y-%m")
    totals = await queries.totals(s, month)
    if not totals["inspected"]:
        return QualitySection()
    rows = [
        QualityRow(r.label, r.inspected, r.must_fix + r.advice, r.must_fix, r.score / 100)
        for r in await queries.scores(s, "department", month)
    ]
    rows.append(
        QualityRow(
            "全区合计",
            int(totals["inspected"]),
            int(totals["must_fix"] + totals["advice"]),
            int(totals["must_fix"]),
            totals["score"] / 100,
        )
    )
    note = (
        f"本月自动质检 {int(totals['inspected'])} 件（办结工单、人工对话和机器人对话全部质检），"
        f"平均得分 {totals['score']:.1f}；"
        f"{int(totals['with_must_fix'])} 件有必须整改的问题。明细见管理后台“质检”页。"
    )
    return QualitySection(rows, note)
