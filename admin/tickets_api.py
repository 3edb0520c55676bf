"""REST API of the ticket flow: the same actions and rights as the chat commands, as JSON."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel

from admin import api_models as m
from admin.api_auth import api_actor
from admin.appkeys import CLOCK, DB, TICKETS
from admin.contract import api, bad_request, body_as, query_as
from admin.guard import PUBLIC, SUPERVISE, TICKET_API, Handler, principal
from admin.idempotency import once
from integrations.tickets import rating_text
from kernel.clock import SHANGHAI
from kernel.contract import Operation, respond
from kernel.contract import refuse as error
from kernel.credentials import INTEGRATIONS, MATRIX, RESERVED_CHANNELS, WEB, authenticate, presents_credential
from kernel.identity import Actor, Role
from office_flows.tickets.models import Ticket
from office_flows.tickets.rules import LEVEL_OF, RATINGS
from office_flows.tickets.service import (
    DISPATCHERS,
    STATS_ROLES,
    TicketError,
    TicketForbidden,
    TicketNotFound,
    TicketService,
)
from office_flows.tickets.states import LABELS, Status
from office_flows.tickets.stats import METRICS, compute, drill_down

B = TypeVar("B", bound=BaseModel)
P = TypeVar("P", bound=m.PeriodQuery)


def _iso(at: datetime | None) -> str | None:
    return at.astimezone(SHANGHAI).isoformat() if at else None


def ticket_out(t: Ticket) -> m.TicketOut:
    return m.TicketOut(
        code=t.code,
        kind=t.kind,
        status=t.status,
        status_label=LABELS[Status(t.status)],
        content=t.content,
        address=t.address,
        department=t.department_code,
        proposal=m.Proposal(department=t.proposed_department, category=t.category, confidence=t.proposal_confidence)
        if t.proposed_department
        else None,
        duplicate_of=t.duplicate_of or None,
        created_at=_iso(t.created_at),
        deadline_at=_iso(t.deadline_at),
        deadline_beyond_known=bool(t.deadline_beyond_known),
        answered_at=_iso(t.answered_at),
        result=t.result,
        return_count=t.return_count,
        rework_count=t.rework_count,
        remind_count=t.remind_count,
        escalation=t.escalation,
        raised=bool(t.raised),
        on_time=t.on_time,
        first_contact=t.first_contact_name,
    )


def _status_of(exc: TicketError) -> int:
    if isinstance(exc, TicketNotFound):
        return 404
    if isinstance(exc, TicketForbidden):
        return 403
    return 409


async def _create(request: web.Request) -> web.Response:
    actor = await api_actor(request)
    if actor.person_id is None:
        return error(403, "需要工作人员令牌")
    body = await body_as(request, m.TicketCreate)
    return await once(
        request.app[DB],
        request,
        principal(request).audit_name,
        request.app[CLOCK].now(),
        lambda: _do_create(request, actor, body),
    )


async def _do_create(request: web.Request, actor: Actor, body: m.TicketCreate) -> web.Response:
    svc = request.app[TICKETS]
    channel = body.channel or "phone"
    if channel in (MATRIX, WEB) or channel in RESERVED_CHANNELS - {"phone"}:
        # a chat identity is the citizen's own: staff must not file in its name (and so own, and rate, for it)
        return error(400, "channel 只能是电话等集成渠道（默认 phone），不能是网页或 Matrix 等市民聊天渠道")
    try:
        created = await svc.create(
            kind=body.kind or "咨询",
            content=body.content,
            address=body.address,
            since=body.since,
            phone=body.phone,
            anonymous=body.anonymous,
            channel=channel,
            sender=body.sender or (body.phone or f"anonymous-{actor.sender}"),
            actor=actor,
        )
    except TicketError as exc:
        return error(400, str(exc))
    out = m.TicketCreated(code=created.code, deadline=created.deadline_text, duplicate_of=created.duplicate_of or None)
    return respond(out, 201)


def _decision(body: m.ObjectionReviewIn) -> bool:
    if body.decision not in ("accept", "reject"):
        raise TicketError("decision 须为 accept（同意退单并改派）或 reject（驳回退单）")
    return body.decision == "accept"


def _action(body_model: type[B], act: Callable[[TicketService, Actor, str, B], Awaitable[Any]]) -> Handler:
    """One ticket action: its body through its model, the service's verdict as 403/404/409."""

    async def handler(request: web.Request) -> web.Response:
        actor = await api_actor(request)
        body = await body_as(request, body_model)
        svc = request.app[TICKETS]
        code = request.match_info["code"]
        try:
            await act(svc, actor, code, body)
            t, _ = await svc.queries.history(code)
        except TicketError as exc:
            return error(_status_of(exc), str(exc))
        except (TypeError, ValueError, OverflowError) as exc:
            return error(400, f"参数有误：{exc}")
        return respond(ticket_out(t))

    return handler


