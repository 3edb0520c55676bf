"""Who is asking and may they: one middleware guards every /admin and /api route.

Every route under /admin and /api is registered with the roles it needs (``route(...)``);
a route without a declaration is refused, so a new route cannot be left open by accident.
Console browsers authenticate with a server-side session (HttpOnly, SameSite=Strict cookie)
and must send the session's CSRF token with every POST; integrations use bearer tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from aiohttp import web
from sqlalchemy import delete, select

from admin.accounts import roles_of
from admin.appkeys import API_TOKENS, CLOCK, DB, ROUTE_ROLES
from admin.models import AdminAccount, AdminSession
from kernel.identity import Actor, Role
from kernel.proxy import is_secure
from office_flows.directory.store import person_by

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
COOKIE = "govchat_admin"
SESSION_TTL = timedelta(hours=8)
PUBLIC: frozenset[Role] = frozenset()

A = Role.ADMIN
EDITORS = frozenset({Role.EDITOR, A})
DISPATCH = frozenset({Role.DISPATCHER, Role.OPERATOR, Role.SUPERVISOR, A})
SUPERVISE = frozenset({Role.SUPERVISOR, Role.HEAD, A})
REPORT = frozenset({Role.SUPERVISOR, A})  # district-wide figures: not a department head's
HANDOFF = frozenset({Role.OPERATOR, A})
ADMINS = frozenset({A})
CONSOLE = frozenset({Role.EDITOR, Role.DISPATCHER, Role.OPERATOR, Role.SUPERVISOR, Role.HEAD, A})
TICKET_API = frozenset({Role.STAFF, Role.HEAD, Role.DISPATCHER, Role.OPERATOR, Role.SUPERVISOR, A})


@dataclass(frozen=True)
class Principal:
    username: str
    roles: frozenset[Role]
    actor: Actor
    csrf: str | None  # None for bearer tokens (no cookie, nothing to forge)

    @property
    def audit_name(self) -> str:
        return f"console:{self.username}" if self.csrf is not None else f"token:{self.username}"


PRINCIPAL: web.RequestKey[Principal] = web.RequestKey("principal", Principal)


def route(app: web.Application, method: str, path: str, handler: Handler, roles: frozenset[Role]) -> str:
    """Add a route and declare the roles it needs (``PUBLIC`` for none); returns its canonical path."""
    added = app.router.add_route(method, path, handler)
    assert added.resource is not None
    app[ROUTE_ROLES][(method, added.resource.canonical)] = roles
    return added.resource.canonical


def principal(request: web.Request) -> Principal:
    return request[PRINCIPAL]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(request: web.Request, account: AdminAccount, response: web.StreamResponse) -> None:
    token = secrets.token_urlsafe(32)
    now = request.app[CLOCK].now()
    async with request.app[DB].session() as s:
        await s.execute(delete(AdminSession).where(AdminSession.expires_at < now))
        s.add(
            AdminSession(
                token_hash=_digest(token),
                account_id=account.id,
                csrf=secrets.token_urlsafe(24),
                created_at=now,
                expires_at=now + SESSION_TTL,
            )
        )
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        path="/",
        max_age=int(SESSION_TTL.total_seconds()),
        secure=is_secure(request),  # TLS at the socket, or at a trusted proxy (X-Forwarded-Proto: https)
    )


async def close_session(request: web.Request, response: web.StreamResponse) -> None:
    token = request.cookies.get(COOKIE)
    if token:
        async with request.app[DB].session() as s:
            await s.execute(delete(AdminSession).where(AdminSession.token_hash == _digest(token)))
    response.del_cookie(COOKIE, path="/")


async def _from_session(request: web.Request) -> Principal | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    now = request.app[CLOCK].now()
    async with request.app[DB].session() as s:
        row = (
            await s.execute(
                select(AdminSession, AdminAccount)
                .join(AdminAccount, AdminAccount.id == AdminSession.account_id)
                .where(AdminSession.token_hash == _digest(token), AdminSession.expires_at > now)
            )
        ).first()
        if row is None or not row[1].active:
            return None
        sess, account = row
        roles = roles_of(account)
        person = await person_by(s, id=account.person_id) if account.person_id else None
    if person is None:
        actor = Actor("console", account.username, roles, name=account.display_name)
    else:
        actor = Actor(
            "console",
            account.username,
            roles | person.roles,
            person_id=person.id,
            name=person.name,
            department_code=person.department_code,
            department_name=person.department_name,
        )
    return Principal(account.username, roles, actor, sess.csrf)


async def _from_token(request: web.Request) -> Principal | None:
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if not token:
        return None
    code = None
    for known, person_code in request.app[API_TOKENS].items():
        if hmac.compare_digest(token, known):
            code = person_code
    if code is None:
        return None
    async with request.app[DB].session() as s:
        person = await person_by(s, code=code)
    if person is None:
        return None
    actor = Actor(
        "api",
        code,
        person.roles,
        person_id=person.id,
        name=person.name,
        department_code=person.department_code,
        department_name=person.department_name,
    )
    return Principal(code, person.roles, actor, None)


async def resolve_principal(request: web.Request) -> Principal | None:
    """Who is asking, by API token or console session (routes outside the guard, e.g. /metrics)."""
    p = await _from_token(request) if "Authorization" in request.headers else None
    return p if p is not None else await _from_session(request)


def _is_api(request: web.Request) -> bool:
    return request.path.startswith("/api")


def _refuse(request: web.Request, status: int, message: str) -> web.Response:
    if _is_api(request):
        return web.json_response({"error": message}, status=status)
    if status == 401:
        raise web.HTTPFound(f"/admin/login?next={quote(request.path_qs)}")
    return web.Response(text=message, status=status, content_type="text/plain")  # styled by admin.errors


async def _csrf_ok(request: web.Request, p: Principal) -> bool:
    sent = request.headers.get("X-CSRF-Token", "")
    if not sent and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()  # cached by aiohttp: the handler reads it again for free
        value = form.get("_csrf", "")
        sent = value if isinstance(value, str) else ""
    return bool(p.csrf) and hmac.compare_digest(sent, p.csrf or "")


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith(("/admin", "/api")):
        return await handler(request)
    info = request.match_info
    if info.http_exception is not None:  # 404/405: nothing to guard
        return await handler(request)
    roles = request.app[ROUTE_ROLES].get(
        (info.route.method, info.route.resource.canonical if info.route.resource else "")
    )
    if roles is None:
        return _refuse(request, 403, "此地址未声明访问权限，已拒绝")
    if roles is PUBLIC:
        return await handler(request)
    p = await _from_token(request) if _is_api(request) and "Authorization" in request.headers else None
    if p is None:
        p = await _from_session(request)
    if p is None:
        if _is_api(request) and "Authorization" in request.headers:
            return _refuse(request, 401, "访问令牌无效或对应人员已停用")
        return _refuse(request, 401, "请先登录管理后台，或提供访问令牌（Authorization: Bearer …）")
    if not p.roles & roles:
        return _refuse(request, 403, "您的角色无权进行此操作")
    if request.method not in ("GET", "HEAD") and p.csrf is not None and not await _csrf_ok(request, p):
        return _refuse(request, 403, "页面已过期或请求来源不明（CSRF 校验失败），请刷新后重试")
    request[PRINCIPAL] = p
    return await handler(request)
