"""The tickets' chat face: ticket actions as chat answers, for the "/" commands and NLU-routed intents alike.

Each function takes the service, the actor and plain arguments, and returns the lines to say;
a refused action (TicketError) becomes its message, never a stack trace.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from integrations import ticket_followup
from integrations.context import LISTED, LISTED_TTL, fresh_entry, offer, remember_listing
from integrations.contract import (
    Answer,
    Choice,
    FlowCall,
    FlowHandler,
    IntentRegistry,
    Outcome,
    SessionData,
    StartConversation,
    texts,
)
from integrations.dispatch_advice import asks_where_to_dispatch, dispatch_advice
from integrations.intents import SPECS
from integrations.rating_reason import kept_reason, remember_reason
from integrations.stats_answer import every_rate_ranked, one_department, one_rate, question_in
from kernel.clock import SHANGHAI
from kernel.identity import Actor, Role
from nlu.asking import asks_how_long, asks_why_returned
from nlu.entities import rating_level, rating_reason
from nlu.numerals import chinese_number, without_leading_ordinal
from office_flows.alerts import queries as alerts_queries
from office_flows.tickets.codes import CODE
from office_flows.tickets.errors import NoDepartment
from office_flows.tickets.models import Ticket
from office_flows.tickets.queries import TicketStatusView
from office_flows.tickets.rules import INTENT_KINDS, KINDS, LEVEL_OF
from office_flows.tickets.service import DISPATCHERS, RatingResult, TicketError, TicketService, fmt_time
from office_flows.tickets.states import LABELS, OPEN, Status
from office_flows.tickets.stats import METRICS, compute_for

_DAYS = re.compile(r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:个)?(?:工作日|天|日)")
# The command's verb and whom it addresses ("回复市民：…", "答复群众：…", "退单，…"): not part of what is said.
_VERBS = re.compile(
    r"^(?:请|麻烦)?(?:签收|退单|退回|回复|办结|答复|申请延期|延期|催办|催一下|重办)"
    r"(?:(?:给|畀|俾)?(?:市民|群众|反映人|来电人|诉求人|当事人|居民)(?=[:：，,\s]))?[:：，,\s]*"
)
EVENT_LABELS = {
    "accept": "受理",
    "dispatch": "派单",
    "sign": "签收",
    "return": "退单",
    "objection_accept": "同意退单并改派",
    "objection_reject": "驳回退单",
    "return_note": "补充退单说明",
    "assist": "指定协办",
    "assist_sign": "协办签收",
    "assist_reply": "协办意见",
    "reply": "回复办结",
    "rate": "评价",
    "unrated": "未评价",
    "rework": "发回重办",
    "archive": "归档",
    "merge": "合并",
    "merged_in": "并入",
    "extend_request": "申请延期",
    "extend_decide": "审批延期",
    "urge": "催办",
    "rerate": "重新评价",
    "raise": "提级",
    "rectify_open": "启动整改",
    "rectify_callback": "整改回访",
    "rectify_done": "整改完成",
    "escalate_1": "提醒",
    "escalate_2": "催办",
    "escalate_3": "督办",
    "supplement": "市民补充",
    "remind": "市民催单",
    "withdraw": "市民撤单",
    "contact": "市民更正电话",
    "address": "市民更正地址",
}


def find_code(text: str) -> str | None:
    m = CODE.search(text.upper())
    return m.group(0) if m else None


def parse_days(text: str) -> int | None:
    m = _DAYS.search(text)
    return chinese_number(m.group(1)) if m else None


def remainder(text: str, code: str | None) -> str:
    """The free text of a command after the ticket code and the verb (a reason, a result)."""
    rest = text.replace(code, " ") if code else text
    rest = re.sub(r"(?i)gd\d{13}", " ", rest)
    rest = _VERBS.sub("", rest.strip(" ：:，,。"))
    # "第二张回复市民：…", "回复第二张：…": the place in a list named the ticket, it is not the text
    # ("回复市民：第二张罚单已开出" keeps it).
    after = without_leading_ordinal(rest)
    if after != rest and (not after or after[0] in " ：:，,。" or _VERBS.match(after)):
        rest = _VERBS.sub("", after.strip(" ：:，,。"))
    return rest.strip(" ：:，,。")


async def _run(coro: Awaitable[list[str]]) -> list[str]:
    try:
        return await coro
    except TicketError as exc:
        return [str(exc)]


def status_text(code: str, view: TicketStatusView | None, appeal: bool = False) -> str:
    """Where a ticket stands; with ``appeal`` (staff asking "第一张讲咩") what it is about, too."""
    if view is None:
        # The same answer for "no such ticket" and "not yours": ids must not be probed.
        return f"没有查到您名下编号为 {code} 的工单。请核对编号；如用电话登记，请回复“/工单 {code} 登记时的手机号”。"
    lines = [f"工单 {view.code}（{view.kind}）"]
    if appeal:
        lines.append(f"诉求：{view.content}")
        if view.address:
            lines.append(f"地点：{view.address}")
    lines += [
        f"状态：{LABELS[view.status]}",
        f"办理部门：{view.department}",
        f"办理期限：{fmt_time(view.deadline_at)}" + ("（计时暂停）" if view.paused else ""),
        f"最近更新：{fmt_time(view.last_update)}",
    ]
    if view.result and view.status in {Status.ANSWERED, Status.VISITED, Status.ARCHIVED}:
        lines.append(f"办理结果：{view.result}")
    if view.status == Status.MERGED:
        lines.append(f"已合并到工单 {view.merged_into} 一并办理。")
    if view.rectification_due is not None:
        lines.append(
            f"整改：您的评价不满意，已启动整改，将于 {fmt_time(view.rectification_due)} 前完成，届时可重新评价一次。"
        )
    return "\n".join(lines)


async def answered_yet_unheard(svc: TicketService, actor: Actor, code: str, said: str, session: SessionData) -> Outcome:
    """ "点解冇人打电话畀我", "仲系好嘈" while the ticket's answer waits for a rating: the answer (they may not have
    seen it) and the way to say it did not do: a bad rating opens a rectification with a return call. What was
    said is kept as the reason of the rating that follows."""
    remember_reason(session, code, said, svc.clock.now())
    text = (
        status_text(code, await svc.queries.status(code, actor))
        + "\n办理部门已答复（见上）。如果问题没有解决，或没有人联系您、上门处理，请评价“不满意”，我们会启动整改，"
        "1 个工作日内回访您；如对结果满意，请评价“满意”。"
    )
    levels = ("满意", "不满意", "非常不满意")
    return Outcome([Answer(text, [Choice(level, level) for level in levels])])


def how_long_it_takes(workdays: Mapping[str, int], kind: str = "") -> str:
    """The district's time limit for a kind of ticket, or for every kind when none is named."""
    days = workdays.get(kind)
    if days:
        return f"{kind}工单登记后会转交相关部门办理，一般在 {days} 个工作日内办结，办理结果会通知您。"
    limits = "、".join(f"{k} {d} 个工作日" for k, d in workdays.items())
    return f"工单登记后会转交相关部门办理，办结时限一般为：{limits}。办理结果会通知您。"


