"""The dispatch catalogue (派单目录) in the console and the API: category → department, each department's
matters and aliases; every save is a new version (who, when), and any older version can be restored."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin import audit
from admin.api_auth import error, json_body
from admin.appkeys import CLOCK, DB, TICKETS
from admin.errors import error_page
from admin.guard import DISPATCH, principal, route
from admin.web import back, render
from office_flows.routing import catalogue
from office_flows.routing.catalogue import Catalogue, CatalogueError


async def _state(request: web.Request) -> tuple[Catalogue, list[catalogue.CatalogueVersion]]:
    async with request.app[DB].session() as s:
        cat = await catalogue.ensure(s, at=request.app[CLOCK].now())
        return cat, await catalogue.versions(s)


def _applied(request: web.Request, cat: Catalogue) -> None:
    """The router maps its categories through the new version at once."""
    request.app[TICKETS].catalogue_changed(cat.department_map())


async def _save(request: web.Request, cat: Catalogue, note: str) -> Catalogue:
    who = principal(request).audit_name
    now = request.app[CLOCK].now()
    async with request.app[DB].session() as s:
        saved = await catalogue.save(s, cat, by=who, at=now, note=note)
        audit.record(s, actor=who, action="catalogue.save", obj=f"v{saved.version}", now=now, after={"note": note})
    _applied(request, saved)
    return saved


def _from_form(f: Any) -> dict[str, Any]:
    names = [str(v).strip() for v in f.getall("name", [])]
    aliases = [str(v) for v in f.getall("aliases", [])]
    matters = [str(v) for v in f.getall("matters", [])]
    departments = [
        {"name": n, "aliases": a, "matters": m} for n, a, m in zip(names, aliases, matters, strict=False) if n
    ]
    cats = [str(v).strip() for v in f.getall("category", [])]
    depts = [str(v).strip() for v in f.getall("category_department", [])]
    return {"departments": departments, "categories": {c: d for c, d in zip(cats, depts, strict=False) if c}}


async def page(request: web.Request) -> web.Response:
    cat, versions = await _state(request)
    return render(request, "catalogue.html", cat=cat, versions=versions, error="")


async def edit(request: web.Request) -> web.Response:
    f = await request.post()
    try:
        cat = Catalogue.from_data(_from_form(f))
    except CatalogueError as exc:
        current, versions = await _state(request)
        return render(request, "catalogue.html", http_status=400, cat=current, versions=versions, error=str(exc))
    saved = await _save(request, cat, str(f.get("note", "")).strip() or "修改派单目录")
    raise back("/admin/catalogue", f"已保存为第 {saved.version} 版")


async def restore(request: web.Request) -> web.Response:
    try:
        version = int(request.match_info["version"])
    except ValueError:
        return error_page(request, 400, "版本号应为数字。")
    who, now = principal(request).audit_name, request.app[CLOCK].now()
    try:
        async with request.app[DB].session() as s:
            saved = await catalogue.restore(s, version, by=who, at=now)
            audit.record(s, actor=who, action="catalogue.restore", obj=f"v{saved.version}", now=now, after={})
    except CatalogueError as exc:
        return error_page(request, 404, str(exc))
    _applied(request, saved)
    raise back("/admin/catalogue", f"已恢复第 {version} 版的内容（保存为第 {saved.version} 版）")


# --- API ----------------------------------------------------------------------------------------------


def _versions_json(versions: list[catalogue.CatalogueVersion]) -> list[dict[str, Any]]:
    return [
        {"version": v.version, "created_by": v.created_by, "created_at": v.created_at.isoformat(), "note": v.note}
        for v in versions
    ]


async def api_get(request: web.Request) -> web.Response:
    cat, versions = await _state(request)
    return web.json_response({"version": cat.version, **cat.as_data(), "versions": _versions_json(versions)})


async def api_put(request: web.Request) -> web.Response:
    body = await json_body(request)
    try:
        cat = Catalogue.from_data(body)
    except CatalogueError as exc:
        return error(400, str(exc))
    saved = await _save(request, cat, str(body.get("note", "") or "接口修改派单目录"))
    return web.json_response({"version": saved.version, **saved.as_data()})


async def api_restore(request: web.Request) -> web.Response:
    body = await json_body(request)
    version = body.get("version")
    if not isinstance(version, int):
        return error(400, "version 须为整数")
    who, now = principal(request).audit_name, request.app[CLOCK].now()
    try:
        async with request.app[DB].session() as s:
            saved = await catalogue.restore(s, version, by=who, at=now)
    except CatalogueError as exc:
        return error(404, str(exc))
    _applied(request, saved)
    return web.json_response({"version": saved.version, **saved.as_data()})


def setup(app: web.Application) -> None:
    route(app, "GET", "/admin/catalogue", page, DISPATCH)
    route(app, "POST", "/admin/catalogue", edit, DISPATCH)
    route(app, "POST", "/admin/catalogue/restore/{version}", restore, DISPATCH)
    route(app, "GET", "/api/tickets/catalogue", api_get, DISPATCH)
    route(app, "PUT", "/api/tickets/catalogue", api_put, DISPATCH)
    route(app, "POST", "/api/tickets/catalogue/restore", api_restore, DISPATCH)
