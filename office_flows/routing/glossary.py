"""The category glossary: short labelled phrases that name what each category covers.

A category tree (TipDM's 一级/二级/三级分类) or the dispatch catalogue's matters of each department say in a
few words what belongs where: "住房保障 公租房" is 城乡建设, "公交线路与站点" is 交通运输. Added to the n-gram
model's training texts (never to the texts a model is scored on, and not to the embedding models), they give
it the words of a category that few tickets happen to use. On the dev split this lifted macro-F1 on 15 folds
(3 seeds × 5) by 0.3 points on average, better on 9 folds and worse on 2 (bench/README.md, round 3).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from office_flows.routing.dataset import DatasetError, Example


def read_glossary(path: Path) -> list[Example]:
    """A CSV with a header row: the first column is the category, the other non-empty columns (sub-categories,
    terms) joined by a space are one phrase of it. Rows without a category or a phrase are skipped; repeated
    phrases are kept once."""
    if not path.is_file():
        raise DatasetError(f"{path}: file not found")
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(f"{path}: not a UTF-8 CSV file ({exc})") from exc
    out = unique(Example(" ".join(c.strip() for c in row[1:] if c.strip()), row[0].strip()) for row in rows[1:] if row)
    if not out:
        raise DatasetError(f"{path}: no rows with a category and a phrase")
    return out


def for_labels(glossary: Sequence[Example], labels: Iterable[str]) -> list[Example]:
    """The phrases of the categories a model is trained on (a phrase of another category would add a label)."""
    wanted = set(labels)
    return [g for g in glossary if g.label in wanted]


def unique(phrases: Iterable[Example]) -> list[Example]:
    seen: set[tuple[str, str]] = set()
    out = []
    for p in phrases:
        key = (p.text, p.label)
        if p.text and p.label and key not in seen:
            seen.add(key)
            out.append(p)
    return out
