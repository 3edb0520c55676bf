"""The knowledge base's chat face: answer with a card, offer the closest entries as choices, or decline
honestly (logged for editors, a ticket or a person offered). A follow-up that names no service ("要带咩资料"
after an answer about 居住证) is asked about the service answered last."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from integrations.contract import Answer, Choice, FlowCall, IntentRegistry, Outcome, SessionData
from integrations.handoff import MISSES_KEY, HandoffDesk
from integrations.intents import STAFF
from kernel.clock import SHANGHAI
from kernel.identity import Actor
from knowledge_base.policy import Decision
from knowledge_base.service import AskResult, Card, KnowledgeBase, KnowledgeBaseUnavailable
from nlu.correcting import swapped_part
from office_flows.transcripts.models import KB_ANSWER, KB_CHOICES, KB_DECLINE

CHOICE_KEY = "kb_choices"  # the entries offered as numbered choices: [[kind, entry_id], …]
MISS_KEY = "kb_last_miss"  # the last declined question: "登记工单" next turns it into a 咨询 ticket
DECLINE = (
    "抱歉，这个问题我暂时没有找到准确的答案，已记录下来交给工作人员完善。您可以：\n"
    "1. 换个说法再问一次，例如说明要办的事项名称；\n"
    "2. 回复“登记工单”，把诉求登记为 12345 工单由相关部门处理；\n"
    "3. 回复“人工”转人工客服，或直接拨打 12345 热线。"
)
# A staff member's sentence that neither the NLU nor the KB understood: not logged as a citizen's question.
STAFF_DECLINE = (
    "抱歉，我没有理解您的意思。办事咨询请说明事项名称；办公请换个说法，例如“我有几单要处理”“派给城管局”"
    "“有冇超期嘅工单”，或发送 /帮助 查看全部命令。"
)
# The service the last answer was about ({"name": …, "at": ISO time}): a follow-up that names no service
# ("要带咩资料", "要几耐") is asked about it while it is fresh.
TOPIC_KEY = "kb_topic"
TOPIC_FRESH = timedelta(minutes=30)
NOT_READY = "知识库正在准备中，请稍后再试；急事请拨打 12345 热线。"
GONE = "这条内容刚刚下线了，请换个说法再问一次。"


@dataclass
class CardAnswer(Answer):
    """An answer that is a knowledge-base entry: channels render the card (text, and HTML where they can)."""

    card: Card | None = None
    aspect: str = ""  # a follow-up asked about one detail ("cost", "place" …): channels show that detail first


@dataclass
class KnowledgeAnswers:
    kb: KnowledgeBase
    handoff: HandoffDesk

    async def lookup(self, call: FlowCall) -> AskResult | None:
        """One retrieval (off the event loop, logged like any question); None while the index is not ready.
        A follow-up that names no service is asked about the service of the last answer."""
        question = call.text
        topic = self._topic(call.session)
        if topic and self.kb.only_asks_an_aspect(question):
            question = f"{topic} {question}"
        elif topic and (another := self._about_another(call)) is not None:
            question = another[0]  # "咁居住证呢": the last question, about 居住证
        try:
            return await self.kb.ask(
                question, channel=call.actor.channel, sender=call.actor.sender, log_decline=not is_staff(call.actor)
            )
        except KnowledgeBaseUnavailable:
            return None

    def _fresh_topic(self, session: SessionData) -> dict[str, object] | None:
        found = _topic_entry(session)
        return found[0] if found is not None and self.kb.clock.now() - found[1] <= TOPIC_FRESH else None

    def _topic(self, session: SessionData) -> str | None:
        topic = self._fresh_topic(session)
        if topic is None:
            return None
        return str(topic.get("name") or "") or None

    def _last_asked(self, session: SessionData) -> str:
        """The words the last answer was looked up with, while its topic is fresh ("" otherwise)."""
        topic = self._fresh_topic(session)
        return str(topic.get("asked") or "") if topic is not None else ""

    def _about_another(self, call: FlowCall) -> tuple[str, str] | None:
        last = self._last_asked(call.session)
        return self.kb.asked_about_another(call.text, last) if last else None

    def _aspect_followed_up(self, call: FlowCall) -> str | None:
        """The detail a follow-up asks ("要几多钱" → "cost"; "咁居住证呢" → the last question's detail)."""
        if self._topic(call.session) is None:
            return None
        another = self._about_another(call)
        return (another[1] or None) if another is not None else self.kb.aspect_followed_up(call.text)

    def asks_a_detail_of_the_last_answer(self, session: SessionData, text: str) -> bool:
        """``text`` names no service and asks only a detail ("几久正做得好", "要几耐") while the last answer is
        fresh: a follow-up on that service."""
        return self._topic(session) is not None and self.kb.only_asks_an_aspect(text)

    def _remember(self, session: SessionData, card: Card, asked: str = "") -> None:
        """The service answered, and the words it was asked in (a choice picked: its name)."""
        data = card.item if card.item else card.data
        name = str(data.get("name") or data.get("question") or "")
        if name:
            at = self.kb.clock.now().isoformat()
            session[TOPIC_KEY] = {"name": name[:80], "at": at, "asked": (asked or name)[:200]}

    def corrected_question(self, session: SessionData, text: str) -> str | None:
        """The question just answered with what ``text`` corrects swapped in ("居住证要带咩材料", then "唔系居住证，
        系身份证" → "身份证要带咩材料"); None when the text corrects nothing of it."""
        swap = swapped_part(text)
        asked = self._last_asked(session)
        if swap is None or not asked:
            return None
        wrong, meant = swap
        return asked.replace(wrong, meant) if wrong in asked else None

    async def answer(self, call: FlowCall, result: AskResult | None = None) -> Outcome:
        """Answer the question of ``call``; ``result`` when the caller already looked it up."""
        result = result if result is not None else await self.lookup(call)
        if result is None:
            return Outcome.say(NOT_READY)
        call.session.pop(CHOICE_KEY, None)
        if result.decision is not Decision.DECLINE:
            call.session.pop(MISSES_KEY, None)  # failures count only in a row
        if result.decision is Decision.ANSWER and result.cards:
            card = result.cards[0]
            # "要几多钱" after an answer: that detail of the service talked about, not its whole guide again
            aspect = self._aspect_followed_up(call)
            self._remember(call.session, card, result.question)  # as looked up: "咁居住证呢" → "居住证 要带什么材料"
            return Outcome([CardAnswer("", card=card, aspect=aspect or "")], kb=KB_ANSWER)
        if result.decision is Decision.SUGGEST:
            call.session[CHOICE_KEY] = [[h.kind, h.entry_id] for h in result.hits]
            lines = ["您想咨询的是不是以下内容？请回复序号："]
            lines += [f"{n}. {h.title}" for n, h in enumerate(result.hits, start=1)]
            lines.append("都不是的话，可以换个说法再问。")
            choices = [Choice(f"{n}. {h.title}", str(n)) for n, h in enumerate(result.hits, start=1)]
            return Outcome([Answer("\n".join(lines), choices)], kb=KB_CHOICES)
        call.session.pop(TOPIC_KEY, None)
        if is_staff(call.actor):
            return Outcome.say(STAFF_DECLINE)
        call.session[MISS_KEY] = call.text[:500]
        declined = Outcome([Answer(DECLINE, [Choice("登记工单", "登记工单"), Choice("转人工", "人工")])])
        after = await self.handoff.after_decline(call, declined)
        after.kb = KB_DECLINE
        return after

    async def pick(self, session: SessionData, n: int) -> Outcome:
        """The person picked offered choice ``n`` (1-based)."""
        raw = session.get(CHOICE_KEY)
        choices = raw if isinstance(raw, list) else []
        if not 1 <= n <= len(choices):
            return Outcome.say(f"请回复 1 到 {len(choices)} 之间的数字，或直接输入新的问题。")
        kind, entry_id = choices[n - 1]
        session.pop(CHOICE_KEY, None)
        card = await self.kb.choose(str(kind), int(entry_id))
        if card is None:
            return Outcome.say(GONE)
        self._remember(session, card)
        return Outcome([CardAnswer("", card=card)], kb=KB_ANSWER)

    async def unanswered_text(self) -> str:
        """The editors' queue of questions nobody could answer, most asked first."""
        total, rows = await self.kb.unanswered()
        if not total:
            return "目前没有待处理的未答问题。" + _EDITING
        lines = [f"待处理的未答问题共 {total} 条，问得最多的："]
        lines += [
            f"{n}. {q[:40]}（{times} 次，最近 {fmt_local(at)}）" for n, (q, times, at) in enumerate(rows, start=1)
        ]
        lines.append("可在管理后台“未答问题”页（/admin/kb/unanswered）归并为常见问题，或作为相似问法加入已有条目。")
        lines.append(_EDITING)
        return "\n".join(lines)


_EDITING = "新增或修改常见问题、办事指南，请到管理后台“知识库”页（/admin/kb），批量导入在 /admin/kb/import。"


def is_staff(actor: Actor) -> bool:
    """A civil servant at work (a citizen who is also staff speaks as staff)."""
    return bool(actor.roles & STAFF)


def fmt_local(at: datetime) -> str:
    return at.astimezone(SHANGHAI).strftime("%m-%d %H:%M")


def register(flows: IntentRegistry, answers: KnowledgeAnswers) -> None:
    async def ask_service(call: FlowCall) -> Outcome:
        return await answers.answer(call)

    async def unanswered_questions(call: FlowCall) -> Outcome:
        return Outcome.say(await answers.unanswered_text())

    flows.register("ask_service", ask_service)
    flows.register("unanswered_questions", unanswered_questions)


def asked_since(session: SessionData, since: datetime) -> bool:
    """Whether the speaker has put a question to the knowledge base since ``since`` (answered, offered choices or
    declined), as far as the session tells: a correction after it ("唔系居住证，系身份证") is about that question."""
    if session.get(CHOICE_KEY) is not None or session.get(MISS_KEY) is not None:
        return True
    found = _topic_entry(session)
    return found is not None and found[1] >= since


def _topic_entry(session: SessionData) -> tuple[dict[str, object], datetime] | None:
    """The service of the last answer as kept in the session, and when it was answered (None without a zoned time)."""
    raw = session.get(TOPIC_KEY)
    if not isinstance(raw, dict):
        return None
    try:
        at = datetime.fromisoformat(str(raw.get("at")))
    except (TypeError, ValueError):
        return None
    return (raw, at) if at.tzinfo is not None else None
