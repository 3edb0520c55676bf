"""Ticket intake as validated slot filling: what happened → where → since when → phone → read back → ticket.

Opened by ``integrations.tickets`` for the NLU intents complain/report/request_help/suggest/praise
(``StartConversation("ticket_intake", …)``), by "登记工单"/"我要投诉", or after the knowledge base declined
a question (then it is a 咨询 ticket). Every slot has a validator (a place, a time, a phone each look like
one); an answer that is a question the knowledge base can answer is an interruption: it is answered and
the intake resumes where it was, saying so. A message of which some clause fits the step and is no question
("唔记得几时开始，大概上个月", "上周开始，怎么还没人管") is an answer. Any single field, the type included, can be
corrected in words at any step ("地点改成江北路 3 号", "类型是投诉", "等等，地址写错了，系华南大道 18 号"); "修改"
at the read-back asks which field; the read-back is confirmed when every clause says yes ("冇问题，提交"). The type
comes from the citizen's own words when they name one, and "不是投诉，是建议" changes it. A place typed when asked
since when ("华南大道18号" again) is never the time: the place already recorded is said to be, another one corrects
it; a time said at the phone step while the time holds none ("昨晚开始") is the time. A message saying the citizen
wants to ask ("不对，我其实是想问下…归谁管") is a question aside, and the step asked again says how to drop the
intake. Nothing is written until the citizen confirms; "取消", or giving up in other words ("算啦唔投诉啦",
"冇事了唔使搞"; ``nlu.giving_up``), works at every step; an abandoned dialogue expires. A plain request for a
person ("转人工", "我想搵真人", "𠊎爱同人工讲"; ``office_flows.handoff.asking``) at any step ends the intake and
queues the citizen for an operator, who finds the unfinished ticket in the handoff's transcript; nothing is
registered. See INTAKE.md for the diagram.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.answers import deliver, run_intent
from bot.conversation import END, ConversationHandler, ConversationState, Step, on_command, on_text
from bot.followup_aside import follow_up_aside
from bot.handlers import Context, Match, is_command
from bot.kb_handlers import picked_number
from bot.messages import Button, Reply
from bot.place_alone import place_said
from integrations.arbitration import is_question
from integrations.chat import WHO
from integrations.contract import FlowCall
from integrations.day_answer import day_answer
from integrations.handoff import SESSION_KEY as HANDOFF_KEY
from integrations.intents import SPECS
from integrations.knowledge import MISS_KEY
from integrations.tickets import INTAKE, how_long_it_takes
from knowledge_base.normalize import tidy_text
from knowledge_base.policy import Decision
from nlu.agreeing import agrees, only_thanks
from nlu.asking import about_to_ask, asks_after_own_ticket, asks_how_long, asks_to_wait, asks_what_answers, asks_why
from nlu.correcting import corrected_address, swapped_part
from nlu.day_questions import day_question
from nlu.entities import PHONE_WORDS, mobile_in, only_a_place, phone_in, street_address
from nlu.giving_up import gives_up, goes_back
from nlu.homophones import appeal_verbs
from nlu.introducing import form_of_address
from nlu.timeparse import parse_time
from office_flows.handoff.asking import asks_for_person
from office_flows.tickets.phones import mask_phone
from office_flows.tickets.service import TicketError

NAME = INTAKE
STEPS = ("content", "address", "since", "phone")
SKIP = {"表扬": {"since"}, "建议": {"since"}, "咨询": {"since", "address"}}
KINDS = ("投诉", "举报", "求助", "建议", "表扬", "咨询")
QUESTIONS = {
    "content": "请简要描述您要反映的问题：发生了什么？",
    "address": "请问具体地点在哪里？（例如：梅江区江南路 28 号；不涉及地点请回复“无”）",
    "since": "这个情况从什么时候开始的？（例如：上周开始、每天晚上 10 点后；不清楚可回复“不清楚”）",
    "phone": "请留下手机号码，方便办理部门联系和回访。（回复“匿名”可匿名反映，但将无法电话回访）",
    "kind": "请问要登记成哪一类？投诉、举报、求助、建议、表扬，还是咨询？",
}
FIELD_LABELS = {"kind": "类型", "content": "内容", "address": "地点", "since": "时间", "phone": "电话"}
FIX_ORDER = ("kind", "content", "address", "since", "phone")
HINTS = {
    "address": (
        "这看起来不像一个地点。请告诉我具体位置，例如“梅江区江南路 28 号”“金山小区 3 栋门口”；不涉及地点请回复“无”。"
    ),
    "since": "这看起来不像一个时间。请说说从什么时候开始，例如“上周开始”“每天晚上 10 点后”；不清楚可回复“不清楚”。",
}
# Why a step is asked, for a citizen who asks ("点解要讲地址㗎", "为什么要留电话"): said, and the step asked again.
REASONS = {
    "address": "地点用来把工单派给负责该片区的部门，也方便工作人员到现场核实处理；不涉及具体地点可回复“无”。",
    "since": "时间能帮办理部门判断问题持续了多久、该什么时候去现场核查；记不清可回复“不清楚”。",
    "phone": (
        "电话只用于办理部门联系您核实情况和办结后回访，不会公开给他人；不想留可回复“匿名”，"
        "但办理部门就无法电话联系和回访您。"
    ),
}
# The speaker and their wish, in Mandarin, Cantonese and Hakka ("我要", "我哋想", "𠊎爱", "俺要").
_I_WANT = r"(?:(?:我|𠊎|俺|我哋|我们)(?:要|想|爱|需要|想要)?|想|要)"
_TRIGGER = re.compile(
    rf"^{_I_WANT}?(?:投诉|举报|求助|建议|表扬|登记工单|登记|反映|提个建议|提建议)(?:一下)?[:：，,。!！\s]*"
)
_EDIT = re.compile(r"^(修改|改一下|重填|重新填写?|不对|唔啱|有错)[。.!！]*$")
_NONE = re.compile(r"^(无|没有|冇|不涉及|不清楚|唔清楚|不知道|唔知|不记得|略)[。.!！]*$")
# Anonymous, or not leaving one's name ("唔使留名", "不想留名字", "𠊎毋爱留名").
_NO_NAME = (
    r"(?:唔使|唔洗|不用|不想|唔想|不要|唔要|毋使|毋爱|冇需要|不需要)"
    r"(?:留|讲|话|写|报)?(?:低)?(?:真名|名字|姓名|个名|名)"
)
_ANON = re.compile(rf"匿名|{_NO_NAME}")
# Declining to leave a number ("唔想留电话", "不方便留手机", "冇手机", "电话就唔畀喇", "不留了"): anonymous.
_NO_PHONE = re.compile(
    r"(?:不|唔|冇|没|毋|莫|别)有?(?:想|愿意?|方便|要|爱|使|用|好|打算|需要)?(?:留|俾|畀|给|提供|讲|说|写|话)?(?:低|下|你)?"
    r"(?:电话|手机|号码|联系方式)|(?:电话|手机|号码)\S{0,3}(?:不|唔|毋)(?:想|愿意?|方便|留|俾|畀|给|提供)|"
    r"^(?:我|𠊎)?(?:不|唔|毋)(?:想|愿意?|方便|爱)?留(?:了|喇|啦|嘞)?[。.!！]*$"
)
# Asking to file, and nothing else: "我要投诉", "投诉！！！", "我想反映一下啊", "提个建议".
_ENTRY = re.compile(
    r"^(?:我要|我想|我想要|我需要|想|要)?(?:登记工单|投诉|登记|反映|举报|求助|提个?建议)(?:一下)?[啊呀啦喇吧嘞!！。.~～\s]*$"
)
# "我要投诉……", or the verb alone at the head ("投诉三角镇东升村有人乱倒垃圾"), with its content: unmistakably a
# ticket even without NLU. A question about complaining is not, nor a verb in the past ("投诉咗成个月") or one
# naming a way to file ("投诉电话", "举报有奖").
_EXPLICIT = re.compile(
    rf"^{_I_WANT}?(?:投诉|举报|求助|反映|提建议|建议|表扬)(?:一下|下)?"
    r"(?!咗|了|过|嘅|的|电话|热线|方式|渠道|流程|途径|有奖|奖励|箱|信箱|中心|平台)"
)
_QUESTION = re.compile(r"怎么|怎样|如何|哪里|哪个|什么|多少|吗|[?？]")
# The citizen's own word for the type wins over the NLU's reading.
_KIND_WORDS = (
    ("举报", "举报"),
    ("求助", "求助"),
    ("建议", "建议"),
    ("表扬", "表扬"),
    ("投诉", "投诉"),
    ("咨询", "咨询"),
)
_LEAD_IN = r"^(?:(?:等等|等一下|等阵|且慢|不好意思|唔好意思|对不起|哦|噢|啊|呃|sorry)[，,、\s]*)?"
_FIELD_NAME = r"(?P<field>类型|类别|种类|地点|地址|位置|时间|电话|手机号?码?|号码|联系电话|内容|问题|情况)"
_CORRECTION = re.compile(
    # "等等，地址写错了，系华南大道 18 号", "唔好意思，头先个电话讲错咗，应该系 139…": a lead-in, the field, an
    # admission that it was wrong, then the new value (是/系/係 as the copula)
    _LEAD_IN
    + r"(?:帮我|麻烦你?|唔该)?(?:(?:刚才|刚刚|头先|啱先|之前)(?:的|个|嘅)?)?(?:把|将)?"
    + _FIELD_NAME
    + r"(?:(?:写|填|讲|说|打|输)?(?:错了|错咗|错嘞|唔啱|不对)[，,、\s]*)?"
    r"(?:应该|应|其实|实际上)?(?:改成|改为|改做|改返做|换成|更正为|是|为|系|係|：|:)\s*(?P<value>.+)$",
    re.I,
)
# "改返地址做江南路30号", "帮我改下电话做 139…", "麻烦将时间改成上个礼拜": the verb first, then the field and its
# new value (做, Cantonese "to", only after a verb: "问题做唔到" is no correction).
_CORRECTION_VERB_FIRST = re.compile(
    _LEAD_IN + r"(?:我|𠊎)?(?:想|要|爱|帮我|麻烦你?|唔该|可唔可以|可不可以)*(?:把|将)?"
    r"(?:改|改返|修改|更改|更正)(?:一?下|吓)?(?:个|嘅|的)?"
    + _FIELD_NAME
    + r"(?:做|成|为|去|系|係|是|：|:)\s*(?P<value>.+)$",
    re.I,
)


def _correction(text: str) -> re.Match[str] | None:
    return _CORRECTION.match(text) or _CORRECTION_VERB_FIRST.match(text)


_KIND_WORD = "|".join(KINDS)
# "不是投诉，是建议", "唔系投诉，系想提个建议": the type corrected by naming the wrong one, then the right one.
_KIND_SWITCH = re.compile(
    rf"^(?:不是|唔系|唔係|毋系|冇系)(?:想|要)?(?:{_KIND_WORD})[，,、\s]*(?:而|其实)?(?:是|系|係)?(?:想|要)?"
    rf"(?:提|做|登记成?)?(?:个|一个|一下)?(?P<kind>{_KIND_WORD})"
)
# Asking rather than answering, beyond the question words: "我其实是想问下…归谁管", "想知道…".
_ASKING = re.compile(r"想问|请问|问下|问一下|问吓|问问|想知道|想了解|想咨询|谁")
# Words that say the citizen came to ask, not to file ("不对，我其实是想问下…").
_SWITCHING = re.compile(r"^(?:不对|唔啱|唔系|不是|其实|我其实|其实我|我是想|我系想|我只是想|我净系想)")
# What comes before the question itself: a lead-in taking the filing back, "我其实是想问下" (kept out of the KB query).
_ASK_PREFACE = re.compile(
    r"^(?:(?:不对|唔啱|唔系|不是|其实|哦|噢)[，,。.!！\s]*)*"
    r"(?:(?:我|𠊎)?(?:其实)?(?:是|系)?(?:只是|净系)?想?(?:问下|问一下|问吓|问问|请问|知道|了解|咨询)[，,:：\s]*)?"
)
_FIELD_WORDS = {
    "类型": "kind",
    "类别": "kind",
    "种类": "kind",
    "地点": "address",
    "地址": "address",
    "位置": "address",
    "时间": "since",
    "内容": "content",
    "问题": "content",
    "情况": "content",
}
# What a place and a time look like (validators): markers of an address, of a moment or a period.
_PLACE = re.compile(
    r"[路街巷道弄号栋幢楼层室村镇乡区市县]|小区|花园|广场|公园|学校|小学|中学|医院|市场|商场|大厦|工地|桥|站|"
    r"门口|旁边|附近|对面|社区|路口|酒店|餐厅|店|厂|公司|大院|新村|屋村|苑|城|湾|岭|坑|塘|围|排|墟"
)
# Not knowing is an answer, not a question ("唔记得几时开始", "不知道具体在哪").
_UNSURE = re.compile(r"(?:不|唔|冇|没)(?:记得|太记得|知道?|清楚|肯定|确定)|记不清|记唔清|忘了|忘记了|唔记得")
# "系/喺/在/就在" before a place: Cantonese and Mandarin for "it is at", not part of the address.
_COPULA = re.compile(r"^(?:就系|就喺|就在|系|係|喺|是|在)\s*(?=\S{2})")
_CLAUSE = re.compile(r"[，,。.!！?？;；、\s]+")
# A place precise enough to be taken from the appeal's own words: a road, a village, a compound, not "楼下".
_STREET = re.compile(r"[路街巷道村镇]|区.*\d|小区|社区|花园|新村|大厦|广场|市场")
_PUNCTUATION = re.compile(r"[，,。!！?？;；、]+")  # clauses as written: "江南路 28 号" stays one
_TIME = re.compile(
    r"[天周月年日号点时晚夜]|星期|礼拜|早上|上午|中午|下午|晚上|夜里|半夜|凌晨|以来|开始|一直|最近|经常|每次|"
    r"昨|前|今|刚才|刚刚|去年|上个|这几|几天|好久|长期|成日|琴日|寻日|旧年|而家|头先"
)


def _answered(data: Mapping[str, object]) -> list[str]:
    raw = data.get("answered")
    return [str(x) for x in raw] if isinstance(raw, list) else []


def _mark(data: dict[str, object], step: str) -> None:
    if step not in _answered(data):
        data["answered"] = [*_answered(data), step]


def _kind(data: Mapping[str, object]) -> str:
    return str(data.get("kind") or "投诉")


def _next(data: Mapping[str, object]) -> str:
    if data.get("editing"):
        return "confirm"
    for step in STEPS:
        if step not in _answered(data) and step not in SKIP.get(_kind(data), set()):
            return step
    return "confirm"


def _phone_shown(data: Mapping[str, object]) -> str:
    """The phone as read back: masked, or 匿名 ("" when none was given)."""
    return "匿名" if data.get("anonymous") else mask_phone(str(data.get("phone") or ""))


def _question(step: str) -> str:
    """A step's question, with the way out."""
    return QUESTIONS[step] + "\n（回复“取消”可放弃登记）"


