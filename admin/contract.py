"""Routes of /api with their typed contract: declared to the guard (roles) and to the document (models)."""

from __future__ import annotations

import json
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel

from admin.api_auth import json_body
from admin.guard import Handler, route
from kernel.contract import ErrorOut, Invalid, Operation, dump, register, validate
from kernel.identity import Role

M = TypeVar("M", bound=BaseModel)


def api(app: web.Application, method: str, path: str, handler: Handler, roles: frozenset[Role], op: Operation) -> None:
    """Add a guarded route and its contract (keyed like the guard's table: the canonical path)."""
    register(app, method, route(app, method, path, handler, roles), op)


def bad_request(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(
        text=json.dumps(dump(ErrorOut(error=message)), ensure_ascii=False), content_type="application/json"
    )


async def body_as(request: web.Request, model: type[M]) -> M:
    """The JSON body through its model; an empty body is ``{}``. A misfit is a 400 with a Chinese reason."""
    data = await json_body(request) if await request.read() else {}  # read() is cached: handlers may read first
    try:
        return validate(model, data)
    except Invalid as exc:
        raise bad_request(str(exc)) from None


def query_as(request: web.Request, model: type[M]) -> M:
    try:
        return validate(model, dict(request.query))
    except Invalid as exc:
        raise bad_request(str(exc)) from None
