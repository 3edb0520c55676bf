"""One arbitration point between the NLU and the knowledge base, used by the chat and the console's
hit test alike, so that what an editor sees is what a citizen gets.

The NLU's intent, its entities and the knowledge base's own decision on its best answer are weighed
here: an action intent (approve, complain, book…) is routed with its role and entity checks; a
confident KB answer wins over small talk or out-of-scope for anything phrased as a question; an
unsure intent is read as a question when the KB knows one, else offered as choices; what nobody can
answer is declined (the KB logs it for editors) with a ticket or a person offered. For staff, an office
intent (meetings, documents, tickets at work) the NLU clearly prefers, though below the threshold, is
acted on rather than answered from the KB ("明天个会我会到" is a reply to an invitation, not a question).
Otherwise a civil servant's unsure request whose likeliest reading is an office intent is offered the
office intents at once: an office request is never answered from the KB nor logged as a citizen's
unanswered question.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from integrations.dispatch_advice import asks_advice_on_dispatch
from integrations.intents import EDITORS, SPECS, STAFF, STAFF_INTENTS
from integrations.meetings import CHANGE
from integrations.router import Decision, decide_for, entity_values, route, summed_for_role
from integrations.ticket_followup import negates_filing
from kernel.identity import Role
from knowledge_base.policy import Decision as KbDecision
from nlu.asking import asks_progress_alone, asks_why_returned
from nlu.numerals import without_leading_ordinal
from nlu.service import Understanding
from office_flows.tickets.codes import CODE
from office_flows.tickets.queries import DISPATCHERS
from office_flows.tickets.rules import INTENT_KINDS

# A question in Mandarin, Cantonese or Hakka wording (the KB may know the answer).
QUESTION = re.compile(
    r"怎么|怎样|如何|哪里|哪儿|哪个|哪些|什么|啥|多少|多久|几时|几多|几耐|几久|几长|点样|点办|点算|边度|边个|咩|乜|"
    r"么个|麽个|样般|吗|呢[?？。]?$|[?？]|能不能|可不可以|可以不|要不要|是否|有冇|有没有|需要|手续|材料|"
    r"去到边|到咗边|喺边|在边|系边|係边|可唔可以|使唔使|要唔要|得唔得|"
    r"(?<![\d一二三四五六七八九十两〇零半])点(?:改|搞|整|弄|处理)|"  # Cantonese "how to …"; not "三点改到四点"
    r"办理|申请|要带|去哪|"
    r"(?<![\d一二三四五六七八九十两〇零])几点"  # "你哋几点收工": what time (not "十几点")
)
KB_FIRST = frozenset({"out_of_scope", "greet", "thank", "goodbye"})  # small talk the KB may overrule
# An office intent below the threshold still wins over the KB for staff when the NLU gives it at least this
# (Rasa's own fallback threshold) and leads the next intent by the margin.
OFFICE_FLOOR = 0.35
OFFICE_MARGIN = 0.15


class Action(StrEnum):
    INTENT = "intent"  # run the routed intent (its flow)
    ASK = "ask"  # ask for a missing entity
    DENIED = "denied"  # the speaker's role may not use the intent
    KNOWLEDGE = "knowledge"  # answer from the KB (answer, choices or an honest decline)
    CLARIFY = "clarify"  # offer the likeliest intents as numbered choices
    OUT_OF_SCOPE = "out_of_scope"  # not a service question and the KB knows nothing: decline politely


LABELS = {
    Action.INTENT: "按意图办理",
    Action.ASK: "追问缺少的信息",
    Action.DENIED: "身份不符，拒绝",
    Action.KNOWLEDGE: "知识库回答",
    Action.CLARIFY: "请用户在几个意图中选择",
    Action.OUT_OF_SCOPE: "超出服务范围（记入未答问题，并提供登记工单或转人工）",
}


@dataclass(frozen=True)
class Verdict:
    action: Action
    route: Decision | None  # the router's decision (None when the NLU is off or down)
    kb: KbDecision | None  # the KB's decision, when it was consulted
    why: str  # for the console: the reason, in Chinese

    @property
    def label(self) -> str:
        return LABELS[self.action]


KbCheck = Callable[[], Awaitable[KbDecision | None]]
TicketCheck = Callable[[], Awaitable[bool]]  # whether the speaker has a ticket a follow-up could act on


def is_question(text: str) -> bool:
    return bool(QUESTION.search(text))


# A knowledge editor speaking of editing the knowledge base ("帮我加一条FAQ", "新增常见问题", "我要改知识库").
EDITS_KB = re.compile(
    r"(?:加|新增|添加|增加|录入|改|修改|更新|编辑|删除|删|维护|整理)[^，。？?]{0,6}"
    r"(?:FAQ|faq|常见问题|问答|知识库|知识|办事指南|未答问题)"
)


# A ticket action's command word said without its "/" at the head of a staff sentence, then what it carries.
OPENING_WORDS = {
    "reply_ticket": re.compile(r"^(?:回复|答复|办结)(?:市民|群众|反映人)?[:：，,\s]*\S{4}"),
    "return_ticket": re.compile(r"^(?:退单|退回)[:：，,\s]*\S{4}"),
    "extend_ticket": re.compile(r"^(?:申请延期|延期)[:：，,\s]*\S{2}"),
}


# A document action whose ticket counterpart is meant when the sentence speaks of a ticket, not a document
# ("呢单唔关我哋事，要退返去": reject_document 0.32, return_ticket 0.09).
# A citizen's "我个单去到边" (query_document 0.53) and "取消我个单" (cancel_meeting 0.83) too: the action is denied to
# them as a document's or a meeting's, and meant of their ticket.
_TICKET_COUNTERPART = {
    "reject_document": "return_ticket",
    "query_document": "query_ticket",
    "cancel_meeting": "withdraw_ticket",
}
_OF_A_TICKET = re.compile(r"(?:呢|这|嗰|那|张|此|该|个)单(?![位独])|工单|退单")
_OF_A_DOCUMENT = re.compile(r"公文|文件|发文|文号|FW-", re.I)


def _as_a_ticket(name: str, text: str) -> str:
    """The ticket counterpart of a document intent when the sentence speaks of a ticket and of no document."""
    counterpart = _TICKET_COUNTERPART.get(name)
    if counterpart and _OF_A_TICKET.search(text) and not _OF_A_DOCUMENT.search(text):
        return counterpart
    return name


def _said_of_a_ticket(understood: Understanding, text: str) -> Understanding:
    """The NLU's readings with each document or meeting action that the sentence says of a ticket turned into the
    ticket's counterpart, two readings of one intent added up ("我个单去到边": query_document 0.53 and query_ticket
    0.07 are query_ticket 0.60)."""
    if not any(_as_a_ticket(name, text) != name for name, _ in understood.ranking):
        return understood
    summed: dict[str, float] = {}
    for name, conf in understood.ranking:
        meant = _as_a_ticket(name, text)
        summed[meant] = summed.get(meant, 0.0) + conf
    ranking = sorted(summed.items(), key=lambda item: -item[1])
    if understood.intent not in SPECS:  # Rasa's fallback heads the ranking: it stays the intent
        return replace(understood, ranking=ranking)
    return replace(understood, intent=ranking[0][0], confidence=ranking[0][1], ranking=ranking)


def _preferred_office_intent(text: str, understood: Understanding, roles: frozenset[Role]) -> Decision | None:
    """A staff member's office intent the NLU clearly prefers though it is unsure: routed, not looked up in the KB.
    Rasa's fallback (nlu_fallback) heads the ranking then; the real intents follow it."""
    # Each name as this speaker means it: a citizen's 催单 (remind_ticket) is a supervisor's 催办 (urge_ticket).
    # Two names meaning one intent for this speaker add up (a document's action said of a ticket is already its
    # ticket counterpart: ``_said_of_a_ticket``).
    ranked = summed_for_role(understood.ranking, roles)
    if not ranked or is_question(text):
        return None
    entities = entity_values(understood.entities)
    opening = _opened_by_command_word(text, roles)
    if opening is not None and (ranked[0][0] == opening or not _clear_lead(ranked)):
        # "回复已经约谈店主，要求十点后停止营业": the command, unless the NLU clearly reads something else in it
        return decide_for(SPECS[opening], entities, roles)
    runner_up = ranked[1][0] if len(ranked) > 1 else ""
    # A citizen's reading just ahead of the speaker's own office intent, whose characteristic entity the sentence
    # has ("这张交给城管那边去办吧" from a dispatcher: complain 0.37, dispatch 0.30, a department named).
    behind = runner_up in TOLD_BY_ENTITY and bool(roles & SPECS[runner_up].roles)
    if behind and ranked[0][0] not in STAFF_INTENTS and entities.get(TOLD_BY_ENTITY[runner_up]):
        return decide_for(SPECS[runner_up], entities, roles)
    name = ranked[0][0]
    spec = SPECS[name]
    if name not in STAFF_INTENTS or not roles & spec.roles:
        return None
    told = _told_apart_by_entity(ranked[:2], entities) or _told_apart_by_change(ranked[:2], text)
    if told is not None and roles & SPECS[told].roles:
        return decide_for(SPECS[told], entities, roles)
    # The likeliest reading names what it acts on ("这张交给城管那边去办吧": a department for a dispatch).
    named = name in TOLD_BY_ENTITY and bool(entities.get(TOLD_BY_ENTITY[name]))
    if not named and not _clear_lead(ranked):
        return None
    return decide_for(spec, entities, roles)


