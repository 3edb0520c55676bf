"""Row validation shared by the importers: every problem names its row and field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RowProblem:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行，字段“{self.field}”：{self.message}"


@dataclass
class ImportReport:
    """What an import would do (dry run) or did; nothing is applied while problems exist."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "applied": self.applied,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "problems": [str(p) for p in self.problems],
        }


class ImportFailed(ValueError):
    def __init__(self, report: ImportReport) -> None:
        self.report = report
        head = "; ".join(str(p) for p in report.problems[:5])
        more = f"（另有 {len(report.problems) - 5} 处）" if len(report.problems) > 5 else ""
        super().__init__(f"导入未执行，发现 {len(report.problems)} 处问题：{head}{more}")


def text_field(
    raw: dict[str, Any],
    key: str,
    row: int,
    problems: list[RowProblem],
    *,
    required: bool = False,
    max_len: int = 10000,
) -> str:
    value = raw.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str | int | float):
        problems.append(RowProblem(row, key, "应为文本"))
        return ""
    text = str(value).strip()
    if required and not text:
        problems.append(RowProblem(row, key, "不能为空"))
    if len(text) > max_len:
        problems.append(RowProblem(row, key, f"超过 {max_len} 个字符"))
    return text


def list_field(raw: dict[str, Any], key: str, row: int, problems: list[RowProblem]) -> list[str]:
    value = raw.get(key)
    if value in (None, "", "无"):
        return []
    if isinstance(value, str):
        return [value.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(RowProblem(row, key, "应为文本列表"))
        return []
    return [v.strip() for v in value if v.strip()]
