"""Quality inspection in the console (supervisors): scores per department, operator and month with drill-down to
the findings and their evidence, each ticket's and conversation's inspection, the stratified review sample and
the reviewers' verdicts (成立 / 不成立), from which each rule's precision is shown."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from admin import audit
from admin.appkeys import CLOCK, DB, QUALITY
from admin.guard import SUPERVISE, principal, route
from admin.web import back, form, render
from integrations.quality import evidence_text
from office_flows.quality import queries, service
from office_flows.quality.models import BOT, CONVERSATION, SEVERITY_LABELS, TICKET, Inspection
from office_flows.quality.queries import FindingRow
from office_flows.quality.service import QualityError, month_of
from office_flows.transcripts import store as transcripts

PAGE = "/admin/quality"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_CODE = re.compile(r"^GD\d{13}$")


def _month(request: web.Request, raw: str | None) -> str:
    month = (raw or "").strip() or month_of(request.app[CLOCK].now())
    if not _MONTH.match(month):
        raise back(PAGE, f"月份格式应为 2026-11，而不是“{month[:20]}”")
    return month


def _labels(request: web.Request) -> dict[str, str]:
    return {name: cfg.label for name, cfg in request.app[QUALITY].rules.items()}


async def overview(request: web.Request) -> web.Response:
    month = _month(request, request.query.get("month"))
    async with request.app[DB].session() as s:
        total = await queries.totals(s, month)
        by_department = await queries.scores(s, "department", month)
        by_operator = await queries.scores(s, "operator", month)
        by_month = await queries.scores(s, "month")
        precision = await queries.precision(s)
        waiting = await queries.findings(s, month=month, sampled=True, unreviewed=True, limit=1000)
    return render(
        request,
        "quality.html",
        month=month,
        total=total,
        by_department=by_department,
        by_operator=by_operator,
        by_month=by_month,
        precision=precision,
        waiting=len(waiting),
        labels=_labels(request),
    )


async def finding_list(request: web.Request) -> web.Response:
    q = request.query
    month = _month(request, q.get("month"))
    department = q.get("department")
    operator = q.get("operator")
    rule = q.get("rule") or None
    review = q.get("review") == "1"
    async with request.app[DB].session() as s:
        rows = await queries.findings(
            s,
            month=month,
            department=department,
            operator=operator,
            rule=rule,
            sampled=True if review else None,
            unreviewed=review,
            limit=300,
        )
        names = await queries.department_names(s)
    return render(
        request,
        "quality_findings.html",
        month=month,
        rows=rows,
        names=names,
        labels=_labels(request),
        severities=SEVERITY_LABELS,
        evidence={f.id: evidence_text(f) for f in rows},
        review=review,
        scope=names.get(department or "", department) if department is not None else operator,
        back_to=request.path_qs,
    )


async def ticket_page(request: web.Request) -> web.Response:
    code = request.match_info["code"].upper()
    if not _CODE.match(code):
        raise back(PAGE, "工单编号无效")
    async with request.app[DB].session() as s:
        t = await queries.ticket(s, code)
        found = await queries.for_subject(s, TICKET, code)
        names = await queries.department_names(s)
    if t is None:
        raise back(PAGE, f"没有工单 {code}")
    return _subject(request, f"工单 {code}", found, ticket=t, department=names.get(t.department_code, ""))


async def conversation_page(request: web.Request) -> web.Response:
    raw = request.match_info["id"]
    if not raw.isdigit():
        raise back(PAGE, "对话编号无效")
    async with request.app[DB].session() as s:
        convo = await queries.conversation(s, int(raw))
        found = await queries.for_subject(s, CONVERSATION, raw)
    if convo is None:
        raise back(PAGE, f"没有人工对话 #{raw}")
    handoff, messages = convo
    return _subject(request, f"人工对话 #{raw}", found, handoff=handoff, messages=messages)


async def bot_page(request: web.Request) -> web.Response:
    """A conversation with the bot alone: its turns in order (masked as recorded) and its inspection."""
    raw = request.match_info["id"]
    if not raw.isdigit() or len(raw) > 18:
        raise back(PAGE, "对话编号无效")
    async with request.app[DB].session() as s:
        convo = await transcripts.transcript(s, int(raw))
        found = await queries.for_subject(s, BOT, raw)
    if convo is None and found is None:
        raise back(PAGE, f"没有机器人对话 #{raw}（可能已超过保存期限被清除）")
    bot, turns = convo if convo is not None else (None, [])
    return _subject(request, f"机器人对话 #{raw}", found, bot=bot, turns=turns, purged=convo is None)


def _subject(
    request: web.Request, title: str, found: tuple[Inspection, list[FindingRow]] | None, **ctx: Any
) -> web.Response:
    insp, rows = found if found is not None else (None, [])
    return render(
        request,
        "quality_subject.html",
        title=title,
        insp=insp,
        rows=rows,
        labels=_labels(request),
        severities=SEVERITY_LABELS,
        evidence={f.id: evidence_text(f) for f in rows},
        back_to=request.path_qs,
        **ctx,
    )


async def sample(request: web.Request) -> web.Response:
    data = await form(request)
    month = _month(request, data.get("month"))
    raw = data.get("per_cell", "").strip() or str(request.app[QUALITY].config.sample_per_cell)
    if not raw.isdigit():
        raise back(PAGE, "每类抽样数量应为数字")
    p, now = principal(request), request.app[CLOCK].now()
    try:
        async with request.app[DB].session() as s:
            added = await service.draw_sample(s, month, int(raw))
            audit.record(s, actor=p.audit_name, action="quality.sample", obj=month, now=now, after={"added": added})
    except QualityError as e:
        raise back(PAGE, str(e)) from None
    raise back(f"{PAGE}/findings?month={month}&review=1", f"已按规则和部门分层抽取 {added} 条待复核")


async def verdict(request: web.Request) -> web.Response:
    raw = request.match_info["id"]
    data = await form(request)
    target = data.get("next", PAGE)
    if not target.startswith(PAGE):
        target = PAGE
    if not raw.isdigit():
        raise back(target, "质检发现编号无效")
    p, now = principal(request), request.app[CLOCK].now()
    said, note = data.get("verdict", ""), data.get("note", "")
    try:
        async with request.app[DB].session() as s:
            f = await service.record_verdict(s, int(raw), said, note, p.audit_name, now)
            after = {"verdict": f.verdict, "note": f.verdict_note}
            audit.record(s, actor=p.audit_name, action="quality.verdict", obj=f"finding#{raw}", now=now, after=after)
    except QualityError as e:
        raise back(target, str(e)) from None
    raise back(target, f"已记录复核结论：{said}")


def setup(app: web.Application) -> None:
    if QUALITY not in app:
        return
    route(app, "GET", PAGE, overview, SUPERVISE)
    route(app, "GET", PAGE + "/findings", finding_list, SUPERVISE)
    route(app, "GET", PAGE + "/ticket/{code}", ticket_page, SUPERVISE)
    route(app, "GET", PAGE + "/conversation/{id}", conversation_page, SUPERVISE)
    route(app, "GET", PAGE + "/bot/{id}", bot_page, SUPERVISE)
    route(app, "POST", PAGE + "/sample", sample, SUPERVISE)
    route(app, "POST", PAGE + "/findings/{id}/verdict", verdict, SUPERVISE)