def _summary(data: Mapping[str, object]) -> Reply:
    phone = _phone_shown(data) or "—"
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
    lines += [
        f"电话：{phone}",
        "确认提交请回复“确认”；要改哪一项可直接说，例如“地点改成江南路 28 号”“类型是投诉”，"
        "或回复“修改”；放弃请回复“取消”。",
    ]
    buttons = [Button("确认", "确认"), Button("修改", "修改"), Button("取消", "取消")]
    return Reply("\n".join(lines), buttons=buttons)


def _ask(conv: ConversationState, before: list[Reply] | None = None) -> Step:
    """Ask for the next missing field (or read everything back), after ``before``."""
    conv.data.pop("tries", None)
    conv.data.pop("asking", None)  # a "我想问下" answered by a step's answer instead
    step = _next(conv.data)
    ask = _summary(conv.data) if step == "confirm" else Reply(_question(step))
    return Step([*(before or []), ask], step)


def kind_in(text: str) -> str | None:
    """The type the citizen named ("我要投诉…" → 投诉; a homophone typo, 我要头诉, too), or None."""
    text = appeal_verbs(text)
    return next((kind for word, kind in _KIND_WORDS if word in text), None)


def _kind_of(text: str) -> str:
    return kind_in(text) or "投诉"


def looks_like_place(text: str) -> bool:
    return bool(_NONE.match(text) or _PLACE.search(text))


