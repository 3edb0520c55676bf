"""Office flows in chat: explicit commands (work without the NLU) and the NLU intents' flow handlers.

Commands: /待办 /同意 /退回 /转交 /加签 /公文 /重新提交 /发文 /收文 /验章 (documents);
/预约会议 /参加 /请假 /取消会议 /改期 /纪要 /我的会议 (meetings); /发通知 /通知 /签收情况 /催阅 /我的通知.
Free text reaches the same code through FlowRegistry (``register_flows``). A booking that conflicts
leaves its alternatives in the session (``office_booking``) and a reply with a number books one.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.handlers import CommandHandler, Context, Handler, MessageHandler
from bot.kb_handlers import picked_number
from bot.messages import Reply
from bot.ticket_handlers import todo_line
from integrations.flows import FlowCall, FlowRegistry
from kernel.identity import Actor
from nlu.booking import parse_booking
from nlu.entities import DOC_ID, MEETING_ID
from nlu.timeparse import parse_time
from office_flows.common import OfficeError
from office_flows.documents.service import CLASSIFIED, UNCLASSIFIED, URGENCIES, fmt
from office_flows.meetings.service import DEFAULT_MINUTES, Request
from office_flows.services import Office
from office_flows.tickets.service import TicketService

BOOKING = "office_booking"
_CANCEL = re.compile(r"^(取消|算了|不用了|不订了)[。.!！]*$")
# 加签 is told apart from 转交 by these words; anything else that hands a document over is 转交.
CONSULT_WORDS = re.compile(r"加签|征求|会签意见|提意见|把关|看看意见|听听意见")
DECLINE_WORDS = re.compile(r"请假|不参加|不能参加|无法参加|参加不了|去不了|来不了")
_LEAD = re.compile(r"^[\s，,。：:；;]+")

Action = Callable[[], Awaitable[str]]


async def _run(action: Action) -> str:
    try:
        return await action()
    except OfficeError as exc:
        return str(exc)


def _office(ctx: Context) -> Office:
    office: Office = ctx.services.office
    return office


def _usage(text: str) -> list[Reply]:
    return [Reply("用法：" + text)]


# --- documents ----------------------------------------------------------------------------------


async def todo_with_tickets(office: Office, tickets: TicketService | None, actor: Actor) -> str:
    text = await _run(lambda: todo_text(office, actor))
    line = await todo_line(tickets, actor)
    return f"{text}\n{line}" if line else text


async def todo_text(office: Office, actor: Actor) -> str:
    items = await office.documents.todo(actor)
    if not items:
        return "您目前没有待办公文。"
    lines = [f"您有 {len(items)} 件待办公文（按紧急程度和时限排序）："]
    for i, it in enumerate(items, start=1):
        behalf = f"，代{it.on_behalf_of}" if it.on_behalf_of else ""
        how = {"all": "会签", "any": "或签", "consult": "加签征求意见"}.get(it.mode, "审批")
        lines.append(
            f"{i}. [{it.urgency}] {it.doc_id}《{it.title}》— {it.step}（{how}{behalf}），"
            f"自 {fmt(it.since)} 起，时限 {fmt(it.due_at)}"
        )
    lines.append("回复“/同意 文号 意见”“/退回 文号 理由”“/转交 文号 姓名”或“/加签 文号 姓名”办理。")
    return "\n".join(lines)


async def delegate_text(office: Office, actor: Actor, doc_id: str, person: str, comment: str, consult: bool) -> str:
    if consult:
        return (await office.documents.consult(actor, doc_id, person, comment)).message
    return (await office.documents.transfer(actor, doc_id, person, comment)).message


async def cmd_todo(ctx: Context) -> list[Reply]:
    return [Reply(await todo_with_tickets(_office(ctx), ctx.services.tickets, ctx.actor))]


async def cmd_approve(ctx: Context) -> list[Reply]:
    if not ctx.args:
        return _usage("/同意 FW-2026-015 请办公室印发")
    comment = " ".join(ctx.args[1:])
    return [Reply(await _run(lambda: _msg(_office(ctx).documents.approve(ctx.actor, ctx.args[0], comment))))]


async def cmd_reject(ctx: Context) -> list[Reply]:
    if not ctx.args:
        return _usage("/退回 FW-2026-015 理由（退回上一环节：/退回 FW-2026-015 上一步 理由）")
    rest = ctx.args[1:]
    previous = bool(rest) and rest[0] in ("上一步", "上一环节")
    reason = " ".join(rest[1:] if previous else rest)
    docs = _office(ctx).documents
    return [Reply(await _run(lambda: _msg(docs.reject(ctx.actor, ctx.args[0], reason, to_previous=previous))))]


def _delegate_cmd(consult: bool) -> Callable[[Context], Awaitable[list[Reply]]]:
    async def cb(ctx: Context) -> list[Reply]:
        if len(ctx.args) < 2:
            return _usage(f"/{'加签' if consult else '转交'} FW-2026-015 李娜 说明（可省略）")
        doc_id, person, comment = ctx.args[0], ctx.args[1], " ".join(ctx.args[2:])
        return [Reply(await _run(lambda: delegate_text(_office(ctx), ctx.actor, doc_id, person, comment, consult)))]

    return cb


async def cmd_query(ctx: Context) -> list[Reply]:
    if not ctx.args:
        return _usage("/公文 FW-2026-015")
    return [Reply(await _run(lambda: _msg(_office(ctx).documents.query(ctx.actor, ctx.args[0]))))]


async def cmd_resubmit(ctx: Context) -> list[Reply]:
    if not ctx.args:
        return _usage("/重新提交 FW-2026-015 修改后的正文（正文不变可省略）")
    body = " ".join(ctx.args[1:])
    return [Reply(await _run(lambda: _msg(_office(ctx).documents.resubmit(ctx.actor, ctx.args[0], body))))]


def _register_cmd(kind: str) -> Callable[[Context], Awaitable[list[Reply]]]:
    async def cb(ctx: Context) -> list[Reply]:
        args = list(ctx.args)
        urgency, security = "平件", "非密"
        while args and (args[0] in URGENCIES or args[0] in CLASSIFIED or args[0] in UNCLASSIFIED):
            if args[0] in URGENCIES:
                urgency = args.pop(0)
            else:
                security = args.pop(0)
        if len(args) < 2:
            word = "发文" if kind == "FW" else "收文"
            return _usage(f"/{word} [特急|加急|平件] 标题 正文……（只办理非涉密公文）")
        title, body = args[0], " ".join(args[1:])
        docs = _office(ctx).documents
        return [
            Reply(
                await _run(
                    lambda: _msg(docs.register(ctx.actor, kind, title, body, urgency=urgency, security=security))
                )
            )
        ]

    return cb


async def cmd_verify(ctx: Context) -> list[Reply]:
    if not ctx.args:
        return _usage("/验章 FW-2026-015")

    async def go() -> str:
        v = await _office(ctx).documents.verify(ctx.args[0])
        return f"{ctx.args[0].upper()} 验证{'通过' if v.ok else '失败'}：{v.reason}"

    return [Reply(await _run(go))]


async def _msg(result: Awaitable[Any]) -> str:
    return str((await result).message)


# --- meetings -----------------------------------------------------------------------------------


async def book_text(office: Office, actor: Actor, text: str, session: dict[str, Any], entities: dict[str, Any]) -> str:
    now = office.clock.now()
    when: datetime | None = None
    if entities.get("time"):
        when = datetime.fromisoformat(str(entities["time"]))
    else:
        t = parse_time(text, now)
        when = t.value if t else None
    if when is None:
        return "请说明会议时间，例如：明天下午三点在三楼会议室开一小时会，请李娜参加，议题是汛期值班。"
    parsed = parse_booking(text, await office.meetings.room_names())
    room = parsed.room or entities.get("room")
    if not room:
        return "请说明在哪间会议室，可选：" + "、".join(await office.meetings.room_names()) + "。"
    people = parsed.people or ([entities["person"]] if entities.get("person") else [])
    req = Request(when, parsed.minutes or DEFAULT_MINUTES, room, people, parsed.topic)
    booking = await office.meetings.book(actor, req)
    if booking.alternatives:
        session[BOOKING] = [a.to_json() for a in booking.alternatives]
    else:
        session.pop(BOOKING, None)
    note = "" if parsed.minutes else f"（未说明时长，按 {DEFAULT_MINUTES} 分钟预约）"
    return booking.outcome.message + note


async def cmd_book(ctx: Context) -> list[Reply]:
    if not ctx.args:
        return _usage("/预约会议 明天下午三点在三楼会议室开一小时会，请李娜、刘洋参加，议题是汛期值班")
    text = " ".join(ctx.args)
    return [Reply(await _run(lambda: book_text(_office(ctx), ctx.actor, text, ctx.session, {})))]


def has_booking_choice(ctx: Context) -> bool:
    return BOOKING in ctx.session and (picked_number(ctx.text) is not None or bool(_CANCEL.match(ctx.text)))


async def choose_booking(ctx: Context) -> list[Reply]:
    options = ctx.session.pop(BOOKING)
    if _CANCEL.match(ctx.text):
        return [Reply("好的，已放弃本次会议预约。")]
    n = picked_number(ctx.text) or 0
    if not 1 <= n <= len(options):
        ctx.session[BOOKING] = options
        return [Reply(f"请回复 1 到 {len(options)} 之间的序号，或回复“取消”。")]

    async def go() -> str:
        booking = await _office(ctx).meetings.book(ctx.actor, Request.from_json(options[n - 1]))
        if booking.alternatives:  # taken meanwhile: offer the fresh alternatives
            ctx.session[BOOKING] = [a.to_json() for a in booking.alternatives]
        return booking.outcome.message

    return [Reply(await _run(go))]


def rsvp_text(office: Office, actor: Actor, meeting_id: str, accept: bool, reason: str) -> Action:
    return lambda: _msg(office.meetings.rsvp(actor, meeting_id, accept, reason))


def _rsvp_cmd(accept: bool) -> Callable[[Context], Awaitable[list[Reply]]]:
    async def cb(ctx: Context) -> list[Reply]:
        if not ctx.args:
            return _usage("/参加 HY-2026-0042" if accept else "/请假 HY-2026-0042 出差")
        reason = " ".join(ctx.args[1:])
        return [Reply(await _run(rsvp_text(_office(ctx), ctx.actor, ctx.args[0], accept, reason)))]

    return cb


async def cmd_cancel_meeting(ctx: Context) -> list[Reply]:
    if not ctx.args:
        return _usage("/取消会议 HY-2026-0042 原因（可省略）")
    reason = " ".join(ctx.args[1:])
    return [Reply(await _run(lambda: _msg(_office(ctx).meetings.cancel(ctx.actor, ctx.args[0], reason))))]


async def cmd_reschedule(ctx: Context) -> list[Reply]:
    if len(ctx.args) < 2:
        return _usage("/改期 HY-2026-0042 后天上午十点")
    t = parse_time(" ".join(ctx.args[1:]), _office(ctx).clock.now())
    if t is None:
        return [Reply("没有识别到新的会议时间，例如：/改期 HY-2026-0042 后天上午十点")]
    return [Reply(await _run(lambda: _msg(_office(ctx).meetings.reschedule(ctx.actor, ctx.args[0], t.value))))]


async def cmd_minutes(ctx: Context) -> list[Reply]:
    if len(ctx.args) < 2:
        return _usage("/纪要 HY-2026-0042 会议决定……")
    text = " ".join(ctx.args[1:])
    return [Reply(await _run(lambda: _msg(_office(ctx).meetings.attach_minutes(ctx.actor, ctx.args[0], text))))]


async def cmd_my_meetings(ctx: Context) -> list[Reply]:
    return [Reply(await _run(lambda: _msg(_office(ctx).meetings.mine(ctx.actor))))]


# --- notices ------------------------------------------------------------------------------------


async def cmd_publish(ctx: Context) -> list[Reply]:
    if len(ctx.args) < 3:
        return _usage("/发通知 对象（部门或人员，用、分隔） 标题 正文……")
    targets = [t for t in re.split(r"[、,，]", ctx.args[0]) if t]
    title, body = ctx.args[1], " ".join(ctx.args[2:])
    return [Reply(await _run(lambda: _msg(_office(ctx).notices.publish(ctx.actor, targets, title, body))))]


def _notice_cmd(name: str, usage: str) -> Callable[[Context], Awaitable[list[Reply]]]:
    async def cb(ctx: Context) -> list[Reply]:
        if not ctx.args and name != "unread_for":
            return _usage(usage)
        notices = _office(ctx).notices
        if name == "unread_for":
            return [Reply(await _run(lambda: _msg(notices.unread_for(ctx.actor))))]
        method = getattr(notices, name)
        return [Reply(await _run(lambda: _msg(method(ctx.actor, ctx.args[0]))))]

    return cb


OFFICE_HELP = (
    "移动办公命令（也可以直接用自然语言说）：\n"
    "公文：/待办　/同意 文号 意见　/退回 文号 理由（退回上一环节：/退回 文号 上一步 理由）\n"
    "　　　/转交 文号 姓名（任务交给对方办理）　/加签 文号 姓名（征求对方意见后回到您这里）\n"
    "　　　/公文 文号（在哪、谁在办、从何时起）　/重新提交 文号 新正文　/验章 文号\n"
    "　　　/发文 [特急|加急] 标题 正文　/收文 [特急|加急] 标题 正文（仅限非涉密公文）\n"
    "会议：/预约会议 明天下午三点在三楼会议室开一小时会，请李娜参加，议题是汛期值班\n"
    "　　　/参加 会议编号　/请假 会议编号 理由　/改期 会议编号 新时间　/取消会议 会议编号 原因\n"
    "　　　/纪要 会议编号 内容　/我的会议\n"
    "通知：/发通知 部门或人员 标题 正文　/通知 编号　/签收情况 编号　/催阅 编号　/我的通知"
)


async def cmd_help(ctx: Context) -> list[Reply]:
    return [Reply(OFFICE_HELP)]


def handlers() -> list[Handler]:
    return [
        MessageHandler(has_booking_choice, choose_booking),
        CommandHandler({"办公帮助", "办公"}, cmd_help),
        CommandHandler({"待办", "我的待办"}, cmd_todo),
        CommandHandler({"同意"}, cmd_approve),
        CommandHandler({"退回"}, cmd_reject),
        CommandHandler({"转交"}, _delegate_cmd(consult=False)),
        CommandHandler({"加签"}, _delegate_cmd(consult=True)),
        CommandHandler({"公文"}, cmd_query),
        CommandHandler({"重新提交"}, cmd_resubmit),
        CommandHandler({"发文"}, _register_cmd("FW")),
        CommandHandler({"收文"}, _register_cmd("SW")),
        CommandHandler({"验章"}, cmd_verify),
        CommandHandler({"预约会议", "订会议室"}, cmd_book),
        CommandHandler({"参加"}, _rsvp_cmd(accept=True)),
        CommandHandler({"请假"}, _rsvp_cmd(accept=False)),
        CommandHandler({"取消会议"}, cmd_cancel_meeting),
        CommandHandler({"改期"}, cmd_reschedule),
        CommandHandler({"纪要"}, cmd_minutes),
        CommandHandler({"我的会议"}, cmd_my_meetings),
        CommandHandler({"发通知"}, cmd_publish),
        CommandHandler({"通知"}, _notice_cmd("read", "/通知 TZ-2026-001")),
        CommandHandler({"签收情况"}, _notice_cmd("receipts", "/签收情况 TZ-2026-001")),
        CommandHandler({"催阅"}, _notice_cmd("remind_unread", "/催阅 TZ-2026-001")),
        CommandHandler({"我的通知"}, _notice_cmd("unread_for", "")),
    ]


# --- free text through the NLU ------------------------------------------------------------------


def _after(pattern: re.Pattern[str], text: str) -> str:
    m = pattern.search(text.upper())
    return _LEAD.sub("", text[m.end() :]).strip() if m else ""


def register_flows(registry: FlowRegistry, office: Office, tickets: TicketService | None = None) -> None:
    async def list_todo(call: FlowCall) -> list[str]:
        return [await todo_with_tickets(office, tickets, call.actor)]

    async def approve(call: FlowCall) -> list[str]:
        comment = _after(DOC_ID, call.text)
        return [await _run(lambda: _msg(office.documents.approve(call.actor, call.entities["doc_id"], comment)))]

    async def reject(call: FlowCall) -> list[str]:
        reason = _after(DOC_ID, call.text)
        previous = "上一步" in call.text or "上一环节" in call.text
        reason = re.sub(r"^(退回)?(到)?(上一步|上一环节)[，,。\s]*", "", reason)
        docs = office.documents
        doc_id = call.entities["doc_id"]
        return [await _run(lambda: _msg(docs.reject(call.actor, doc_id, reason, to_previous=previous)))]

    async def delegate(call: FlowCall) -> list[str]:
        consult = bool(CONSULT_WORDS.search(call.text))
        doc_id, person = call.entities["doc_id"], str(call.entities["person"])
        answer = await _run(lambda: delegate_text(office, call.actor, doc_id, person, "", consult))
        hint = (
            "（按“加签”理解：对方提出意见后任务回到您这里；如要把任务整个交给对方，请用 /转交。）"
            if consult
            else "（按“转交”理解：任务由对方办理；如只想征求对方意见，请说“加签”或用 /加签。）"
        )
        return [answer + hint]

    async def query(call: FlowCall) -> list[str]:
        return [await _run(lambda: _msg(office.documents.query(call.actor, call.entities["doc_id"])))]

    async def book(call: FlowCall) -> list[str]:
        return [await _run(lambda: book_text(office, call.actor, call.text, call.session, call.entities))]

    async def cancel(call: FlowCall) -> list[str]:
        reason = _after(MEETING_ID, call.text)
        return [await _run(lambda: _msg(office.meetings.cancel(call.actor, call.entities["meeting_id"], reason)))]

    async def mine(call: FlowCall) -> list[str]:
        return [await _run(lambda: _msg(office.meetings.mine(call.actor)))]

    async def rsvp(call: FlowCall) -> list[str]:
        m = DECLINE_WORDS.search(call.text)
        reason = _LEAD.sub("", call.text[m.end() :]).strip() if m else ""
        reason = reason or (_after(MEETING_ID, call.text) if m else "")
        reason = re.sub(r"^(因为|因|由于)", "", reason)
        return [await _run(rsvp_text(office, call.actor, call.entities["meeting_id"], m is None, reason))]

    for intent, handler in {
        "list_todo": list_todo,
        "approve_document": approve,
        "reject_document": reject,
        "delegate_task": delegate,
        "query_document": query,
        "book_meeting": book,
        "cancel_meeting": cancel,
        "query_meetings": mine,
        "rsvp_meeting": rsvp,
    }.items():
        registry.register(intent, handler)
