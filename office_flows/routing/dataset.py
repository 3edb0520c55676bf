"""Labelled tickets for training and evaluation: JSONL lines ``{"text": ..., "label": ...}``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path


class DatasetError(ValueError):
    """The training or evaluation file cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Example:
    text: str
    label: str


def read_examples(path: Path) -> list[Example]:
    """Every non-blank line must be a JSON object with non-empty string ``text`` and ``label``."""
    if not path.is_file():
        raise DatasetError(f"{path}: file not found")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text ({exc})") from exc
    examples = [_example(path, number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    if not examples:
        raise DatasetError(f"{path}: no examples")
    return examples


def _example(path: Path, number: int, line: str) -> Example:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
    if not isinstance(row, dict):
        raise DatasetError(f"{path}:{number}: expected an object with 'text' and 'label'")
    text, label = row.get("text"), row.get("label")
    for key, value in (("text", text), ("label", label)):
        if not isinstance(value, str) or not value.strip():
            raise DatasetError(f"{path}:{number}: '{key}' must be a non-empty string")
    return Example(str(text), str(label).strip())


def fingerprint(examples: list[Example]) -> str:
    """A short digest of the training data, stored with the model to tell which data it saw."""
    digest = hashlib.sha256()
    for ex in examples:
        digest.update(json.dumps([ex.text, ex.label], ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return "sha256:" + digest.hexdigest()[:16]