def looks_like_time(text: str, now: datetime) -> bool:
    return bool(_NONE.match(text) or _TIME.search(text) or parse_time(text, now) is not None)


# The number of a house after its street ("华南大道18号"): part of a place, not a day of the month.
_HOUSE_NUMBER = re.compile(r"(?<=[路街巷道村弄里坊])\s*[0-9０-９一二三四五六七八九十百零〇]+\s*号")


def says_time(text: str, now: datetime) -> bool:
    """``text`` names a time once house numbers are taken out ("每天晚上", "上周开始"; not "华南大道18号")."""
    rest = _HOUSE_NUMBER.sub("", text)
    return bool(_TIME.search(rest) or parse_time(rest, now))


def place_not_time(text: str, now: datetime) -> bool:
    """``text`` is a place and says no time ("华南大道18号", "金山小区门口"; not "每天晚上在工地门口")."""
    return bool(_PLACE.search(text)) and not asks(text) and not _UNSURE.search(text) and not says_time(text, now)


def late_time(text: str, now: datetime) -> bool:
    """``text`` is a time said after its step ("昨晚开始", "上周开始"): a clause that is nothing but a time, or a
    short message that names one, asks nothing, and speaks of no place and no phone."""
    if asks(text) or _PLACE.search(text) or PHONE_WORDS.search(text):
        return False
    return bool(time_clause(text, now)) or (len(text) <= 10 and says_time(text, now))


def asks(text: str) -> bool:
    """A question, or a message saying the citizen wants to ask ("我其实是想问下占道经营归谁管")."""
    return is_question(text) or bool(_ASKING.search(text))


def asked_part(text: str) -> str:
    """The question without what leads up to it ("不对，我其实是想问下占道经营归谁管" → "占道经营归谁管"), so that the
    knowledge base is asked about the matter, not about the lead-in."""
    rest = _ASK_PREFACE.sub("", text, count=1)
    return rest if len(rest) >= 4 else text


def answers_slot(text: str, fits: Callable[[str], bool]) -> bool:
    """Some clause of ``text`` answers the step: it ``fits`` the slot and asks nothing, or it says the citizen
    does not know. "唔记得几时开始，大概上个月" and "上周开始，怎么还没人管" answer "since when"; "社保卡几时
    可以领" does not (a question aside), nor "不对，我其实是想问下占道经营归谁管" at the place step."""
    return any(
        (fits(clause) and not asks(clause)) or _UNSURE.search(clause) for clause in _CLAUSE.split(text) if clause
    )


_PLACE_TAIL = re.compile(
    r"(?:[0-9０-９一二三四五六七八九十]+|路|街|巷|道|大道|号|栋|幢|座|楼|层|室|村|镇|区|小区|花园|广场|市场|公园|桥|站)*"
)


# A village, community or estate named right after its town or district ("三角镇" then "东升村"): the same place.
_SUBUNIT = re.compile(r"[^\W\d_]{1,4}?(?:新村|村|社区|小区|花园|居委会|居委)")
_NOT_IN_A_SUBUNIT = re.compile(r"[有在喺系係是的嘅个啲了我你佢𠊎呢嗰边附近]")


def whole_place(text: str, value: str) -> str:
    """The NLU may tag only the head of a place ("江北" of "江北路 5 号", "三角镇" of "三角镇东升村"): extend it over
    the place's tail, and over the village or community that follows a town or district."""
    at = text.find(value)
    if at < 0:
        return value
    tail = _PLACE_TAIL.match(text, at + len(value))
    place = value + (tail.group(0) if tail else "")
    if place.endswith(("镇", "街道", "区", "乡")):
        sub = _SUBUNIT.match(text, at + len(place))
        if sub is not None and not _NOT_IN_A_SUBUNIT.search(sub.group(0)):
            more = _PLACE_TAIL.match(text, sub.end())
            place += sub.group(0) + (more.group(0) if more else "")
    return place


@dataclass(frozen=True)
class PlaceAnswer:
    """What a message typed at the place step says: the place, and what the citizen went on to say after it
    (a time that answers "since when", more of the appeal)."""

    place: str
    since: str = ""
    more: str = ""


def place_answer(text: str, now: datetime) -> PlaceAnswer:
    """ "江南路28号，上个礼拜开始，成日半夜有人烧嘢": the leading clauses that name a place (and no time) are the
    place; a later clause that is a time (``late_time``) answers "since when"; the other later clauses are more of
    the appeal. A message that does not start with a place is all place, as typed."""
    clauses = [c.strip() for c in _PUNCTUATION.split(text.strip()) if c.strip()]
    n = 0
    while n < len(clauses) and _PLACE.search(clauses[n]) and not says_time(clauses[n], now) and not asks(clauses[n]):
        n += 1
    if n == 0 or n == len(clauses):
        return PlaceAnswer(text.strip())
    rest = clauses[n:]
    since = next((c for c in rest if late_time(c, now)), "")
    more = "，".join(c for c in rest if c != since and not asks(c))
    return PlaceAnswer("，".join(clauses[:n]), since, more if len(more) >= 4 else "")


def time_clause(text: str, now: datetime) -> str:
    """A clause of ``text`` that is nothing but a time ("琴日夜晚", "昨天下午三点"): the "since when" of a
    first message that says it; "" when no clause is."""
    for clause in _CLAUSE.split(text):
        t = parse_time(clause, now)
        if t is not None and len(t.text) >= 2 and len(clause) - len(t.text) <= 2 and not _PLACE.search(clause):
            return clause
    return ""


# What says there is a matter without saying which ("下个问题", "一件事情", "啲情况").
_VAGUE = re.compile(
    r"^(?:下|一下)?(?:个|一个|啲|些|件|一件|呢个|呢件|这个|这件)?(?:问题|情况|事情|事|嘢)[啊呀啦喇吧嘞!！。.~～\s]*$"
)


