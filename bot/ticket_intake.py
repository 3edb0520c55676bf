"""Ticket intake as a conversation: what happened → where → since when → phone → read back → ticket.

Opened by ``integrations.tickets`` for the NLU intents complain/report/request_help/suggest/praise
(``StartConversation("ticket_intake", …)``), by "登记工单"/"我要投诉", or after the knowledge base declined
a question (then it is a 咨询 ticket). Nothing is written until the citizen confirms; "取消" works at
every step; an abandoned dialogue expires. See INTAKE.md for the diagram.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta

from bot.conversation import END, ConversationHandler, ConversationState, Step, on_command, on_text
from bot.handlers import Context, Match, is_command
from bot.messages import Button, Reply
from integrations.knowledge import MISS_KEY
from integrations.tickets import INTAKE
from knowledge_base.normalize import tidy_text
from nlu.entities import LANDLINE, MOBILE
from office_flows.tickets.service import TicketError

NAME = INTAKE
STEPS = ("content", "address", "since", "phone")
SKIP = {"表扬": {"since"}, "咨询": {"since", "address"}}
QUESTIONS = {
    "content": "请简要描述您要反映的问题：发生了什么？",
    "address": "请问具体地点在哪里？（例如：梅江区江南路 28 号；不涉及地点请回复“无”）",
    "since": "这个情况从什么时候开始的？（例如：上周开始、每天晚上 10 点后；不清楚可回复“不清楚”）",
    "phone": "请留下手机号码，方便办理部门联系和回访。（回复“匿名”可匿名反映，但将无法电话回访）",
}
_TRIGGER = re.compile(
    r"^(?:我要|我想|我需要|想)?(?:投诉|举报|求助|建议|表扬|登记工单|登记|反映|提个建议|提建议)(?:一下)?[:：，,。!！\s]*"
)
_CANCEL = re.compile(r"^(取消|算了|不用了|不要了|退出|不登记了|cancel)[。.!！]*$", re.I)
_YES = re.compile(r"^(确认|确定|是的?|对|没问题|提交|好的?|可以|ok)[。.!！]*$", re.I)
_EDIT = re.compile(r"^(修改|重填|重新填写?|不对)[。.!！]*$")
_NONE = re.compile(r"^(无|没有|不涉及|不清楚|不知道|不记得|略)[。.!！]*$")
_ANON = re.compile(r"匿名")
_ENTRY = re.compile(r"^(登记工单|我要投诉|投诉|我要登记|我要反映|我要举报|我要求助)$")
# "我要投诉……" with its content: unmistakably a ticket even without NLU; a question about complaining is not.
_EXPLICIT = re.compile(r"^(?:我要|我想)(?:投诉|举报|求助|反映|提建议|建议)")
_QUESTION = re.compile(r"怎么|怎样|如何|哪里|哪个|什么|多少|吗|[?？]")
_KIND_WORDS = (("举报", "举报"), ("求助", "求助"), ("建议", "建议"), ("表扬", "表扬"), ("投诉", "投诉"))


def _mask(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else phone


def _answered(data: Mapping[str, object]) -> list[str]:
    raw = data.get("answered")
    return [str(x) for x in raw] if isinstance(raw, list) else []


def _mark(data: dict[str, object], step: str) -> None:
    data["answered"] = [*_answered(data), step]


def _kind(data: Mapping[str, object]) -> str:
    return str(data.get("kind") or "投诉")


def _next(data: Mapping[str, object]) -> str:
    for step in STEPS:
        if step not in _answered(data) and step not in SKIP.get(_kind(data), set()):
            return step
    return "confirm"


def _summary(data: Mapping[str, object]) -> Reply:
    phone = "匿名" if data.get("anonymous") else _mask(str(data.get("phone") or "")) or "—"
    kind = _kind(data)
    lines = [
        "请核对您要登记的工单：",
        f"类型：{kind}",
        f"内容：{data.get('content') or ''}",
    ]
    if "address" not in SKIP.get(kind, set()):
        lines.append(f"地点：{data.get('address') or '—'}")
    if "since" not in SKIP.get(kind, set()):
        lines.append(f"时间：{data.get('since') or '—'}")
    lines += [f"电话：{phone}", "确认提交请回复“确认”，修改请回复“修改”，放弃请回复“取消”。"]
    buttons = [Button("确认", "确认"), Button("修改", "修改"), Button("取消", "取消")]
    return Reply("\n".join(lines), buttons=buttons)


def _ask(conv: ConversationState, before: list[Reply] | None = None) -> Step:
    """Ask for the next missing field (or read everything back), after ``before``."""
    step = _next(conv.data)
    ask = _summary(conv.data) if step == "confirm" else Reply(QUESTIONS[step] + "\n（回复“取消”可放弃登记）")
    return Step([*(before or []), ask], step)


def _kind_of(text: str) -> str:
    return next((kind for word, kind in _KIND_WORDS if word in text), "投诉")


def initial_data(kind: str, text: str, entities: Mapping[str, object]) -> dict[str, object]:
    """Prefill from the first message: its content when it says more than the trigger, NLU entities."""
    data: dict[str, object] = {"kind": kind, "answered": [], "content": "", "address": "", "since": "", "phone": ""}
    content = _TRIGGER.sub("", text).strip()
    if len(content) >= 6:
        data["content"] = text.strip()
        _mark(data, "content")
    if entities.get("address"):
        data["address"] = str(entities["address"])
        _mark(data, "address")
    m = MOBILE.search(text)
    phone = entities.get("phone") or (m.group(0) if m else "")
    if phone:
        data["phone"] = str(phone)
        _mark(data, "phone")
    return data


async def _open(ctx: Context, start: Mapping[str, object], conv: ConversationState) -> Step:
    """Opened from outside the chain: ``start`` has the kind, the citizen's words and NLU entities."""
    entities = start.get("entities")
    kind = str(start.get("kind") or "投诉")
    conv.data = initial_data(kind, str(start.get("text") or ""), entities if isinstance(entities, dict) else {})
    return _ask(conv, [Reply(f"好的，我来帮您登记{kind}工单，会转交相关部门办理。")])


