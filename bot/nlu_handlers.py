"""Free text through the NLU: route by intent, ask for what is missing, clarify when unsure.

Every decision ends in ``integrations`` (``bot.answers.run_intent``): the bot only keeps the
dialogue state. Session keys: ``nlu_pending`` (an intent waiting for one entity) and ``nlu_clarify``
(intents offered as numbered choices). Both are plain data, so they survive restarts.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta

from bot import ticket_intake
from bot.answers import deliver, run_intent
from bot.handlers import Context, Match, is_command
from bot.kb_handlers import picked_number
from bot.messages import Button, Reply
from bot.place_alone import answer_place_alone, matter_at_the_place
from bot.result_offer import REPLY, offer_label, result_offered
from integrations.arbitration import Action, arbitrate, is_question
from integrations.chat import OUT_OF_SCOPE
from integrations.context import PICK, described_option, listed_entity, listed_item
from integrations.contract import Entities, EntityValue, FlowCall
from integrations.intents import SPECS, IntentSpec
from integrations.knowledge import CHOICE_KEY, DECLINE, STAFF_DECLINE, asked_since, is_staff
from integrations.router import Decision, decide_for, entity_values
from integrations.tickets import INTAKE, answered_yet_unheard, explain_return, just_returned
from knowledge_base.normalize import tidy_text
from knowledge_base.policy import Decision as KbDecision
from knowledge_base.service import AskResult
from nlu.agreeing import agrees
from nlu.asking import complains_nobody_came, complains_of_delay, gives_a_reason, says_it_persists
from nlu.client import NluUnavailable
from nlu.correcting import speaks_of_a_place, swapped_part
from nlu.entities import DOC_ID, MEETING_ID, mobile_in, rating_level, speaks_of_a_phone, valid_ticket_id
from nlu.giving_up import is_cancel
from nlu.numerals import only_asks_about_an_item
from nlu.service import Understanding
from nlu.timeparse import parse_time

PENDING = "nlu_pending"
CLARIFY = "nlu_clarify"
_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
DEGRADED = "（智能语义理解暂时不可用，目前只能解答办事咨询和处理“/”开头的命令，请稍后再试。）"


def _extract(entity: str, text: str, ctx: Context) -> EntityValue | None:
    """The awaited entity from a follow-up message, without a second NLU round trip where possible."""
    listed = listed_item(ctx.session, entity, text, ctx.services.clock.now())  # "第二份", "第一张"
    if entity == "ticket_id":
        m = re.search(r"GD\d{13}", text.upper())
        return m.group(0) if m and valid_ticket_id(m.group(0)) else listed.value if listed else None
    if entity == "doc_id":
        m = DOC_ID.search(text.upper())
        return m.group(0) if m else listed.value if listed else None
    if entity == "meeting_id":
        m = MEETING_ID.search(text.upper())
        return m.group(0) if m else None
    if entity == "rating":
        return rating_level(text)
    if entity == "time":
        t = parse_time(text, ctx.services.clock.now())
        return t.value.isoformat() if t else None
    if entity == "phone":
        return mobile_in(text)
    if entity == "person" and _NAME.match(text):
        return text
    return None


async def _act(ctx: Context, d: Decision, text: str | None = None) -> list[Reply]:
    """Turn a routing decision into replies (and session state)."""
    assert d.spec is not None
    if d.action == "denied":
        return [Reply(d.message)]
    if d.action == "ask":
        assert d.need is not None
        ctx.session[PENDING] = {
            "intent": d.spec.name,
            "entities": d.entities,
            "awaiting": d.need.entity,
            "tries": 0,
            "text": text if text is not None else tidy_text(ctx.message.text),
        }
        return [Reply(d.message + "\n（回复“取消”可放弃本次操作）")]
    return await run_intent(ctx, d.spec, d.entities, text)


def has_pending_entity(ctx: Context) -> bool:
    return PENDING in ctx.session and not ctx.text.startswith(("/", "／"))


def _pending(ctx: Context) -> dict[str, object]:
    raw = ctx.session.get(PENDING)
    return raw if isinstance(raw, dict) else {}


async def continue_pending(ctx: Context, m: Match) -> list[Reply]:
    pending = _pending(ctx)
    if is_cancel(ctx.text):
        ctx.session.pop(PENDING)
        return [Reply("好的，已取消。还有什么可以帮您？")]
    awaiting = str(pending.get("awaiting"))
    value = _extract(awaiting, ctx.text, ctx)
    if value is None and awaiting == "person":  # "请王强把关一下" rather than the bare name
        value = await _colleague_named(ctx, ctx.text)
    spec = SPECS[str(pending.get("intent"))]
    if value is None:
        u = await _understand(ctx)
        if _another_request(ctx, u, str(spec.name)):
            ctx.session.pop(PENDING)  # the pending question is dropped: this turn is a request of its own
            return await _route_understood(ctx, u)
        pending["tries"] = int(str(pending.get("tries", 0))) + 1
        if int(str(pending["tries"])) >= 2:
            ctx.session.pop(PENDING)
            return [Reply(f"还是没有识别到需要的信息，已放弃“{spec.label}”。您可以重新完整地说一遍。")]
        need = next(n for n in spec.needs if n.entity == awaiting)
        return [Reply("没有识别到，" + need.question)]
    ctx.session.pop(PENDING)
    before = pending.get("entities")
    entities: Entities = {**(before if isinstance(before, dict) else {}), awaiting: value}
    # The request as first said (its comment, reason or details), then what this turn added.
    said = "，".join(x for x in (str(pending.get("text") or ""), tidy_text(ctx.message.text)) if x)
    return await _act(ctx, decide_for(spec, entities, ctx.actor.roles), text=said)


async def _explains_a_return(ctx: Context) -> list[Reply] | None:
    """A handler's reason said within minutes of their 退单 in chat, added to its explanation; else None."""
    tickets = ctx.services.tickets
    if tickets is None or not is_staff(ctx.actor) or not gives_a_reason(ctx.text):
        return None
    code = just_returned(ctx.session, ctx.services.clock.now())
    if code is None:
        return None
    return [Reply(text) for text in await explain_return(tickets, ctx.actor, code, tidy_text(ctx.message.text))]


