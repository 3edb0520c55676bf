"""The intent contract: who may use each intent, which entities it needs, and how to ask for them."""

from __future__ import annotations

from dataclasses import dataclass, field

from kernel.identity import Role

STAFF = frozenset({Role.STAFF, Role.HEAD, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})
SUPERVISORS = frozenset({Role.SUPERVISOR, Role.HEAD, Role.ADMIN})
DISPATCH_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})
EDITORS = frozenset({Role.EDITOR, Role.ADMIN})
EVERYONE: frozenset[Role] = frozenset(Role)


@dataclass(frozen=True)
class Need:
    entity: str
    question: str
    from_context: bool = False  # the flow may take it from context (the speaker's only pending item)


@dataclass(frozen=True)
class IntentSpec:
    name: str
    label: str  # how the bot names it to people
    flow: str  # knowledge_base, tickets, documents, meetings, statistics, chat
    roles: frozenset[Role] = EVERYONE
    needs: tuple[Need, ...] = field(default_factory=tuple)


_TICKET = Need("ticket_id", "请问是哪张工单？请发送工单编号（GD 开头，如 GD2026111800123）。")
_DOC = Need("doc_id", "请问是哪份公文？请发送文号（如 FW-2026-015 或 SW-2026-015）。")
# Acting on "my" pending item: without an ID the flow takes the only one, or offers them as choices.
_MY_DOC = Need(_DOC.entity, _DOC.question, from_context=True)
_MY_TICKET = Need(_TICKET.entity, _TICKET.question, from_context=True)
_MEETING = Need("meeting_id", "请问是哪个会议？请发送会议编号（如 HY-2026-0042）。")
# Without a code the meetings flow takes the speaker's coming meeting the words point at (明天的会, 下午那个会).
_MY_MEETING = Need(_MEETING.entity, _MEETING.question, from_context=True)

SPECS: dict[str, IntentSpec] = {
    s.name: s
    for s in [
        IntentSpec("ask_service", "咨询办事", "knowledge_base"),
        IntentSpec("complain", "投诉", "tickets"),
        IntentSpec("report", "举报", "tickets"),
        IntentSpec("request_help", "求助", "tickets"),
        IntentSpec("suggest", "建议", "tickets"),
        IntentSpec("praise", "表扬", "tickets"),
        IntentSpec("query_ticket", "查询工单进度", "tickets"),  # without a code: the citizen's own tickets
        IntentSpec(
            "rate_service",
            "评价办理结果",
            "tickets",
            # The flow asks for the rating itself; the answer, with its reason, comes back as rate_service.
            needs=(
                Need(
                    "rating",
                    "请问您对办理结果的评价是：非常满意、满意、基本满意、不满意，还是非常不满意？",
                    from_context=True,
                ),
            ),
        ),
        IntentSpec("human_agent", "转人工", "chat"),
        IntentSpec("greet", "打招呼", "chat"),
        IntentSpec("thank", "致谢", "chat"),
        IntentSpec("goodbye", "道别", "chat"),
        IntentSpec("out_of_scope", "闲聊", "chat"),
        IntentSpec("list_todo", "查看待办", "documents", STAFF),
        IntentSpec("approve_document", "同意公文", "documents", STAFF, (_MY_DOC,)),
        IntentSpec("reject_document", "退回公文", "documents", STAFF, (_MY_DOC,)),
        IntentSpec(
            "delegate_task", "转交或加签", "documents", STAFF, (Need("person", "请问要交给谁？请告诉我姓名。"), _MY_DOC)
        ),
        IntentSpec("query_document", "查询公文", "documents", STAFF, (_MY_DOC,)),
        IntentSpec("draft_document", "起草发文", "documents", STAFF),
        IntentSpec("publish_notice", "发布通知", "notices", STAFF),
        IntentSpec("resubmit_document", "重新提交公文", "documents", STAFF, (_MY_DOC,)),
        IntentSpec(
            "book_meeting",
            "预约会议",
            "meetings",
            STAFF,
            # The flow asks for the time (or room) itself and keeps what was said for the next turn.
            (Need("time", "请问会议定在什么时间？例如“明天下午三点”。", from_context=True),),
        ),
        IntentSpec("cancel_meeting", "取消会议", "meetings", STAFF, (_MY_MEETING,)),
        IntentSpec("query_meetings", "查询会议", "meetings", STAFF),
        IntentSpec("rsvp_meeting", "回复会议邀请", "meetings", STAFF, (_MY_MEETING,)),
        IntentSpec("reschedule_meeting", "会议改期", "meetings", STAFF, (_MY_MEETING,)),
        IntentSpec("accept_ticket", "签收工单", "tickets", STAFF, (_MY_TICKET,)),
        IntentSpec("return_ticket", "退回工单", "tickets", STAFF, (_MY_TICKET,)),
        IntentSpec("reply_ticket", "回复工单", "tickets", STAFF, (_MY_TICKET,)),
        IntentSpec("extend_ticket", "申请延期", "tickets", STAFF, (_TICKET,)),
        # Without a code: the department named (its overdue tickets), else the only overdue one, else a choice.
        IntentSpec("urge_ticket", "催办工单", "tickets", SUPERVISORS | {Role.DISPATCHER}, (_MY_TICKET,)),
        IntentSpec("query_stats", "查询统计", "statistics", SUPERVISORS),
        # --- a citizen's follow-up on their own ticket (integrations/ticket_followup.py) ---
        # Without a code the flow takes the citizen's only open ticket, or offers their open ones.
        IntentSpec("supplement_ticket", "补充诉求", "tickets", needs=(_MY_TICKET,)),
        IntentSpec("remind_ticket", "催办我的工单", "tickets", needs=(_MY_TICKET,)),
        IntentSpec("withdraw_ticket", "撤回工单", "tickets", needs=(_MY_TICKET,)),
        IntentSpec("change_ticket_phone", "更正联系电话", "tickets", needs=(_MY_TICKET,)),
        IntentSpec("change_ticket_address", "更正事发地址", "tickets", needs=(_MY_TICKET,)),
        # --- end of the citizen's follow-up ---
        # --- dispatchers, handling departments, supervisors and editors at work ---
        IntentSpec("ticket_queue", "查看工单队列", "tickets", STAFF),  # dispatch queue, or the department's
        IntentSpec("dispatch_ticket", "派单", "tickets", DISPATCH_ROLES, (_MY_TICKET,)),
        IntentSpec("overdue_tickets", "查看超期工单", "tickets", SUPERVISORS | {Role.DISPATCHER}),
        IntentSpec("quality_summary", "查看质检结果", "quality", SUPERVISORS),
        IntentSpec("unanswered_questions", "查看未答问题", "knowledge_base", EDITORS),
    ]
}
# A citizen's intent and the staff intent the same words mean for staff: each speaker gets the one for their role
# ("帮我催一下" is a citizen's 催单, a supervisor's 催办).
STAFF_COUNTERPART = {"remind_ticket": "urge_ticket"}
# A staff intent whose words, said by a citizen, ask after their own tickets ("我嗰单嘢搞成点" reads like a
# handler's "我有几单要处理"): one way only, a civil servant's status question stays theirs.
CITIZEN_READING = {"ticket_queue": "query_ticket"}
CITIZEN_INTENTS = frozenset(
    "ask_service complain report request_help suggest praise query_ticket rate_service human_agent greet "
    "thank goodbye out_of_scope".split()
) | frozenset({"supplement_ticket", "remind_ticket", "withdraw_ticket", "change_ticket_phone", "change_ticket_address"})
STAFF_INTENTS = frozenset(SPECS) - CITIZEN_INTENTS
