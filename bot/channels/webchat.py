"""The browser chat page: a static page that talks to the REST channel."""

from __future__ import annotations

from importlib import resources

from aiohttp import web


async def page(_request: web.Request) -> web.Response:
    html = (resources.files("bot") / "static" / "chat.html").read_text(encoding="utf-8")
    return web.Response(text=html, content_type="text/html", charset="utf-8")


def setup(app: web.Application) -> None:
    app.router.add_get("/", page)
    app.router.add_get("/chat", page)
