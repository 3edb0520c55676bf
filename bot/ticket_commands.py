"""Explicit ticket commands (work without the NLU): citizens, department staff, dispatchers, supervisors."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from bot import ticket_followup as follow_handlers
from bot import ticket_lookup
from bot.handlers import Callback, CommandHandler, Context, Handler, Match, MessageHandler
from bot.messages import Reply
from integrations import ticket_followup
from integrations import tickets as tf
from kernel.identity import Role
from office_flows.tickets.service import STATS_ROLES, TicketError, TicketService

Action = Callable[[TicketService, Context, str, str], Awaitable[list[str]]]


QUERY_EXAMPLE = "/工单 GD2026111800123 [登记时的手机号]"
# A ticket code typed on its own, or asked about in a few words ("GD2026111800099", "查下GD…进度",
# "GD… 点样了"): a lookup, whatever the NLU makes of it.
_CODE_ALONE = re.compile(
    r"^(?:请|帮我|麻烦|唔该)?(?:查下|查一下|查查|查询|查|睇下|看看|看下)?(?:工单|单号)?\s*(?P<code>gd\d{13})\s*"
    r"(?:的|嘅)?(?:进度|进展|处理情况|情况|状态|结果)?"
    r"(?:点样了?|怎么样了?|如何|到哪了|到边了|办好了吗|处理了吗|有冇结果|了吗|呢|啊|呀)?[?？。.!！]*$",
    re.I,
)


def _usage(example: str) -> list[Reply]:
    return [Reply(f"格式：{example}")]


def _with_code(example: str, action: Action) -> Callback:
    """A command whose first argument is a ticket code; the rest of the text is passed along."""

    async def handle(ctx: Context, m: Match) -> list[Reply]:
        svc = ctx.services.tickets
        if svc is None:
            return [Reply("工单功能暂未启用。")]
        code = tf.find_code(m.args[0]) if m.args else None
        if code is None:
            return _usage(example)
        if ctx.actor.person_id is not None:  # "派给城管局" next takes the ticket a staff member just looked at
            tf.remember_shown(ctx.session, code, ctx.services.clock.now())
        parts = m.raw_rest.split(maxsplit=1)  # free text as written: "，" stays "，"
        rest = parts[1].strip() if len(parts) > 1 else ""
        try:
            return [Reply(t) for t in await action(svc, ctx, code, rest)]
        except TicketError as exc:
            return [Reply(str(exc))]

    return handle


async def _query(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    return await ticket_lookup.look_up(svc, ctx, code, rest)


async def _rate(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    level, _, comment = rest.partition(" ")
    return await tf.rate(svc, ctx.actor, code, level, comment.strip())


async def _sign(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    return await tf.sign(svc, ctx.actor, code)


async def _return(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    return await tf.return_ticket(svc, ctx.actor, code, rest)


async def _review(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    return await tf.review_return(svc, ctx.actor, code, rest)


async def _accept_return(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    return await tf.review_return(svc, ctx.actor, code, f"同意 {rest}")


async def _reject_return(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    return await tf.review_return(svc, ctx.actor, code, f"驳回 {rest}")


async def _assist(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    return await tf.assist(svc, ctx.actor, code, rest.replace("，", " ").replace("、", " ").split())


async def _reply(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    return await tf.reply(svc, ctx.actor, code, rest)


async def _extend(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    days_text, _, reason = rest.partition(" ")
    days = int(days_text) if days_text.isdigit() else tf.parse_days(days_text)
    return await tf.extend(svc, ctx.actor, code, days, reason.strip())


async def _urge(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    if ctx.actor.roles <= {Role.CITIZEN}:  # a citizen's /催办 is their own reminder (催单), not the supervisors'
        return [a.text for a in (await ticket_followup.remind_code(svc, ctx.actor, code)).answers]
    return await tf.urge(svc, ctx.actor, code, rest)


async def _dispatch(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    return await tf.dispatch(svc, ctx.actor, code, rest)


async def _merge(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    into = tf.find_code(rest)
    if into is None:
        return ["格式：/合并 重复的工单编号 保留的工单编号"]
    await svc.merge(code, into, ctx.actor)
    return [f"已将工单 {code} 合并到 {into}，反映人将一并收到办理结果和回访。"]


async def _approve_ext(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    return [f"工单 {code}：" + await svc.decide_extension(code, ctx.actor, True, rest)]


async def _reject_ext(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    return [f"工单 {code}：" + await svc.decide_extension(code, ctx.actor, False, rest)]


async def _rework(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    await svc.rework(code, ctx.actor, rest)
    return [f"已将工单 {code} 发回重办，办理部门已收到通知。"]


async def _callback(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    await svc.record_callback(code, ctx.actor, rest)
    return [f"已登记工单 {code} 的整改回访。"]


async def _rectified(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    await svc.rectified(code, ctx.actor, rest)
    return [f"已登记工单 {code} 整改完成，已请反映人重新评价。"]


async def _archive(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    await svc.archive(code, ctx.actor)
    return [f"工单 {code} 已归档。"]


async def _history(svc: TicketService, ctx: Context, code: str, rest: str) -> list[str]:
    if ctx.actor.person_id is None:
        return await ticket_lookup.look_up(svc, ctx, code, rest)
    return await tf.history_lines(svc, code)


def _tickets(ctx: Context) -> TicketService:
    svc = ctx.services.tickets
    assert svc is not None, "ticket commands are registered only when the ticket flows are"
    return svc


async def _mine_or_query(ctx: Context, m: Match) -> list[Reply]:
    """``/工单 GD…`` looks the ticket up; ``/工单`` or ``/我的工单`` alone lists the citizen's own tickets."""
    if m.args:
        return await _look_up_code(ctx, m)
    svc = ctx.services.tickets
    if svc is None:
        return [Reply("工单功能暂未启用。")]
    return [Reply(t) for t in await tf.my_tickets(svc, ctx.actor)]