async def _open_intake(ctx: Context, u: Understanding | None) -> list[Reply]:
    start = ticket_intake.explicit_start(ctx)
    if u is not None:
        start["entities"] = {k: v for k, v in entity_values(u.entities).items() if k in ("address", "phone")}
    return await ctx.conversations[INTAKE].open(ctx, start)


def _unsure(ctx: Context, u: Understanding) -> bool:
    """The NLU reads no intent with confidence (its fallback heads the ranking, or the top reading is below the
    threshold)."""
    return u.intent not in SPECS or u.confidence < ctx.services.nlu_threshold


def _another_request(ctx: Context, u: Understanding | None, pending_intent: str) -> bool:
    """While an entity is awaited, a turn the NLU confidently reads as another action or question (not small
    talk, not the pending intent said again) is a new request."""
    if u is None or u.intent not in SPECS or u.intent == pending_intent:
        return False
    return u.confidence >= ctx.services.nlu_threshold and SPECS[u.intent].flow != "chat"


class CommandDropsPending:
    """A "/" command while an entity is awaited is the new request: the pending question is dropped. Checked
    before the commands; it never takes the message itself."""

    async def check(self, ctx: Context) -> Match | None:
        if is_command(ctx.text):
            ctx.session.pop(PENDING, None)
        return None

    async def handle(self, ctx: Context, match: Match) -> list[Reply]:
        return []


_WANTS = re.compile(r"^(?:我|𠊎|俺)?(?:要|想|爱|帮我|同我)")


def _picked(ctx: Context) -> int | None:
    """The offered item picked: by its number ("2"), else by words of its description ("烧烤档嗰单")."""
    raw = ctx.session.get(PICK)
    if not isinstance(raw, dict):
        return None
    number = picked_number(ctx.text)
    if number is not None:
        return number
    if len(ctx.text) > 15 or is_question(ctx.text) or _WANTS.match(ctx.text):
        return None  # "我要投诉" while a choice waits is a new request, not a description
    return described_option(raw, ctx.text)


def has_pending_pick(ctx: Context) -> bool:
    return bool(ctx.session.get(PICK)) and _picked(ctx) is not None


