"""Office commands in chat (they work without the NLU); the answers are the office chat faces'
(``integrations.documents`` / ``meetings``), which the NLU intents reach through the registry.

Commands: /待办 /同意 /退回 /转交 /加签 /公文 /重新提交 /发文 /收文 /验章 (documents);
/预约会议 /参加 /请假 /取消会议 /改期 /纪要 /我的会议 (meetings); /发通知 /通知 /签收情况 /催阅 /我的通知.
A booking that conflicts leaves its alternatives in the session (``integrations.meetings.BOOKING``)
and a reply with a number books one. Right after a booking, a corrected time or more people change that
meeting (``integrations.meetings.FOCUS``); a cancellation said in words waits for a yes or a no.
"""

from __future__ import annotations

import re

from bot import office_drafts
from bot.handlers import Callback, CommandHandler, Context, Handler, Match, MessageHandler, is_command
from bot.kb_handlers import picked_number
from bot.messages import Reply
from integrations.arbitration import is_question
from integrations.documents import delegate_text, todo_with_tickets
from integrations.meetings import (
    BOOKING,
    DRAFT,
    adds_to_draft,
    amend_focus,
    amends_focus,
    book_offered,
    book_text,
    cancel_asked_again,
    confirm_cancel,
    continue_draft,
    has_draft,
    rsvp_text,
    wants_cancel,
)
from integrations.office_common import message_of, run
from knowledge_base.normalize import tidy_text
from nlu.agreeing import agrees
from nlu.giving_up import drops_booking, is_cancel
from nlu.timeparse import parse_time
from office_flows.documents.service import CLASSIFIED, UNCLASSIFIED, URGENCIES
from office_flows.office import Office

_KEEP = re.compile(r"^(不用|不要|算了|保留|唔[好使要]|(?:先|暂时)?(?:不|唔)取消|否|不|毋使)(了|啦|吧|喇)?[。.!！]*$")
# The cancellation confirmed in its own word: "取消佢", "系，取消", "帮我取消咗个会" (a bare "取消" is asked again).
_CANCEL_IT = re.compile(
    r"^(?:(?:系|是|对|好|嗯|冇错|没错)[，,\s]*)?(?:帮我|同我|就|要)?取消(?:咗|掉|了)?"
    r"(?:佢|它|会议|呢个会|这个会|个会|嗰个会|那个会)[吧啦了喇。.!！]*$|"
    r"^(?:系|是|对|好|嗯|冇错|没错)[，,\s]*(?:就|要)?取消(?:吧|啦|喇|佢)?[。.!！]*$"
)


def _office(ctx: Context) -> Office:
    office = ctx.services.office
    assert office is not None, "office commands are registered only when the office flows are"
    return office


def _usage(text: str) -> list[Reply]:
    return [Reply("用法：" + text)]


# --- documents ----------------------------------------------------------------------------------


async def cmd_todo(ctx: Context, m: Match) -> list[Reply]:
    return [Reply(await todo_with_tickets(_office(ctx), ctx.services.tickets, ctx.actor, ctx.session))]


async def cmd_approve(ctx: Context, m: Match) -> list[Reply]:
    if not m.args:
        return _usage("/同意 FW-2026-015 请办公室印发")
    comment = m.tail(1)
    return [Reply(await run(lambda: message_of(_office(ctx).documents.approve(ctx.actor, m.args[0], comment))))]


async def cmd_reject(ctx: Context, m: Match) -> list[Reply]:
    if not m.args:
        return _usage("/退回 FW-2026-015 理由（退回上一环节：/退回 FW-2026-015 上一步 理由）")
    rest = m.args[1:]
    previous = bool(rest) and rest[0] in ("上一步", "上一环节")
    reason = m.tail(2 if previous else 1)
    docs = _office(ctx).documents
    return [Reply(await run(lambda: message_of(docs.reject(ctx.actor, m.args[0], reason, to_previous=previous))))]


def _delegate_cmd(consult: bool) -> Callback:
    async def cb(ctx: Context, m: Match) -> list[Reply]:
        if len(m.args) < 2:
            return _usage(f"/{'加签' if consult else '转交'} FW-2026-015 李娜 说明（可省略）")
        doc_id, person, comment = m.args[0], m.args[1], m.tail(2)
        return [Reply(await run(lambda: delegate_text(_office(ctx), ctx.actor, doc_id, person, comment, consult)))]

    return cb


async def cmd_query(ctx: Context, m: Match) -> list[Reply]:
    if not m.args:
        return _usage("/公文 FW-2026-015")
    return [Reply(await run(lambda: message_of(_office(ctx).documents.query(ctx.actor, m.args[0]))))]


