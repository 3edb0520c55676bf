"""The jieba user dictionary of the Rasa project, generated from the knowledge base plus a manual list.

``nlu/lexicon/manual.txt`` holds what the KB does not know (rooms, people, places, time words);
the KB contributes published item names, aliases and departments. The result is written to
``nlu/dictionary/user_dict.txt`` (the tokenizer loads every file in that folder, so it holds only this
one). A changed dictionary changes the training fingerprint, so the next ``govchat nlu train`` retrains.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from nlu.training import PROJECT_DIR

MANUAL = PROJECT_DIR / "lexicon" / "manual.txt"
TARGET = PROJECT_DIR / "dictionary" / "user_dict.txt"
MAX_LEN = 12  # longer catalogue names would swallow the words people actually type


def render(kb_terms: Iterable[tuple[str, str]], manual: Path = MANUAL) -> str:
    """Dictionary text: manual lines first (they win), then KB terms as 'word freq tag'."""
    lines: list[str] = []
    seen: set[str] = set()
    for line in manual.read_text(encoding="utf-8").splitlines():
        word = line.split()[0] if line.strip() else ""
        if word and word not in seen:
            seen.add(word)
            lines.append(line.strip())
    for word, tag in sorted(set(kb_terms)):
        word = word.strip()
        if 2 <= len(word) <= MAX_LEN and " " not in word and word not in seen:
            seen.add(word)
            lines.append(f"{word} 2000 {tag}")
    return "\n".join(lines) + "\n"


def write(kb_terms: Iterable[tuple[str, str]], target: Path = TARGET) -> bool:
    """Write the dictionary; True when it changed."""
    text = render(kb_terms)
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return False
    target.write_text(text, encoding="utf-8")
    return True