async def pick_entity(ctx: Context, m: Match) -> list[Reply]:
    """The speaker picked one of their pending items offered for an ID-less sentence."""
    n = _picked(ctx)
    assert n is not None
    raw = ctx.session.pop(PICK)
    state = raw if isinstance(raw, dict) else {}
    options = [str(o) for o in state.get("options", [])]
    if not 1 <= n <= len(options):
        ctx.session[PICK] = state
        return [Reply(f"请回复 1 到 {len(options)} 之间的序号，或回复“取消”。")]
    before = state.get("entities")
    entities: Entities = {**(before if isinstance(before, dict) else {}), str(state["entity"]): options[n - 1]}
    spec = SPECS[str(state.get("intent"))]
    return await _act(ctx, decide_for(spec, entities, ctx.actor.roles), text=str(state.get("text", "")))


def _clarify_options(ctx: Context) -> list[str]:
    raw = ctx.session.get(CLARIFY)
    return [str(o) for o in raw.get("options", [])] if isinstance(raw, dict) else []


def _picked_reading(ctx: Context, options: list[str]) -> int | None:
    """The number picked from the menu, or a yes to the one reading asked about ("系", "好", "是的")."""
    n = picked_number(ctx.text)
    if n is None and len(options) == 1 and agrees(ctx.text):
        return 1
    return n


def has_pending_clarify(ctx: Context) -> bool:
    return bool(ctx.session.get(CLARIFY)) and _picked_reading(ctx, _clarify_options(ctx)) is not None


async def pick_clarified(ctx: Context, m: Match) -> list[Reply]:
    options = _clarify_options(ctx)
    raw = ctx.session.pop(CLARIFY)
    state = raw if isinstance(raw, dict) else {}
    n = _picked_reading(ctx, options)
    assert n is not None
    if n > len(options):
        ctx.session[CLARIFY] = state
        return [Reply(f"请回复 1 到 {len(options)} 之间的数字，或换个说法。")]
    spec = SPECS[options[n - 1]]
    entities = state.get("entities")
    decision = decide_for(spec, dict(entities) if isinstance(entities, dict) else {}, ctx.actor.roles)
    return await _act(ctx, decision, text=str(state.get("text", "")))


UNCLEAR = (
    "我不太确定您的意思。您可以直接说要办的事或遇到的问题，例如“社保卡怎么补办”“我要投诉楼下噪音”；"
    "查看我能做什么请回复“帮助”，需要人工服务请回复“人工”。"
)
OUT_OF_SCOPE_OFFER = "\n如需反映诉求，请回复“登记工单”；需要人工服务请回复“人工”，或拨打 12345 热线。"


async def _understand(ctx: Context) -> Understanding | None:
    """The NLU's reading of this turn; None when it is off or down."""
    nlu = ctx.services.nlu
    if nlu is not None:
        with contextlib.suppress(NluUnavailable):
            return await nlu.understand(ctx.text)
    return None


async def understand_and_route(ctx: Context, m: Match) -> list[Reply]:
    return await _route_understood(ctx, await _understand(ctx))


_ASKED_ABOUT = {"doc_id": "query_document", "ticket_id": "query_ticket"}  # a question about a listed item


# "第二张呢", "咁最后嗰份呢": the next item of the list asked about, whatever the NLU reads (a dispatch, a sign-for).
_ONLY_THE_PLACE_ASKED = re.compile(
    r"^(?:咁|噉|那|那么|仲有)?(?:第\s*[一二三四五六七八九十\d]+|最后(?:一|嗰|那)?)\s*(?:张|份|单|个|個|件|条)?"
    r"\s*(?:呢|嘞|啊|咧)[？?。]*$"
)


def _with_listed_item(ctx: Context, u: Understanding | None) -> Understanding | None:
    """An item pointed at by its place in the list just shown (the to-do documents, a ticket queue) is that
    item: "第一份写咩嘅", "签收第二张"."""
    entity = listed_entity(ctx.session)
    if u is None or entity is None or u.entity(entity) is not None:
        return u
    listed = listed_item(ctx.session, entity, ctx.text, ctx.services.clock.now())
    if listed is None or listed.value is None:
        return u
    entities = [*u.entities, {"entity": entity, "value": listed.value, "extractor": "listed"}]
    asked = is_question(ctx.text) and (not _acts_on(_likeliest(u), entity) or only_asks_about_an_item(ctx.text))
    if asked or _ONLY_THE_PLACE_ASKED.match(ctx.text):
        # A question about an item of the list ("第一份写咩嘅", "第一张讲咩", read as out of scope; or as 退单, which
        # acts on a ticket, after a retrain): a question about that document or ticket.
        return replace(u, intent=_ASKED_ABOUT[entity], confidence=1.0, entities=entities)
    return replace(u, entities=entities)


