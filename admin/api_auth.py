"""Who calls the REST API: a bearer token names a person of the directory, whose roles then apply.

Tokens come from ``GOVCHAT_API_TOKENS`` ("token=person_code,…"); a signed-in console session
works too (admin/guard.py resolves either before the handler runs).
"""

from __future__ import annotations

import json

from aiohttp import web

from admin.guard import principal
from kernel.identity import Actor
from kernel.jsonbody import BadJson, parse_json


def parse_tokens(spec: str) -> dict[str, str]:
    out = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        token, _, code = part.partition("=")
        if token.strip() and code.strip():
            out[token.strip()] = code.strip()
    return out


def error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def api_actor(request: web.Request) -> Actor:
    """The caller, resolved by the guard middleware (console session or bearer token) before any
    /api handler runs; a route the guard does not know is refused there, so this always has a caller."""
    return principal(request).actor


async def json_body(request: web.Request) -> dict[str, object]:
    try:
        body = parse_json(await request.read())
    except BadJson as exc:
        message = str(exc) if "嵌套" in str(exc) or "空字符" in str(exc) else "请求体必须是 UTF-8 编码的 JSON 对象"
        raise web.HTTPBadRequest(
            text=json.dumps({"error": message}, ensure_ascii=False), content_type="application/json"
        ) from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "请求体必须是 JSON 对象"}, ensure_ascii=False), content_type="application/json"
        )
    return body