async def my_tickets(svc: TicketService, actor: Actor) -> list[str]:
    """ "我的工单": a citizen's own tickets with status and deadline; staff are asked for a code."""
    if actor.person_id is not None:
        return ["请问是哪张工单？请发送工单编号（GD 开头，如 GD2026111800123）；本部门待办请发送 /工单队列。"]
    tickets = await svc.queries.citizen_tickets(actor)
    if not tickets:
        return ["没有查到您登记过的工单。如用电话或其他方式登记过，请发送工单编号（GD 开头，共 15 位）查询。"]
    if len(tickets) == 1:
        return await query(svc, actor, tickets[0].code)
    lines = [f"您有 {len(tickets)} 张工单（最近的在前）："]
    for t in tickets:
        deadline = f"，期限 {fmt_time(t.deadline_at)}" if t.deadline_at and Status(t.status) in OPEN else ""
        lines.append(f"· {t.code}（{t.kind}）{LABELS[Status(t.status)]}{deadline}：{t.content[:20]}")
    lines.append("发送工单编号可查看详情和办理结果。")
    return ["\n".join(lines)]


def rating_text(result: RatingResult) -> str:
    if result.rectification_opened:
        return (
            f"已收到您的评价：{result.label}。非常抱歉没有让您满意，"
            f"我们已启动整改：1 个工作日内回访您，15 个工作日内完成整改，届时您可以重新评价一次。"
        )
    return f"已收到您的评价：{result.label}。感谢您对 12345 热线工作的支持！"


async def query(svc: TicketService, actor: Actor, code: str, phone: str = "") -> list[str]:
    """A ticket's status: to the staff who may see it, with the appeal itself."""
    return [status_text(code, await svc.queries.status(code, actor, phone), appeal=actor.person_id is not None)]


async def rate(svc: TicketService, actor: Actor, code: str | None, level_text: str, comment: str = "") -> list[str]:
    label = rating_level(level_text)
    code = code or await svc.queries.latest_awaiting_rating(actor)
    if code is None:  # said first: asking for a level with nothing to rate would lead nowhere
        return [await _nothing_to_rate(svc, actor)]
    if label is None:
        refused = await svc.rating_refused(code, actor)  # "我想改评价" after rating: said at once, no level asked
        if refused is not None:
            return [refused + (_AFTER_RATING if _CHANGE_RATING.search(level_text) else "")]
        return [f"请告诉我您对工单 {code} 的评价：非常满意、满意、基本满意、不满意，还是非常不满意？"]
    try:
        return [rating_text(await svc.rate(code, actor, LEVEL_OF[label], comment))]
    except TicketError as exc:
        return [str(exc)]


_CHANGE_RATING = re.compile(r"改|修改|更改|更正|重新评|再评|撤回评价")
_AFTER_RATING = "如对办理结果仍有意见，可以拨打 12345 热线反映，或直接说明情况重新登记。"


async def _nothing_to_rate(svc: TicketService, actor: Actor) -> str:
    """No ticket awaits a rating: a citizen whose ticket is still being handled ("唔满意，搞咗成个月都未搞掂") is
    told where it stands and how to urge or add to it, rather than only that there is nothing to rate."""
    open_ = await svc.followup.open_tickets(actor)
    if not open_:
        return "没有找到需要您评价的工单。如有工单编号，请回复“/评价 工单编号 满意”。"
    t = open_[0]
    return (
        f"您的工单 {t.code}（{t.kind}）目前{LABELS[Status(t.status)]}，办理期限：{fmt_time(t.deadline_at)}，"
        "办结后会请您评价。需要催办请说“帮我催一下”，要补充情况请说“我想补充……”。"
    )