async def _colleague_named(ctx: Context, text: str) -> str | None:
    """The one colleague of the directory whose full name ``text`` contains ("请王强把关一下"), if exactly one."""
    office = ctx.services.office
    if office is None or not is_staff(ctx.actor):
        return None
    names = await office.meetings.people_named_in(text)
    return names[0] if len(names) == 1 else None


async def _with_person_named(ctx: Context, u: Understanding | None) -> Understanding | None:
    """A hand-over or consultation whose person the NLU did not tag ("FW-… 请王强把关一下"): the colleague of
    the directory named in it, so that the person is not asked for again."""
    if u is None or u.intent != "delegate_task" or u.entity("person") is not None:
        return u
    name = await _colleague_named(ctx, ctx.text)
    if name is None:
        return u
    return replace(u, entities=[*u.entities, {"entity": "person", "value": name, "extractor": "directory"}])


async def _rates_the_ticket_awaiting_it(ctx: Context, u: Understanding | None) -> bool:
    """A citizen's unsure turn with a rating word in it ("还可以", "唔满意"), not a question, while one of their
    tickets waits for a rating."""
    tickets = ctx.services.tickets
    if u is None or tickets is None or u.confidence >= ctx.services.nlu_threshold or is_staff(ctx.actor):
        return False
    if rating_level(ctx.text) is None or is_question(ctx.text):
        return False
    return await tickets.queries.latest_awaiting_rating(ctx.actor) is not None


# "还有就是每次都是一辆蓝色货车", "仲有，佢哋系夜晚十点之后先开工", "另外，倒完之后整条路都是泥": more of what was
# just said, announced by a word of adding, then the addition itself.
_MORE = re.compile(
    r"^(?:还有|仲有|重有|另外|再有|补充一下|补充|顺便讲埋|顺便讲下|顺便说一下|顺便|而且|同埋|仲系)"
    r"(?:就是|就系|就係|係|系|是|啊|呀|喔|啦|嘅|的|一点|一样|一句)*[，,、:：\s]*"
)
JUST_FILED = timedelta(minutes=30)
# What a turn announced as more may still be: an action on the ticket the NLU names (催, 撤, 改电话 …).
_NOT_MORE = frozenset(
    {"remind_ticket", "withdraw_ticket", "change_ticket_phone", "change_ticket_address", "rate_service", "human_agent"}
)


# "头先讲错咗，唔系建筑垃圾，系生活垃圾": what was said is corrected, and the correction follows.
_MISSPOKE = re.compile(
    r"^(?:头先|刚才|啱先|啱啱|刚刚|之前|先前)?(?:我|𠊎)?(?:讲错|说错|写错|打错|填错|报错)(?:咗|了|啦|喇|嘢|野|啲|一点)*"
    r"[，,、:：\s]+"
)


def added_to_filing(text: str) -> str:
    """What a turn announced as more of the same, or as a correction of what was said, adds ("" when it is not
    such a turn or adds too little); a correction is marked as one."""
    more, misspoke = _MORE.match(text), _MISSPOKE.match(text)
    lead = more or misspoke
    rest = text[lead.end() :].strip() if lead else ""
    if len(rest) < 4:
        return ""
    return rest if more else f"更正，{rest}"


@dataclass(frozen=True)
class JustFiled:
    code: str
    added: str  # what the turn adds to the ticket (a correction marked "更正，…")
    fixes_address: bool  # a correction that swaps a part of the ticket's address ("不是3栋是5栋")


