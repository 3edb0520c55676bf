"""/api/openapi.json, generated from the guarded route table so it lists every /api route and its roles."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from admin.appkeys import ROUTE_ROLES
from admin.guard import PUBLIC, route

SUMMARIES = {
    ("POST", "/api/tickets"): "登记工单",
    ("GET", "/api/tickets"): "工单列表（status、department、limit）",
    ("GET", "/api/tickets/stats"): "考核指标（from、to、department）",
    ("GET", "/api/tickets/stats/drill"): "指标明细工单号（metric、part、from、to、department）",
    ("GET", "/api/tickets/{code}"): "工单详情与流转记录",
    ("POST", "/api/tickets/{code}/rating"): "代市民评价",
    ("POST", "/api/tickets/{code}/{action}"): (
        "工单操作：dispatch、sign、return（reason、text）、"
        "objection-review（decision accept/reject、department、ruling）、assist（departments）、"
        "reply、extension、merge、archive 等"
    ),
    ("GET", "/api/tickets/objections"): "退单审核：待审核的退单（all=1 全部）和各部门退单数（from、to）",
    ("GET", "/api/tickets/catalogue"): "派单目录（当前版本与版本历史）",
    ("PUT", "/api/tickets/catalogue"): "保存派单目录为新版本（departments、categories、note）",
    ("POST", "/api/tickets/catalogue/restore"): "恢复派单目录的某一版本（version），保存为新版本",
    ("GET", "/api/kb/{kind}"): "知识条目列表（q、status）",
    ("POST", "/api/kb/{kind}"): "新建知识条目（草稿）",
    ("GET", "/api/kb/{kind}/{id}"): "知识条目详情、已发布内容与版本",
    ("POST", "/api/kb/{kind}/{id}"): "修改知识条目（生成新草稿版本）",
    ("POST", "/api/kb/{kind}/{id}/status"): "状态流转：review、published、archived、draft",
    ("POST", "/api/kb/{kind}/{id}/rollback"): "回滚到某一版本（version）",
    ("GET", "/api/kb/hittest"): "命中测试（q）",
    ("GET", "/api/kb/unanswered"): "未答问题分组",
    ("GET", "/api/openapi.json"): "本接口文档",
    ("GET", "/api/office/todo"): "我的待办公文（按紧急程度和时限）",
    ("POST", "/api/office/documents"): "登记公文（kind FW/SW、title、body、urgency、security）",
    ("GET", "/api/office/documents/{doc_id}"): "公文在哪、谁在办、从何时起",
    ("POST", "/api/office/documents/{doc_id}/approve"): "同意（comment）",
    ("POST", "/api/office/documents/{doc_id}/reject"): "退回（reason、to: drafter/previous）",
    ("POST", "/api/office/documents/{doc_id}/transfer"): "转交：任务交给对方（person）",
    ("POST", "/api/office/documents/{doc_id}/consult"): "加签：征求意见后回到本人（person）",
    ("POST", "/api/office/documents/{doc_id}/resubmit"): "拟稿人重新提交（body）",
    ("GET", "/api/office/documents/{doc_id}/verify"): "验章（库中公文）",
    ("POST", "/api/office/documents/{doc_id}/verify"): "验章（提交的副本字段）",
    ("POST", "/api/office/meetings"): "预约会议（冲突时 409 并给出备选）",
    ("POST", "/api/office/meetings/{meeting_id}/rsvp"): "参加或请假（accept、reason）",
    ("POST", "/api/office/meetings/{meeting_id}/cancel"): "取消会议（reason）",
    ("GET", "/api/office/calendar/{person_code}.ics"): "个人会议日历 iCalendar（?token=）",
    ("POST", "/api/office/notices"): "发布通知（to、title、body）",
    ("GET", "/api/office/notices/{notice_id}"): "阅读通知（即签收）",
    ("GET", "/api/office/notices/{notice_id}/receipts"): "通知签收情况（发布人）",
}


def document(app: web.Application) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for (method, path), roles in sorted(app[ROUTE_ROLES].items()):
        if not path.startswith("/api"):
            continue
        params = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"{(\w+)}", path)
        ]
        op: dict[str, Any] = {
            "summary": SUMMARIES.get((method, path), ""),
            "parameters": params,
            "responses": {
                "200": {"description": "成功"},
                "401": {"description": "未登录"},
                "403": {"description": "无权限"},
            },
            "x-roles": sorted(r.value for r in roles),
        }
        if roles is not PUBLIC:
            op["security"] = [{"bearer": []}, {"session": []}]
        paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "govchat 管理接口", "version": "1"},
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "govchat_admin"},
            }
        },
        "paths": paths,
    }


async def openapi_json(request: web.Request) -> web.Response:
    return web.json_response(document(request.app))


def setup(app: web.Application) -> None:
    route(app, "GET", "/api/openapi.json", openapi_json, PUBLIC)
