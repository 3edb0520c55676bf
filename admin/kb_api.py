"""REST API of the editor console: the same operations and rights as the pages, as JSON."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin import api_models as m
from admin.contract import api, body_as, query_as
from admin.guard import EDITORS, principal
from admin.kb_ops import entry_json, unanswered_groups
from admin.kb_pages import ops_of
from kernel.contract import JsonObject, Operation, respond
from kernel.contract import refuse as error
from knowledge_base.service import KnowledgeBaseUnavailable
from knowledge_base.store import KbError


def _ref(request: web.Request) -> tuple[str, int]:
    return request.match_info["kind"], int(request.match_info["id"])


def _fields(body: m.KbEntryIn) -> dict[str, Any]:
    return body.model_dump(exclude_unset=True)


async def list_entries(request: web.Request) -> web.Response:
    kind = request.match_info["kind"]
    q = query_as(request, m.KbListQuery)
    rows = await ops_of(request).entries(kind, q.q, q.status)
    return respond(m.KbEntryList(entries=[m.KbEntryOut.model_validate(entry_json(kind, e)) for e in rows]))


async def get_entry(request: web.Request) -> web.Response:
    kind, entry_id = _ref(request)
    try:
        e, versions, published = await ops_of(request).detail(kind, entry_id)
    except KbError as exc:
        return error(404, str(exc))
    history = [
        m.KbVersion(version=v.version, status=v.status, actor=v.actor, at=v.at.isoformat(), comment=v.comment)
        for v in versions
    ]
    return respond(m.KbEntryDetail(**entry_json(kind, e), published=published, versions=history))


async def create_entry(request: web.Request) -> web.Response:
    kind = request.match_info["kind"]
    body = await body_as(request, m.KbEntryIn)
    try:
        e = await ops_of(request).create(kind, _fields(body), principal(request))
    except KbError as exc:
        return error(400, str(exc))
    return respond(m.KbEntryOut.model_validate(entry_json(kind, e)), 201)


async def edit_entry(request: web.Request) -> web.Response:
    kind, entry_id = _ref(request)
    body = await body_as(request, m.KbEntryIn)
    try:
        e = await ops_of(request).edit(kind, entry_id, _fields(body), principal(request))
    except KbError as exc:
        return error(400, str(exc))
    return respond(m.KbEntryOut.model_validate(entry_json(kind, e)))


async def move_entry(request: web.Request) -> web.Response:
    kind, entry_id = _ref(request)
    body = await body_as(request, m.KbMoveIn)
    try:
        e = await ops_of(request).move(kind, entry_id, body.to, principal(request), body.comment)
    except KbError as exc:
        return error(409, str(exc))
    return respond(m.KbEntryOut.model_validate(entry_json(kind, e)))


async def rollback_entry(request: web.Request) -> web.Response:
    kind, entry_id = _ref(request)
    body = await body_as(request, m.KbRollbackIn)
    try:
        e = await ops_of(request).rollback(kind, entry_id, body.version, principal(request))
    except KbError as exc:
        return error(400, str(exc))
    return respond(m.KbEntryOut.model_validate(entry_json(kind, e)))


async def hittest(request: web.Request) -> web.Response:
    if not request.query.get("q", "").strip():
        return error(400, "需要 q 参数（要测试的问题）")
    q = query_as(request, m.HitTestQuery)
    try:
        return respond(m.HitTestOut.model_validate(ops_of(request).hittest(q.q.strip())))
    except KnowledgeBaseUnavailable as exc:
        return error(503, str(exc))


async def unanswered(request: web.Request) -> web.Response:
    groups = await unanswered_groups(ops_of(request))
    out = [m.UnansweredGroup(ids=g.ids, questions=g.questions, best_score=g.best_score) for g in groups]
    return respond(m.UnansweredOut(groups=out))


KIND: dict[str, JsonObject] = {"kind": {"type": "string", "enum": ["faq", "item"]}}
REF: dict[str, JsonObject] = {**KIND, "id": {"type": "string", "pattern": "^[1-9][0-9]{0,8}$", "examples": ["1"]}}
FAQ_EXAMPLE: dict[str, object] = {
    "question": "居住证怎么办理",
    "similar_questions": ["办居住证要什么材料"],
    "answer": "请带身份证到政务服务中心办理。",
}


def setup(app: web.Application) -> None:
    kinds = "{kind:(faq|item)}"
    entry = f"/api/kb/{kinds}/{{id:\\d+}}"
    api(
        app,
        "GET",
        f"/api/kb/{kinds}",
        list_entries,
        EDITORS,
        Operation(
            "listKbEntries", "知识条目列表（q、status）", query=m.KbListQuery, response=m.KbEntryList, params=KIND
        ),
    )
    api(
        app,
        "POST",
        f"/api/kb/{kinds}",
        create_entry,
        EDITORS,
        Operation(
            "createKbEntry",
            "新建知识条目（草稿）",
            body=m.KbEntryIn,
            response=m.KbEntryOut,
            status=201,
            params=KIND,
            example=FAQ_EXAMPLE,
        ),
    )
    api(
        app,
        "GET",
        entry,
        get_entry,
        EDITORS,
        Operation("getKbEntry", "知识条目详情、已发布内容与版本", response=m.KbEntryDetail, params=REF),
    )
    api(
        app,
        "POST",
        entry,
        edit_entry,
        EDITORS,
        Operation("editKbEntry", "修改知识条目（生成新草稿版本）", body=m.KbEntryIn, response=m.KbEntryOut, params=REF),
    )
    api(
        app,
        "POST",
        f"{entry}/status",
        move_entry,
        EDITORS,
        Operation(
            "moveKbEntry",
            "状态流转：review、published、archived、draft",
            body=m.KbMoveIn,
            response=m.KbEntryOut,
            params=REF,
            example={"to": "review", "comment": "请审核"},
        ),
    )
    api(
        app,
        "POST",
        f"{entry}/rollback",
        rollback_entry,
        EDITORS,
        Operation(
            "rollbackKbEntry", "回滚到某一版本（version）", body=m.KbRollbackIn, response=m.KbEntryOut, params=REF
        ),
    )
    api(
        app,
        "GET",
        "/api/kb/hittest",
        hittest,
        EDITORS,
        Operation(
            "kbHitTest",
            "命中测试（q）：答复、推荐或婉拒，以及候选条目",
            query=m.HitTestQuery,
            response=m.HitTestOut,
            errors=(400, 401, 403, 503),
        ),
    )
    api(
        app,
        "GET",
        "/api/kb/unanswered",
        unanswered,
        EDITORS,
        Operation("kbUnanswered", "未答问题分组", response=m.UnansweredOut),
    )