def _says_what_happened(rest: str) -> bool:
    """What follows the verb of filing says what happened: four characters do ("我想投诉路灯坏咗"); "下个问题", or
    a place alone, do not."""
    return len(_CJK.findall(rest)) >= 4 and not _VAGUE.match(rest) and only_a_place(rest) is None


def initial_data(kind: str, text: str, entities: Mapping[str, object], now: datetime) -> dict[str, object]:
    """Prefill from the first message: its content when it says more than the trigger, NLU entities, a clause
    that is a time."""
    data: dict[str, object] = {"kind": kind, "answered": [], "content": "", "address": "", "since": "", "phone": ""}
    content = _TRIGGER.sub("", appeal_verbs(text)).strip()
    if _says_what_happened(content):
        data["content"] = text.strip()
        _mark(data, "content")
        since = time_clause(content, now) if "since" not in SKIP.get(kind, set()) else ""
        if since:
            data["since"] = since
            _mark(data, "since")
    # The NLU's place, else a street with its house number in the words ("投诉东山大道12号大排档…").
    address = whole_place(text, str(entities["address"])) if entities.get("address") else street_address(text)
    address = address or only_a_place(content) or ""
    if address:
        data["address"] = address
        _mark(data, "address")
    phone = entities.get("phone") or mobile_in(text) or ""
    if phone:
        data["phone"] = str(phone)
        _mark(data, "phone")
    return data


def _noted(data: Mapping[str, object]) -> str:
    """Read back what was taken from the first message, so a wrong guess can be corrected at once."""
    parts = [f"类型：{_kind(data)}"]
    if data.get("address"):
        parts.append(f"地点：{data['address']}")
    if data.get("since"):
        parts.append(f"时间：{data['since']}")
    if data.get("phone"):
        parts.append(f"电话：{mask_phone(str(data['phone']))}")
    return "已记下 " + "；".join(parts) + "（不对可随时说“类型是…”“地点改成…”）。"


async def _open(ctx: Context, start: Mapping[str, object], conv: ConversationState) -> Step:
    """Opened from outside the chain: ``start`` has the kind, the citizen's words and NLU entities."""
    entities = start.get("entities")
    text = str(start.get("text") or "")
    kind = kind_in(text) or str(start.get("kind") or "投诉")
    conv.data = initial_data(kind, text, entities if isinstance(entities, dict) else {}, ctx.services.clock.now())
    _with_place_said(ctx, conv.data)
    intro = f"好的，我来帮您登记{kind}工单，会转交相关部门办理。" + _noted(conv.data)
    return _ask(conv, [Reply(intro)])


def explicit_request(text: str) -> bool:
    """A message that plainly files a ticket with its content ("我要投诉楼下烧烤店半夜很吵"): used when
    NLU is off or down, so that what a citizen wrote is not answered as a KB question."""
    text = appeal_verbs(text)
    content = _TRIGGER.sub("", text).strip()
    return bool(_EXPLICIT.match(text)) and _says_what_happened(content) and not _QUESTION.search(text)


def explicit_start(ctx: Context) -> dict[str, object]:
    """The opening data for an explicit request (see ``explicit_request``)."""
    return {"kind": _kind_of(ctx.text), "text": tidy_text(ctx.message.text), "entities": {}}


# --- interruptions -------------------------------------------------------------------------------


_DROP_HINT = "（只是想咨询、不用登记的话，回复“取消”即可，什么都不会提交）"


def _resume(conv: ConversationState) -> Reply:
    """The step asked again after something said aside, with a way out: the citizen may have come to ask."""
    if conv.state == "confirm":
        return _summary(conv.data)
    if conv.state == "fix":
        return Reply("我们继续刚才的登记：请回复要修改的项目序号或名称（类型、内容、地点、时间、电话）。")
    drop = [Button("不登记了", "取消")]
    return Reply(f"我们继续刚才的登记：{QUESTIONS[conv.state]}\n{_DROP_HINT}", buttons=drop)


def _how_long_answer(ctx: Context, conv: ConversationState) -> Reply | None:
    """The time limit of this kind of ticket (the district's rules), for a citizen asking how long it takes."""
    tickets = ctx.services.tickets
    if tickets is None or not asks_how_long(ctx.text):
        return None
    kind = _kind(conv.data)
    if not tickets.rules.workdays.get(kind):
        return None
    return Reply(how_long_it_takes(tickets.rules.workdays, kind))


async def _interruption(ctx: Context, conv: ConversationState, *, aside: bool = True) -> Step | None:
    """A question in the middle of the intake: answered when the knowledge base knows it with confidence,
    else set aside politely; either way the intake resumes where it was, saying so, and nothing is stored.
    ``aside=False`` (the content step, where a question may be the appeal itself) only takes KB answers. A
    question after a lead-in that takes back the filing ("不对，我其实是想问下…") is told first how to drop it.
    After "我想问下" the next message is that question, whatever its words, and never the step's answer."""
    announced = bool(conv.data.pop("asking", None))
    aside = aside or announced
    if asks_what_answers(ctx.text):  # "你哋系咪政府嘅" at the content step is not the appeal
        return Step([Reply(WHO), _resume(conv)], conv.state)
    called = form_of_address(ctx.text)
    if called is not None:  # "陈生", "我姓陈": how to address the citizen, never the appeal or an answer
        phone = "" if "phone" in _answered(conv.data) else "，留个电话方便部门联系回访就可以"
        return Step([Reply(f"好的，{called}。登记工单不需要留姓名{phone}。"), _resume(conv)], conv.state)
    day = day_question(ctx.text)
    if day is not None:  # "今日几号" when asked when it began: a question, the date then the same step
        return Step([Reply(await day_answer(ctx.services.db, ctx.services.clock, day)), _resume(conv)], conv.state)
    followed = await follow_up_aside(ctx) if conv.state != "content" else None
    if followed is not None:  # "帮我催下我之前张单" when asked where: the earlier ticket urged, then the same step
        return Step([*followed, _resume(conv)], conv.state)
    if conv.state in REASONS and asks_why(ctx.text):  # "点解要留电话": the reason, then the same step
        return Step([Reply(REASONS[conv.state]), Reply(QUESTIONS[conv.state])], conv.state)
    if asks_to_wait(ctx.text):
        return Step([Reply("好的，不急，想好了直接发给我就行。（回复“取消”可放弃登记）")], conv.state)
    if asks_after_own_ticket(ctx.text):  # "𠊎个单做到哪里了": the tickets filed before, then the same step
        status = await run_intent(ctx, SPECS["query_ticket"], {})
        return Step([*status, _resume(conv)], conv.state)
    if about_to_ask(ctx.text):  # "我想问下": the question comes next, and is taken as one
        conv.data["asking"] = True
        said = "好的，请问。（刚才的登记还没有提交，问完可以接着填；不登记了回复“取消”）"
        return Step([Reply(said)], conv.state)
    if not asks(ctx.text) and not announced:
        return None
    how_long = _how_long_answer(ctx, conv) if aside else None  # at the content step it may be the appeal
    if how_long is not None:
        return Step([how_long, _resume(conv)], conv.state)
    call = FlowCall(SPECS["ask_service"], {}, ctx.actor, asked_part(ctx.text), ctx.session, ctx.message.text)
    result = await ctx.services.knowledge.lookup(call)
    state, resume = conv.state, _resume(conv)
    if result is not None and result.decision is Decision.ANSWER:
        answer = await deliver(ctx, await ctx.services.knowledge.answer(call, result))
        return Step([*answer, resume], state)
    if not aside:
        return None
    asked = tidy_text(ctx.message.text)[:40]
    if _SWITCHING.match(ctx.text):
        later = (
            f"您是想先咨询吗？您问的“{asked}”，我暂时没有准确答案，可以拨打 12345 咨询。"
            "不需要登记工单的话，回复“取消”就结束登记，什么都不会提交。"
        )
    else:
        later = f"您问的“{asked}”，我暂时没有准确答案，登记完成后可以再问我或拨打 12345 咨询。"
    return Step([Reply(later), resume], state)