async def _ticket_just_filed(ctx: Context, u: Understanding | None) -> JustFiled | None:
    """A citizen's turn that adds to the ticket they filed minutes ago ("还有就是每次都是一辆蓝色货车") or corrects
    it ("头先讲错咗，唔系建筑垃圾，系生活垃圾"; "唔系烧烤档，系大排档", unless a question put to the KB since
    filing is what it corrects; "刚才说错了，不是3栋是5栋" corrects its address): that ticket and the addition. A
    question, or an action on the ticket the NLU names, is not such a turn."""
    tickets = ctx.services.tickets
    added = added_to_filing(ctx.text)
    swap = swapped_part(ctx.text)
    if tickets is None or not (added or swap) or is_staff(ctx.actor) or _acts_on_the_ticket(ctx, u):
        return None
    if is_question(added or ctx.text) or ticket_intake.explicit_request(added):  # "还有，我要投诉…": another appeal
        return None
    since = ctx.services.clock.now() - JUST_FILED
    recent = [t for t in await tickets.followup.open_tickets(ctx.actor) if t.created_at >= since]
    if not recent:
        return None
    latest = recent[0]
    said = tidy_text(ctx.message.text)
    if not added:  # a bare "不是X是Y": a correction of what the ticket says, or of what was said when filing it
        assert swap is not None
        said_in_ticket = swap[0] in (latest.content or "") + (latest.address or "")
        if not said_in_ticket and asked_since(ctx.session, latest.created_at):
            return None  # "唔系居住证，系身份证" after a KB answer corrects the question, not the ticket
        return JustFiled(latest.code, f"更正，{said}", swap[0] in (latest.address or ""))
    swap = swapped_part(added) if added.startswith("更正，") else None
    fixes_address = swap is not None and swap[0] in (latest.address or "")
    return JustFiled(latest.code, added_to_filing(said) or added, fixes_address)


async def _unheard_after_the_answer(ctx: Context) -> str | None:
    """The ticket whose answer waits for a rating, when its citizen says nobody called or came ("点解冇人打电话畀我",
    "佢哋根本冇嚟睇过") or that the matter still goes on ("仲系好嘈", a statement); else None."""
    tickets = ctx.services.tickets
    if tickets is None or is_staff(ctx.actor):
        return None
    nobody = complains_nobody_came(ctx.text)
    if not nobody and (not says_it_persists(ctx.text) or is_question(ctx.text)):
        return None
    if not nobody and await tickets.followup.open_tickets(ctx.actor, rectifying=True):
        return None  # "仲系臭到死" with a ticket still open: news of that matter (a supplement)
    if rating_level(ctx.text) is not None:
        return None  # "唔满意，根本冇人嚟过": a rating with its reason
    return await tickets.queries.latest_awaiting_rating(ctx.actor)


async def _complains_of_delay_on_own_ticket(ctx: Context) -> bool:
    """A citizen with a ticket open who only complains that nobody has handled it yet, or called or came ("点解到
    而家都冇人打电话畀我"; a rating word makes it a rating: "唔满意，搞咗成个月都未搞掂" is told where the ticket
    stands and how to urge it)."""
    tickets = ctx.services.tickets
    if tickets is None or is_staff(ctx.actor):
        return False
    if not (complains_of_delay(ctx.text) or complains_nobody_came(ctx.text)):
        return False
    if rating_level(ctx.text) is not None:
        return False
    return bool(await tickets.followup.open_tickets(ctx.actor, rectifying=True))


async def _persists_on_own_ticket(ctx: Context, u: Understanding | None) -> bool:
    """A citizen with a ticket open or under rectification who says the matter still goes on ("仲系臭到死") and
    whom the NLU does not read as acting on the ticket (urging, withdrawing, rating …)."""
    tickets = ctx.services.tickets
    if tickets is None or is_staff(ctx.actor) or not says_it_persists(ctx.text) or is_question(ctx.text):
        return False
    if _acts_on_the_ticket(ctx, u):
        return False
    return bool(await tickets.followup.open_tickets(ctx.actor, rectifying=True))


def _likeliest(u: Understanding | None) -> str:
    """The NLU's likeliest real intent (Rasa's fallback, when it heads the ranking, is passed over)."""
    if u is None:
        return ""
    return next((name for name, _ in u.ranking if name in SPECS), u.intent)


# A phone change speaks of a phone (its number or a word for it), an address change of a place.
_SPEAKS_OF = {"change_ticket_phone": speaks_of_a_phone, "change_ticket_address": speaks_of_a_place}


def _acts_on_the_ticket(ctx: Context, u: Understanding | None) -> bool:
    """The NLU's likeliest reading is an action on the ticket (urging, withdrawing, rating …), not more of what was
    said. An unsure phone or address change that speaks of no phone or place is none ("唔系乱倒，系偷倒":
    nlu_fallback 0.35, 更正联系电话 0.26; "头先讲错咗，唔系建筑垃圾，系生活垃圾": 更正事发地址, unsure)."""
    likeliest = _likeliest(u)
    if likeliest in _SPEAKS_OF and u is not None and _unsure(ctx, u):
        return _SPEAKS_OF[likeliest](ctx.text)
    return likeliest in _NOT_MORE


def _acts_on(intent: str, entity: str) -> bool:
    spec = SPECS.get(intent)
    return spec is not None and any(n.entity == entity for n in spec.needs)