ACTION_EXAMPLES: dict[str, dict[str, object]] = {
    "return": {"reason": "非本部门职责", "text": "占道经营属城管执法"},
    "objection-review": {"decision": "accept", "department": "城管局", "ruling": "同意退单，改派城管局"},
    "assist": {"departments": ["市监局"]},
}


def _actions() -> dict[str, tuple[str, type[BaseModel], Handler]]:
    """name → (summary, body model, handler); each is its own route so that its body has a schema."""

    def a(summary: str, model: type[B], act: Callable[[TicketService, Actor, str, B], Awaitable[Any]]) -> Any:
        return summary, model, _action(model, act)

    return {
        "dispatch": a(
            "派单（department 为空则采用建议部门）",
            m.DispatchIn,
            lambda s, u, c, b: s.dispatch(c, u, b.department or None, b.comment),
        ),
        "sign": a("签收", m.Empty, lambda s, u, c, b: s.sign(c, u)),
        "return": a(
            "退单（reason 从退单理由中选择、text 说明），待派单员审核",
            m.ReturnIn,
            lambda s, u, c, b: s.return_(c, u, b.reason, b.text),
        ),
        "objection-review": a(
            "退单审核（decision accept/reject、department、ruling）",
            m.ObjectionReviewIn,
            lambda s, u, c, b: s.review_objection(c, u, _decision(b), b.ruling, b.department or None),
        ),
        "assist": a(
            "指定协办部门（departments）",
            m.AssistIn,
            lambda s, u, c, b: s.cohandling.assign(c, u, [d for d in b.departments if d.strip()]),
        ),
        "reply": a("办结答复（result）", m.ReplyIn, lambda s, u, c, b: s.reply(c, u, b.result)),
        "extension": a(
            "申请延期（days、reason）", m.ExtensionIn, lambda s, u, c, b: s.request_extension(c, u, b.days, b.reason)
        ),
        "extension-decision": a(
            "审批延期（approve、comment）",
            m.DecisionIn,
            lambda s, u, c, b: s.decide_extension(c, u, b.approve, b.comment),
        ),
        "urge": a("催办（comment）", m.CommentIn, lambda s, u, c, b: s.urge(c, u, b.comment)),
        "rework": a("重办（reason）", m.ReasonIn, lambda s, u, c, b: s.rework(c, u, b.reason)),
        "merge": a("合并到主工单（into）", m.MergeIn, lambda s, u, c, b: s.merge(c, b.into, u)),
        "callback": a("回访记录（note）", m.NoteIn, lambda s, u, c, b: s.record_callback(c, u, b.note)),
        "rectified": a("整改完成（note）", m.NoteIn, lambda s, u, c, b: s.rectified(c, u, b.note)),
        "archive": a("归档", m.Empty, lambda s, u, c, b: s.archive(c, u)),
    }


async def _rate(request: web.Request) -> web.Response:
    """A citizen's rating collected by an integration allowed to (the phone system's IVR), for its caller.

    Staff tokens and console sessions are refused: ratings are the citizen's. The integration proves itself
    with its own credential (kernel/credentials.py) and names its user as ``sender``; the rating counts only
    if that user (on the integration's channel) filed the ticket."""
    raw = await request.read()
    integration = authenticate(request.app[INTEGRATIONS], request.headers, raw, request.app[CLOCK].now().timestamp())
    if integration is None:
        if presents_credential(request.headers) or request.cookies:
            return error(403, "评价只能由市民本人或获准收集评价的系统（如热线语音评价）提交，工作人员不能代为评价")
        return error(401, "需要获准收集评价的集成凭据")
    if not integration.may_collect_ratings:
        return error(403, f"集成 {integration.name} 无权收集评价")
    body = await body_as(request, m.RatingIn)
    if body.rating not in LEVEL_OF:
        return error(400, f"rating 必须是：{'、'.join(RATINGS.values())}")
    if not body.sender:
        return error(400, "请提供 sender（来电市民在该系统中的编号，例如来电号码）")
    citizen = Actor(integration.channel, body.sender, frozenset({Role.CITIZEN}))
    try:
        rated = await request.app[TICKETS].rate(
            request.match_info["code"],
            citizen,
            LEVEL_OF[body.rating],
            body.comment,
            collected_via=f"integration:{integration.name}",
        )
    except TicketError as exc:
        return error(_status_of(exc), str(exc))
    return respond(m.RatingOut(message=rating_text(rated), rectification=bool(rated.rectification_opened)))


