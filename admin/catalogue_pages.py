"""The dispatch catalogue (派单目录) in the console and the API: category → department, each department's
matters and aliases; every save is a new version (who, when), and any older version can be restored."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin import api_models as m
from admin import audit
from admin.appkeys import CLOCK, DB, TICKETS
from admin.contract import api, body_as
from admin.errors import error_page
from admin.guard import DISPATCH, principal, route
from admin.web import back, render
from kernel.contract import Operation, refuse, respond
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
        {"name": n, "aliases": a, "matters": mt} for n, a, mt in zip(names, aliases, matters, strict=False) if n
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


def _out(cat: Catalogue) -> m.CatalogueOut:
    return m.CatalogueOut.model_validate({"version": cat.version, **cat.as_data()})


async def api_get(request: web.Request) -> web.Response:
    cat, versions = await _state(request)
    listed = [
        m.CatalogueVersionOut(
            version=v.version, created_by=v.created_by, created_at=v.created_at.isoformat(), note=v.note
        )
        for v in versions
    ]
    return respond(m.CatalogueState(**_out(cat).model_dump(), versions=listed))


async def api_put(request: web.Request) -> web.Response:
    body = await body_as(request, m.CatalogueIn)
    try:
        cat = Catalogue.from_data(body.model_dump(exclude={"note"}))
    except CatalogueError as exc:
        return refuse(400, str(exc))
    saved = await _save(request, cat, body.note or "接口修改派单目录")
    return respond(_out(saved))


async def api_restore(request: web.Request) -> web.Response:
    body = await body_as(request, m.CatalogueRestoreIn)
    who, now = principal(request).audit_name, request.app[CLOCK].now()
    try:
        async with request.app[DB].session() as s:
            saved = await catalogue.restore(s, body.version, by=who, at=now)
    except CatalogueError as exc:
        return refuse(404, str(exc))
    _applied(request, saved)
    return respond(_out(saved))


CATALOGUE_EXAMPLE: dict[str, object] = {
    "departments": [{"name": "梅江区城市管理和综合执法局", "aliases": ["城管局"], "matters": ["占道经营"]}],
    "categories": {"市容环境": "梅江区城市管理和综合执法局"},
    "note": "新增占道经营事项",
}


def setup(app: web.Application) -> None:
    route(app, "GET", "/admin/catalogue", page, DISPATCH)
    route(app, "POST", "/admin/catalogue", edit, DISPATCH)
    route(app, "POST", "/admin/catalogue/restore/{version}", restore, DISPATCH)
    api(
        app,
        "GET",
        "/api/tickets/catalogue",
        api_get,
        DISPATCH,
        Operation("getCatalogue", "派单目录（当前版本与版本历史）", response=m.CatalogueState, errors=(401, 403)),
    )
    api(
        app,
        "PUT",
        "/api/tickets/catalogue",
        api_put,
        DISPATCH,
        Operation(
            "saveCatalogue",
            "保存派单目录为新版本（departments、categories、note）",
            body=m.CatalogueIn,
            response=m.CatalogueOut,
            errors=(400, 401, 403),
            example=CATALOGUE_EXAMPLE,
        ),
    )
    api(
        app,
        "POST",
        "/api/tickets/catalogue/restore",
        api_restore,
        DISPATCH,
        Operation(
            "restoreCatalogue",
            "恢复派单目录的某一版本（version），保存为新版本",
            body=m.CatalogueRestoreIn,
            response=m.CatalogueOut,
            errors=(400, 401, 403, 404),
            example={"version": 1},
        ),
    )