async def sign(svc: TicketService, actor: Actor, code: str) -> list[str]:
    async def go() -> list[str]:
        t = await svc.sign(code, actor)
        if t.lead:
            return [
                f"已签收工单 {t.code} 的协办任务（主办：{t.lead}）。协办期限：{fmt_time(t.deadline_at)}。\n"
                f"内容：{t.content[:200]}\n请回复“/回复 {t.code} 协办意见”提交贵单位的办理情况。"
            ]
        return [
            f"已签收工单 {t.code}（{t.kind}）。办理期限：{fmt_time(t.deadline_at)}。\n内容：{t.content[:200]}\n"
            f"办结后请回复“/回复 {t.code} 办理结果”；需要延期请回复“/延期 {t.code} 天数 理由”。"
        ]

    out: list[str] = await _run(go())
    return out


def reasons_text(svc: TicketService) -> str:
    return "、".join(f"{i}.{r}" for i, r in enumerate(svc.rules.return_reasons, start=1))


REASON_HINTS = {
    "非本部门职责": (
        "不属于本部门",
        "不是我们",
        "非本部门",
        "职责",
        "归城管",
        "应由",
        "不归我们",
        "不关我们",
        "唔系我哋",
        "唔关我哋",
        "唔归我哋",
        "应该系",
        "应该归",
        "毋系𠊎兜",
    ),
    "不属本辖区": ("辖区", "不在本区", "外区", "唔喺本区", "隔篱区"),
    "重复诉求": ("重复",),
    "涉法涉诉": ("诉讼", "法院", "仲裁"),
}


def guess_reason(svc: TicketService, text: str) -> str | None:
    """A configured 退单 reason that free words plainly name ("不属于本部门职责" → 非本部门职责), for sentences
    understood by the NLU; None when unsure (the caller then lists the reasons)."""
    hits = [r for r, words in REASON_HINTS.items() if r in svc.rules.return_reasons and any(w in text for w in words)]
    return hits[0] if len(hits) == 1 else None


# Asking to see or review 退单 ("睇下啲退单", "有冇退单要审核"), not making one.
_REVIEW_WORDS = re.compile(r"审|睇|看|查|有冇|有没有|有无|有咩|有什么|有乜|边啲|哪些|几多|多少")


async def objection_reasons_text(svc: TicketService, code: str, *, written: bool) -> str:
    """The 退单 waiting for review with what the department said, that of ``code`` alone when it has one (a code
    ``written`` in the message that has none is said to have none; one pointed at in a list is not: "第一张" may
    mean the first 退单 above the numbered tickets)."""
    pending = await svc.queries.objections()
    names = await svc.queries.department_names()
    own = [r for r in pending if r.code == code]
    lead = f"工单 {code} 没有待审核的退单。" if code and written and not own else ""
    shown = own or pending[:10]
    if not shown:
        return lead + "目前没有待审核的退单。"
    lines = [] if own else [lead + "待审核退单的理由："]
    for r in shown:
        o = r.objection
        dept = names.get(o.department_code, o.department_code)
        lines.append(
            f"· {r.code} 被{dept}退单（{o.reason}）：{o.text}\n"
            f"  诉求：{r.content[:40]}\n  {o.raised_by_name or '办理人'} {fmt_time(o.raised_at)} 提出，"
            f"审核期限 {fmt_time(o.review_due_at)}"
        )
    lines.append("审核：/审核退单 工单编号 同意 改派部门｜驳回 裁定意见")
    return "\n".join(lines)


# A 退单 just made in chat ({"code", "at"}): a reason said next ("因为系住建局管嘅") is added to its explanation.
JUST_RETURNED = "ticket_just_returned"
EXPLAIN_WINDOW = timedelta(minutes=10)


def just_returned(session: SessionData, now: datetime) -> str | None:
    """The ticket this speaker sent back in the last minutes, if any."""
    entry = fresh_entry(session, JUST_RETURNED, now, EXPLAIN_WINDOW)
    return entry["code"] if entry else None


async def explain_return(svc: TicketService, actor: Actor, code: str, text: str) -> list[str]:
    """More said of a 退单 under review (its department only)."""

    async def go() -> list[str]:
        o = await svc.explain_return(code, actor, text)
        return [f"已补充工单 {code} 的退单说明：{text}。派单员审核时会看到（现在的说明：{o.text}）。"]

    out: list[str] = await _run(go())
    return out