async def _invalid(ctx: Context, conv: ConversationState, step: str) -> Step:
    """An answer that does not look like the slot: asked again once with an example, then taken as said. A time
    said when asked where ("日日开到三点") answers "since when" ahead; other words the first time ("好嘈") are
    more of the appeal, typed in pieces, and join its content."""
    said = tidy_text(ctx.message.text)[:200]
    now = ctx.services.clock.now()
    if step == "address" and says_time(said, now) and _fill_ahead(conv.data, "since", said):
        return Step([Reply(f"好的，时间记为：{said}。"), Reply(QUESTIONS[step])], step)
    if agrees(said) or _GREETING.match(said):
        # "确认" or "系" when asked where: a yes is never a place, however often it is said; nothing is submitted
        # before the read-back, and the citizen is told so.
        return Step([Reply(HINTS[step] + _NOT_YET_SUBMITTED)], step)
    tries = int(str(conv.data.get("tries") or 0)) + 1
    if tries >= 2:  # asked twice: take the citizen's words as they are (staff will read them)
        return await _store(ctx, conv, step, said)
    conv.data["tries"] = tries
    content = str(conv.data.get("content") or "")
    if content and _more_of_the_appeal(said):
        conv.data["content"] = f"{content}，{said}"[:2000]
        return Step([Reply(f"已补充到问题描述：“{said}”。"), Reply(HINTS[step])], step)
    return Step([Reply(HINTS[step])], step)


_WHAT_HAPPENED = "请再说说那里出了什么问题，例如“路灯坏了一个星期”“晚上噪音很大”。"
_NOT_YET_SUBMITTED = "（工单还没有提交：填完后会请您核对，那时再回复“确认”。）"
_CJK = re.compile(r"[\u4e00-\u9fff\U00020000-\U0002ffff]")


# Words to the assistant rather than about the matter ("你哋系咪冇真人喺度", "系咪要讲地址"): never the appeal.
_TO_THE_ASSISTANT = re.compile(r"^(?:你|您|你哋|你们|你地)|系咪|係咪|是不是|是否|有冇|有没有|[吗咩嘛呢㗎][?？!！。]*$")


def _more_of_the_appeal(said: str) -> bool:
    """Words at a step that are no answer to it and still say something (two characters or more): not a yes,
    a greeting, thanks, "无", not knowing, a question, or words to the assistant."""
    if len(_CJK.findall(said)) < 2 or _NONE.match(said) or _UNSURE.search(said):
        return False
    if asks(said) or _TO_THE_ASSISTANT.search(said):
        return False
    return not (agrees(said) or _GREETING.match(said) or only_thanks(said))


async def _store(ctx: Context, conv: ConversationState, step: str, value: str) -> Step:
    conv.data[step] = value
    _mark(conv.data, step)
    return _ask(conv)


# --- steps -------------------------------------------------------------------------------------


async def _enter(ctx: Context, m: Match, conv: ConversationState) -> Step:
    miss = ctx.session.pop(MISS_KEY, None)
    if ctx.text.lstrip("/／").startswith("登记") and isinstance(miss, str) and miss:
        conv.data = initial_data("咨询", miss, {}, ctx.services.clock.now())
        return _ask(conv, [Reply(f"好的，我把您的问题“{miss[:60]}”登记为咨询工单，由相关部门答复您。")])
    kind = _kind_of(ctx.text)
    conv.data = initial_data(kind, m.raw_rest if m.args else tidy_text(ctx.message.text), {}, ctx.services.clock.now())
    noted = "已记下 " + f"地点：{conv.data['address']}。" if _with_place_said(ctx, conv.data) else ""
    return _ask(conv, [Reply(f"好的，我来帮您登记{kind}工单。{noted}")])


def _with_place_said(ctx: Context, data: dict[str, object]) -> bool:
    """The place the citizen said alone just before (``bot.place_alone``) fills an appeal that names none."""
    place = place_said(ctx.session, ctx.services.clock.now())
    return bool(place) and _fill_ahead(data, "address", place)


async def _content(ctx: Context, m: Match, conv: ConversationState) -> Step:
    if _kind(conv.data) != "咨询":
        interrupted = await _interruption(ctx, conv, aside=False)
        if interrupted is not None:
            return interrupted
    piece = _GOING_ON.sub("", tidy_text(ctx.message.text))
    place = only_a_place(piece)
    if place is not None and not conv.data.get("content_head"):
        # "梅江区城北镇扎上村村口" when asked what happened: the place, said ahead; the matter is asked again.
        if _fill_ahead(conv.data, "address", place[:200]):
            said_back = f"好的，地点记为：{place}。"
        else:
            said_back = f"地点已经记下了：{conv.data.get('address')}。"
        return Step([Reply(said_back), Reply(_WHAT_HAPPENED)], conv.state)
    head = str(conv.data.pop("content_head", "") or "")  # "楼下", then "有间烧烤档": one appeal typed in pieces
    said = f"{head}，{piece}" if head and piece else head or piece
    if len(said) < 4:
        if len(piece) >= 2 and not _GREETING.match(piece):
            conv.data["content_head"] = said
        return Step([Reply("描述得再具体一点好吗？例如：哪里、什么问题、造成了什么影响。")], conv.state)
    conv.data["content"] = said
    _mark(conv.data, "content")
    noted = _where_and_since_in_content(conv.data, said, ctx.services.clock.now())
    return _ask(conv, [Reply(noted)] if noted else None)


def _where_and_since_in_content(data: dict[str, object], said: str, now: datetime) -> str:
    """An appeal that opens with a street-level place and goes on ("梅江区江南路28号，上个礼拜开始，晚晚嘈到两三点"):
    the place and a time said in it fill their steps (not asked again), and are said back so that a wrong guess
    is corrected at once; "" when nothing was taken."""
    found = place_answer(said, now)
    taken = []
    place = _COPULA.sub("", found.place)[:200]
    if found.place != said.strip() and _STREET.search(found.place) and _fill_ahead(data, "address", place):
        taken.append(f"地点：{place}")
    if found.since and _fill_ahead(data, "since", found.since):
        taken.append(f"时间：{found.since}")
    return ("已记下 " + "；".join(taken) + "（不对可随时说“地点改成…”）。") if taken else ""


def _fill_ahead(data: dict[str, object], step: str, value: str) -> bool:
    """A later step answered ahead by words said for an earlier one; not when it was answered already or the
    kind skips it."""
    if step in _answered(data) or step in SKIP.get(_kind(data), set()):
        return False
    data[step] = value
    _mark(data, step)
    return True