def _opened_by_command_word(text: str, roles: frozenset[Role]) -> str | None:
    """The ticket action whose command word opens the sentence without its "/" and with what it carries, when the
    speaker may take it: the command is meant, whatever unsure reading the NLU gives the rest (the result "已经约谈
    店主，要求十点后停止营业" reads as anything from 质检 to 预约会议)."""
    bare = without_leading_ordinal(text)
    return next(
        (name for name, words in OPENING_WORDS.items() if words.match(bare) and roles & SPECS[name].roles), None
    )


# A citizen asking after what they filed: never a question for the KB. (Supplementing and urging are not
# taken on a weak reading: a new complaint may look like them, and it would not be filed.)
OWN_TICKET_INTENTS = frozenset({"query_ticket"})
# The turn speaks of something filed ("我上个礼拜投诉嘅嘢", "我嗰单", "反映的问题").
_FILED = re.compile(r"投诉|举报|反映|诉求|工单|单|报咗|报的|报嘅|登记")


def _preferred_own_ticket_intent(text: str, understood: Understanding, roles: frozenset[Role]) -> Decision | None:
    """A citizen's follow-up on their own tickets that the NLU clearly prefers though it is unsure
    ("我上个礼拜投诉嘅嘢点样啦": query_ticket 0.52): acted on, even when phrased as a question."""
    if roles & STAFF or not _FILED.search(text):
        return None
    ranked = [(name, conf) for name, conf in understood.ranking if name in SPECS]
    if not ranked or ranked[0][0] not in OWN_TICKET_INTENTS or not _clear_lead(ranked):
        return None
    return decide_for(SPECS[ranked[0][0]], entity_values(understood.entities), roles)