async def return_ticket(
    svc: TicketService, actor: Actor, code: str, rest: str, session: SessionData | None = None
) -> list[str]:
    """退单: "理由 说明" where 理由 is one of the configured reasons (or its number); ``session`` remembers it for
    a reason said next."""
    reason, _, text = rest.strip().partition(" ")
    if reason and reason not in svc.rules.return_reasons and not reason.isdigit():
        guessed = guess_reason(svc, rest)
        if guessed is not None:
            reason, text = guessed, rest.strip()
    if not reason:
        return [
            f"请说明退单理由和说明，例如：/退单 {code} 非本部门职责 夜间施工噪音属城管执法职责\n"
            f"可选理由：{reasons_text(svc)}"
        ]

    async def go() -> list[str]:
        o = await svc.return_(code, actor, reason, text.strip())
        if session is not None:
            session[JUST_RETURNED] = {"code": code, "at": svc.clock.now().isoformat()}
        return [
            f"已对工单 {code} 提出退单（{o.reason}）：{o.text}。派单员将于 {fmt_time(o.review_due_at)} 前审核，"
            "审核结果会通知您。"
        ]

    out: list[str] = await _run(go())
    return out


async def review_return(svc: TicketService, actor: Actor, code: str, rest: str) -> list[str]:
    """退单审核: "同意 [部门] [意见]" re-dispatches; "驳回 裁定意见" sends it back to the department."""
    verdict, _, tail = rest.strip().partition(" ")
    tail = tail.strip()
    if verdict not in ("同意", "驳回"):
        return [f"格式：/审核退单 {code} 同意 改派部门 [意见]，或 /审核退单 {code} 驳回 裁定意见"]

    async def go() -> list[str]:
        if verdict == "驳回":
            name = await svc.review_objection(code, actor, False, tail)
            return [f"已驳回工单 {code} 的退单，已通知{name}继续办理并重新签收。裁定意见：{tail}"]
        department, _, ruling = tail.partition(" ")
        name = await svc.review_objection(code, actor, True, ruling.strip(), department or None)
        return [f"已同意工单 {code} 的退单，并改派{name}。"]

    try:
        return await go()
    except NoDepartment as exc:
        return [f"{exc}例如：/审核退单 {code} 同意 城管局"]
    except TicketError as exc:
        return [str(exc)]


async def assist(svc: TicketService, actor: Actor, code: str, departments: list[str]) -> list[str]:
    if not departments:
        return [f"请写明协办部门，例如：/协办 {code} 市场监管局 生态环境局"]

    async def go() -> list[str]:
        names = await svc.cohandling.assign(code, actor, departments)
        return [
            f"已为工单 {code} 指定协办部门：{'、'.join(names)}。各协办部门签收并提交意见后，由主办部门统一答复市民。"
        ]

    out: list[str] = await _run(go())
    return out


async def dispatch(svc: TicketService, actor: Actor, code: str, department: str) -> list[str]:
    try:
        name = await svc.dispatch(code, actor, department or None)
    except NoDepartment as exc:
        return [f"{exc}例如：/派单 {code} 城管局"]
    except TicketError as exc:
        return [str(exc)]
    return [f"已将工单 {code} 派往{name}。"]


async def reply(svc: TicketService, actor: Actor, code: str, result: str) -> list[str]:
    async def go() -> list[str]:
        if await svc.reply(code, actor, result):
            return [f"已提交工单 {code} 的协办意见，主办部门将汇总后答复市民。"]
        return [f"已回复工单 {code} 并办结，已通知反映人评价。"]

    out: list[str] = await _run(go())
    return out


async def extend(svc: TicketService, actor: Actor, code: str, days: int | None, reason: str) -> list[str]:
    if days is None:
        return [f"请说明延期几个工作日和理由，例如：/延期 {code} 5 需要协调多个部门现场核查"]

    async def go() -> list[str]:
        await svc.request_extension(code, actor, days, reason)
        return [f"已提交工单 {code} 延期 {days} 个工作日的申请，等待派单员审批。"]

    out: list[str] = await _run(go())
    return out


async def urge(svc: TicketService, actor: Actor, code: str, comment: str = "") -> list[str]:
    async def go() -> list[str]:
        await svc.urge(code, actor, comment)
        return [f"已对工单 {code} 发出催办，办理部门已收到通知。"]

    out: list[str] = await _run(go())
    return out


def month_range(text: str, now: datetime) -> tuple[datetime, datetime, str]:
    """本月 (default), 上月, or YYYY-MM → [start, end) in Shanghai time and a label."""
    local = now.astimezone(SHANGHAI)
    m = re.search(r"(20\d{2})[-年/.](\d{1,2})", text)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
    elif "上月" in text or "上个月" in text:
        prev = local.replace(day=1) - timedelta(days=1)
        year, month = prev.year, prev.month
    else:
        year, month = local.year, local.month
    if not 1 <= month <= 12:
        month = local.month
    start = datetime(year, month, 1, tzinfo=SHANGHAI)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=SHANGHAI)
    return start, end, f"{year} 年 {month} 月"


# Asking for the month's report ("上个月嘅报告", "出一份月报"): the chat answers with the figures and points to
# the console, where the PDF and XLSX are made.
_REPORT_PLEASE = re.compile(r"报告|报表|月报")
_DETAIL = "\n口径说明见 docs/tickets.md；明细可在管理后台或 GET /api/tickets/stats/drill 查看。"