# Words that open a conversation, not an appeal's piece ("喂", "你好", "在吗").
_GREETING = re.compile(
    r"^(?:喂|你好|您好|hello|hi|哈喽|在吗|在不在|有人吗|系|係|是|对|嗯|哦|噢|啊)[啊呀吗嘛?？!！。.~～\s]*$", re.I
)
# "好，继续，…" after a question aside: the words that take the intake up again are not the appeal.
_GOING_ON = re.compile(r"^(?:(?:好的?|嗯|噢|哦|ok|行|得|继续登记|继续|接着说|我们继续|返嚟)[，,。.!！\s]*)+", re.I)
_ONLY_PHONE = re.compile(r"[\d\s+\-－—()（）]{7,}")
_OF_A_PHONE = re.compile(r"电话|手机|联系方式|留")
_ONLY_ANON = re.compile(rf"(?:我要|我想|我|𠊎)?(?:匿名(?:反映|登记|投诉|举报)?|{_NO_NAME})[吧啦了呀喇嘞。.!！]*")


def _phone_ahead(ctx: Context, conv: ConversationState) -> Step | None:
    """A phone number, "匿名" or "唔想留电话" alone, said before its step ("13800138000" when asked where): kept
    for the phone step, and the step asked again; never taken as the place or the time."""
    if "phone" in _answered(conv.data):
        return None
    phone = phone_in(ctx.text) if _ONLY_PHONE.fullmatch(ctx.text) else None
    if phone is not None:
        conv.data["phone"], conv.data["anonymous"] = phone, False
        said = f"好的，电话记下了：{mask_phone(phone)}。"
    elif _ONLY_ANON.fullmatch(ctx.text):
        conv.data["phone"], conv.data["anonymous"] = "", True
        said = "好的，按匿名登记。"
    elif len(ctx.text) <= 12 and _NO_PHONE.search(ctx.text) and _OF_A_PHONE.search(ctx.text):
        # "唔想留电话" when asked when it began ("冇号码" when asked where is a place without a house number)
        conv.data["phone"], conv.data["anonymous"] = "", True
        said = "好的，不留电话就按匿名登记，办理部门将无法电话回访。"
    else:
        return None
    _mark(conv.data, "phone")
    return _ask(conv, [Reply(said)])


async def _not_yet_an_answer(
    ctx: Context, conv: ConversationState, step: str, fits: Callable[[str], bool]
) -> Step | None:
    """What a place or time step does before it stores: a phone said ahead, a question aside, an answer that
    does not fit (asked again); None when the message is the step's answer."""
    ahead = _phone_ahead(ctx, conv)
    if ahead is not None:
        return ahead
    followed = await follow_up_aside(ctx)  # "帮我催下我之前张单" holds a time word (之前), and is no answer
    if followed is not None:
        return Step([*followed, _resume(conv)], conv.state)
    if not answers_slot(ctx.text, fits) or day_question(ctx.text) is not None:  # "今日几号" holds a time, asks one
        interrupted = await _interruption(ctx, conv)
        if interrupted is not None:
            return interrupted
    if not fits(ctx.text) and not _UNSURE.search(ctx.text):
        return await _invalid(ctx, conv, step)
    return None


async def _address(ctx: Context, m: Match, conv: ConversationState) -> Step:
    other = _swap_at_a_step(ctx, conv) or await _not_yet_an_answer(ctx, conv, "address", looks_like_place)
    if other is not None:
        return other
    if _NONE.match(ctx.text):
        return await _store(ctx, conv, "address", "")
    said = place_answer(tidy_text(ctx.message.text), ctx.services.clock.now())
    content = str(conv.data.get("content") or "")
    if said.more and content:  # "江南路28号，成日半夜有人烧嘢": the rest is more of the appeal, not the place
        conv.data["content"] = f"{content}；{said.more}"[:2000]
    if said.since:
        _fill_ahead(conv.data, "since", said.since)
    return await _store(ctx, conv, "address", _COPULA.sub("", said.place)[:200])


def _same_place(said: str, recorded: str) -> bool:
    """The place said adds nothing to the one recorded (the same, or a part of it): "江南路" after "江南路 88 号",
    but not "江南路 88 号" after "江南路", which says more."""
    said, recorded = said.replace(" ", ""), recorded.replace(" ", "")
    return bool(recorded) and said in recorded


def _place_at_step(ctx: Context, conv: ConversationState) -> Step | None:
    """A place that says no time, typed when asked since when or for the phone ("华南大道18号" again, "江南路12号"
    after "江南路"): never stored as the time. The place already recorded is said to be; another or a more precise
    place corrects it; either way the step is asked again."""
    if not place_not_time(ctx.text, ctx.services.clock.now()):
        return None
    if conv.state == "phone" and (_ONLY_PHONE.search(ctx.text) or "address" in SKIP.get(_kind(conv.data), set())):
        return None
    place = _COPULA.sub("", tidy_text(ctx.message.text))[:200]
    recorded = str(conv.data.get("address") or "")
    if _same_place(place, recorded):
        said = f"地点已经记下了：{recorded}。"
    else:
        conv.data["address"] = place
        _mark(conv.data, "address")
        said = f"好的，地点改为：{place}。" if recorded else f"好的，地点记为：{place}。"
    return Step([Reply(said), Reply(_question(conv.state))], conv.state)


def _time_at_phone_step(ctx: Context, conv: ConversationState) -> Step | None:
    """A time said at the phone step while the time field holds none ("昨晚开始" after the place was taken for
    the time, or after "不清楚"): stored as the time, and the phone asked again."""
    now = ctx.services.clock.now()
    if "since" in SKIP.get(_kind(conv.data), set()) or says_time(str(conv.data.get("since") or ""), now):
        return None
    if not late_time(ctx.text, now):
        return None
    conv.data["since"] = tidy_text(ctx.message.text)[:200]
    _mark(conv.data, "since")
    return Step([Reply(f"好的，时间记为：{conv.data['since']}。"), Reply(QUESTIONS["phone"])], "phone")


async def _since(ctx: Context, m: Match, conv: ConversationState) -> Step:
    now = ctx.services.clock.now()
    other = _swap_at_a_step(ctx, conv) or _place_at_step(ctx, conv)
    if other is None:
        other = await _not_yet_an_answer(ctx, conv, "since", lambda text: looks_like_time(text, now))
    if other is not None:
        return other
    return await _store(ctx, conv, "since", "" if _NONE.match(ctx.text) else tidy_text(ctx.message.text)[:200])


async def _phone(ctx: Context, m: Match, conv: ConversationState) -> Step:
    if _ANON.search(ctx.text):
        conv.data["anonymous"] = True
        return await _store(ctx, conv, "phone", "")
    phone = phone_in(ctx.text)
    if phone is None and _NO_PHONE.search(ctx.text):
        conv.data["anonymous"] = True
        await _store(ctx, conv, "phone", "")
        return _ask(conv, [Reply("好的，不留电话就按匿名登记，办理部门将无法电话回访。")])
    if phone is None:
        late = _swap_at_a_step(ctx, conv) or _place_at_step(ctx, conv) or _time_at_phone_step(ctx, conv)
        if late is not None:
            return late
        interrupted = await _interruption(ctx, conv)
        if interrupted is not None:
            return interrupted
        return Step([Reply("没有识别到手机号码，请输入 11 位手机号（如 13800138000），或回复“匿名”。")], "phone")
    conv.data["anonymous"] = False
    return await _store(ctx, conv, "phone", phone)


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
        return Step([Reply(f"{exc}\n请说要改哪一项（例如“内容改成……”），或回复“取消”放弃。")], conv.state)
    lines = [
        f"已为您登记工单 {created.code}（{created.kind}），{created.deadline_text}。",
        f"可随时回复“/工单 {created.code}”或“我的工单”查询进度，办结后会通知您并请您评价。",
    ]
    if created.dispatched_to:
        lines.insert(1, f"已派往：{created.dispatched_to}。")
    if created.duplicate_of:
        lines.append(f"（提示：您近期反映的工单 {created.duplicate_of} 与此相近，工作人员会一并处理。）")
    return Step([Reply("\n".join(lines))], END)


