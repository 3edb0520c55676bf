"""Typed HTTP contracts shared by the console API and the chat channels.

An ``Operation`` names a route's request and response models (pydantic v2); handlers validate through
``validate`` (a Chinese reason on refusal) and answer with ``respond`` (built from the model). Every route
registers its operation under ``OPERATIONS``, from which admin/openapi.py generates /api/openapi.json.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

M = TypeVar("M", bound=BaseModel)
JsonObject = dict[str, object]


class ErrorOut(BaseModel):
    """Every refusal: ``{"error": "…"}`` in Chinese (a meeting conflict adds its alternatives)."""

    model_config = ConfigDict(extra="allow")
    error: str = Field(description="拒绝或出错的原因（中文）", examples=["您的角色无权进行此操作"])


ERROR_TEXT = {
    400: "请求有误（参数缺失、格式不对或超出范围）",
    401: "未提供或无效的凭据",
    403: "无权进行此操作",
    404: "没有找到",
    409: "与当前状态冲突",
    503: "服务暂不可用",
}


@dataclass(frozen=True)
class Operation:
    """One route's contract: what it takes, what it answers, who may call it."""

    op_id: str
    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    content_type: str = "application/json"
    errors: tuple[int, ...] = (400, 401, 403, 404, 409)
    # An error status whose body says more than ErrorOut (it still carries "error"), e.g. 409 with alternatives.
    error_models: Mapping[int, type[BaseModel]] = field(default_factory=dict)
    # Path parameters' schemas (a pattern or an enum) where the route restricts them; others are strings.
    params: Mapping[str, JsonObject] = field(default_factory=dict)
    example: JsonObject | None = None
    # Who may call it, for routes the console's guard does not know (the chat channels) and their schemes.
    callers: tuple[str, ...] = ()
    security: tuple[str, ...] = ("bearer", "session")


OPERATIONS: web.AppKey[dict[tuple[str, str], Operation]] = web.AppKey("operations")


def register(app: web.Application, method: str, path: str, op: Operation) -> None:
    if OPERATIONS not in app:
        app[OPERATIONS] = {}
    app[OPERATIONS][(method, path)] = op


_REASONS = {
    "missing": "缺少此字段",
    "string_type": "必须是字符串",
    "int_type": "必须是整数",
    "int_parsing": "必须是整数",
    "int_from_float": "必须是整数",
    "float_type": "必须是数字",
    "float_parsing": "必须是数字",
    "bool_type": "必须是 true 或 false",
    "bool_parsing": "必须是 true 或 false",
    "list_type": "必须是列表",
    "dict_type": "必须是 JSON 对象",
    "model_type": "必须是 JSON 对象",
    "string_too_long": "过长",
    "too_long": "元素过多",
    "greater_than": "过小",
    "greater_than_equal": "过小",
    "less_than": "过大",
    "less_than_equal": "过大",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "finite_number": "必须是有限的数字",
}


def _where(err: ErrorDetails) -> str:
    parts = [str(p) for p in err["loc"] if not isinstance(p, int) and not str(p).startswith(("str", "list["))]
    return ".".join(p.rstrip("_") for p in parts) or "请求体"


def chinese_reason(exc: ValidationError) -> str:
    """The first few problems, in Chinese: ``字段 days 必须是整数；字段 reason 必须是字符串``."""
    seen: list[str] = []
    for err in exc.errors(include_url=False):
        reason = _REASONS.get(err["type"], "格式不对")
        ctx = err.get("ctx") or {}
        if err["type"] == "literal_error" and "expected" in ctx:
            reason += f"（可选：{ctx['expected']}）"
        elif err["type"] in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            bound = next(iter(ctx.values()), "")
            reason += f"（界限 {bound}）"
        elif err["type"] == "string_too_long" and "max_length" in ctx:
            reason += f"（最多 {ctx['max_length']} 个字符）"
        line = f"字段 {_where(err)} {reason}"
        if line not in seen:
            seen.append(line)
    return "；".join(seen[:3]) or "请求格式不对"


class Invalid(ValueError):
    """A request that does not fit its model; the message is the Chinese reason."""


def validate(model: type[M], data: object) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(chinese_reason(exc)) from None


def dump(value: BaseModel) -> object:
    return value.model_dump(mode="json", by_alias=True, exclude_none=False)


def respond(value: BaseModel, status: int = 200) -> web.Response:
    return web.json_response(dump(value), status=status)


def refuse(status: int, message: str) -> web.Response:
    return respond(ErrorOut(error=message), status)