async def stats(svc: TicketService, actor: Actor, text: str) -> list[str]:
    now = svc.clock.now()
    start, end, label = month_range(text, now)
    table = await compute_for(svc.db, start, end, now)
    names = await svc.queries.department_names()
    report = _REPORT_PLEASE.search(text)
    month = f"{start.year}-{start.month:02d}"
    pointer = f"{label}的完整分析报告（PDF、XLSX，含图表）请在管理后台“月度报告”页面生成：/admin/report?month={month}"
    if not table:
        return [f"{label}暂无工单统计数据。" + (f"\n{pointer}" if report else "")]
    mentioned = await svc.department_mentioned(text)
    asked = question_in(text, await svc.queries.department_code(mentioned) if mentioned else None)
    if asked.department is not None:
        return [one_department(table, asked.department, asked.metric, names, label) + _DETAIL]
    if asked.metric is not None:
        return [one_rate(table, asked.metric, names, label, asked) + _DETAIL]
    if asked.ranking:  # "边个部门最差": each rate's worst department
        return [every_rate_ranked(table, names, label, asked) + _DETAIL]
    lines = [f"{label}工单统计（按部门）："]
    for dept in sorted(table):
        cells = []
        for key, metric in METRICS.items():
            cell = table[dept][key]
            rate = "—" if cell["rate"] is None else f"{float(cell['rate']):.0%}"
            few = "，样本过少" if metric.sample_note(int(cell["total"] or 0)) else ""
            cells.append(f"{metric.caption} {rate}（{metric.hit_label} {cell['good']}/{cell['total']}{few}）")
        lines.append(f"· {names.get(dept, dept or '未派单')}：" + "；".join(cells))
    lines.append(_DETAIL.strip())
    if report:
        lines.append(pointer)
    return ["\n".join(lines)]


async def history_lines(svc: TicketService, code: str) -> list[str]:
    t, events = await svc.queries.history(code)
    lines = [f"工单 {t.code}（{t.kind}，{LABELS[Status(t.status)]}）办理记录："]
    if t.first_contact_name:
        lines.append(f"首接负责：{t.first_contact_name}")
    if t.remind_count:
        lines.append(f"市民催单：{t.remind_count} 次")
    for a in await svc.cohandling.views(code):
        state = "已提交意见" if a.answered_at else ("已签收" if a.signed_at else "待签收")
        lines.append(f"协办：{a.department}（{state}，期限 {fmt_time(a.deadline_at)}）")
    for e in events:
        what = EVENT_LABELS.get(e.action, e.action)
        lines.append(f"{fmt_time(e.at)} {what} · {e.actor_name}" + (f"：{e.comment[:60]}" if e.comment else ""))
    return ["\n".join(lines)]


# --- the dispatch queue, the department's queue, overdue tickets (the "/工单队列" command and free text alike) ---

_WAITING_FOR = {Status.DISPATCHED: "待签收", Status.HANDLING: "办理中"}  # what "签收" and "回复" act on
SHOWN = "ticket_shown"  # the ticket a staff member looked at last ({"code", "at"}): "派给城管局" takes it
SHOWN_FRESH = timedelta(minutes=30)
NEAR_DEADLINE = timedelta(hours=24)  # "快到期": due within a day
_ALL = re.compile(r"所有|全部|统一|都|一齐|晒")
# The tickets just listed, referred to as a group ("帮我催下佢哋", "呢啲都催一下").
_THEM = re.compile(r"佢哋|他们|她们|它们|呢啲|这些|嗰啲|那些|呢几张|这几张|嗰几张|那几张|以上|上面")


def remember_shown(session: SessionData, code: str, now: datetime) -> None:
    session[SHOWN] = {"code": code, "at": now.isoformat()}


def shown_ticket(session: SessionData, now: datetime) -> str | None:
    raw = session.get(SHOWN)
    if not isinstance(raw, dict):
        return None
    try:
        fresh = now - datetime.fromisoformat(str(raw.get("at"))) <= SHOWN_FRESH
    except (TypeError, ValueError):
        return None
    return str(raw.get("code") or "") or None if fresh else None


async def department_queue_text(svc: TicketService, actor: Actor, session: SessionData | None = None) -> str:
    """The department's open tickets, numbered (``session`` remembers the numbers for "签收第一张")."""
    tickets = await svc.queries.department_todo(actor)
    if session is not None:
        remember_listing(session, "ticket_id", [t.code for t in tickets], svc.clock.now())
    if not tickets:
        return "您所在部门目前没有待办工单。" if actor.person_id else "这个命令需要工作人员身份。"
    lines = ["本部门待办工单（按期限排序）："]
    lines += [
        f"{n}. {t.code}（{t.kind}）{'协办，' if t.department_code != actor.department_code else ''}"
        f"期限 {fmt_time(t.deadline_at)}{f'，市民催单 {t.remind_count} 次' if t.remind_count else ''}："
        f"{t.content[:30]}"
        for n, t in enumerate(tickets, start=1)
    ]
    lines.append("可以按序号说，如“签收第一张”“第二张回复市民：……”。")
    return "\n".join(lines)