def explicit_request(text: str) -> bool:
    """A message that plainly files a ticket with its content ("我要投诉楼下烧烤店半夜很吵"): used when
    NLU is off or down, so that what a citizen wrote is not answered as a KB question."""
    content = _TRIGGER.sub("", text).strip()
    return bool(_EXPLICIT.match(text)) and len(content) >= 6 and not _QUESTION.search(text)


def explicit_start(ctx: Context) -> dict[str, object]:
    """The opening data for an explicit request (see ``explicit_request``)."""
    return {"kind": _kind_of(ctx.text), "text": tidy_text(ctx.message.text), "entities": {}}


# --- steps -------------------------------------------------------------------------------------


async def _enter(ctx: Context, m: Match, conv: ConversationState) -> Step:
    miss = ctx.session.pop(MISS_KEY, None)
    if ctx.text.lstrip("/／").startswith("登记") and isinstance(miss, str) and miss:
        conv.data = initial_data("咨询", miss, {})
        return _ask(conv, [Reply(f"好的，我把您的问题“{miss[:60]}”登记为咨询工单，由相关部门答复您。")])
    kind = _kind_of(ctx.text)
    conv.data = initial_data(kind, m.raw_rest if m.args else tidy_text(ctx.message.text), {})
    return _ask(conv, [Reply(f"好的，我来帮您登记{kind}工单。")])


async def _content(ctx: Context, m: Match, conv: ConversationState) -> Step:
    if len(ctx.text) < 4:
        return Step([Reply("描述得再具体一点好吗？例如：哪里、什么问题、造成了什么影响。")], conv.state)
    conv.data["content"] = tidy_text(ctx.message.text)
    _mark(conv.data, "content")
    return _ask(conv)


async def _free_step(ctx: Context, m: Match, conv: ConversationState) -> Step:
    step = conv.state
    conv.data[step] = "" if _NONE.match(ctx.text) else tidy_text(ctx.message.text)[:200]
    _mark(conv.data, step)
    return _ask(conv)


