"""Reading untrusted JSON: bounded depth, no NUL characters, a Chinese reason for every refusal."""

from __future__ import annotations

import json

MAX_DEPTH = 20


class BadJson(ValueError):
    """The body cannot be used; the message says why (Chinese, for the caller)."""


def _check(value: object, limit: int, allow_nul: bool) -> None:
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise BadJson(f"请求体嵌套过深（最多 {limit} 层）")
        if isinstance(item, dict):
            for k, v in item.items():
                if "\x00" in k and not allow_nul:
                    raise BadJson("请求体含有空字符（\\u0000），无法处理")
                stack.append((v, depth + 1))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
        elif isinstance(item, str) and "\x00" in item and not allow_nul:
            raise BadJson("请求体含有空字符（\\u0000），无法处理")


def parse_json(raw: bytes, *, limit: int = MAX_DEPTH, example: str = "", allow_nul: bool = False) -> object:
    """The body as JSON, or BadJson: bad encoding, bad JSON, too deep, NUL characters (unless the caller
    checks its few fields itself: the chat webhook answers a NUL-ridden message with a clear reply)."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadJson("请求体必须是 UTF-8 编码的 JSON" + (f"，例如 {example}" if example else "")) from None
    except RecursionError:
        raise BadJson(f"请求体嵌套过深（最多 {limit} 层）") from None
    _check(body, limit, allow_nul)
    return body
