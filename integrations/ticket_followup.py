"""A citizen's follow-up on their own ticket, as chat: 补充诉求, 催单, 撤单, 更正联系电话 and 更正事发地址
(office_flows/tickets/followup.py).

Without a code the citizen's only open ticket is meant; with several they are offered as numbered choices
(``integrations.context.offer``). Four answers wait for the next message in the session (``STEP``, ten
minutes): the content of a supplement announced without it ("我想补充一下"), the confirmation of a
withdrawal ("确认撤回工单 GD…？" → "确认"), the new number of a phone change announced without it
("我想改下电话"), and the new place of an address correction announced without it ("地址写错了"). The bot
hands that message to ``continue_step``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from datetime import datetime, timedelta

from integrations.context import fresh_entry, offer
from integrations.contract import Answer, Choice, FlowCall, IntentRegistry, Outcome, SessionData
from kernel.identity import Actor
from nlu.asking import asks_how_long
from nlu.correcting import corrected_address, gives_place
from nlu.entities import phone_in
from nlu.giving_up import is_cancel, keeps_it
from office_flows.tickets.codes import CODE
from office_flows.tickets.errors import TicketError
from office_flows.tickets.followup import FollowUp, TicketClosed
from office_flows.tickets.models import Ticket
from office_flows.tickets.phones import mask_phone
from office_flows.tickets.queries import fmt_time
from office_flows.tickets.service import TicketService
from office_flows.tickets.states import LABELS, OPEN, Status

STEP = "ticket_followup"  # {"step": "supplement" | "withdraw" | "phone" | "address", "code", "reason", "at"}
STEP_TTL = timedelta(minutes=10)
MIN_CONTENT = 4

_CLAUSES = re.compile(r"[，,。.；;：:！!？?\s]+")
# The announcing clause of a supplement ("我想补充一下", "补充几句", "𠊎要补充啲嘢", "再讲多句"): a verb of adding,
# with the speaker's modal words before it and a measure of words after it, and nothing else.
_TO_YOU = r"(?:(?:跟|同|给|向|和|畀|俾)(?:你们|你哋|你|佢哋|部门))?"
_ADD_VERB = r"(?:补充|补冲|补多|追加|补|讲多|说多|再讲|再说|加多|添加|增加)"
_ANNOUNCE = re.compile(
    r"^(?:我|𠊎|俺|偶|我哋|我们)?(?:还|仲|再|想|要|需要|得|系|係|可以|可唔可以|可不可以|能不能)*"
    + _TO_YOU
    + _ADD_VERB
    + r"(?:多)?(?:一下|一点|一句|几句|两句|下|啲|些|个|句)?(?:嘢|野|东西|情况|内容|说明|诉求|资料|信息)?"
    r"(?:给你们|俾你哋|畀你哋|给你)?(?:吧|呀|啊|哈|喔|喇|啦|嘛|先)?$"
)
# "我仲有嘢要讲", "还有点情况要说", "𠊎还有滴事爱讲": having more to say, without saying it.
_HAVE_MORE = re.compile(
    r"^(?:我|𠊎|俺|我哋|我们)?(?:还|仲|另外|再)?有(?:啲|些|点|滴|个|一个|几个|一点)?(?:嘢|野|情况|事|事情|东西|话|问题|内容)"
    r"(?:想|要|爱|需要)?(?:讲|说|补充|反映|告诉你们|同你讲|话你知)?(?:下|一下)?(?:吧|呀|啊|喔|喇|啦)?$"
)
_ANNOUNCE_LEAD = re.compile(
    r"^(?:我|𠊎|俺)?(?:还|仲|再|想|要|需要)*"
    + _TO_YOU
    + _ADD_VERB
    + r"(?:一下|一点|说明|情况|内容|一句)?(?:就是|系|是)?"
)
_TICKET_WORDS = re.compile(
    r"^(?:关于|对于|就)?(?:我的|我嘅|𠊎嘅|我那张|我个|呢张|这张|那张)?(?:工单|单|投诉|诉求)?(?:号)?$"
)
# Saying one no longer wants to file ("我不想投诉了", "唔投诉喇", "𠊎毋想投诉了"): a negation before a filing verb.
# The negation opens its clause (after a subject or an adverb) and the clause ends with the verb or a final particle:
# "我要举报不登记的黑车" files a report.
_NEGATED_FILING = re.compile(
    r"(?:^|[，,。.!！;；\s])(?:算了|算啦|算咯)?(?:我|𠊎|俺|我哋|我们)?(?:都|就|还是|已经|现在)?"
    r"(?:不|唔|毋|冇|无|别|莫)(?:想|要|使|用|再|需要|打算|准备)*(?:投诉|举报|反映|登记|告)"
    r"(?:[^，,。.!！?？;；\s吗嘛呢]{0,8}?(?:了|喇|啦|咯|嘞|吧|啰|罗|咗))?(?=$|[，,。.!！;；\s])"
)
_YES = re.compile(
    r"^(?:确认|确定|是的?|对的?|好的?|可以|行|嗯+|ok|okay|系|係|冇问题|没问题|无问题|撤|撤回|撤吧|撤销)"
    r"(?:撤回|撤单|撤销|吧|啦|喇|的|了|呀|啊)*$",
    re.I,
)
_DIGITS = re.compile(r"[\d\s+-]{3,}")  # what was meant as a phone number
_NO = re.compile(r"^(?:不|唔|否|冇|无|别|先不|暂时不|还是不|算了|取消|继续|不用|不要|唔使|唔要)")


def negates_filing(text: str) -> bool:
    """Whether the message says the citizen no longer wants to file (then a withdrawal is offered)."""
    return bool(_NEGATED_FILING.search(text))


def supplement_content(text: str) -> str:
    """What a supplement adds, without its announcing words and the ticket code ("" when only announced)."""
    text = re.sub(r"(?i)gd\d{13}", " ", text)
    clauses = [c for c in _CLAUSES.split(text.strip()) if c]
    kept = [c for c in clauses if not (_ANNOUNCE.match(c) or _HAVE_MORE.match(c) or _TICKET_WORDS.match(c))]
    if kept and kept[0] == clauses[0]:
        kept[0] = _ANNOUNCE_LEAD.sub("", kept[0])
    content = "，".join(c for c in kept if c)
    return content if len(content) >= MIN_CONTENT else ""


def _code_of(call: FlowCall) -> str:
    named = call.entities.get("ticket_id")
    if named:
        return str(named).upper()
    m = CODE.search(call.text.upper())
    return m.group(0) if m else ""


def _label(t: Ticket) -> str:
    return f"{t.code}（{t.kind}）{t.content[:20]}"


async def own_ticket(
    svc: TicketService, call: FlowCall, what: str, *, rectifying: bool = False, answered: bool = False
) -> str | Outcome:
    """The ticket named, else the citizen's only open one (with ``rectifying``, also one under rectification;
    with ``answered``, also one waiting for its callback), else a choice among them; with none, what fits their
    latest ticket (a rating to give, a new ticket to file)."""
    code = _code_of(call)
    if code:
        return code
    open_ = await svc.followup.open_tickets(call.actor, rectifying=rectifying, answered=answered)
    if len(open_) == 1:
        return open_[0].code
    if open_:
        return offer(call, "ticket_id", [(t.code, _label(t)) for t in open_], "在办工单")
    latest = await svc.queries.citizen_tickets(call.actor, limit=1)
    if latest:
        t, status = latest[0], Status(latest[0].status)
        return _closed_outcome(
            TicketClosed(f"您名下没有在办的工单：最近的工单 {t.code} {LABELS[status]}，不能再{what}。", t.code, status)
        )
    return Outcome.say(f"没有查到您名下在办的工单，无需{what}。如用电话登记过，请发送工单编号（GD 开头，共 15 位）。")


def _deadline(view: FollowUp) -> str:
    if view.rectification_due is not None:
        return f"整改期限 {fmt_time(view.rectification_due)}"
    return fmt_time(view.deadline_at) if view.deadline_at else "派单后确定"


def _state(view: FollowUp) -> str:
    return "正在整改" if view.rectification_due is not None else LABELS[view.status]


def _closed_outcome(exc: TicketClosed) -> Outcome:
    """A follow-up of a closed ticket: what fits its state — a rating, or a new ticket."""
    if exc.status is Status.ANSWERED:
        text = f"{exc}工单已办结，请对办理结果评价；如不满意，我们会启动整改。"
        levels = ["满意", "基本满意", "不满意"]
        return Outcome([Answer(text, [Choice(x, x) for x in levels])])
    text = f"{exc}如有新的情况，可以重新登记工单，例如直接说“我要投诉……”。"
    return Outcome([Answer(text, [Choice("登记工单", "登记工单")])])


# --- supplement ------------------------------------------------------------------------------


async def supplement(svc: TicketService, call: FlowCall) -> Outcome:
    code = await own_ticket(svc, call, "补充", rectifying=True)
    if isinstance(code, Outcome):
        return code
    content = supplement_content(call.written)
    if not content:
        status = await svc.queries.status(code, call.actor)
        if status is None or (status.status not in OPEN and status.rectification_due is None):
            return await _store_supplement(svc, call.actor, code, "")  # says why nothing can be added
        _remember(call.session, svc, "supplement", code)
        return Outcome.say(
            f"好的，请问您要补充什么内容？请直接发给我，我会记到工单 {code} 上并转告办理部门。（回复“取消”可放弃）"
        )
    return await _store_supplement(svc, call.actor, code, content)


async def _how_long(svc: TicketService, actor: Actor, code: str) -> str:
    """How long the citizen's ticket takes: the district's time limit for its kind, its state and deadline."""
    view = await svc.queries.status(code, actor)
    if view is None:
        return ""
    if view.rectification_due is not None:
        return f"工单 {code} 正在整改，整改期限：{fmt_time(view.rectification_due)}，整改完成后您可以重新评价一次。"
    days = svc.rules.workdays.get(view.kind)
    limit = f"{view.kind}工单一般在 {days} 个工作日内办结。" if days else ""
    deadline = fmt_time(view.deadline_at) if view.deadline_at else "派单后确定"
    return f"{limit}工单 {code} 目前{LABELS[view.status]}，办理期限：{deadline}。"


async def _store_supplement(svc: TicketService, actor: Actor, code: str, content: str) -> Outcome:
    done = await _attempt(svc.followup.supplement(code, actor, content or "—"))
    if isinstance(done, Outcome):
        return done
    return Outcome.say(
        f"已将您的补充内容记入工单 {done.code}，并转告{done.holder}。"
        f"工单目前{_state(done)}，办理期限：{_deadline(done)}。"
    )


async def _attempt(work: Awaitable[FollowUp]) -> FollowUp | Outcome:
    """The follow-up done, or what to tell the citizen when it cannot be (closed, not theirs …)."""
    try:
        return await work
    except TicketClosed as exc:
        return _closed_outcome(exc)
    except TicketError as exc:
        return Outcome.say(str(exc))


# --- reminder ---------------------------------------------------------------------------------


async def remind(svc: TicketService, call: FlowCall) -> Outcome:
    code = await own_ticket(svc, call, "催办", rectifying=True)
    if isinstance(code, Outcome):
        return code
    return await remind_code(svc, call.actor, code)


async def remind_code(svc: TicketService, actor: Actor, code: str) -> Outcome:
    done = await _attempt(svc.followup.remind(code, actor))
    if isinstance(done, Outcome):
        return done
    return Outcome.say(
        f"已为您催办工单 {done.code}，已通知{done.holder}尽快办理。\n"
        f"当前状态：{_state(done)}\n办理期限：{_deadline(done)}\n"
        "办理结果会第一时间通知您；同一工单 24 小时内可催办一次。"
    )


# --- withdrawal -------------------------------------------------------------------------------


async def withdraw(svc: TicketService, call: FlowCall) -> Outcome:
    """撤单 asks for a confirmation first; the words said are kept as the reason. "唔好取消" (the NLU: cancel or
    withdraw) withdraws nothing."""
    if keeps_it(call.text):
        return Outcome.say("好的，不撤回，您的工单继续办理。还有什么可以帮您？")
    if not _code_of(call) and negates_filing(call.text) and not await svc.followup.open_tickets(call.actor):
        return Outcome.say("好的，不登记了。您目前没有在办的工单，无需撤回。还有什么可以帮您？")
    code = await own_ticket(svc, call, "撤回")
    if isinstance(code, Outcome):
        return code
    view = await svc.queries.status(code, call.actor)
    if view is None:
        return Outcome.say(f"没有找到您反映的工单 {code}，请核对编号。")
    if view.status not in OPEN:
        return _closed_outcome(TicketClosed(f"工单 {code} {LABELS[view.status]}，不能再撤回。", code, view.status))
    reason = re.sub(r"(?i)gd\d{13}", "", call.written).strip(" ，,。")
    _remember(call.session, svc, "withdraw", code, reason)
    text = (
        f"确认撤回工单 {code}（{view.kind}）吗？撤回后工单将关闭，办理部门不再处理，也无需评价。\n"
        "回复“确认”撤回，回复“取消”则继续办理。"
    )
    return Outcome([Answer(text, [Choice("确认撤回", "确认"), Choice("继续办理", "取消")])])


async def _store_withdrawal(svc: TicketService, actor: Actor, code: str, reason: str) -> Outcome:
    done = await _attempt(svc.followup.withdraw(code, actor, reason))
    if isinstance(done, Outcome):
        return done
    return Outcome.say(f"已撤回工单 {done.code}，工单已关闭，已通知相关部门不再办理。如以后还需要反映，随时告诉我。")


# --- phone change ---------------------------------------------------------------------------


async def change_phone(svc: TicketService, call: FlowCall) -> Outcome:
    """更正联系电话: the number said with it, else asked for (the next message)."""
    code = await own_ticket(svc, call, "更正电话", rectifying=True, answered=True)
    if isinstance(code, Outcome):
        return code
    number = phone_in(call.text)
    if number is None:
        _remember(call.session, svc, "phone", code)
        return Outcome.say(
            f"好的，请发送工单 {code} 新的联系电话（11 位手机号码，或带区号的固定电话）。（回复“取消”可放弃）"
        )
    return await _store_phone(svc, call.actor, code, number)


async def _store_phone(svc: TicketService, actor: Actor, code: str, number: str) -> Outcome:
    done = await _attempt(svc.followup.change_phone(code, actor, number))
    if isinstance(done, Outcome):
        return done
    told = f"已告知{done.holder}，" if done.status in OPEN or done.rectification_due is not None else ""
    return Outcome.say(
        f"已将工单 {done.code} 的联系电话更正为 {mask_phone(number)}，{told}联系和回访都会打这个号码。"
        f"工单目前{_state(done)}。"
    )


# --- address correction -------------------------------------------------------------------


async def change_address(svc: TicketService, call: FlowCall) -> Outcome:
    """更正事发地址: the place said with it ("地址写错咗，系东升新村"), else asked for (the next message)."""
    code = await own_ticket(svc, call, "更正地址", rectifying=True)
    if isinstance(code, Outcome):
        return code
    place = corrected_address(await _address_of(svc, call.actor, code), call.written)
    if not place:
        _remember(call.session, svc, "address", code)
        return Outcome.say(
            f"好的，请发送工单 {code} 正确的事发地址，尽量具体到街道、小区和楼栋（如“江南街道鸿都社区 3 栋”）。"
            "（回复“取消”可放弃）"
        )
    return await _store_address(svc, call.actor, code, place)


async def _address_of(svc: TicketService, actor: Actor, code: str) -> str:
    """The address the citizen's own ticket holds now ("" when it is not theirs or not open)."""
    mine = await svc.followup.open_tickets(actor, rectifying=True)
    return next((t.address or "" for t in mine if t.code == code), "")


