"""Who calls the REST API: a bearer token names a person of the directory, whose roles then apply.

Tokens come from ``GOVCHAT_API_TOKENS`` ("token=person_code,…"); a signed-in console session
works too (admin/guard.py resolves either before the handler runs).
"""

from __future__ import annotations

import hmac
import json

from aiohttp import web

from admin.appkeys import API_TOKENS, DB
from admin.guard import PRINCIPAL, principal
from govchat.identity import Actor
from office_flows.directory.store import person_by


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
    """The caller: resolved by the guard middleware (console session or bearer token), else the token."""
    if PRINCIPAL in request:
        return principal(request).actor
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    code = None
    for known, person_code in request.app[API_TOKENS].items():
        if token and hmac.compare_digest(token, known):
            code = person_code
    if code is None:
        raise web.HTTPUnauthorized(
            text=json.dumps({"error": "需要有效的访问令牌（Authorization: Bearer …）"}, ensure_ascii=False),
            content_type="application/json",
        )
    async with request.app[DB].session() as s:
        person = await person_by(s, code=code)
    if person is None:
        raise web.HTTPForbidden(
            text=json.dumps({"error": f"令牌对应的人员 {code} 不存在或已停用"}, ensure_ascii=False),
            content_type="application/json",
        )
    return Actor(
        "api",
        code,
        person.roles,
        person_id=person.id,
        name=person.name,
        department_code=person.department_code,
        department_name=person.department_name,
    )


async def json_body(request: web.Request) -> dict[str, object]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "请求体必须是 UTF-8 编码的 JSON 对象"}, ensure_ascii=False),
            content_type="application/json",
        ) from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "请求体必须是 JSON 对象"}, ensure_ascii=False), content_type="application/json"
        )
    return body