def _fields(data: Mapping[str, object]) -> list[str]:
    skipped = SKIP.get(_kind(data), set())
    return [f for f in FIX_ORDER if f not in skipped]


async def _edit(ctx: Context, m: Match, conv: ConversationState) -> Step:
    fields = _fields(conv.data)
    lines = ["请问要修改哪一项？请回复序号或名称："]
    lines += [f"{n}. {FIELD_LABELS[f]}" for n, f in enumerate(fields, start=1)]
    buttons = [Button(FIELD_LABELS[f], FIELD_LABELS[f]) for f in fields]
    return Step([Reply("\n".join(lines), buttons=buttons)], "fix")


def _field_named(text: str, data: Mapping[str, object]) -> str | None:
    fields = _fields(data)
    n = picked_number(text)
    if n is not None:
        return fields[n - 1] if 1 <= n <= len(fields) else None
    word = text.strip("。.!！ ")
    if word.startswith(("电话", "手机", "号码", "联系电话")):
        return "phone"
    field = _FIELD_WORDS.get(word)
    return field if field in fields else None


# A field named to be changed, with no new value ("改下内容", "内容要改", "地址写错咗", "我想修改电话").
_FIELD = r"(?P<field>类型|类别|地点|地址|位置|时间|电话|手机|号码|内容|问题|描述)"
_EDIT_FIELD = re.compile(
    rf"^(?:我|𠊎)?(?:想|要|爱)?(?:改|修改|更改|更正|重写|重新写|重填)(?:下|一下|吓)?(?:个|嘅|的)?{_FIELD}"
    rf"|^(?:个|嘅|的)?{_FIELD.replace('field', 'named')}(?:要|想|爱)?(?:改|修改|更改|重写|重填)(?:下|一下|吓)?"
    r"|^(?:个|嘅|的)?(?P<wrong>类型|类别|地点|地址|位置|时间|电话|手机|号码|内容|问题|描述)(?:写|填|讲|说|打)?"
    r"(?:错了|错咗|错嘞|唔啱|不对)"
)
_PARTICLES = re.compile(r"[啊呀吧啦喇嘞了先。.!！~～\s]*$")
_FIELD_OF_WORD = {**_FIELD_WORDS, "描述": "content", "电话": "phone", "手机": "phone", "号码": "phone"}


def _field_to_edit(text: str) -> str | None:
    """The field a message at the read-back asks to change, when it says no new value; else None."""
    m = _EDIT_FIELD.match(text.strip())
    if m is None or _PARTICLES.fullmatch(text.strip()[m.end() :]) is None:
        return None
    return _FIELD_OF_WORD.get(m.group("field") or m.group("named") or m.group("wrong") or "")


async def _edit_named_field(ctx: Context, m: Match, conv: ConversationState) -> Step:
    """ "改下内容" at the read-back: that field asked for again (it used to be told to reply "确认")."""
    field = _field_to_edit(ctx.text)
    if field is None or field not in _fields(conv.data):
        return await _edit(ctx, m, conv)
    conv.data["editing"] = True
    return Step([Reply(QUESTIONS[field])], field)


async def _fix(ctx: Context, m: Match, conv: ConversationState) -> Step:
    field = _field_named(ctx.text, conv.data)
    if field is None:  # typed text that names no field: ask again, never guess
        return Step(
            [Reply("没有对应的项目，请回复序号或名称（类型、内容、地点、时间、电话），或回复“确认”提交。")], "fix"
        )
    conv.data["editing"] = True
    if field == "kind":
        return Step([Reply(QUESTIONS["kind"])], "kind")
    return Step([Reply(QUESTIONS[field])], field)


async def _back_to_summary(ctx: Context, m: Match, conv: ConversationState) -> Step:
    return Step([_summary(conv.data)], "confirm")


async def _kind_answer(ctx: Context, m: Match, conv: ConversationState) -> Step:
    kind = kind_in(ctx.text)
    if kind is None:
        return Step([Reply(QUESTIONS["kind"])], "kind")
    conv.data["kind"] = kind
    return _ask(conv, [Reply(f"好的，类型改为{kind}。")])


async def _correct(ctx: Context, m: Match, conv: ConversationState) -> Step:
    """ "地点改成江北路 3 号", "类型是投诉", "电话改成 139…": change one field, then go on where we were."""
    found = _correction(ctx.text)
    assert found is not None
    word, value = found.group("field"), found.group("value").strip()
    raw = _correction(tidy_text(ctx.message.text))
    written = raw.group("value").strip() if raw else value
    field = "phone" if word.startswith(("电话", "手机", "号码", "联系电话")) else _FIELD_WORDS[word]
    if field == "kind":
        kind = kind_in(value)
        if kind is None:
            return Step([Reply("类型可以是：" + "、".join(KINDS) + "。请再说一次，例如“类型是投诉”。")], conv.state)
        conv.data["kind"] = kind
        said = f"好的，类型改为{kind}。"
    elif field == "phone":
        phone = phone_in(value)
        if phone is None:
            return Step([Reply("没有识别到电话号码，例如“电话改成 13800138000”。")], conv.state)
        conv.data["phone"], conv.data["anonymous"] = phone, False
        said = f"好的，电话改为 {mask_phone(phone)}。"
    else:
        if field == "address":  # "地点改成江南路38号，唔系28号": the place, without what it is not (or that part
            # of the place said before replaced: "江南路28号" → "江南路38号")
            written = corrected_address(str(conv.data.get("address") or ""), written) or written
        conv.data[field] = written[: 2000 if field == "content" else 200]
        said = f"好的，{FIELD_LABELS[field]}改为：{conv.data[field]}。"
    _mark(conv.data, field)
    if conv.state in ("confirm", "fix", "kind"):
        conv.data["editing"] = True
    return _ask(conv, [Reply(said)])


def _is_correction(ctx: Context) -> bool:
    return _correction(ctx.text) is not None


_NOT = r"(?:不是|唔系|唔係|毋系|冇系|并非)"
# "唔系，我想投诉，唔系举报", "系投诉唔系举报", "是建议，不是投诉": the right type, then the wrong one negated.
_KIND_SWITCH_AFTER = re.compile(
    rf"^(?:{_NOT}|不对|唔啱)?[，,、\s]*(?:我|𠊎)?(?:其实)?(?:是|系|係)?(?:想|要)?(?:提|做|登记成?)?(?:个|一个)?"
    rf"(?P<kind>{_KIND_WORD})[，,、\s]*(?:{_NOT})(?:想|要)?(?:{_KIND_WORD})[啊呀啦喇。.!！]*$"
)


def kind_switched_to(text: str) -> str | None:
    """The type a correction names ("不是投诉，是建议" → 建议; "唔系，我想投诉，唔系举报" → 投诉), or None."""
    found = _KIND_SWITCH.match(text) or _KIND_SWITCH_AFTER.match(text)
    return found.group("kind") if found else None


def _is_kind_switch(ctx: Context) -> bool:
    return kind_switched_to(ctx.text) is not None