_LISTED_WHAT = {"doc_id": "待办公文", "ticket_id": "工单"}


def _beyond_the_list(ctx: Context, u: Understanding | None) -> Reply | None:
    """A place past the end of the list just shown ("第五份同意", "第三份点样" of two), in a request about such
    items or a question: said, rather than another item taken for it or the sentence declined."""
    entity = listed_entity(ctx.session)
    if entity is None or not (_acts_on(_likeliest(u), entity) or is_question(ctx.text)):
        return None
    listed = listed_item(ctx.session, entity, ctx.text, ctx.services.clock.now())
    if listed is None or listed.value is not None:
        return None
    n, what = listed.count, _LISTED_WHAT.get(entity, "")
    return Reply(f"刚才列出的{what}只有 {n} 件，没有“{listed.words}”。请说序号 1 到 {n}，或说明编号。")


async def _route_understood(ctx: Context, u: Understanding | None) -> list[Reply]:
    beyond = _beyond_the_list(ctx, u)
    if beyond is not None:
        return [beyond]
    explained = await _explains_a_return(ctx)
    if explained is not None:  # "因为系住建局管嘅" right after a 退单: its explanation, not a menu
        return explained
    u = await _with_person_named(ctx, _with_listed_item(ctx, u))
    nlu = ctx.services.nlu
    knowledge = ctx.services.knowledge
    call = FlowCall(SPECS["ask_service"], {}, ctx.actor, ctx.text, ctx.session, ctx.message.text)
    named = ticket_intake.kind_in(ctx.text)
    explicit = ticket_intake.explicit_request(ctx.text) or ticket_intake.explicit_request(added_to_filing(ctx.text))
    if explicit and (named is not None or u is None):
        # "我要投诉……" with its content: the citizen named the appeal, so the intake takes it whatever the NLU
        # (or its absence) makes of it; NLU entities (a place, a phone) still prefill it.
        return await _open_intake(ctx, u)
    unheard = await _unheard_after_the_answer(ctx)
    if unheard is not None and ctx.services.tickets is not None:
        # "点解冇人打电话畀我" after the answer: the answer, and a bad rating as the way to have it redone.
        said = tidy_text(ctx.message.text)
        outcome = await answered_yet_unheard(ctx.services.tickets, ctx.actor, unheard, said, ctx.session)
        return await deliver(ctx, outcome)
    if await _complains_of_delay_on_own_ticket(ctx):
        # "点解咁耐都冇人理㗎" with a ticket open: urging it, not a new complaint about nothing named (nor more of
        # a ticket just filed).
        return await _act(ctx, decide_for(SPECS["remind_ticket"], {}, ctx.actor.roles))
    just_filed = await _ticket_just_filed(ctx, u)
    if just_filed is not None:
        code, added = just_filed.code, just_filed.added
        if just_filed.fixes_address:
            return await _act(ctx, decide_for(SPECS["change_ticket_address"], {"ticket_id": code}, ctx.actor.roles))
        replies = await _act(ctx, decide_for(SPECS["supplement_ticket"], {"ticket_id": code}, ctx.actor.roles), added)
        if replies and not added.startswith("更正，"):
            replies[-1].text += "\n（如果这是另一件事，请说“我要投诉……”另行登记。）"
        return replies
    corrected = knowledge.corrected_question(ctx.session, ctx.text)
    if corrected is not None:  # "唔系居住证，系身份证" right after "居住证要带咩材料": that question, corrected
        return await deliver(ctx, await knowledge.answer(replace(call, text=corrected, raw_text=corrected)))
    if await _persists_on_own_ticket(ctx, u):
        # "仲系臭到死" with a ticket open or under rectification: news of that matter, added to its ticket.
        supplement = decide_for(SPECS["supplement_ticket"], {}, ctx.actor.roles)
        return await _act(ctx, supplement, tidy_text(ctx.message.text))
    if await _rates_the_ticket_awaiting_it(ctx, u):
        # "𠊎觉得还可以，就系慢了滴" after "请您评价": the rating, with its reason, whatever the NLU was unsure of.
        return await _act(ctx, decide_for(SPECS["rate_service"], {}, ctx.actor.roles))
    if explicit and u is not None and _unsure(ctx, u) and not is_staff(ctx.actor):
        # "我想反映下我哋小区门口成日有人乱停车" names no kind and the NLU is unsure (a menu of 求助 / 建议, and the
        # place typed next was taken as 求助): a follow-up of a ticket was not it (above), so it is filed as a
        # complaint, which the citizen may correct ("类型是…").
        return await _open_intake(ctx, u)
    if not is_staff(ctx.actor):
        alone = await answer_place_alone(ctx, _menu_waiting(ctx))
        if alone is not None:  # "梅江区人民公园": where something happens, never a question for the KB
            ctx.session.pop(CLARIFY, None)
            return alone
        matter = matter_at_the_place(ctx, u)
        if matter is not None:  # what happens there, told after "请问那里出了什么问题"
            return await ctx.conversations[INTAKE].open(ctx, matter)
    looked_up: list[AskResult | None] = []

    async def kb_decision() -> KbDecision | None:
        looked_up.append(await knowledge.lookup(call))  # one retrieval, off the event loop, logged
        found = looked_up[-1]
        return found.decision if found is not None else None

    async def has_ticket() -> bool:
        tickets = ctx.services.tickets
        if tickets is None:
            return True
        return bool(await tickets.followup.open_tickets(ctx.actor, rectifying=True, answered=True))

    threshold = ctx.services.nlu_threshold
    follows = knowledge.asks_a_detail_of_the_last_answer(ctx.session, ctx.text)
    verdict = await arbitrate(ctx.text, u, ctx.actor.roles, threshold, kb_decision, has_ticket, follows_answer=follows)
    result = looked_up[-1] if looked_up else None
    if verdict.action is Action.KNOWLEDGE:
        replies = await deliver(ctx, await knowledge.answer(call, result))
        down = u is None and nlu is not None and ctx.session.get(CHOICE_KEY) is None
        if down and replies and replies[0].text.startswith((DECLINE[:12], STAFF_DECLINE[:12])):
            replies[0].text += "\n" + DEGRADED
        return replies
    if verdict.action is Action.OUT_OF_SCOPE:
        offered = await result_offered(ctx, [])
        if offered is not None:  # a handler's plain sentence after acting on a ticket: maybe its result
            return _clarify(ctx, [REPLY], {"ticket_id": offered})
        if is_staff(ctx.actor):  # a civil servant at work gets the office's hint, not the citizens' offer
            return [Reply(STAFF_DECLINE)]
        buttons = [Button("登记工单", "登记工单"), Button("转人工", "人工")]
        return [Reply(OUT_OF_SCOPE + OUT_OF_SCOPE_OFFER, buttons=buttons)]
    d = verdict.route
    assert d is not None
    if verdict.action is Action.CLARIFY:
        # "咨询办事" is what the KB just tried without an answer: offered alone, it leads nowhere.
        if [s.name for s in d.options] == ["ask_service"]:
            return [Reply(UNCLEAR)]
        offered = await result_offered(ctx, list(d.options))
        if offered is not None:
            return _clarify(ctx, [REPLY, *d.options], {**d.entities, "ticket_id": offered})
        return _clarify(ctx, list(d.options), d.entities)
    return await _act(ctx, d)


