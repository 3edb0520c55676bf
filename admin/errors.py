"""Every console error is a styled Chinese page: 400/403/404/405/500 on /admin routes render the base template
(never aiohttp's English text, never a stack trace). The API keeps its JSON errors."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from admin.web import render

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

TITLES = {
    400: "请求有误",
    403: "无权访问",
    404: "页面不存在",
    405: "不支持的操作",
    409: "操作未完成",
    413: "内容过大",
    500: "系统出错",
}
DEFAULTS = {
    400: "提交的内容或参数不正确，请检查后重试。",
    403: "您的角色无权进行此操作。",
    404: "您要找的页面不存在，可能地址有误或内容已被删除。",
    405: "此地址不支持这种操作方式。",
    413: "上传的内容超过了大小限制。",
    500: "系统处理您的请求时出错，已记录在日志中，请稍后重试；如反复出现请联系管理员。",
}


def error_page(request: web.Request, status: int, message: str = "", hint: str = "") -> web.Response:
    back_to = request.headers.get("Referer", "") or "/admin/"
    if not back_to.startswith(("/", request.url.origin().human_repr())):
        back_to = "/admin/"
    return render(
        request,
        "error.html",
        http_status=status,
        title=TITLES.get(status, "出错了"),
        message=message or DEFAULTS.get(status, "请求未能完成。"),
        hint=hint,
        back_to=back_to,
    )


def _own_text(exc: web.HTTPException) -> str:
    """The handler's own message (Chinese), not aiohttp's default reason text ("404: Not Found")."""
    text = exc.text or ""
    if not text or text.startswith(f"{exc.status}:") or text.isascii():
        return ""
    return text


@web.middleware
async def console_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/admin") or request.path.startswith("/admin/static"):
        return await handler(request)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_page(request, exc.status, _own_text(exc))
    except Exception:
        log.exception("console page failed: %s %s", request.method, request.path)
        return error_page(request, 500)
    if response.status >= 400 and response.content_type != "text/html" and isinstance(response, web.Response):
        text = response.text or ""
        return error_page(request, response.status, "" if text.isascii() else text)
    return response
