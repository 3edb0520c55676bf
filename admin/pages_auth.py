"""Sign-in, sign-out, the home page, accounts (admins) and the audit log; static files."""

from __future__ import annotations

import asyncio
import math
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy import select

from admin import audit
from admin.accounts import CONSOLE_ROLES, AccountError, NewAccount, authenticate, create_account, reset_password
from admin.appkeys import CLOCK, DB, LOGIN_THROTTLE
from admin.guard import ADMINS, CONSOLE, PUBLIC, close_session, open_session, principal, route
from admin.login_throttle import LoginThrottle
from admin.models import AdminAccount, AuditEntry
from admin.web import HERE, back, form, render
from kernel.proxy import client_address

STATIC = {
    "console.css": (HERE / "static" / "console.css", "text/css"),
    "dashboard.js": (HERE / "static" / "dashboard.js", "text/javascript"),
    "echarts.min.js": (HERE / "static" / "node_modules" / "echarts" / "dist" / "echarts.min.js", "text/javascript"),
}


def _safe_next(target: str) -> str:
    # Only local console paths: never an open redirect.
    return target if target.startswith("/admin") and not target.startswith("//") else "/admin/"


async def login_page(request: web.Request) -> web.Response:
    return render(request, "login.html", next=_safe_next(request.query.get("next", "")), username="", error="")


def _cross_site(request: web.Request) -> bool:
    """A sign-in form posted from another site (login CSRF: the victim would work in the attacker's account).
    Browsers send Origin with every POST; tools that send none are not browsers with someone's cookies."""
    origin = request.headers.get("Origin")
    return origin is not None and urlsplit(origin).netloc != request.host


def _login_again(request: web.Request, status: int, nxt: str, username: str, error: str) -> web.Response:
    return render(request, "login.html", http_status=status, next=nxt, username=username, error=error)


async def login(request: web.Request) -> web.Response:
    f = await form(request)
    username, nxt = f.get("username", ""), _safe_next(f.get("next", ""))
    if _cross_site(request):
        return _login_again(request, 403, nxt, "", "请求来源不明，请直接打开登录页面登录。")
    now, address = request.app[CLOCK].now(), client_address(request)
    throttle = request.app[LOGIN_THROTTLE]
    admission = await throttle.admit(username, address, now)
    if admission.attempt_id is None:
        assert admission.wait is not None
        minutes = max(1, math.ceil(admission.wait.total_seconds() / 60))
        error = f"登录尝试过多，请 {minutes} 分钟后再试；忘记密码请联系管理员重置。"
        await asyncio.sleep(throttle.tarpit_seconds)
        return _login_again(request, 429, nxt, username, error)
    account = await authenticate(request.app[DB], username, f.get("password", ""))
    async with request.app[DB].session() as s:
        action = "login" if account is not None else "login.failed"
        audit.record(s, actor=f"console:{username.strip()[:60]}", action=action, obj=address, now=now)
    if account is None:
        await throttle.failed(admission.attempt_id)
        return _login_again(request, 401, nxt, username, "用户名或密码不正确，或账号已停用。")
    await throttle.succeeded(admission.attempt_id, username, address)
    response = web.HTTPFound(nxt)
    await open_session(request, account, response)
    raise response


async def logout(request: web.Request) -> web.Response:
    response = web.HTTPFound("/admin/login")
    await close_session(request, response)
    raise response


async def home(request: web.Request) -> web.Response:
    return render(request, "home.html")


async def static(request: web.Request) -> web.StreamResponse:
    item = STATIC.get(request.match_info["name"])
    if item is None or not item[0].is_file():
        raise web.HTTPNotFound(text="没有这个文件（图表库需先运行 scripts/bootstrap.sh 安装）")
    return web.FileResponse(item[0], headers={"Content-Type": item[1], "Cache-Control": "max-age=3600"})


async def _accounts_page(request: web.Request, *, created: NewAccount | None = None, error: str = "") -> web.Response:
    async with request.app[DB].session() as s:
        accounts = list(await s.scalars(select(AdminAccount).order_by(AdminAccount.username)))
    return render(
        request,
        "accounts.html",
        http_status=400 if error else 200,
        accounts=accounts,
        roles=CONSOLE_ROLES,
        created=created,
        error=error,
    )


async def accounts(request: web.Request) -> web.Response:
    return await _accounts_page(request)


async def create(request: web.Request) -> web.Response:
    f = await form(request)
    roles = "+".join(r.value for r in CONSOLE_ROLES if f.get(f"role_{r.value}"))
    me = principal(request)
    try:
        from admin.accounts import parse_roles

        async with request.app[DB].session() as s:
            now = request.app[CLOCK].now()
            made = await create_account(
                s,
                f.get("username", ""),
                parse_roles(roles),
                now=now,
                person_code=f.get("person_code", "").strip(),
                display_name=f.get("display_name", "").strip(),
            )
            audit.record(
                s,
                actor=me.audit_name,
                action="account.create",
                obj=made.account.username,
                now=now,
                after={"roles": roles},
            )
    except AccountError as exc:
        return await _accounts_page(request, error=str(exc))
    return await _accounts_page(request, created=made)


async def reset(request: web.Request) -> web.Response:
    me = principal(request)
    try:
        async with request.app[DB].session() as s:
            account = await s.get(AdminAccount, int(request.match_info["id"]))
            if account is None:
                raise AccountError("没有这个账号")
            now = request.app[CLOCK].now()
            made = await reset_password(s, account.username, now=now)
            audit.record(s, actor=me.audit_name, action="account.reset_password", obj=account.username, now=now)
    except AccountError as exc:
        return await _accounts_page(request, error=str(exc))
    return await _accounts_page(request, created=made)


async def toggle(request: web.Request) -> web.Response:
    me = principal(request)
    async with request.app[DB].session() as s:
        account = await s.get(AdminAccount, int(request.match_info["id"]))
        if account is None:
            raise back("/admin/accounts", "没有这个账号")
        if account.username == me.username:
            raise back("/admin/accounts", "不能停用自己的账号")
        now = request.app[CLOCK].now()
        account.active = not account.active
        account.updated_at = now
        audit.record(
            s,
            actor=me.audit_name,
            action="account.enable" if account.active else "account.disable",
            obj=account.username,
            now=now,
            before={"active": not account.active},
            after={"active": account.active},
        )
    raise back("/admin/accounts", "已更新")


async def audit_page(request: web.Request) -> web.Response:
    async with request.app[DB].session() as s:
        rows = list(await s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(300)))
    return render(request, "audit.html", rows=rows)


def setup(app: web.Application) -> None:
    app[LOGIN_THROTTLE] = LoginThrottle(app[DB])
    route(app, "GET", "/admin/login", login_page, PUBLIC)
    route(app, "POST", "/admin/login", login, PUBLIC)
    route(app, "GET", "/admin/static/{name}", static, PUBLIC)
    route(app, "POST", "/admin/logout", logout, CONSOLE)
    route(app, "GET", "/admin/", home, CONSOLE)
    route(app, "GET", "/admin/accounts", accounts, ADMINS)
    route(app, "POST", "/admin/accounts", create, ADMINS)
    route(app, "POST", "/admin/accounts/{id:\\d+}/reset", reset, ADMINS)
    route(app, "POST", "/admin/accounts/{id:\\d+}/toggle", toggle, ADMINS)
    route(app, "GET", "/admin/audit", audit_page, ADMINS)
