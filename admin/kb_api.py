"""REST API of the editor console: the same operations and rights as the pages, as JSON."""

from __future__ import annotations

from aiohttp import web

from admin.api_auth import error, json_body
from admin.guard import EDITORS, principal, route
from admin.kb_ops import entry_json, unanswered_groups
from admin.kb_pages import ops_of
from knowledge_base.service import KnowledgeBaseUnavailable
from knowledge_base.store import KbError


def _ref(request: web.Request) -> tuple[str, int]:
    return request.match_info["kind"], int(request.match_info["id"])


async def list_entries(request: web.Request) -> web.Response:
    kind = request.match_info["kind"]
    rows = await ops_of(request).entries(kind, request.query.get("q", ""), request.query.get("status", ""))
    return web.json_response({"entries": [entry_json(kind, e) for e in rows]})


async def get_entry(request: web.Request) -> web.Response:
    kind, entry_id = _ref(request)
    try:
        e, versions, published = await ops_of(request).detail(kind, entry_id)
    except KbError as exc:
        return error(404, str(exc))
    out = entry_json(kind, e)
    out["published"] = published
    out["versions"] = [
        {"version": v.version, "status": v.status, "actor": v.actor, "at": v.at.isoformat(), "comment": v.comment}
        for v in versions
    ]
    return web.json_response(out)


async def create_entry(request: web.Request) -> web.Response:
    kind = request.match_info["kind"]
    try:
        e = await ops_of(request).create(kind, await json_body(request), principal(request))
    except KbError as exc:
        return error(400, str(exc))
    return web.json_response(entry_json(kind, e), status=201)


async def edit_entry(request: web.Request) -> web.Response:
    kind, entry_id = _ref(request)
    try:
        e = await ops_of(request).edit(kind, entry_id, await json_body(request), principal(request))
    except KbError as exc:
        return error(400, str(exc))
    return web.json_response(entry_json(kind, e))


async def move_entry(request: web.Request) -> web.Response:
    kind, entry_id = _ref(request)
    body = await json_body(request)
    try:
        e = await ops_of(request).move(
            kind, entry_id, str(body.get("to", "")), principal(request), str(body.get("comment", ""))
        )
    except KbError as exc:
        return error(409, str(exc))
    return web.json_response(entry_json(kind, e))


async def rollback_entry(request: web.Request) -> web.Response:
    kind, entry_id = _ref(request)
    body = await json_body(request)
    try:
        e = await ops_of(request).rollback(kind, entry_id, int(str(body.get("version", ""))), principal(request))
    except (KbError, ValueError) as exc:
        return error(400, str(exc))
    return web.json_response(entry_json(kind, e))


async def hittest(request: web.Request) -> web.Response:
    q = request.query.get("q", "").strip()
    if not q:
        return error(400, "需要 q 参数（要测试的问题）")
    try:
        return web.json_response(ops_of(request).hittest(q))
    except KnowledgeBaseUnavailable as exc:
        return error(503, str(exc))


async def unanswered(request: web.Request) -> web.Response:
    groups = await unanswered_groups(ops_of(request))
    return web.json_response(
        {"groups": [{"ids": g.ids, "questions": g.questions, "best_score": g.best_score} for g in groups]}
    )


def setup(app: web.Application) -> None:
    kinds = "{kind:(faq|item)}"
    route(app, "GET", f"/api/kb/{kinds}", list_entries, EDITORS)
    route(app, "POST", f"/api/kb/{kinds}", create_entry, EDITORS)
    route(app, "GET", f"/api/kb/{kinds}/{{id:\\d+}}", get_entry, EDITORS)
    route(app, "POST", f"/api/kb/{kinds}/{{id:\\d+}}", edit_entry, EDITORS)
    route(app, "POST", f"/api/kb/{kinds}/{{id:\\d+}}/status", move_entry, EDITORS)
    route(app, "POST", f"/api/kb/{kinds}/{{id:\\d+}}/rollback", rollback_entry, EDITORS)
    route(app, "GET", "/api/kb/hittest", hittest, EDITORS)
    route(app, "GET", "/api/kb/unanswered", unanswered, EDITORS)
