"""The category → department map: a two-column UTF-8 CSV (``category,department``).

The package ships the demo district's map (梅江区); a setting points to another file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAP = Path(__file__).resolve().parent / "departments_meijiang.csv"


class DepartmentMapError(ValueError):
    """The map file cannot be used; the message names the file and row."""


@dataclass(frozen=True)
class DepartmentMap:
    departments: dict[str, str]
    source: str

    def department_of(self, category: str) -> str | None:
        return self.departments.get(category)

    def unmapped(self, categories: list[str]) -> list[str]:
        """Categories the model can propose that have no department here."""
        return [c for c in categories if c not in self.departments]


def load_department_map(path: Path | None = None) -> DepartmentMap:
    path = path or DEFAULT_MAP
    if not path.is_file():
        raise DepartmentMapError(f"department map not found: {path}")
    departments: dict[str, str] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        if header[:2] != ["category", "department"]:
            raise DepartmentMapError(f"{path}: the first row must be 'category,department'")
        for number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < 2 or not row[0].strip() or not row[1].strip():
                raise DepartmentMapError(f"{path}:{number}: expected a category and a department")
            category, department = row[0].strip(), row[1].strip()
            if category in departments:
                raise DepartmentMapError(f"{path}:{number}: category {category!r} appears twice")
            departments[category] = department
    if not departments:
        raise DepartmentMapError(f"{path}: no rows")
    return DepartmentMap(departments, str(path))
