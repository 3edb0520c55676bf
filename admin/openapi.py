"""/api/openapi.json, generated from the routes' typed contracts (kernel/contract.py) and the guard's table.

Every /api route of the guard must have an operation (a route without one fails the document, and its test);
the chat channel's routes (/webhooks/rest/…) add theirs. Schemas come from the pydantic models, so the
document, the request validation and the responses are one thing.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from admin.appkeys import ROUTE_ROLES
from admin.guard import PUBLIC, route
from kernel.contract import ERROR_TEXT, OPERATIONS, ErrorOut, Operation, register

REF = "#/components/schemas/{model}"
SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "API 令牌（GOVCHAT_API_TOKENS：令牌=人员编码），按该人员在通讯录中的角色授权",
    },
    "session": {"type": "apiKey", "in": "cookie", "name": "govchat_admin", "description": "管理后台登录会话"},
    "integration": {
        "type": "http",
        "scheme": "bearer",
        "description": "集成凭据（GOVCHAT_REST_INTEGRATIONS）：令牌，或对请求体的 HMAC 签名（X-Govchat-Signature）",
    },
    "chatCookie": {"type": "apiKey", "in": "cookie", "name": "govchat_chat", "description": "网页访客的签名身份"},
    "calendarToken": {"type": "apiKey", "in": "query", "name": "token", "description": "本人的只读日历订阅令牌"},
    "metricsToken": {"type": "http", "scheme": "bearer", "description": "GOVCHAT_METRICS_TOKEN（或管理员）"},
}


def _models(ops: list[Operation]) -> list[type[BaseModel]]:
    seen: dict[str, type[BaseModel]] = {"ErrorOut": ErrorOut}
    for op in ops:
        for model in (op.body, op.response, *op.error_models.values()):
            if model is not None:
                seen[model.__name__] = model
    return list(seen.values())


def _query_params(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF, by_alias=True)
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        | ({"description": prop["description"]} if "description" in prop else {})
        for name, prop in schema.get("properties", {}).items()
    ]


def _json(schema: dict[str, Any], example: object = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {"application/json": media}


def _operation(path: str, roles: frozenset[Any] | None, op: Operation) -> dict[str, Any]:
    names = re.findall(r"{(\w+)}", path)
    params = [
        {"name": n, "in": "path", "required": True, "schema": dict(op.params.get(n, {"type": "string"}))} for n in names
    ]
    if op.query is not None:
        params += _query_params(op.query)
    ok: dict[str, Any] = {"description": "成功"}
    if op.content_type == "application/json" and op.response is not None:
        ok["content"] = _json({"$ref": REF.format(model=op.response.__name__)})
    elif op.content_type == "application/json":
        ok["content"] = _json({"type": "object"})
    elif op.content_type != "application/json":
        ok["content"] = {op.content_type: {"schema": {"type": "string"}}}
    responses: dict[str, Any] = {str(op.status): ok}
    for status in op.errors:
        model = op.error_models.get(status, ErrorOut)
        responses[str(status)] = {
            "description": ERROR_TEXT.get(status, "错误"),
            "content": _json({"$ref": REF.format(model=model.__name__)}),
        }
    out: dict[str, Any] = {"operationId": op.op_id, "summary": op.summary, "parameters": params}
    if op.body is not None:
        body_ref = {"$ref": REF.format(model=op.body.__name__)}
        out["requestBody"] = {"required": False, "content": _json(body_ref, op.example)}
    out["responses"] = responses
    if roles is not None and roles is not PUBLIC:
        out["x-roles"] = sorted(r.value for r in roles)
        out["security"] = [{name: []} for name in op.security]
        out["description"] = "可调用的角色：" + "、".join(out["x-roles"])
    else:
        out["x-roles"] = list(op.callers)
        if op.security:
            out["security"] = [{name: []} for name in op.security]
        if op.callers:
            out["description"] = "调用方：" + "、".join(op.callers)
    return out


def document(app: web.Application) -> dict[str, Any]:
    ops = app[OPERATIONS]
    table = app[ROUTE_ROLES]
    missing = [key for key in table if key[1].startswith("/api") and key not in ops]
    if missing:
        raise RuntimeError(f"routes without a contract: {missing}")
    paths: dict[str, dict[str, Any]] = {}
    for (method, path), op in sorted(ops.items()):
        paths.setdefault(path, {})[method.lower()] = _operation(path, table.get((method, path)), op)
    _, defs = models_json_schema([(m, "validation") for m in _models(list(ops.values()))], ref_template=REF)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "govchat 管理接口",
            "version": "2",
            "description": '12345 工单、知识库、公文会议通知与聊天通道的接口。错误一律为 {"error": "中文原因"}。',
        },
        "servers": [{"url": "/"}],
        "components": {"schemas": defs.get("$defs", {}), "securitySchemes": SECURITY_SCHEMES},
        "paths": paths,
    }


async def openapi_json(request: web.Request) -> web.Response:
    return web.json_response(document(request.app))


def setup(app: web.Application) -> None:
    path = route(app, "GET", "/api/openapi.json", openapi_json, PUBLIC)
    register(app, "GET", path, Operation("openapi", "本接口文档（OpenAPI 3.1）", errors=(), security=()))