async def cmd_resubmit(ctx: Context, m: Match) -> list[Reply]:
    if not m.args:
        return _usage("/重新提交 FW-2026-015 修改后的正文（正文不变可省略）")
    body = m.tail(1)
    return [Reply(await run(lambda: message_of(_office(ctx).documents.resubmit(ctx.actor, m.args[0], body))))]


def _register_cmd(kind: str) -> Callback:
    async def cb(ctx: Context, m: Match) -> list[Reply]:
        args = list(m.args)
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
                await run(
                    lambda: message_of(docs.register(ctx.actor, kind, title, body, urgency=urgency, security=security))
                )
            )
        ]

    return cb


async def cmd_verify(ctx: Context, m: Match) -> list[Reply]:
    if not m.args:
        return _usage("/验章 FW-2026-015")

    async def go() -> str:
        v = await _office(ctx).documents.verify(m.args[0])
        return f"{m.args[0].upper()} 验证{'通过' if v.ok else '失败'}：{v.reason}"

    return [Reply(await run(go))]


# --- meetings -----------------------------------------------------------------------------------


async def cmd_book(ctx: Context, m: Match) -> list[Reply]:
    if not m.args:
        return _usage("/预约会议 明天下午三点在三楼会议室开一小时会，请李娜、刘洋参加，议题是汛期值班")
    text = " ".join(m.args)
    return [Reply(await run(lambda: book_text(_office(ctx), ctx.actor, text, ctx.session, {})))]


def has_booking_draft(ctx: Context) -> bool:
    """A booking under way (time or room missing) and this turn adds to it; a question ("我听日有咩会") does not,
    though it names a day."""
    office = ctx.services.office
    if office is None or is_command(ctx.text) or is_question(ctx.text):
        return False
    now = ctx.services.clock.now()
    return has_draft(ctx.session, now) and adds_to_draft(ctx.text, office.meetings.known_room_names(), now)


# "取消听日个会", "帮我取消个会" while the booking is still being made: that booking, which is not made yet.
_CANCELS_A_MEETING = re.compile(r"^(?:帮我|同我|我想|我要|麻烦)?(?:取消|唔开|不开)(?!.*HY-)[^，,。]{0,8}会")


def drops_booking_draft(ctx: Context) -> bool:
    """A booking under way (time or room missing) given up: "取消", "算了唔订了", "不开会了", "取消听日个会"."""
    if not has_draft(ctx.session, ctx.services.clock.now()):
        return False
    return drops_booking(ctx.text) or bool(_CANCELS_A_MEETING.match(ctx.text.upper()))


async def drop_booking_draft(ctx: Context, m: Match) -> list[Reply]:
    ctx.session.pop(DRAFT, None)
    said = "好的，已放弃本次会议预约，没有预约任何会议室。"
    if _CANCELS_A_MEETING.match(ctx.text.upper()):
        said += "如要取消已经预约的会议，请说“我听日有咩会”查看，再说明会议编号。"
    return [Reply(said)]


def confirms_booking_draft(ctx: Context) -> bool:
    """ "确认" while the booking still lacks its time or room: nothing is booked yet."""
    return has_draft(ctx.session, ctx.services.clock.now()) and agrees(ctx.text)


async def ask_rest_of_booking(ctx: Context, m: Match) -> list[Reply]:
    rest = await continue_draft(_office(ctx), ctx.actor, ctx.session, "")
    return [Reply("会议还没有预约好。" + rest.removeprefix("好的，"))]


async def continue_booking(ctx: Context, m: Match) -> list[Reply]:
    return [Reply(await continue_draft(_office(ctx), ctx.actor, ctx.session, tidy_text(ctx.message.text)))]


def amends_booked_meeting(ctx: Context) -> bool:
    """Right after a booking: a corrected time ("唔系三点，系四点") or more people ("叫埋李娜同刘洋")."""
    if ctx.services.office is None or is_command(ctx.text):
        return False
    rooms = ctx.services.office.meetings.known_room_names()
    return amends_focus(ctx.session, ctx.text, ctx.services.clock.now(), rooms)


async def amend_booked_meeting(ctx: Context, m: Match) -> list[Reply]:
    return [Reply(await amend_focus(_office(ctx), ctx.actor, ctx.session, tidy_text(ctx.message.text)))]


def answers_cancel_question(ctx: Context) -> bool:
    """A yes or a no to "确认取消会议……吗？"."""
    if not wants_cancel(ctx.session, ctx.services.clock.now()):
        return False
    text = ctx.text
    return agrees(text) or bool(_KEEP.match(text) or _CANCEL_IT.match(text)) or is_cancel(text)


