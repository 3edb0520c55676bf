"""Documents' chat face (公文): to-do lists, approve, return, hand over or consult, progress."""

from __future__ import annotations

import re

from integrations.context import named_or_only, remember_listing
from integrations.contract import FlowCall, IntentRegistry, Outcome, SessionData, texts
from integrations.office_common import after, message_of, reason_of, run, strip_lead
from integrations.tickets import todo_line
from kernel.identity import Actor
from nlu.entities import DOC_ID
from nlu.numerals import ordinal_in
from office_flows.documents.service import ReturnedDraft, fmt
from office_flows.office import Office
from office_flows.tickets.service import TicketService

# 加签 is told apart from 转交 by these words; anything else that hands a document over is 转交.
CONSULT_WORDS = re.compile(r"加签|征求|会签意见|提意见|把关|看看意见|听听意见")


async def todo_with_tickets(
    office: Office, tickets: TicketService | None, actor: Actor, session: SessionData | None = None
) -> str:
    """The speaker's to-do documents (numbered; ``session`` remembers the numbers for "同意第二份") and tickets."""
    text = await run(lambda: todo_text(office, actor, session))
    line = await todo_line(tickets, actor)
    return f"{text}\n{line}" if line else text


async def todo_text(office: Office, actor: Actor, session: SessionData | None = None) -> str:
    items = await office.documents.todo(actor)
    if session is not None:
        remember_listing(session, "doc_id", [it.doc_id for it in items], office.clock.now())
    returned = returned_lines(await office.documents.returned_drafts(actor))
    if not items:
        return "\n".join(returned) if returned else "您目前没有待办公文。"
    lines = [f"您有 {len(items)} 件待办公文（按紧急程度和时限排序）："]
    for i, it in enumerate(items, start=1):
        behalf = f"，代{it.on_behalf_of}" if it.on_behalf_of else ""
        how = {"all": "会签", "any": "或签", "consult": "加签征求意见"}.get(it.mode, "审批")
        lines.append(
            f"{i}. [{it.urgency}] {it.doc_id}《{it.title}》— {it.step}（{how}{behalf}），"
            f"自 {fmt(it.since)} 起，时限 {fmt(it.due_at)}"
        )
    lines.append(
        "回复“/同意 文号 意见”“/退回 文号 理由”“/转交 文号 姓名”或“/加签 文号 姓名”办理，"
        "也可以按序号说，如“同意第一份”“第二份写的什么”。"
    )
    return "\n".join(lines + returned)


def remark_of(written: str) -> str:
    """The free text of an approval or a return: what follows the document's number or its place in the to-do
    list ("同意第一份，按程序办" → "按程序办"), else the whole sentence without its lead."""
    if DOC_ID.search(written.upper()):
        return after(DOC_ID, written)
    place = ordinal_in(written)
    return strip_lead(written[place[1].end() :] if place else written)


def returned_lines(drafts: list[ReturnedDraft]) -> list[str]:
    """The speaker's returned drafts, for the to-do list: what was returned, by whom, why, and how to resubmit."""
    if not drafts:
        return []
    lines = [f"您拟稿的 {len(drafts)} 件公文被退回待修改："]
    for d in drafts:
        why = f"，理由：{d.reason}" if d.reason else ""
        lines.append(f"· {d.doc_id}《{d.title}》— {d.returned_by}于 {fmt(d.since)} 退回{why}")
    lines.append("修改后回复“/重新提交 文号 修改后的正文”（正文不变可省略），或直接说“改好了，重新提交”。")
    return lines


async def delegate_text(office: Office, actor: Actor, doc_id: str, person: str, comment: str, consult: bool) -> str:
    if consult:
        return (await office.documents.consult(actor, doc_id, person, comment)).message
    return (await office.documents.transfer(actor, doc_id, person, comment)).message