async def dispatch_queue_text(svc: TicketService, session: SessionData | None = None) -> str:
    """Objections to review and tickets to dispatch, numbered (``session`` remembers them: "第一张派去城管局")."""
    tickets = await svc.queries.queue()
    names = await svc.queries.department_names()
    pending = (await svc.queries.objections())[:10]
    # The numbers point at the tickets to dispatch; with none, at the 退单 ("第一张点解退", "同意第一张").
    listed = [t.code for t in tickets] or [r.code for r in pending]
    if session is not None:
        remember_listing(session, "ticket_id", listed, svc.clock.now())
    review = [
        f"{'·' if tickets else f'{n}.'} {r.code} 被{names.get(dept, dept)}退单（{r.objection.reason}），"
        f"审核期限 {fmt_time(r.objection.review_due_at)}"
        for n, r in enumerate(pending, start=1)
        for dept in [r.objection.department_code]
    ]
    if not tickets and not review:
        return "目前没有待派单的工单，也没有待审核的退单。"
    lines = ["待审核退单：", *review, "审核：/审核退单 工单编号 同意 改派部门｜驳回 裁定意见"] if review else []
    if not tickets:
        return "\n".join(lines)
    lines.append("待派单工单：")
    for n, t in enumerate(tickets, start=1):
        line = f"{n}. {t.code}（{t.kind}）{t.content[:30]}"
        if t.proposed_department:
            proposed = names.get(t.proposed_department, t.proposed_department)
            line += f"\n  建议：{proposed}（置信度 {t.proposal_confidence or 0:.0%}）"
        if t.duplicate_of:
            line += f"\n  疑似重复：{t.duplicate_of}"
        lines.append(line)
    if svc.router_note():
        lines.append(svc.router_note())
    lines.append("派单：/派单 工单编号 [部门]（不写部门即采纳建议），也可以直接说“派给城管局”“第一张派去住建局”。")
    return "\n".join(lines)


async def queue_text(svc: TicketService, actor: Actor, session: SessionData | None = None) -> str:
    """A dispatcher's queue (to dispatch, 退单 to review); anyone else's department queue."""
    if actor.roles & DISPATCHERS:
        return await dispatch_queue_text(svc, session)
    return await department_queue_text(svc, actor, session)


async def named_department(svc: TicketService, call: FlowCall) -> str | None:
    """The department a sentence names: a catalogue name or alias in the text, else the NLU's entity."""
    return await svc.department_mentioned(call.text) or (str(call.entities.get("department") or "") or None)


_ALERT_WORDS = re.compile(r"预警|苗头|热点")


async def _topic_alerts_line(svc: TicketService, actor: Actor) -> str:
    async with svc.db.session() as s:
        since = svc.clock.now() - alerts_queries.CURRENT
        found = await alerts_queries.current_in(s, since, alerts_queries.reader_scope(actor))
    if not found:
        return f"\n未诉先办预警：目前没有（近 {alerts_queries.CURRENT.days} 天内无新增或仍在增长的主题）。"
    return f"\n未诉先办预警（热点诉求增长）{len(found)} 条，发送“/预警”查看。"


async def overdue_text(
    svc: TicketService, actor: Actor, department: str | None, session: SessionData | None = None
) -> str:
    """Open tickets past their deadline or due within a day, of one department when named (a department head
    who supervises nothing else sees their own), numbered (``session`` remembers them: "催下第一张")."""
    now = svc.clock.now()
    code = await svc.queries.department_code(department) if department else None
    if code is None and not actor.roles & (DISPATCHERS | {Role.SUPERVISOR}):
        code = actor.department_code
    tickets = await svc.queries.due_before(now + NEAR_DEADLINE, department=code or "")
    if session is not None:
        remember_listing(session, "ticket_id", [t.code for t in tickets], now)
    names = await svc.queries.department_names()
    where = f"{names.get(code, code)}" if code else ""
    if not tickets:
        return f"{where}目前没有超期或 24 小时内到期的工单。"
    late = [t for t in tickets if t.deadline_at is not None and t.deadline_at < now]
    lines = [f"{where}超期 {len(late)} 张、24 小时内到期 {len(tickets) - len(late)} 张（按期限排序）："]
    for n, t in enumerate(tickets, start=1):
        state = "已超期" if t in late else "快到期"
        dept = names.get(t.department_code or "", "未派单")
        lines.append(
            f"{n}. {t.code}（{dept}，{LABELS[Status(t.status)]}）{state}，期限 {fmt_time(t.deadline_at)}："
            f"{t.content[:20]}"
        )
    lines.append("催办：说“催下第一张”“催一下城管局”，或“/催办 工单编号”。")
    return "\n".join(lines)


def choice_label(t: Ticket) -> str:
    return f"{t.code}（{t.kind}）{t.content[:20]}"


async def urge_department(svc: TicketService, actor: Actor, department: str, comment: str) -> list[str]:
    """Urge every overdue ticket of the named department; say how many and which."""
    code = await svc.queries.department_code(department)
    if code is None:
        return [f"没有找到部门“{department}”。"]
    late = await svc.queries.due_before(svc.clock.now(), department=code)
    if not late:
        return [f"{department}目前没有超期工单。如要催办某张工单，请说明工单编号。"]
    urged = [t.code for t in late]
    for c in urged:
        await svc.urge(c, actor, comment)
    return [f"已对{department}的 {len(urged)} 张超期工单发出催办：{'、'.join(urged)}。办理部门已收到通知。"]


INTAKE = "ticket_intake"  # the bot's intake conversation, opened for complain/report/request_help/…