async def _phone(ctx: Context, m: Match, conv: ConversationState) -> Step:
    if _ANON.search(ctx.text):
        conv.data["anonymous"] = True
        conv.data["phone"] = ""
    else:
        found = MOBILE.search(ctx.text) or LANDLINE.search(ctx.text)
        assert found is not None
        conv.data["phone"] = found.group(0)
    _mark(conv.data, "phone")
    return _ask(conv)


def _is_phone(ctx: Context) -> bool:
    return bool(_ANON.search(ctx.text) or MOBILE.search(ctx.text) or LANDLINE.search(ctx.text))


async def _confirm(ctx: Context, m: Match, conv: ConversationState) -> Step:
    data = conv.data
    tickets = ctx.services.tickets
    if tickets is None:
        return Step([Reply("工单功能暂未启用，请拨打 12345 热线反映。")], END)
    try:
        created = await tickets.create(
            kind=_kind(data),
            content=str(data.get("content") or ""),
            address=str(data.get("address") or ""),
            since=str(data.get("since") or ""),
            phone=str(data.get("phone") or ""),
            anonymous=bool(data.get("anonymous")),
            channel=ctx.message.channel,
            sender=ctx.message.sender,
            actor=ctx.actor,
        )
    except TicketError as exc:
        return Step([Reply(f"{exc}\n请回复“修改”重新填写，或“取消”放弃。")], conv.state)
    lines = [
        f"已为您登记工单 {created.code}（{created.kind}），{created.deadline_text}。",
        f"可随时回复“/工单 {created.code}”查询进度，办结后会通知您并请您评价。",
    ]
    if created.dispatched_to:
        lines.insert(1, f"已派往：{created.dispatched_to}。")
    if created.duplicate_of:
        lines.append(f"（提示：您近期反映的工单 {created.duplicate_of} 与此相近，工作人员会一并处理。）")
    return Step([Reply("\n".join(lines))], END)


async def _edit(ctx: Context, m: Match, conv: ConversationState) -> Step:
    conv.data = {"kind": _kind(conv.data), "answered": [], "content": "", "address": "", "since": "", "phone": ""}
    return _ask(conv, [Reply("好的，我们重新填写。")])


async def _cancel(ctx: Context, m: Match, conv: ConversationState) -> Step:
    return Step([Reply("好的，已取消登记，没有提交任何内容。还有什么可以帮您？")], END)


async def _reprompt(ctx: Context, m: Match, conv: ConversationState) -> Step:
    state = conv.state
    if state == "confirm":
        return Step([Reply("请回复“确认”提交，“修改”重新填写，或“取消”放弃。")], state)
    if state == "phone":
        return Step([Reply("没有识别到手机号码，请输入 11 位手机号（如 13800138000），或回复“匿名”。")], state)
    return Step([Reply(QUESTIONS.get(state, "请继续填写。"))], state)


def _text(ctx: Context) -> bool:
    return not is_command(ctx.text)


def build(timeout: timedelta) -> ConversationHandler:
    return ConversationHandler(
        NAME,
        entry_points=[
            on_command({"登记工单", "投诉", "举报", "求助", "建议"}, _enter),
            on_text(lambda c: bool(_ENTRY.match(c.text)), _enter),
        ],
        states={
            "content": [on_text(_text, _content)],
            "address": [on_text(_text, _free_step)],
            "since": [on_text(_text, _free_step)],
            "phone": [on_text(_is_phone, _phone)],
            "confirm": [
                on_text(lambda c: bool(_YES.match(c.text)), _confirm),
                on_text(lambda c: bool(_EDIT.match(c.text)), _edit),
            ],
        },
        fallbacks=[on_text(lambda c: bool(_CANCEL.match(c.text)), _cancel)],
        reprompt=_reprompt,
        opener=_open,
        timeout=timeout,
        on_timeout="上一次的工单登记超过时限未完成，已自动放弃（没有提交任何内容）。",
    )