async def _queue(ctx: Context, m: Match) -> list[Reply]:
    return [Reply(await tf.queue_text(_tickets(ctx), ctx.actor, ctx.session))]


async def _stats(ctx: Context, m: Match) -> list[Reply]:
    if not ctx.actor.roles & STATS_ROLES:
        return [Reply("抱歉，查询统计需要督办人员或部门负责人身份。")]
    return [Reply(t) for t in await tf.stats(_tickets(ctx), ctx.actor, " ".join(m.args))]


_look_up_code = _with_code(QUERY_EXAMPLE, _query)  # /工单 GD…, or a code typed alone


class _CodeAlone:
    """A ticket code on its own: looked up as by ``/工单`` (the owner's session, or a verified phone)."""

    def __init__(self) -> None:
        self._look_up = _look_up_code

    async def check(self, ctx: Context) -> Match | None:
        found = _CODE_ALONE.match(ctx.text)
        if found is None:
            return None
        code = found.group("code").upper()
        return Match(args=(code,), raw_rest=code)

    async def handle(self, ctx: Context, match: Match) -> list[Reply]:
        return await self._look_up(ctx, match)


def handlers() -> list[Handler]:
    table: list[tuple[set[str], str, Action]] = [
        ({"评价"}, "/评价 GD2026111800123 满意 [意见]", _rate),
        ({"签收"}, "/签收 GD2026111800123", _sign),
        ({"退单"}, "/退单 GD2026111800123 理由 说明", _return),
        ({"审核退单"}, "/审核退单 GD2026111800123 同意 改派部门 | 驳回 裁定意见", _review),
        ({"同意退单"}, "/同意退单 GD2026111800123 改派部门 [意见]", _accept_return),
        ({"驳回退单"}, "/驳回退单 GD2026111800123 裁定意见", _reject_return),
        ({"协办"}, "/协办 GD2026111800123 部门 [部门…]", _assist),
        ({"回复", "办结"}, "/回复 GD2026111800123 办理结果", _reply),
        ({"延期"}, "/延期 GD2026111800123 5 理由", _extend),
        ({"催办"}, "/催办 GD2026111800123 [意见]", _urge),
        ({"派单"}, "/派单 GD2026111800123 [部门名称]", _dispatch),
        ({"合并"}, "/合并 GD2026111800124 GD2026111800123", _merge),
        ({"批准延期"}, "/批准延期 GD2026111800123", _approve_ext),
        ({"驳回延期"}, "/驳回延期 GD2026111800123 理由", _reject_ext),
        ({"重办"}, "/重办 GD2026111800123 理由", _rework),
        ({"回访"}, "/回访 GD2026111800123 回访情况", _callback),
        ({"整改完成"}, "/整改完成 GD2026111800123 整改措施", _rectified),
        ({"归档"}, "/归档 GD2026111800123", _archive),
        ({"工单记录"}, "/工单记录 GD2026111800123", _history),
    ]
    out: list[Handler] = [
        *follow_handlers.handlers(),  # a citizen's supplement, reminder, withdrawal (and the step they wait for)
        MessageHandler(ticket_lookup.has_pending_code, ticket_lookup.check_code),
        _CodeAlone(),
    ]
    out += [CommandHandler(names, _with_code(example, action)) for names, example, action in table]
    out += [
        CommandHandler({"工单", "查询工单", "我的工单"}, _mine_or_query),
        CommandHandler({"工单队列", "部门工单", "待派", "待派单"}, _queue),
        CommandHandler({"统计", "工单统计"}, _stats),
    ]
    return out