def register(registry: IntentRegistry, office: Office, tickets: TicketService | None = None) -> None:
    async def list_todo(call: FlowCall) -> list[str]:
        return [await todo_with_tickets(office, tickets, call.actor, call.session)]

    async def doc_of(call: FlowCall) -> str | Outcome:
        """The document named, else the speaker's only pending one, else a choice among them."""

        async def pending() -> list[tuple[str, str]]:
            return [
                (it.doc_id, f"{it.doc_id}《{it.title}》— {it.step}") for it in await office.documents.todo(call.actor)
            ]

        none = "您目前没有待办公文。如要处理其他公文，请说明文号（如 FW-2026-015）。"
        return await named_or_only(call, "doc_id", pending, none, "待办公文")

    async def approve(call: FlowCall) -> Outcome:
        doc_id = await doc_of(call)
        if isinstance(doc_id, Outcome):
            return doc_id
        comment = remark_of(call.written)
        return Outcome.say(await run(lambda: message_of(office.documents.approve(call.actor, doc_id, comment))))

    async def reject(call: FlowCall) -> Outcome:
        doc_id = await doc_of(call)
        if isinstance(doc_id, Outcome):
            return doc_id
        reason = remark_of(call.written)
        previous = "上一步" in call.text or "上一环节" in call.text
        reason = reason_of(re.sub(r"^(退回)?(到)?(上一步|上一环节)[，,。\s]*", "", reason))
        docs = office.documents
        return Outcome.say(await run(lambda: message_of(docs.reject(call.actor, doc_id, reason, to_previous=previous))))

    async def delegate(call: FlowCall) -> Outcome:
        doc_id = await doc_of(call)
        if isinstance(doc_id, Outcome):
            return doc_id
        consult = bool(CONSULT_WORDS.search(call.text))
        person = str(call.entities["person"])
        answer = await run(lambda: delegate_text(office, call.actor, doc_id, person, "", consult))
        hint = (
            "（按“加签”理解：对方提出意见后任务回到您这里；如要把任务整个交给对方，请用 /转交。）"
            if consult
            else "（按“转交”理解：任务由对方办理；如只想征求对方意见，请说“加签”或用 /加签。）"
        )
        return Outcome.say(answer + hint)

    async def returned_of(call: FlowCall) -> str | Outcome:
        """The draft named, else the speaker's only returned draft, else a choice among them."""

        async def returned() -> list[tuple[str, str]]:
            return [(d.doc_id, f"{d.doc_id}《{d.title}》") for d in await office.documents.returned_drafts(call.actor)]

        none = "您没有被退回待修改的公文。如要重新提交其他公文，请说明文号（如 FW-2026-015）。"
        return await named_or_only(call, "doc_id", returned, none, "被退回的公文")

    async def resubmit(call: FlowCall) -> Outcome:
        doc_id = await returned_of(call)
        if isinstance(doc_id, Outcome):
            return doc_id
        body = revised_body(call.written)
        answer = await run(lambda: message_of(office.documents.resubmit(call.actor, doc_id, body)))
        return Outcome.say(answer if body else answer + "（正文未改；如要修改，请在“重新提交：”后写上新的正文。）")

    async def own_or_pending(call: FlowCall) -> str | Outcome:
        """The document named, else the speaker's only one under way (drafted by them, or waiting for them),
        else a choice among them ("我嘅公文去到边")."""

        async def under_way() -> list[tuple[str, str]]:
            drafted = [
                (d.doc_id, f"{d.doc_id}《{d.title}》— {'被退回待修改' if d.returned else '审批中'}（您起草的）")
                for d in await office.documents.drafted_in_flight(call.actor)
            ]
            seen = {doc_id for doc_id, _ in drafted}
            todo = [
                (it.doc_id, f"{it.doc_id}《{it.title}》— 待您{it.step}")
                for it in await office.documents.todo(call.actor)
                if it.doc_id not in seen
            ]
            return drafted + todo

        none = "您目前没有在办的公文（您起草的或等您办理的）。要查其他公文，请发送文号（如 FW-2026-015）。"
        return await named_or_only(call, "doc_id", under_way, none, "在办的公文")

    async def query(call: FlowCall) -> Outcome:
        doc_id = await own_or_pending(call)
        if isinstance(doc_id, Outcome):
            return doc_id
        return Outcome.say(await run(lambda: message_of(office.documents.query(call.actor, doc_id))))

    registry.register("list_todo", texts(list_todo))
    registry.register("query_document", query)
    registry.register("approve_document", approve)
    registry.register("reject_document", reject)
    registry.register("delegate_task", delegate)
    registry.register("resubmit_document", resubmit)


def revised_body(written: str) -> str:
    """The new body in "改好了，重新提交：新正文" — what follows the first colon; none without one."""
    found = re.search(r"[：:](.*)", DOC_ID.sub("", written), re.S)
    return found.group(1).strip() if found else ""