async def _store_address(svc: TicketService, actor: Actor, code: str, place: str) -> Outcome:
    done = await _attempt(svc.followup.change_address(code, actor, place))
    if isinstance(done, Outcome):
        return done
    return Outcome.say(
        f"已将工单 {done.code} 的事发地址更正为“{place}”，并转告{done.holder}按新地址办理。工单目前{_state(done)}。"
    )


# --- the step waiting for the next message ----------------------------------------------------


def _remember(session: SessionData, svc: TicketService, step: str, code: str, reason: str = "") -> None:
    session[STEP] = {"step": step, "code": code, "reason": reason, "at": svc.clock.now().isoformat()}


def waiting_step(session: SessionData, now: datetime) -> dict[str, str] | None:
    """The follow-up step waiting for this message, if it is still fresh (a stale one is dropped)."""
    return fresh_entry(session, STEP, now, STEP_TTL)


def answers_step(step: dict[str, str], text: str) -> bool:
    """A supplement takes any words; a phone change a number or a no; an address correction a place or a no;
    a withdrawal a yes or a no (anything else moves on)."""
    if step.get("step") == "supplement":
        return True
    if step.get("step") == "address":
        said = text.strip()
        return gives_place(said) or is_cancel(said) or bool(_NO.match(said))
    if step.get("step") == "phone":
        said = text.strip()
        return phone_in(said) is not None or is_cancel(said) or bool(_DIGITS.fullmatch(said) or _NO.match(said))
    first = _CLAUSES.split(text.strip(), maxsplit=1)[0]
    return bool(_YES.match(first) or _NO.match(first)) or keeps_it(text)  # "算啦唔好取消住": a no