async def _get(request: web.Request) -> web.Response:
    actor = await api_actor(request)
    svc = request.app[TICKETS]
    code = request.match_info["code"]
    try:
        t, events = await svc.queries.history(code)
    except TicketError as exc:
        return error(_status_of(exc), str(exc))
    if not await svc.queries.may_see(t, actor):
        return error(404, f"没有找到工单 {code}")
    assists = [
        m.AssistOut(
            department=a.department_code,
            department_name=a.department,
            deadline_at=_iso(a.deadline_at),
            signed_at=_iso(a.signed_at),
            answered_at=_iso(a.answered_at),
            part=a.part,
        )
        for a in await svc.cohandling.views(code)
    ]
    history = [
        m.TicketEvent.model_validate(
            {
                "action": e.action,
                "from": e.from_status,
                "to": e.to_status,
                "actor": e.actor_name,
                "comment": e.comment,
                "department": e.department_code,
                "at": _iso(e.at),
            }
        )
        for e in events
    ]
    return respond(m.TicketDetail(**ticket_out(t).model_dump(), assists=assists, events=history))


async def _list(request: web.Request) -> web.Response:
    actor = await api_actor(request)
    if "limit" in request.query and not request.query["limit"].lstrip("-").isdigit():
        return error(400, "limit 必须是整数")
    q = query_as(request, m.TicketListQuery)
    department = q.department
    if not actor.roles & DISPATCHERS:
        department = actor.department_code or "-"
    queries = request.app[TICKETS].queries
    rows = await queries.listing(status=q.status, department=department, limit=q.limit)
    return respond(m.TicketList(tickets=[ticket_out(t) for t in rows]))


def _period(q: m.PeriodQuery) -> tuple[datetime, datetime]:
    try:
        start = datetime.fromisoformat(q.from_).replace(tzinfo=SHANGHAI)
        end = datetime.fromisoformat(q.to).replace(tzinfo=SHANGHAI)
    except ValueError:
        raise bad_request("需要 from 和 to 参数，格式 YYYY-MM-DD（to 不含当天）") from None
    if not (2000 <= start.year <= 2100 and 2000 <= end.year <= 2100):
        raise bad_request("日期须在 2000 年到 2100 年之间")
    if end <= start or end - start > timedelta(days=400):
        raise bad_request("统计区间无效或超过 400 天")
    return start, end


def _period_query(request: web.Request, model: type[P]) -> P:
    if "from" not in request.query or "to" not in request.query:
        raise bad_request("需要 from 和 to 参数，格式 YYYY-MM-DD（to 不含当天）")
    return query_as(request, model)


async def _stats(request: web.Request) -> web.Response:
    actor = await api_actor(request)
    if not actor.roles & STATS_ROLES:
        return error(403, "查询统计需要督办人员或部门负责人身份")
    q = _period_query(request, m.PeriodQuery)
    start, end = _period(q)
    svc = request.app[TICKETS]
    async with svc.db.session() as s:
        table = await compute(s, start, end, svc.clock.now(), q.department or None)
    metrics = {k: v.label for k, v in METRICS.items()}
    lower = [k for k, v in METRICS.items() if v.lower_is_better]
    out = m.StatsOut.model_validate(
        {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "metrics": metrics,
            "lower_is_better": lower,
            "departments": table,
        }
    )
    return respond(out)


async def _drill(request: web.Request) -> web.Response:
    actor = await api_actor(request)
    if not actor.roles & STATS_ROLES:
        return error(403, "查询统计需要督办人员或部门负责人身份")
    metric = request.query.get("metric", "")
    if metric not in METRICS:
        return error(400, f"metric 必须是：{'、'.join(METRICS)}")
    if request.query.get("part", "all") not in {"all", "good", "bad"}:
        return error(400, "part 必须是 all、good 或 bad")
    q = _period_query(request, m.DrillQuery)
    start, end = _period(q)
    svc = request.app[TICKETS]
    async with svc.db.session() as s:
        codes = await drill_down(s, metric, start, end, svc.clock.now(), q.department or None, q.part)
    return respond(m.DrillOut(metric=metric, part=q.part, tickets=codes))