async def _switch_kind(ctx: Context, m: Match, conv: ConversationState) -> Step:
    """ "不是投诉，是建议": the type changed, then on where we were."""
    kind = kind_switched_to(ctx.text)
    assert kind is not None
    conv.data["kind"] = kind
    if conv.state in ("confirm", "fix", "kind"):
        conv.data["editing"] = True
    return _ask(conv, [Reply(f"好的，类型改为{kind}。")])


def _draft(data: Mapping[str, object]) -> str:
    """The unfinished ticket for the operator's transcript ("" when nothing but the type was said)."""
    kind = _kind(data)
    fields = [f for f in STEPS if f not in SKIP.get(kind, set()) and data.get(f)]
    if not fields:
        return ""
    lines = [f"{FIELD_LABELS[f]}：{data[f]}" for f in fields]
    if data.get("anonymous"):
        lines.append("电话：（匿名）")
    return f"市民登记{kind}工单时要求转人工，工单未提交。已填写：\n" + "\n".join(lines)


async def _to_person(ctx: Context, m: Match, conv: ConversationState) -> Step:
    """A request for a person at any step: the intake ends and the citizen is queued for an operator, who sees
    the unfinished ticket in the transcript. When no handoff can start (off, queue full) the intake goes on."""
    draft = _draft(conv.data)
    desk = ctx.services.handoff
    session, message = ctx.session, ctx.message
    replies = await deliver(ctx, await desk.start(message.channel, message.sender, ctx.text, session, note=draft))
    if HANDOFF_KEY not in session:
        return Step([*replies, _resume(conv)], conv.state)
    if draft:
        said = "好的，工单还没有提交，登记先停在这里。您已填写的内容已转给人工客服，客服接入后会看到，不用再说一遍。"
    else:
        said = "好的，工单登记先停在这里（还没有提交任何内容）。"
    return Step([Reply(said), *replies], END)


async def _step_back(ctx: Context, m: Match, conv: ConversationState) -> Step:
    """ "上一步" / "返回": the question before the current one is asked again, its answer shown; what was said
    for the other fields stays. While editing from the read-back, back to the read-back."""
    data, state = conv.data, conv.state
    if state in ("fix", "kind") or data.pop("editing", None):
        return Step([Reply("好的，回到核对页面。"), _summary(data)], "confirm")
    order = [s for s in STEPS if s not in SKIP.get(_kind(data), set())]
    at = order.index(state) if state in order else len(order)
    if at == 0:
        return Step([Reply("这已经是第一步了。" + _question(state))], state)
    previous = order[at - 1]
    data["answered"] = [s for s in _answered(data) if s != previous]
    said = _phone_shown(data) if previous == "phone" else str(data.get(previous) or "")
    data.pop("tries", None)
    before = f"好的，回到上一步（{FIELD_LABELS[previous]}原来填的是：{said or '未填写'}）。"
    return Step([Reply(before + _question(previous))], previous)


def _swap_in_a_field(ctx: Context, conv: ConversationState) -> Step | None:
    """ "不是3栋是5栋" at the read-back: the part said wrong replaced in the field that holds it (the place first,
    then the time, then the content), and read back again; when no field holds it, said so. None: no such turn."""
    swap = swapped_part(tidy_text(ctx.message.text))
    if swap is None:
        return None
    swapped = _swapped(conv, swap, ("address", "since", "content"))
    if swapped is not None:
        return Step([swapped, _summary(conv.data)], "confirm")
    return Step(
        [
            Reply(
                f"要登记的内容里没有“{swap[0]}”。要改哪一项可直接说（例如“地点改成……”“内容改成……”），"
                "或回复“确认”提交、“取消”放弃。"
            )
        ],
        "confirm",
    )


def _swap_at_a_step(ctx: Context, conv: ConversationState) -> Step | None:
    """ "唔系，系江南路唔系江北路" when asked for the phone or the time: the place or time already answered that
    holds the wrong part is corrected, and the current step asked again. None: no swap of an answered field
    (at the place step, "唔系江北路系江南路" is that step's answer)."""
    swap = swapped_part(tidy_text(ctx.message.text))
    if swap is None:
        return None
    answered = [f for f in ("address", "since") if f in _answered(conv.data) and f != conv.state]
    swapped = _swapped(conv, swap, tuple(answered))
    if swapped is None:
        return None
    return Step([swapped, Reply(_question(conv.state))], conv.state)


def _swapped(conv: ConversationState, swap: tuple[str, str], fields: tuple[str, ...]) -> Reply | None:
    """The first of ``fields`` that holds the wrong part, with it replaced; None when none holds it."""
    wrong, right = swap
    for field in fields:
        held = str(conv.data.get(field) or "")
        if wrong in held:
            conv.data[field] = held.replace(wrong, right, 1)[: 2000 if field == "content" else 200]
            return Reply(f"好的，{FIELD_LABELS[field]}改为：{conv.data[field]}。")
    return None


async def _cancel(ctx: Context, m: Match, conv: ConversationState) -> Step:
    return Step([Reply("好的，已取消登记，没有提交任何内容。还有什么可以帮您？")], END)


async def _reprompt(ctx: Context, m: Match, conv: ConversationState) -> Step:
    interrupted = await _interruption(ctx, conv)
    if interrupted is not None:
        return interrupted
    state = conv.state
    if state == "confirm":
        swapped = _swap_in_a_field(ctx, conv)
        if swapped is not None:
            return swapped
        return Step([Reply("请回复“确认”提交；要改哪一项可直接说（例如“地点改成……”），或回复“取消”放弃。")], state)
    if state == "phone":
        return Step([Reply("没有识别到手机号码，请输入 11 位手机号（如 13800138000），或回复“匿名”。")], state)
    if state == "fix":
        return Step([Reply("请回复要修改的项目序号或名称（类型、内容、地点、时间、电话）。")], state)
    return Step([Reply(QUESTIONS.get(state, "请继续填写。"))], state)


def _text(ctx: Context) -> bool:
    return not is_command(ctx.text)


def build(timeout: timedelta) -> ConversationHandler:
    return ConversationHandler(
        NAME,
        entry_points=[
            on_command({"登记工单", "投诉", "举报", "求助", "建议"}, _enter),
            on_text(lambda c: bool(_ENTRY.match(appeal_verbs(c.text))), _enter),
        ],
        states={
            "content": [on_text(_text, _content)],
            "address": [on_text(_text, _address)],
            "since": [on_text(_text, _since)],
            "phone": [on_text(_text, _phone)],
            "confirm": [
                on_text(lambda c: agrees(c.text), _confirm),
                on_text(lambda c: bool(_EDIT.match(c.text)), _edit),
                on_text(lambda c: _field_to_edit(c.text) is not None, _edit_named_field),
            ],
            "fix": [on_text(lambda c: agrees(c.text), _back_to_summary), on_text(_text, _fix)],
            "kind": [on_text(_text, _kind_answer)],
        },
        fallbacks=[
            on_text(lambda c: asks_for_person(c.text), _to_person),  # before any step takes it as an answer
            on_text(lambda c: gives_up(c.text), _cancel),  # "取消", "算啦唔投诉啦", "冇事了唔使搞"
            on_text(lambda c: goes_back(c.text), _step_back),  # "上一步", "返回", "退返上一步"
            on_text(_is_correction, _correct),
            on_text(_is_kind_switch, _switch_kind),
        ],
        reprompt=_reprompt,
        opener=_open,
        timeout=timeout,
        on_timeout="上一次的工单登记超过时限未完成，已自动放弃（没有提交任何内容）。",
    )
