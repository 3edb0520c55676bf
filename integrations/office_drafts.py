"""Office papers drafted in words, confirmed before anything is written:

* an outgoing document ("帮我拟个公文，关于春节值班安排", "起草一份关于汛期值班的通知"): the title from the words
  (in 《》 or the 关于… phrase) or asked for, then the body, then a read-back that "确认" registers as 发文 and its
  approval chain starts (``DocumentService.register``);
* a notice ("发个通知畀住建局，听日下午三点开安全生产会"): the departments (by name or alias) and colleagues named,
  else asked for, the content (the words after the clause that names them) else asked for, a title taken from the
  content's first clause, then a read-back that "确认" publishes (``NoticeService.publish``).

The draft waits in the session (``DRAFT``, fifteen minutes) and the bot hands it the next message
(``bot/office_drafts.py``): at the steps that ask for a part any words are the answer (a question is not a title
nor a list of recipients), at the read-back a yes, a no or a correction ("标题改成……", "正文改成……", "改成特急",
"发给……"); other words there leave the draft (it is dropped). "取消" at any step drops it. Nothing is written
before "确认". The commands ``/发文 [特急|加急] 标题 正文`` and ``/发通知 对象 标题 正文`` do the same in one message.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from integrations.context import fresh_entry
from integrations.contract import Answer, Choice, FlowCall, IntentRegistry, Outcome, SessionData
from integrations.office_common import message_of, run
from kernel.identity import Actor
from nlu.agreeing import agrees
from nlu.giving_up import is_cancel
from office_flows.office import Office
from office_flows.tickets.service import TicketService

DRAFT = "office_draft"  # {"kind": "document" | "notice", "step", "title", "body", "urgency" | "targets", "at"}
DRAFT_TTL = timedelta(minutes=15)
MIN_BODY = 4
SHOWN_BODY = 80  # characters of the body the read-back shows
TITLE_FROM_BODY = 30  # a notice's title: the content's first clause, at most this long

# The recipients named in a sentence (departments by name or alias, colleagues by name), full names.
FindTargets = Callable[[str], Awaitable[list[str]]]

_QUOTED = re.compile(r"《([^》]{2,200})》")
# "关于春节值班安排", "关于汛期值班的通知": a title's usual opening, up to the end of its clause
_ABOUT = re.compile(r"关于[^，,。.!！?？；;：:\n]{2,120}")
# "……的公文" / "……嘅文" after a title names the kind of paper, not the title
_PAPER_WORD = re.compile(r"(?:的|嘅|个|份)?(?:公文|文件|文稿|发文|稿|文)$")
_URGENCY = re.compile(r"特急|加急")
_BODY_MARK = re.compile(r"(?:正文|内容)(?:是|系|为)?[:：]\s*([\s\S]+)$")
_CLAUSES = re.compile(r"[，,。.!！；;：:\n]+")
# The clause of a notice request that names its recipients ("发个通知畀住建局", "通知城管局同住建局"), and the
# first clause of its content when it runs on in the same clause ("通知各股室明天开会" keeps "明天开会").
_NOTICE_LEAD = re.compile(r"(?:发|出|下|写)?(?:个|一个|一份|份|条|一条)?通知")
# A question where a title or recipients are asked is asked of the bot ("有咩要我批嘅", "FW-2026-001去到边")
_ASKED = re.compile(
    r"[?？]|(?:吗|呢|咩|未|嘛)$|有咩|有冇|有没有|点样|边个|边度|到边|去边|几时|几多|哪些|哪个|什么|怎么"
    r"|(?:FW|SW|HY|TZ)-\d{4}-\d{3,4}|GD\d{13}",  # or it names a document, meeting, notice or ticket
    re.I,
)
_NO = re.compile(r"^(?:不|唔|先不|暂时不|算了|算啦|不用|唔使|放弃)")
SHORT_QUESTION = 20  # a question this short at the body step is asked of the bot, not the body
_SET_TITLE = re.compile(r"^(?:把|将)?(?:标题|题目)(?:改成|改为|改做|换成|系|是|为)[:：]?\s*(.+)$")
_SET_BODY = re.compile(r"^(?:把)?(?:正文|内容)(?:改成|改为|改做|换成|系|是|为)[:：]?\s*([\s\S]+)$")
_SET_URGENCY = re.compile(r"^(?:改成|改为|设为|要|系|是)?(特急|加急|平件)(?:件)?(?:吧|啦)?$")
_SET_TARGETS = re.compile(r"^(?:改成|改为|换成)?(?:发给|发畀|发俾|通知|对象(?:改成|改为|是|系)?)[:：]?\s*(.+)$")
_PAPER = {"document": "公文", "notice": "通知"}
# Where one recipient ends and the next begins ("住建局、城管局同李娜", "发个通知畀住建局")
_BETWEEN = re.compile(r"[、,，和同及与跟畀给俾\s]+")


async def targets_named(office: Office, tickets: TicketService | None, text: str) -> list[str]:
    """The recipients a sentence names: departments by name or alias of the dispatch catalogue (住建局), one per
    piece between 、/和/同/畀 …, then colleagues of the directory by full name; full names, in the order said."""
    found: list[str] = []
    if tickets is not None:
        for piece in _BETWEEN.split(text):
            named = await tickets.department_mentioned(piece) if len(piece) >= 2 else None
            if named and named not in found:
                found.append(named)
    for person in await office.meetings.people_named_in(text):
        if person not in found:
            found.append(person)
    return found


def register(registry: IntentRegistry, office: Office, tickets: TicketService | None) -> None:
    async def find_targets(text: str) -> list[str]:
        return await targets_named(office, tickets, text)

    async def draft_document(call: FlowCall) -> Outcome:
        return start_document(call, office.documents.clock.now())

    async def publish_notice(call: FlowCall) -> Outcome:
        return await start_notice(call, office.documents.clock.now(), find_targets)

    registry.register("draft_document", draft_document)
    registry.register("publish_notice", publish_notice)


def title_in(text: str) -> str:
    """The title a drafting request names: in 《》, else the 关于… phrase; "" when none."""
    quoted = _QUOTED.search(text)
    if quoted:
        return quoted.group(1).strip()
    about = _ABOUT.search(text)
    return _PAPER_WORD.sub("", about.group(0).strip()) if about else ""


def notice_content(text: str) -> str:
    """What a notice request says beyond asking for the notice: the clauses after the one that asks for it
    ("发个通知畀住建局，听日下午三点开安全生产会" → "听日下午三点开安全生产会"); "" when nothing more is said."""
    marked = _BODY_MARK.search(text)
    if marked:
        return marked.group(1).strip()
    clauses = [c.strip() for c in _CLAUSES.split(text) if c.strip()]
    lead = next((n for n, c in enumerate(clauses) if _NOTICE_LEAD.search(c)), None)
    rest = clauses[lead + 1 :] if lead is not None else clauses[1:]
    content = "，".join(rest)
    return content if len(content) >= MIN_BODY else ""


def _urgency_in(text: str) -> str:
    m = _URGENCY.search(text)
    return m.group(0) if m else "平件"


def start_document(call: FlowCall, now: datetime) -> Outcome:
    """A document requested in words: what it already says is kept, the first missing part asked for."""
    body = _BODY_MARK.search(call.written)
    draft = {
        "kind": "document",
        "title": title_in(call.written.split("正文", 1)[0]),
        "body": body.group(1).strip() if body else "",
        "urgency": _urgency_in(call.written),
    }
    return _save_and_next(call.session, draft, now)


async def start_notice(call: FlowCall, now: datetime, find_targets: FindTargets) -> Outcome:
    """A notice requested in words: its recipients and content as said, the first missing part asked for."""
    body = notice_content(call.written)
    lead = call.written[: call.written.find(body)] if body and body in call.written else call.written
    draft = {
        "kind": "notice",
        "targets": "、".join(await find_targets(lead)),
        "body": body,
        "title": _title_of(body),
    }
    return _save_and_next(call.session, draft, now)


def waiting(session: SessionData, now: datetime) -> dict[str, str] | None:
    return fresh_entry(session, DRAFT, now, DRAFT_TTL)


def asked_aside(draft: dict[str, str], text: str) -> bool:
    """A short question where the body is asked ("我嘅公文去到边"): asked of the bot, not the body."""
    said = text.strip()
    return draft.get("step") == "body" and len(said) <= SHORT_QUESTION and bool(_ASKED.search(said))


def still_waiting(draft: dict[str, str]) -> str:
    """What the draft still waits for, said after a question answered aside."""
    paper = _PAPER.get(draft.get("kind", ""), "公文")
    title = f"《{draft['title']}》" if draft.get("title") else ""
    return f"（正在起草的{paper}{title}还在等正文，请发送正文内容；回复“取消”可放弃起草。）"


def answers(draft: dict[str, str], text: str) -> bool:
    """The title and recipient steps take any words but a question, the body step any words; the read-back a
    yes, a no, a cancel or a correction."""
    said = text.strip()
    if draft.get("step") in ("title", "targets"):
        return not _ASKED.search(said) or is_cancel(said)
    if draft.get("step") == "body":
        return True  # a short question is answered aside (``asked_aside``), the draft still waiting
    edits = (_SET_TITLE, _SET_BODY, _SET_URGENCY if draft.get("kind") != "notice" else _SET_TARGETS)
    return bool(is_cancel(said) or agrees(said) or _NO.match(said) or any(e.match(said) for e in edits))


async def advance(
    office: Office, actor: Actor, session: SessionData, text: str, now: datetime, find_targets: FindTargets
) -> Outcome:
    """The waiting draft's next message: a part asked for, or the read-back's answer."""
    raw = session.get(DRAFT)
    draft = {k: str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
    paper = _PAPER.get(draft.get("kind", ""), "公文")
    said = text.strip()
    step = draft.get("step")
    if is_cancel(said) or (step == "confirm" and _NO.match(said)):
        session.pop(DRAFT, None)
        return Outcome.say(f"好的，已放弃起草，没有{'发布任何通知' if paper == '通知' else '登记任何公文'}。")
    if step == "title":
        title = title_in(said) or said
        if len(title) > 200:
            return _keep(session, draft, now, "标题太长了（不超过 200 字），请重新发送标题。")
        draft["title"] = title
    elif step == "targets":
        targets = await find_targets(said)
        if not targets:
            return _keep(session, draft, now, _no_targets(said))
        draft["targets"] = "、".join(targets)
    elif step == "body" and (edit := _SET_TITLE.match(said)):
        # "题目改做关于2027年元旦放假的通知" while the body is asked: the title changed, the body still asked
        draft["title"] = edit.group(1).strip()[:200]
        return _keep(session, draft, now, f"好的，标题改为《{draft['title']}》。请发送{paper}的正文内容。")
    elif step == "body":
        if len(said) < MIN_BODY:
            return _keep(session, draft, now, f"内容太短了，请发送{paper}的正文内容。（回复“取消”可放弃起草）")
        draft["body"] = said
        draft["title"] = draft.get("title") or _title_of(said)
    elif step == "confirm":
        if agrees(said):
            session.pop(DRAFT, None)
            return Outcome.say(await _write(office, actor, draft))
        if (edit := _SET_TARGETS.match(said)) and draft.get("kind") == "notice":
            targets = await find_targets(edit.group(1))
            if not targets:
                return _keep(session, draft, now, _no_targets(edit.group(1)))
            draft["targets"] = "、".join(targets)
        elif edit := _SET_TITLE.match(said):
            draft["title"] = edit.group(1).strip()
        elif edit := _SET_BODY.match(said):
            draft["body"] = edit.group(1).strip()
        elif edit := _SET_URGENCY.match(said):
            draft["urgency"] = edit.group(1)
    return _save_and_next(session, draft, now)


async def _write(office: Office, actor: Actor, draft: dict[str, str]) -> str:
    if draft.get("kind") == "notice":
        targets = [t for t in draft.get("targets", "").split("、") if t]
        return await run(lambda: message_of(office.notices.publish(actor, targets, draft["title"], draft["body"])))
    urgency = draft.get("urgency") or "平件"
    return await run(
        lambda: message_of(office.documents.register(actor, "FW", draft["title"], draft["body"], urgency=urgency))
    )


def _title_of(body: str) -> str:
    first = next((c.strip() for c in _CLAUSES.split(body) if c.strip()), "")
    return first[:TITLE_FROM_BODY]


def _no_targets(said: str) -> str:
    return f"没有找到“{said[:20]}”对应的部门或人员。请说部门名称（如 住建局、城管局）或同事姓名，多个用顿号分开。"


def _keep(session: SessionData, draft: dict[str, str], now: datetime, text: str) -> Outcome:
    draft["at"] = now.isoformat()
    session[DRAFT] = draft
    return Outcome.say(text)


def _save_and_next(session: SessionData, draft: dict[str, str], now: datetime) -> Outcome:
    outcome = _next(draft)
    draft["at"] = now.isoformat()
    session[DRAFT] = draft
    return outcome


def _next(draft: dict[str, str]) -> Outcome:
    """Ask for the first missing part (setting the step), else read the draft back for a confirmation."""
    notice = draft.get("kind") == "notice"
    if notice and not draft.get("targets"):
        draft["step"] = "targets"
        return Outcome.say("好的，发一份通知。请问发给哪些部门或同事？（例如：住建局、城管局；回复“取消”可放弃）")
    if not notice and not draft.get("title"):
        draft["step"] = "title"
        return Outcome.say("好的，起草一份发文。请问标题是什么？（例如：关于春节期间值班安排的通知；回复“取消”可放弃）")
    if not draft.get("body"):
        draft["step"] = "body"
        if notice:
            return Outcome.say(f"好的，通知发给{draft['targets']}。请发送通知内容。（回复“取消”可放弃）")
        return Outcome.say(f"好的，发文《{draft['title']}》。请发送正文内容。（回复“取消”可放弃起草）")
    draft["step"] = "confirm"
    body = draft["body"]
    shown = body if len(body) <= SHOWN_BODY else body[:SHOWN_BODY] + f"……（共 {len(body)} 字）"
    if notice:
        text = (
            f"请核对要发布的通知：\n发给：{draft['targets']}\n标题：{draft['title']}\n内容：{shown}\n"
            "确认发布请回复“确认”；要修改可以说“标题改成……”“内容改成……”“发给……”；放弃请回复“取消”。"
        )
        return Outcome([Answer(text, [Choice("确认发布", "确认"), Choice("放弃", "取消")])])
    text = (
        "请核对要登记的发文：\n"
        f"标题：{draft['title']}\n紧急程度：{draft.get('urgency') or '平件'}\n正文：{shown}\n"
        "确认登记并送审请回复“确认”；要修改可以说“标题改成……”“正文改成……”“改成特急”；放弃请回复“取消”。"
    )
    return Outcome([Answer(text, [Choice("确认送审", "确认"), Choice("放弃", "取消")])])