async def _objections(request: web.Request) -> web.Response:
    """Dispatch objections: pending ones for review (oldest deadline first), or all with ``all=1``; and the
    count per department for a period (``from``/``to``, default this month)."""
    actor = await api_actor(request)
    if not actor.roles & DISPATCHERS:
        return error(403, "查看退单审核需要派单员或督办人员权限")
    q = query_as(request, m.ObjectionsQuery)
    queries = request.app[TICKETS].queries
    rows = await queries.objections(pending_only=q.all != "1")
    if q.from_ is not None or q.to is not None:
        start, end = _period(_period_query(request, m.PeriodQuery))
    else:
        local = request.app[CLOCK].now().astimezone(SHANGHAI)
        start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        end = (start + timedelta(days=32)).replace(day=1)
    out = m.ObjectionList(
        objections=[
            m.ObjectionOut(
                code=r.code,
                department=r.objection.department_code,
                reason=r.objection.reason,
                text=r.objection.text,
                raised_by=r.objection.raised_by_name,
                raised_at=_iso(r.objection.raised_at),
                review_due_at=_iso(r.objection.review_due_at),
                status=r.objection.status,
                ruling=r.objection.ruling,
                redispatched_to=r.objection.redispatched_to or None,
            )
            for r in rows
        ],
        per_department=await queries.objection_counts(start, end),
        reasons=list(request.app[TICKETS].rules.return_reasons),
    )
    return respond(out)


CODE = {"code": {"type": "string", "maxLength": 32, "examples": ["GD2026111800001"]}}
CREATE_EXAMPLE: dict[str, object] = {
    "kind": "投诉",
    "content": "小区门口占道经营，晚上很吵",
    "address": "梅江区彬芳大道 8 号",
    "phone": "13900001111",
}


def setup(app: web.Application) -> None:
    # Coarse rights here (any ticket role); TicketService checks each action against the actor.
    api(
        app,
        "POST",
        "/api/tickets",
        _create,
        TICKET_API,
        Operation(
            "createTicket",
            "登记工单（电话等集成渠道；支持 Idempotency-Key）",
            body=m.TicketCreate,
            response=m.TicketCreated,
            status=201,
            example=CREATE_EXAMPLE,
        ),
    )
    api(
        app,
        "GET",
        "/api/tickets",
        _list,
        TICKET_API,
        Operation(
            "listTickets", "工单列表（status、department、limit）", query=m.TicketListQuery, response=m.TicketList
        ),
    )
    api(
        app,
        "GET",
        "/api/tickets/stats",
        _stats,
        SUPERVISE,
        Operation("ticketStats", "考核指标（from、to、department）", query=m.PeriodQuery, response=m.StatsOut),
    )
    api(
        app,
        "GET",
        "/api/tickets/stats/drill",
        _drill,
        SUPERVISE,
        Operation(
            "ticketStatsDrill",
            "指标明细工单号（metric、part、from、to、department）",
            query=m.DrillQuery,
            response=m.DrillOut,
        ),
    )
    api(
        app,
        "GET",
        "/api/tickets/objections",
        _objections,
        TICKET_API,
        Operation(
            "listObjections",
            "退单审核：待审核的退单（all=1 全部）和各部门退单数（from、to，默认本月）；限派单员、督办人员",
            query=m.ObjectionsQuery,
            response=m.ObjectionList,
            errors=(400, 401, 403),
        ),
    )
    api(
        app,
        "GET",
        "/api/tickets/{code}",
        _get,
        TICKET_API,
        Operation("getTicket", "工单详情与流转记录", response=m.TicketDetail, params=CODE),
    )
    # PUBLIC to the guard: the handler itself accepts only an integration allowed to collect ratings
    api(
        app,
        "POST",
        "/api/tickets/{code}/rating",
        _rate,
        PUBLIC,
        Operation(
            "rateTicket",
            "代市民评价（仅限获准收集评价的集成，如热线语音评价）",
            body=m.RatingIn,
            response=m.RatingOut,
            params=CODE,
            security=("integration",),
            callers=("integration:ratings",),
            example={"rating": "满意", "sender": "13900001111"},
        ),
    )
    for name, (summary, model, handler) in _actions().items():
        op_id = "ticket" + "".join(part.title() for part in name.split("-"))
        api(
            app,
            "POST",
            f"/api/tickets/{{code}}/{name}",
            handler,
            TICKET_API,
            Operation(
                op_id,
                f"工单操作：{summary}",
                body=model,
                response=m.TicketOut,
                params=CODE,
                example=ACTION_EXAMPLES.get(name),
            ),
        )
