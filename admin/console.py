"""Wires the console into the product's aiohttp app: the guard, the pages and the REST API."""

from __future__ import annotations

from aiohttp import web

from admin import (
    alerts_pages,
    catalogue_pages,
    dashboard,
    handoff_pages,
    kb_api,
    kb_pages,
    openapi,
    pages_auth,
    quality_pages,
    tickets_api,
    tickets_pages,
)
from admin.appkeys import ROUTE_ROLES
from admin.errors import console_errors
from admin.guard import PUBLIC, guard, route


async def _to_home(_request: web.Request) -> web.Response:
    raise web.HTTPFound("/admin/")


def setup(app: web.Application) -> None:
    app[ROUTE_ROLES] = {}
    app.middlewares.insert(0, console_errors)  # outermost: every /admin error becomes a styled page
    app.middlewares.append(guard)
    route(app, "GET", "/admin", _to_home, PUBLIC)
    pages_auth.setup(app)
    tickets_api.setup(app)
    kb_pages.setup(app)
    kb_api.setup(app)
    tickets_pages.setup(app)
    catalogue_pages.setup(app)
    handoff_pages.setup(app)
    dashboard.setup(app)
    quality_pages.setup(app)
    alerts_pages.setup(app)
    openapi.setup(app)