# A citizen's follow-ups of their own ticket. Asked as a question that speaks of nothing filed by someone with no
# ticket to follow up ("医保卡嘅电话号码点样改": 更正联系电话), they are a service question the KB may answer.
FOLLOW_UP_INTENTS = frozenset(
    {"supplement_ticket", "remind_ticket", "withdraw_ticket", "change_ticket_phone", "change_ticket_address"}
)


# Readings that act on a ticket the citizen filed: none of them is meant by someone with nothing filed.
NEEDS_A_TICKET = FOLLOW_UP_INTENTS | {"query_ticket", "rate_service"}
# A new appeal (complain, report, …), filed through the intake; a service question is the KB's.
NEW_APPEALS = frozenset(INTENT_KINDS) - {"ask_service"}


def _may_need_a_ticket(understood: Understanding, d: Decision) -> bool:
    """An unsure reading whose choices include acting on a filed ticket, or whose likeliest reading is a new
    appeal: whether the citizen has filed anything decides."""
    top = next((name for name, _ in understood.ranking if name in SPECS), "")
    return top in NEW_APPEALS or any(o.name in NEEDS_A_TICKET for o in d.options)


def _maybe_a_service_question(text: str, d: Decision, roles: frozenset[Role], follows_answer: bool = False) -> bool:
    """A citizen's follow-up reading of a question that names no ticket and speaks of nothing filed; a question
    after their progress ("几久正做得好") too, when it only asks a detail of the service just answered."""
    if roles & STAFF or d.spec is None:
        return False
    if d.spec.name not in FOLLOW_UP_INTENTS and not (follows_answer and d.spec.name == "query_ticket"):
        return False
    named = "ticket_id" in d.entities or CODE.search(text.upper())
    return is_question(text) and not _FILED.search(text) and not named


def _clear_lead(ranked: list[tuple[str, float]]) -> bool:
    """The first reading has at least Rasa's fallback confidence and leads the next one by the margin."""
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    return ranked[0][1] >= OFFICE_FLOOR and ranked[0][1] - runner_up >= OFFICE_MARGIN


# Two office intents the NLU confuses ("交给…办") that the kind of thing named tells apart: a department is a
# dispatch ("这张交给城管那边去办吧"), a person a hand-over of a document ("交给钟丽处理吧").
TOLD_BY_ENTITY = {"dispatch_ticket": "department", "delegate_task": "person"}


