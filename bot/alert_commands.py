"""/预警: supervisors read the current 未诉先办 alerts in chat (the list, or one alert with its tickets).

An alert is current while its topic still grows: raised or updated by a daily run in the last two windows
(the span in which a run merges a topic into its earlier alert). Department heads see the alerts that touch
their department, supervisors and admins all of them. The daily run itself pushes each new alert to the
supervisors through the notify outbox (``office_flows.alerts.service``)."""

from __future__ import annotations

from bot.handlers import CommandHandler, Context, Handler, Match
from bot.messages import Reply
from office_flows.alerts import queries
from office_flows.alerts.models import TopicAlert
from office_flows.tickets import queries as ticket_queries
from office_flows.tickets.states import LABELS, Status

SHOWN = 10  # alerts listed
CODES = 3  # ticket codes shown per alert in the list
TICKETS = 15  # tickets shown with one alert
SUPERVISORS_ONLY = "预警信息仅限督办人员、部门负责人和管理员查看。"
USAGE = "用法：/预警 查看当前的未诉先办预警；/预警 预警编号（例如 /预警 3）查看一条预警及其工单。"
NONE = (
    f"目前没有未诉先办预警（近 {queries.CURRENT.days} 天内无新增或仍在增长的主题）。"
    "每日分析发现新预警时会推送给督办人员。"
)


def growth(a: TopicAlert) -> str:
    if a.baseline:
        return f"近期 {a.current} 件，基线周均 {a.baseline:.1f} 件（{a.current / a.baseline:.1f} 倍）"
    return f"近期 {a.current} 件，此前基线为 0"


def _line(a: TopicAlert) -> str:
    codes = "、".join(a.codes[:CODES]) + (f" 等 {len(a.codes)} 张" if len(a.codes) > CODES else "")
    return f"#{a.id} {a.place or '全区'}：“{a.title}”，{growth(a)}；工单 {codes}"


async def alerts(ctx: Context, m: Match) -> list[Reply]:
    if ctx.actor is None or not queries.may_read(ctx.actor):
        return [Reply(SUPERVISORS_ONLY)]
    scope = queries.reader_scope(ctx.actor)
    if len(m.args) > 1:
        return [Reply(USAGE)]
    if m.args:
        raw = m.args[0].lstrip("#＃")
        if not raw.isdigit() or len(raw) > 18:
            return [Reply(f"预警编号应为数字：{m.args[0]}\n{USAGE}")]
        return [Reply(await _one(ctx, int(raw), scope))]
    since = ctx.services.clock.now() - queries.CURRENT
    async with ctx.services.db.session() as s:
        found = await queries.current_in(s, since, scope)
    if not found:
        return [Reply(NONE)]
    lines = [f"当前未诉先办预警 {len(found)} 条："]
    lines += [_line(a) for a in found[:SHOWN]]
    if len(found) > SHOWN:
        lines.append(f"另有 {len(found) - SHOWN} 条，见管理后台“预警”页。")
    lines.append("发送“/预警 编号”查看一条预警及其工单。")
    return [Reply("\n".join(lines))]


async def _one(ctx: Context, alert_id: int, scope: str | None) -> str:
    async with ctx.services.db.session() as s:
        a = await queries.alert(s, alert_id)
        if a is None or (scope is not None and scope not in a.departments):
            return f"没有编号为 {alert_id} 的预警（或不属于本部门）。发送“/预警”查看当前预警。"
        tickets = await ticket_queries.by_codes(s, list(a.codes))
    if scope is not None:
        tickets = [t for t in tickets if t.department_code == scope]
    tickets.sort(key=lambda t: t.created_at, reverse=True)
    statuses = {s.value: LABELS[s] for s in Status}
    lines = [
        f"预警 #{a.id}（{a.day}）{a.place or '全区'}：“{a.title}”",
        growth(a) + (f"；{a.seasonal_note}" if a.seasonal_note else ""),
        f"涉及工单 {len(tickets)} 张：",
    ]
    lines += [f"{t.code} {statuses.get(t.status, t.status)} {t.content[:40]}" for t in tickets[:TICKETS]]
    if len(tickets) > TICKETS:
        lines.append(f"……另有 {len(tickets) - TICKETS} 张")
    lines.append(f"详情：/admin/alerts/{a.id}")
    return "\n".join(lines)


def handlers() -> list[Handler]:
    return [CommandHandler({"预警"}, alerts)]
