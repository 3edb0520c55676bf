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