# Booking and rescheduling, which the NLU confuses when a sentence names a time and a room ("后天下午三点在四楼视频
# 会商室开会"): only a word of change (改, 推迟, 换到 …; ``integrations.meetings.CHANGE``) makes it a reschedule.
BOOK_OR_MOVE = frozenset({"book_meeting", "reschedule_meeting"})


def _told_apart_by_change(top_two: list[tuple[str, float]], text: str) -> str | None:
    if {name for name, _ in top_two} != BOOK_OR_MOVE:
        return None
    return "reschedule_meeting" if CHANGE.search(text) else "book_meeting"


def _told_apart_by_entity(top_two: list[tuple[str, float]], entities: Mapping[str, object]) -> str | None:
    """The one of the NLU's two likeliest intents whose characteristic entity alone was found, if they are a
    pair that only that tells apart."""
    names = [name for name, _ in top_two]
    if len(names) != 2 or set(names) != set(TOLD_BY_ENTITY):
        return None
    found = [name for name in names if entities.get(TOLD_BY_ENTITY[name])]
    return found[0] if len(found) == 1 else None


def _asked_once(check: TicketCheck) -> TicketCheck:
    """``check`` answered once, then remembered (one turn's arbitration may need it at several places)."""
    known: list[bool] = []

    async def once() -> bool:
        if not known:
            known.append(await check())
        return known[0]

    return once


def _acting(d: Decision) -> Action:
    """A decision to act on: asked for what it still needs, or acted on."""
    return Action.ASK if d.action == "ask" else Action.INTENT


def _without_ticket_follow_ups(d: Decision) -> Decision:
    return replace(d, options=[o for o in d.options if o.name not in NEEDS_A_TICKET])