async def continue_step(svc: TicketService, actor: Actor, session: SessionData, text: str) -> Outcome:
    """The message that answers a waiting step: the supplement's content, the new number or place, or the
    withdrawal's yes or no."""
    raw = session.pop(STEP, None)
    step = {k: str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
    code = step.get("code", "")
    if step.get("step") == "supplement":
        if is_cancel(text):
            return Outcome.say("好的，已取消补充。还有什么可以帮您？")
        if asks_how_long(text):  # "要几耐先有人处理？": answered, and the supplement still awaited
            session[STEP] = raw
            said = await _how_long(svc, actor, code)
            return Outcome.say(f"{said}\n您要补充的内容请直接发给我；不补充了请回复“取消”。")
        content = supplement_content(text) or text.strip()
        return await _store_supplement(svc, actor, code, content)
    if step.get("step") == "phone":
        number = phone_in(text)
        if number is not None:
            return await _store_phone(svc, actor, code, number)
        if _DIGITS.fullmatch(text.strip()):  # a number mistyped: asked again, still waiting
            session[STEP] = raw
            return Outcome.say(
                "这个号码好像不完整。请发送 11 位手机号码，或带区号的固定电话（如 0753-2246688）；不改了请回复“取消”。"
            )
        return Outcome.say(f"好的，工单 {code} 的联系电话不变。还有什么可以帮您？")
    if step.get("step") == "address":
        if is_cancel(text) or _NO.match(text.strip()):
            return Outcome.say(f"好的，工单 {code} 的事发地址不变。还有什么可以帮您？")
        place = corrected_address(await _address_of(svc, actor, code), text)
        return await _store_address(svc, actor, code, place or text.strip())
    first, *more = _CLAUSES.split(text.strip(), maxsplit=1)
    if _YES.match(first):
        said = "；".join(x for x in (step.get("reason", ""), *more) if x.strip())
        return await _store_withdrawal(svc, actor, code, said)
    return Outcome.say(f"好的，工单 {code} 不撤回，继续为您办理。")


def register(flows: IntentRegistry, svc: TicketService) -> None:
    async def supplement_ticket(call: FlowCall) -> Outcome:
        return await supplement(svc, call)

    async def remind_ticket(call: FlowCall) -> Outcome:
        return await remind(svc, call)

    async def withdraw_ticket(call: FlowCall) -> Outcome:
        return await withdraw(svc, call)

    async def change_ticket_phone(call: FlowCall) -> Outcome:
        return await change_phone(svc, call)

    async def change_ticket_address(call: FlowCall) -> Outcome:
        return await change_address(svc, call)

    flows.register("supplement_ticket", supplement_ticket)
    flows.register("change_ticket_phone", change_ticket_phone)
    flows.register("change_ticket_address", change_ticket_address)
    flows.register("remind_ticket", remind_ticket)
    flows.register("withdraw_ticket", withdraw_ticket)