def intake_start(call: FlowCall) -> Outcome:
    """A new appeal: the bot's intake conversation takes it from here, prefilled from this message."""
    entities = {k: v for k, v in call.entities.items() if k in ("address", "phone")}
    return Outcome(
        start=StartConversation(
            INTAKE, {"kind": INTENT_KINDS[call.spec.name], "text": call.written, "entities": entities}
        )
    )


def register(flows: IntentRegistry, svc: TicketService) -> None:
    """NLU intents → ticket actions; new appeals (complain, report, …) → the intake conversation."""

    async def appeal(call: FlowCall) -> Outcome:
        if ticket_followup.negates_filing(call.text):  # "我不想投诉了": never a new intake; offer the withdrawal
            return await ticket_followup.withdraw(svc, call)
        return intake_start(call)

    for intent in INTENT_KINDS:
        if SPECS[intent].flow == "tickets":  # ask_service is the knowledge base's
            flows.register(intent, appeal)

    def code_of(call: FlowCall) -> str:
        return str(call.entities.get("ticket_id") or find_code(call.text) or "")

    async def query_ticket(call: FlowCall) -> list[str]:
        # A phone number in the text proves nothing: only the owner's session (or a phone verified by a
        # one-time code, "/工单 编号 手机号") sees a ticket.
        code = code_of(call)
        # "请问投诉要几耐先有回复" from someone with nothing filed asks the time limit, not their tickets
        asks_the_limit = not code and call.actor.person_id is None and asks_how_long(call.text)
        if asks_the_limit and not await svc.queries.citizen_tickets(call.actor, limit=1):
            kind = next((k for k in KINDS if k in call.text), "")
            return [how_long_it_takes(svc.rules.workdays, kind) + "需要反映问题，直接说明情况就可以登记。"]
        if not code:
            return await my_tickets(svc, call.actor)
        if call.actor.person_id is not None:  # "派给城管局" next takes the ticket a staff member just looked at
            remember_shown(call.session, code, svc.clock.now())
        return await query(svc, call.actor, code)

    async def rate_service(call: FlowCall) -> list[str]:
        code = code_of(call) or await svc.queries.latest_awaiting_rating(call.actor)
        said = re.sub(r"(?i)gd\d{13}", "", call.written)
        level = str(call.entities.get("rating") or call.text)
        # "不满意" after "点解冇人打电话畀我": what was said against the answer is the reason
        reason = rating_reason(said) or (kept_reason(call.session, code, svc.clock.now()) if code else "")
        if code and reason and rating_level(level) is None:  # the level is asked first: the reason waits for it
            remember_reason(call.session, code, reason, svc.clock.now())
        return await rate(svc, call.actor, code, level, reason)

    async def ticket_of(call: FlowCall, status: Status | None) -> str | Outcome:
        """The ticket named, else the one just looked at ("第一张讲咩", then "呢单唔关我哋事，要退返去"), else the
        department's only open one (in ``status``, the one the action needs: "签收" offers only those waiting to be
        signed for), else a choice among them."""
        code = code_of(call)
        if code:
            return code
        open_ = await svc.queries.department_todo(call.actor)
        if not open_:
            return Outcome.say("本部门目前没有待办工单。如要处理其他工单，请说明工单编号（GD 开头，共 15 位）。")
        fit = [x for x in open_ if status is None or x.status == status]
        what = f"{_WAITING_FOR[status]}的工单" if status else "待办工单"
        if not fit:
            return Outcome.say(f"本部门目前没有{what}。如要处理其他工单，请说明工单编号（GD 开头，共 15 位）。")
        shown = shown_ticket(call.session, svc.clock.now())
        if shown and any(x.code == shown for x in fit):
            return shown
        if len(fit) == 1:
            return fit[0].code
        return offer(call, "ticket_id", [(x.code, f"{x.code}（{x.kind}）{x.content[:20]}") for x in fit], what)

    def on_ticket(fn: Callable[[FlowCall, str], Awaitable[list[str]]], status: Status | None = None) -> FlowHandler:
        async def run(call: FlowCall) -> Outcome:
            code = await ticket_of(call, status)
            if isinstance(code, Outcome):
                return code
            remember_shown(call.session, code, svc.clock.now())  # "已经派人去查…" next may be its result
            return Outcome.say(*await fn(call, code))

        return run

    async def accept_ticket(call: FlowCall, code: str) -> list[str]:
        return await sign(svc, call.actor, code)

    async def return_(call: FlowCall, code: str) -> list[str]:
        return await return_ticket(svc, call.actor, code, remainder(call.written, code), call.session)

    async def reply_ticket(call: FlowCall, code: str) -> list[str]:
        return await reply(svc, call.actor, code, remainder(call.written, code))

    flows.register("accept_ticket", on_ticket(accept_ticket, Status.DISPATCHED))
    returning = on_ticket(return_)

    async def return_or_review(call: FlowCall) -> Outcome:
        """A dispatcher's "睇下啲退单", "有冇退单要审核" (Rasa: return_ticket): the objections waiting for their
        review, shown with the queue, not a 退单 of their own."""
        if call.actor.roles & DISPATCHERS and asks_why_returned(call.text):
            said = await objection_reasons_text(svc, code_of(call), written=bool(find_code(call.text)))
            return Outcome.say(said)  # "第一张点解退", "佢哋退单嘅理由系咩"
        if call.actor.roles & DISPATCHERS and not code_of(call) and _REVIEW_WORDS.search(call.text):
            return Outcome.say(await queue_text(svc, call.actor, call.session))
        return await returning(call)

    flows.register("return_ticket", return_or_review)
    flows.register("reply_ticket", on_ticket(reply_ticket, Status.HANDLING))

    async def extend_ticket(call: FlowCall) -> list[str]:
        code = code_of(call)
        return await extend(svc, call.actor, code, parse_days(call.text), remainder(call.text, code))

    async def urge_ticket(call: FlowCall) -> Outcome:
        """A code: urge it. A department named: urge its overdue tickets. Else the only overdue ticket, all of
        them when asked ("催办所有超期工单"), or a choice."""
        code = code_of(call)
        if code:
            return Outcome.say(*await urge(svc, call.actor, code, remainder(call.text, code)))
        department = await named_department(svc, call)
        if department:
            return Outcome.say(*await _run(urge_department(svc, call.actor, department, "")))
        listed = fresh_entry(call.session, LISTED, svc.clock.now(), LISTED_TTL)
        if listed and listed.get("entity") == "ticket_id" and _THEM.search(call.text):
            # "帮我催下佢哋" after "睇下城管局啲超期单": the tickets just listed
            codes = [c for c in listed.get("options", "").split(",") if c]
            return Outcome.say("\n".join([line for c in codes for line in await urge(svc, call.actor, c)]))
        late = await svc.queries.due_before(svc.clock.now())
        if not late:
            return Outcome.say("目前没有超期工单。如要催办某张工单，请说明工单编号（GD 开头，共 15 位）。")
        if len(late) == 1 or _ALL.search(call.text):
            lines = [line for t in late for line in await urge(svc, call.actor, t.code)]
            return Outcome.say("\n".join(lines))
        return offer(call, "ticket_id", [(t.code, choice_label(t)) for t in late], "超期工单")

    async def ticket_queue(call: FlowCall) -> list[str]:
        return [await queue_text(svc, call.actor, call.session)]

    async def overdue_tickets(call: FlowCall) -> list[str]:
        text = await overdue_text(svc, call.actor, await named_department(svc, call), call.session)
        if _ALERT_WORDS.search(call.text) and alerts_queries.may_read(call.actor):
            # "有冇咩预警": the overdue tickets are one warning; the 未诉先办 topic alerts are the other.
            text += await _topic_alerts_line(svc, call.actor)
        return [text]

    async def to_dispatch(call: FlowCall) -> str | Outcome:
        """The ticket named, else the one just looked at (if it waits for dispatch), else the only waiting one,
        else a choice among them."""
        code = code_of(call)
        if code:
            return code
        waiting = await svc.queries.queue()
        shown = shown_ticket(call.session, svc.clock.now())
        if shown and any(t.code == shown for t in waiting):
            return shown
        if not waiting:
            return Outcome.say("目前没有待派单的工单。如要改派某张工单，请说明工单编号（GD 开头，共 15 位）。")
        if len(waiting) == 1:
            return waiting[0].code
        return offer(
            call, "ticket_id", [(t.code, f"{t.code}（{t.kind}）{t.content[:20]}") for t in waiting], "待派单工单"
        )

    async def dispatch_ticket(call: FlowCall) -> Outcome:
        code = await to_dispatch(call)
        if isinstance(code, Outcome):
            return code
        remember_shown(call.session, code, svc.clock.now())
        if asks_where_to_dispatch(call.text):  # "第一张派去边好": advice, not an order
            return await dispatch_advice(svc, code, call.text)
        return Outcome.say(*await dispatch(svc, call.actor, code, await named_department(svc, call) or ""))

    flows.register("urge_ticket", urge_ticket)
    flows.register("dispatch_ticket", dispatch_ticket)
    flows.register("ticket_queue", texts(ticket_queue))
    flows.register("overdue_tickets", texts(overdue_tickets))

    async def query_stats(call: FlowCall) -> list[str]:
        return await stats(svc, call.actor, call.text)

    for name, fn in {
        "query_ticket": query_ticket,
        "rate_service": rate_service,
        "extend_ticket": extend_ticket,
        "query_stats": query_stats,
    }.items():
        flows.register(name, texts(fn))
    ticket_followup.register(flows, svc)


async def todo_line(tickets: TicketService | None, actor: Actor) -> str:
    """The tickets part of /待办: how many wait for this person, the first few, and where to see them all."""
    if tickets is None or not actor.person_id:
        return ""
    n = await tickets.queries.waiting_for(actor)
    if not n:
        return ""
    dispatcher = bool(actor.roles & DISPATCHERS)
    shown = await (
        tickets.queries.queue(TODO_SHOWN) if dispatcher else tickets.queries.department_todo(actor, TODO_SHOWN)
    )
    lines = [f"另有 {n} 张{'待派单' if dispatcher else '本部门待办'}工单："]
    lines += [
        f"· {t.code}（{t.kind}）" + ("" if dispatcher else f"期限 {fmt_time(t.deadline_at)}：") + t.content[:20]
        for t in shown
    ]
    lines.append("发送 /工单队列 查看" + ("全部" if n > len(shown) else "详情") + "。")
    return "\n".join(lines)


TODO_SHOWN = 5  # tickets listed in /待办 (the rest: /工单队列)
