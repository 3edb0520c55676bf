"""Spreadsheet cells that must stay text: a cell starting with = + - @ (or a tab / carriage return) is
a formula to Excel and WPS ("=HYPERLINK(…)" in a citizen's complaint would run on a clerk's machine).

XLSX cells are typed, so such a cell is stored as a string. CSV has no types: the cell gets a leading
apostrophe (what spreadsheet programs show as "text"), and reading our own CSV back takes it off again, so an
export → edit → import round trip changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TEXT_MARK = "'"


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value[:1] in FORMULA_START


def csv_cell(value: str) -> str:
    """A CSV cell a spreadsheet program shows as text."""
    return _TEXT_MARK + value if is_formula_like(value) else value


def from_csv_cell(value: str) -> str:
    """Undo `csv_cell`: only an apostrophe in front of a formula start is ours."""
    if value.startswith(_TEXT_MARK) and is_formula_like(value[1:]):
        return value[1:]
    return value


def csv_rows(rows: Iterable[Sequence[str]]) -> list[list[str]]:
    return [[csv_cell(c) for c in r] for r in rows]


def mark_xlsx_text(worksheet: Any) -> None:
    """Store every formula-like string cell of an openpyxl worksheet as a plain string."""
    for row in worksheet.iter_rows():
        for cell in row:
            if is_formula_like(cell.value):
                cell.data_type = "s"
