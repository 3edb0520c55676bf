"""The browser chat page: a static page that talks to the REST channel as an anonymous web visitor.

In demo mode the page shows 演示模式 and offers a demo sign-in (``POST /chat/demo-signin``): pick a person of
the demo directory and the server hands this browser that person's web identity. The sign-in exists only in
demo mode and answers only loopback clients unless ``GOVCHAT_ALLOW_PUBLIC_DEMO`` is set.
"""

from __future__ import annotations

import secrets
from importlib import resources
from urllib.parse import urlsplit

from aiohttp import web

from bot.appkeys import BOT, CHAT_SIGNER, DEMO_MODE, PUBLIC_DEMO
from bot.channels.rest import COOKIE, caller_of, parse_json, set_visitor_cookie
from kernel.config import is_loopback
from kernel.proxy import client_address
from office_flows.directory.demo import DemoPerson, demo_people

DEMO_BANNER = "演示模式：本页面使用演示数据（虚构的人员和知识库），请勿输入真实个人信息。"


async def page(_request: web.Request) -> web.Response:
    html = (resources.files("bot") / "static" / "chat.html").read_text(encoding="utf-8")
    return web.Response(text=html, content_type="text/html", charset="utf-8")


async def script(_request: web.Request) -> web.Response:
    js = (resources.files("bot") / "static" / "chat.js").read_text(encoding="utf-8")
    return web.Response(text=js, content_type="text/javascript", charset="utf-8")


def demo_signin_allowed(request: web.Request) -> bool:
    if not request.app.get(DEMO_MODE, False):
        return False
    return request.app.get(PUBLIC_DEMO, False) or is_loopback(client_address(request))


async def _people(request: web.Request) -> list[DemoPerson]:
    db = request.app[BOT].services.db
    if db is None:
        return []
    async with db.session() as s:
        return await demo_people(s)


async def config(request: web.Request) -> web.Response:
    """What the page needs to know: demo mode, the demo people it may sign in as, who it is now."""
    caller = caller_of(request, b"")
    out: dict[str, object] = {"demo": request.app.get(DEMO_MODE, False)}
    if out["demo"]:
        out["banner"] = DEMO_BANNER
    if demo_signin_allowed(request):
        people = await _people(request)
        out["people"] = [
            {"code": p.code, "name": p.name, "department": p.department, "address": p.address} for p in people
        ]
        current = next((p for p in people if p.address == caller.visitor), None)
        out["signed_in"] = {"code": current.code, "name": current.name} if current else None
    response = web.json_response(out)
    if caller.new_cookie is not None:
        set_visitor_cookie(request, response, caller.new_cookie)
    return response


async def demo_signin(request: web.Request) -> web.Response:
    """``{"code": "MJ010"}`` (or ``{"address": "demo-zhongli"}``) speaks as that demo person; ``{}`` signs out."""
    if not demo_signin_allowed(request):
        raise web.HTTPNotFound(text="演示登录仅在演示模式下、从本机访问时可用。")
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        return web.json_response({"error": "请求来源不明，请直接打开聊天页面登录。"}, status=403)
    raw = await request.read()
    try:
        body = parse_json(raw) if raw else {}
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    if not isinstance(body, dict):
        return web.json_response({"error": "请求体必须是 JSON 对象"}, status=400)
    code, address = body.get("code"), body.get("address")
    signer = request.app[CHAT_SIGNER]
    if not code and not address:
        response = web.json_response({"signed_in": None})
        set_visitor_cookie(request, response, signer.sign("v-" + secrets.token_urlsafe(18)))
        return response
    person = next((p for p in await _people(request) if p.code == code or p.address == address), None)
    if person is None:
        return web.json_response({"error": "演示通讯录中没有这个人员"}, status=404)
    response = web.json_response({"signed_in": {"code": person.code, "name": person.name}})
    set_visitor_cookie(request, response, signer.sign(person.address))
    return response


def setup(app: web.Application) -> None:
    app.router.add_get("/", page)
    app.router.add_get("/chat", page)
    app.router.add_get("/chat/chat.js", script)
    app.router.add_get("/chat/config", config)
    app.router.add_post("/chat/demo-signin", demo_signin)


__all__ = ["COOKIE", "DEMO_BANNER", "setup"]
