"""A dispatcher asking where a ticket should go ("第一张派去边好", "呢单应该畀边个局", "派城管局啱唔啱") gets the
router's proposal and how to act on it; the ticket is not dispatched (Rasa reads such questions as
``dispatch_ticket``, and acting on them sent tickets away on a question)."""

from __future__ import annotations

import re

from integrations.contract import Answer, Choice, Outcome
from office_flows.tickets.service import TicketService

# Which department: a where/which word.
_WHICH = re.compile(r"边度|边个|边间|去边|畀边|俾边|派边|交边|哪|谁|什么部门|咩部门|乜部门|乜嘢部门|么个部门")
# Whether one is right: a "would it do" tail, or a question's end.
_WHETHER = re.compile(
    r"好唔好|好不好|啱唔啱|对唔对|合唔合适|合不合适|可唔可以|可不可以|行唔行|得唔得|会唔会|[?？吗咩呢]$"
)
# A polite order ("可唔可以帮我派去城管局", "麻烦派畀城管局吖", "请帮忙派给城管局好吗"): asking for it to be done, not
# whether it would be right.
_POLITE_ORDER = re.compile(r"(帮我|帮手|帮忙|麻烦|唔该|劳烦|请你|同我)[^，,。]{0,4}派")
FOLLOW_ADVICE = "照建议派"
# A word of dispatching ("派", "派单"), not 派出所, 派送, 派发, 派对.
_DISPATCH_WORD = re.compile(r"派(?!出所|送|发|对|件|钱)")


def asks_where_to_dispatch(text: str) -> bool:
    """ "第一张派去边好", "派城管局啱唔啱": a question; "可唔可以帮我派去城管局": a polite order."""
    said = text.strip()
    if _WHICH.search(said):
        return True
    return bool(_WHETHER.search(said)) and not _POLITE_ORDER.search(said)


def asks_advice_on_dispatch(text: str) -> bool:
    """A word of dispatching and a question about where ("呢张唔知派边度好"), whatever the NLU made of it."""
    return bool(_DISPATCH_WORD.search(text)) and asks_where_to_dispatch(text)


async def dispatch_advice(svc: TicketService, code: str, text: str) -> Outcome:
    """The ticket, its proposal, and how to dispatch it (``text``: the question, which may name a department)."""
    named = await svc.department_mentioned(text)
    ticket, _ = await svc.queries.history(code)
    names = await svc.queries.department_names()
    head = f"工单 {ticket.code}（{ticket.kind}）{ticket.content[:40]}"
    asked = names.get(named, named) if named else None  # a catalogue code or a full name
    lines = [head]
    choices: list[Choice] = []
    if ticket.proposed_department:
        proposed = names.get(ticket.proposed_department, ticket.proposed_department)
        lines.append(f"分类建议：{proposed}（置信度 {ticket.proposal_confidence or 0:.0%}）。")
        choices.append(Choice(FOLLOW_ADVICE, FOLLOW_ADVICE))
    else:
        lines.append(svc.router_note() or "这张工单没有分类建议（分派模型对它没有把握）。")
    if asked:
        lines.append(f"派往{asked}请说“派给{asked}”。")
    hint = "按建议派单请回复“照建议派”；" if ticket.proposed_department else ""
    lines.append(f"{hint}派往其他部门请说“派给××局”。工单还没有派出。")
    return Outcome([Answer("\n".join(lines), choices)])
