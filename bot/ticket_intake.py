"""Ticket intake as a conversation: what happened → where → since when → phone → read back → ticket.

Entered by the NLU intents complain/report/request_help/suggest/praise, by "登记工单"/"我要投诉",
or after the knowledge base declined a question (then it is a 咨询 ticket). Nothing is written
until the citizen confirms; "取消" works at every step; an abandoned dialogue expires.
See INTAKE.md for the diagram.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from bot.conversation import ConversationHandler
from bot.handlers import CommandHandler, Context, MessageHandler
from bot.messages import Button, Reply
from knowledge_base.normalize import tidy_text
from nlu.entities import LANDLINE, MOBILE
from office_flows.tickets.rules import INTENT_KINDS
from office_flows.tickets.service import TicketError

NAME = "ticket_intake"
MISS_KEY = "kb_last_miss"  # the last question the knowledge base declined
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


def _next(data: dict[str, Any]) -> str:
    for step in STEPS:
        if step not in data["answered"] and step not in SKIP.get(data["kind"], set()):
            return step
    return "confirm"


def _summary(data: dict[str, Any]) -> Reply:
    phone = "匿名" if data.get("anonymous") else _mask(data.get("phone", "")) or "—"
    lines = [
        "请核对您要登记的工单：",
        f"类型：{data['kind']}",
        f"内容：{data['content']}",
    ]
    if "address" not in SKIP.get(data["kind"], set()):
        lines.append(f"地点：{data.get('address') or '—'}")
    if "since" not in SKIP.get(data["kind"], set()):
        lines.append(f"时间：{data.get('since') or '—'}")
    lines += [f"电话：{phone}", "确认提交请回复“确认”，修改请回复“修改”，放弃请回复“取消”。"]
    buttons = [Button("确认", "确认"), Button("修改", "修改"), Button("取消", "取消")]
    return Reply("\n".join(lines), buttons=buttons)


def _ask(ctx: Context) -> list[Reply]:
    step = _next(ctx.conv.data)
    ctx.conv.goto(step)
    if step == "confirm":
        return [_summary(ctx.conv.data)]
    return [Reply(QUESTIONS[step] + "\n（回复“取消”可放弃登记）")]


def _kind_of(text: str) -> str:
    return next((kind for word, kind in _KIND_WORDS if word in text), "投诉")


def initial_data(kind: str, text: str, entities: dict[str, Any]) -> dict[str, Any]:
    """Prefill from the first message: its content when it says more than the trigger, NLU entities."""
    data: dict[str, Any] = {"kind": kind, "answered": [], "content": "", "address": "", "since": "", "phone": ""}
    content = _TRIGGER.sub("", text).strip()
    if len(content) >= 6:
        data["content"] = text.strip()
        data["answered"].append("content")
    if entities.get("address"):
        data["address"] = str(entities["address"])
        data["answered"].append("address")
    m = MOBILE.search(text)
    phone = entities.get("phone") or (m.group(0) if m else "")
    if phone:
        data["phone"] = str(phone)
        data["answered"].append("phone")
    return data


async def begin(ctx: Context, kind: str, text: str, entities: dict[str, Any]) -> list[Reply]:
    """Start the dialogue from outside the chain (an NLU intent)."""
    data = initial_data(kind, text, entities)
    await HANDLER.start(ctx, "content", data)
    intro = f"好的，我来帮您登记{kind}工单，会转交相关部门办理。"
    replies = _ask(ctx)
    HANDLER._save(ctx)  # the state moved after start(): keep it
    return [Reply(intro), *replies]


def explicit_request(text: str) -> bool:
    """A message that plainly files a ticket with its content ("我要投诉楼下烧烤店半夜很吵"): used when
    NLU is off or down, so that what a citizen wrote is not answered as a KB question."""
    content = _TRIGGER.sub("", text).strip()
    return bool(_EXPLICIT.match(text)) and len(content) >= 6 and not _QUESTION.search(text)


async def begin_explicit(ctx: Context) -> list[Reply]:
    return await begin(ctx, _kind_of(ctx.text), tidy_text(ctx.message.text), {})


async def begin_from_intent(ctx: Context, intent: str, entities: dict[str, Any]) -> list[Reply]:
    return await begin(ctx, INTENT_KINDS[intent], tidy_text(ctx.message.text), entities)


# --- callbacks ---------------------------------------------------------------------------------


async def _enter(ctx: Context) -> list[Reply]:
    miss = ctx.session.pop(MISS_KEY, None)
    if ctx.text.lstrip("/／").startswith("登记") and miss:
        data = initial_data("咨询", miss, {})
        ctx.conv.data = data
        return [Reply(f"好的，我把您的问题“{miss[:60]}”登记为咨询工单，由相关部门答复您。"), *_ask(ctx)]
    kind = _kind_of(ctx.text)
    ctx.conv.data = initial_data(kind, ctx.raw_rest if ctx.args else tidy_text(ctx.message.text), {})
    return [Reply(f"好的，我来帮您登记{kind}工单。"), *_ask(ctx)]


async def _content(ctx: Context) -> list[Reply]:
    if len(ctx.text) < 4:
        return [Reply("描述得再具体一点好吗？例如：哪里、什么问题、造成了什么影响。")]
    ctx.conv.data["content"] = tidy_text(ctx.message.text)
    ctx.conv.data["answered"].append("content")
    return _ask(ctx)


async def _free_step(ctx: Context) -> list[Reply]:
    step = ctx.conv.state
    ctx.conv.data[step] = "" if _NONE.match(ctx.text) else tidy_text(ctx.message.text)[:200]
    ctx.conv.data["answered"].append(step)
    return _ask(ctx)


async def _phone(ctx: Context) -> list[Reply]:
    if _ANON.search(ctx.text):
        ctx.conv.data["anonymous"] = True
        ctx.conv.data["phone"] = ""
    else:
        m = MOBILE.search(ctx.text) or LANDLINE.search(ctx.text)
        assert m is not None
        ctx.conv.data["phone"] = m.group(0)
    ctx.conv.data["answered"].append("phone")
    return _ask(ctx)


def _is_phone(ctx: Context) -> bool:
    return bool(_ANON.search(ctx.text) or MOBILE.search(ctx.text) or LANDLINE.search(ctx.text))


async def _confirm(ctx: Context) -> list[Reply]:
    data = ctx.conv.data
    try:
        created = await ctx.services.tickets.create(
            kind=data["kind"],
            content=data["content"],
            address=data.get("address", ""),
            since=data.get("since", ""),
            phone=data.get("phone", ""),
            anonymous=bool(data.get("anonymous")),
            channel=ctx.message.channel,
            sender=ctx.message.sender,
            actor=ctx.actor,
        )
    except TicketError as exc:
        return [Reply(f"{exc}\n请回复“修改”重新填写，或“取消”放弃。")]
    ctx.conv.end()
    lines = [
        f"已为您登记工单 {created.code}（{created.kind}），{created.deadline_text}。",
        f"可随时回复“/工单 {created.code}”查询进度，办结后会通知您并请您评价。",
    ]
    if created.dispatched_to:
        lines.insert(1, f"已派往：{created.dispatched_to}。")
    if created.duplicate_of:
        lines.append(f"（提示：您近期反映的工单 {created.duplicate_of} 与此相近，工作人员会一并处理。）")
    return [Reply("\n".join(lines))]


async def _edit(ctx: Context) -> list[Reply]:
    kind = ctx.conv.data["kind"]
    ctx.conv.data = {"kind": kind, "answered": [], "content": "", "address": "", "since": "", "phone": ""}
    return [Reply("好的，我们重新填写。"), *_ask(ctx)]


async def _cancel(ctx: Context) -> list[Reply]:
    ctx.conv.end()
    return [Reply("好的，已取消登记，没有提交任何内容。还有什么可以帮您？")]


async def _reprompt(ctx: Context) -> list[Reply]:
    state = ctx.conv.state
    if state == "confirm":
        return [Reply("请回复“确认”提交，“修改”重新填写，或“取消”放弃。")]
    if state == "phone":
        return [Reply("没有识别到手机号码，请输入 11 位手机号（如 13800138000），或回复“匿名”。")]
    return [Reply(QUESTIONS.get(state, "请继续填写。"))]


def _text(ctx: Context) -> bool:
    return not ctx.text.startswith(("/", "／"))


def build(timeout: timedelta) -> ConversationHandler:
    return ConversationHandler(
        NAME,
        entry_points=[
            CommandHandler({"登记工单", "投诉", "举报", "求助", "建议"}, _enter),
            MessageHandler(lambda c: bool(_ENTRY.match(c.text)), _enter),
        ],
        states={
            "content": [MessageHandler(_text, _content)],
            "address": [MessageHandler(_text, _free_step)],
            "since": [MessageHandler(_text, _free_step)],
            "phone": [MessageHandler(_is_phone, _phone)],
            "confirm": [
                MessageHandler(lambda c: bool(_YES.match(c.text)), _confirm),
                MessageHandler(lambda c: bool(_EDIT.match(c.text)), _edit),
            ],
        },
        fallbacks=[MessageHandler(lambda c: bool(_CANCEL.match(c.text)), _cancel)],
        reprompt=_reprompt,
        timeout=timeout,
        on_timeout="上一次的工单登记超过时限未完成，已自动放弃（没有提交任何内容）。",
    )


HANDLER = build(timedelta(minutes=30))