async def arbitrate(
    text: str,
    understood: Understanding | None,
    roles: frozenset[Role],
    threshold: float,
    kb: KbCheck,
    has_ticket: TicketCheck | None = None,
    *,
    follows_answer: bool = False,
) -> Verdict:
    """Decide what the chat does with ``text``; ``kb`` consults the knowledge base (at most once);
    ``has_ticket`` tells whether the speaker has a ticket to follow up (None: unknown, taken as yes);
    ``follows_answer``: the text asks only a detail right after a KB answer ("几久正做得好")."""
    if roles & DISPATCHERS and asks_why_returned(text):
        # "第一张点解退" from a dispatcher (Rasa: out_of_scope 0.63, return_ticket 0.17; or no NLU at all): the 退单
        # under review
        return Verdict(
            Action.INTENT,
            decide_for(SPECS["return_ticket"], entity_values(understood.entities if understood else []), roles),
            None,
            "派单员问退单理由",
        )
    if understood is None:
        return Verdict(Action.KNOWLEDGE, None, None, "语义理解不可用：按办事咨询回答")
    if has_ticket is not None:
        has_ticket = _asked_once(has_ticket)  # several readings below may ask; the database is asked once
    if roles & EDITORS and EDITS_KB.search(text):
        # "帮我加一条FAQ" from a knowledge editor: their queue and where entries are edited, not a document.
        return Verdict(Action.INTENT, decide_for(SPECS["unanswered_questions"], {}, roles), None, "知识编辑维护知识库")
    understood = _said_of_a_ticket(understood, text)  # "呢单退返去": the ticket's 退单
    d = route(understood.intent, understood.confidence, understood.ranking, understood.entities, roles, threshold)
    if d.action == "denied":
        return Verdict(Action.DENIED, d, None, "该意图需要工作人员身份")
    if d.action == "ask":
        return Verdict(Action.ASK, d, None, "意图明确但缺少必要信息")
    if d.action == "flow":
        assert d.spec is not None
        if _maybe_a_service_question(text, d, roles, follows_answer):
            # A service named ("社保卡嘅地址点改") is what is to be changed, not the ticket; without one, a citizen
            # with nothing to follow up is asking about a service too.
            names_service = bool(entity_values(understood.entities).get("service"))
            if names_service or (has_ticket is not None and not await has_ticket()):
                decision = await kb()
                if decision in (KbDecision.ANSWER, KbDecision.SUGGEST):
                    about = "问的是办事事项" if names_service else "市民没有在办工单、问的是办事问题"
                    return Verdict(Action.KNOWLEDGE, d, decision, f"意图为“{d.spec.label}”，但{about}，知识库有答案")
                return Verdict(Action.INTENT, d, decision, f"意图“{d.spec.label}”，知识库没有答案")
        if d.spec.name not in KB_FIRST:
            return Verdict(Action.INTENT, d, None, f"意图“{d.spec.label}”，置信度 {understood.confidence:.2f}")
        if d.spec.name != "out_of_scope" and not is_question(text):
            return Verdict(Action.INTENT, d, None, f"寒暄（{d.spec.label}）")
        decision = await kb()
        if decision in (KbDecision.ANSWER, KbDecision.SUGGEST):
            return Verdict(Action.KNOWLEDGE, d, decision, f"意图为“{d.spec.label}”，但知识库有答案，以知识库为准")
        if d.spec.name == "out_of_scope":
            return Verdict(Action.OUT_OF_SCOPE, d, decision, "超出服务范围，知识库也没有答案")
        return Verdict(Action.INTENT, d, decision, f"寒暄（{d.spec.label}），知识库没有答案")
    if negates_filing(text) and not roles & STAFF:
        # "垃圾已经有人清走了，我唔想再投诉喇": however unsure the NLU is, this is about a ticket filed, never a
        # question for the KB; the withdrawal flow asks which ticket and for a confirmation (or says there is none).
        withdraw = decide_for(SPECS["withdraw_ticket"], entity_values(understood.entities), roles)
        return Verdict(Action.INTENT, withdraw, None, "市民表示不再投诉：按撤回工单办理")
    if (
        not roles & STAFF
        and not follows_answer
        and has_ticket is not None
        and asks_progress_alone(text)
        and await has_ticket()
    ):
        # "处理成点", "有冇结果" from a citizen with a ticket to follow up (Rasa: nlu_fallback, query_ticket 0.31):
        # it names no service and no matter, so it asks after that ticket, not the KB's general handling times.
        query = decide_for(SPECS["query_ticket"], entity_values(understood.entities), roles)
        return Verdict(Action.INTENT, query, None, "市民有在办工单，只问进展：查询工单")
    if roles & SPECS["dispatch_ticket"].roles and asks_advice_on_dispatch(text):
        # "呢张唔知派边度好" (Rasa: nlu_fallback): the dispatch flow answers a question with its proposal only.
        advice = decide_for(SPECS["dispatch_ticket"], entity_values(understood.entities), roles)
        return Verdict(_acting(advice), advice, None, "派单员问工单该派往哪里：给出分类建议，不派单")
    own = _preferred_own_ticket_intent(text, understood, roles)
    if own is not None:
        return Verdict(_acting(own), own, None, "市民问自己的工单，优先于知识库")
    office = _preferred_office_intent(text, understood, roles)
    if office is not None:
        return Verdict(_acting(office), office, None, "工作人员的办公意图，优先于知识库")
    if roles & STAFF and d.options and d.options[0].name in STAFF_INTENTS:
        # A civil servant's unsure office request: offer the office intents, never the KB (nor its unanswered log).
        # A citizen's follow-up of a ticket is no choice for one who filed nothing ("我有咩要批": 更正联系电话).
        if has_ticket is not None and any(o.name in NEEDS_A_TICKET for o in d.options) and not await has_ticket():
            d = _without_ticket_follow_ups(d)
        return Verdict(Action.CLARIFY, d, None, "工作人员的办公请求意图不确定：请选择")
    if not roles & STAFF and has_ticket is not None and _may_need_a_ticket(understood, d) and not await has_ticket():
        # Nothing filed: a follow-up of a ticket is no reading of this turn ("我楼下个大排档日日搞到凌晨两点，吵到
        # 瞓唔着": complain 0.44, supplement 0.22). Without it, a new appeal the NLU clearly prefers is filed (the
        # intake reads it back before anything is submitted); the other readings are offered without it.
        ranked = [(name, conf) for name, conf in understood.ranking if name in SPECS and name not in NEEDS_A_TICKET]
        if ranked and ranked[0][0] in NEW_APPEALS and _clear_lead(ranked) and not is_question(text):
            appeal = decide_for(SPECS[ranked[0][0]], d.entities, roles)
            return Verdict(Action.INTENT, appeal, None, "市民没有在办工单，新诉求的理解明显领先：按登记诉求办理")
        d = _without_ticket_follow_ups(d)
    decision = await kb()
    if decision is not KbDecision.DECLINE or not d.options:
        return Verdict(Action.KNOWLEDGE, d, decision, "意图不确定：按办事咨询回答")
    if is_question(text):  # an unknown question is declined honestly (logged, ticket or person offered)
        return Verdict(Action.KNOWLEDGE, d, decision, "意图不确定的提问，知识库也没有答案：如实说明并记录")
    return Verdict(Action.CLARIFY, d, decision, "意图不确定，知识库也没有把握：请用户选择")
