"""Input checks done before any handler: empty, oversized or binary messages get a clear reply."""

from __future__ import annotations

import unicodedata

EMPTY = "您好像没有输入内容。请直接输入您想咨询的问题，例如：“办理居住证要带什么材料？”"
BINARY = "这条消息里有无法识别的字符（可能是文件或乱码）。请用文字描述您的问题。"


def too_long(limit: int) -> str:
    return f"消息太长了（最多 {limit} 个字）。请简要描述您的问题，或分几次发送。"


def problem_with(text: object, limit: int) -> str | None:
    """A reply explaining why the text cannot be handled, or None when it is fine."""
    if not isinstance(text, str):
        return BINARY
    stripped = text.strip()
    if not stripped:
        return EMPTY
    if len(text) > limit:
        return too_long(limit)
    bad = sum(
        1
        for ch in text
        if ch == "\x00"
        or ch == "\ufffd"
        or (unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch not in "\n\r\t")
    )
    if (bad and bad / len(text) > 0.05) or "\x00" in text:
        return BINARY
    return None