async def answer_cancel_question(ctx: Context, m: Match) -> list[Reply]:
    if _KEEP.match(ctx.text):
        yes = False
    elif agrees(ctx.text) or _CANCEL_IT.match(ctx.text):
        yes = True
    else:  # a bare "取消": of the meeting, or of the question?
        return [Reply(cancel_asked_again(ctx.session))]
    return [Reply(await confirm_cancel(_office(ctx), ctx.actor, ctx.session, yes))]


def has_booking_choice(ctx: Context) -> bool:
    return BOOKING in ctx.session and (picked_number(ctx.text) is not None or is_cancel(ctx.text))


async def choose_booking(ctx: Context, m: Match) -> list[Reply]:
    if is_cancel(ctx.text):
        ctx.session.pop(BOOKING, None)
        return [Reply("好的，已放弃本次会议预约。")]
    return [Reply(await book_offered(_office(ctx), ctx.actor, ctx.session, picked_number(ctx.text) or 0))]


def _rsvp_cmd(accept: bool) -> Callback:
    async def cb(ctx: Context, m: Match) -> list[Reply]:
        if not m.args:
            return _usage("/参加 HY-2026-0042" if accept else "/请假 HY-2026-0042 出差")
        reason = m.tail(1)
        return [Reply(await run(rsvp_text(_office(ctx), ctx.actor, m.args[0], accept, reason)))]

    return cb


async def cmd_cancel_meeting(ctx: Context, m: Match) -> list[Reply]:
    if not m.args:
        return _usage("/取消会议 HY-2026-0042 原因（可省略）")
    reason = m.tail(1)
    return [Reply(await run(lambda: message_of(_office(ctx).meetings.cancel(ctx.actor, m.args[0], reason))))]


async def cmd_reschedule(ctx: Context, m: Match) -> list[Reply]:
    if len(m.args) < 2:
        return _usage("/改期 HY-2026-0042 后天上午十点")
    t = parse_time(m.tail(1), _office(ctx).clock.now())
    if t is None:
        return [Reply("没有识别到新的会议时间，例如：/改期 HY-2026-0042 后天上午十点")]
    return [Reply(await run(lambda: message_of(_office(ctx).meetings.reschedule(ctx.actor, m.args[0], t.value))))]


async def cmd_minutes(ctx: Context, m: Match) -> list[Reply]:
    if len(m.args) < 2:
        return _usage("/纪要 HY-2026-0042 会议决定……")
    text = m.tail(1)
    return [Reply(await run(lambda: message_of(_office(ctx).meetings.attach_minutes(ctx.actor, m.args[0], text))))]


async def cmd_my_meetings(ctx: Context, m: Match) -> list[Reply]:
    return [Reply(await run(lambda: message_of(_office(ctx).meetings.mine(ctx.actor))))]


# --- notices ------------------------------------------------------------------------------------


async def cmd_publish(ctx: Context, m: Match) -> list[Reply]:
    if len(m.args) < 3:
        return _usage("/发通知 对象（部门或人员，用、分隔） 标题 正文……")
    targets = [t for t in re.split(r"[、,，]", m.args[0]) if t]
    title, body = m.args[1], m.tail(2)
    return [Reply(await run(lambda: message_of(_office(ctx).notices.publish(ctx.actor, targets, title, body))))]


def _notice_cmd(name: str, usage: str) -> Callback:
    async def cb(ctx: Context, m: Match) -> list[Reply]:
        if not m.args and name != "unread_for":
            return _usage(usage)
        notices = _office(ctx).notices
        if name == "unread_for":
            return [Reply(await run(lambda: message_of(notices.unread_for(ctx.actor))))]
        method = getattr(notices, name)
        return [Reply(await run(lambda: message_of(method(ctx.actor, m.args[0]))))]

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


async def cmd_help(ctx: Context, m: Match) -> list[Reply]:
    return [Reply(OFFICE_HELP)]


def handlers() -> list[Handler]:
    return [
        MessageHandler(has_booking_choice, choose_booking),
        MessageHandler(drops_booking_draft, drop_booking_draft),
        MessageHandler(confirms_booking_draft, ask_rest_of_booking),
        MessageHandler(has_booking_draft, continue_booking),
        *office_drafts.handlers(),
        MessageHandler(answers_cancel_question, answer_cancel_question),
        MessageHandler(amends_booked_meeting, amend_booked_meeting),
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