def _menu_waiting(ctx: Context) -> Mapping[str, object] | None:
    """The readings offered for the speaker's last message, while that menu waits."""
    raw = ctx.session.get(CLARIFY)
    return raw if isinstance(raw, dict) else None


def _clarify(ctx: Context, options: list[IntentSpec], entities: Entities) -> list[Reply]:
    """The menu of readings; the sentence is kept to be acted on with the one picked."""
    written = tidy_text(ctx.message.text)  # as written: a result picked from the menu keeps its "，"
    ctx.session[CLARIFY] = {"options": [s.name for s in options], "entities": entities, "text": written}
    code = entities.get("ticket_id")
    labels = [offer_label(s, str(code) if code else None) for s in options]
    if len(labels) == 1:  # a menu of one: asked as a question, a yes or the button takes it
        said = f"我不太确定您的意思，您是想{labels[0]}吗？是的话请回复“是”，不是的话请换个说法。"
        return [Reply(said, buttons=[Button("是", "1"), Button("不是", "取消")])]
    lines = ["我不太确定您的意思，您是想："]
    lines += [f"{n}. {label}" for n, label in enumerate(labels, start=1)]
    lines.append("请回复序号，或换个说法。")
    return [Reply("\n".join(lines), buttons=[Button(label, str(n)) for n, label in enumerate(labels, start=1)])]
