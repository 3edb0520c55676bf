"""The ticket state machine as data: which action moves which states where. See STATE.md."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    ACCEPTED = "accepted"  # 受理: registered, waiting at the dispatcher (also after a 退单)
    DISPATCHED = "dispatched"  # 派单: sent to a department, waiting to be signed for
    HANDLING = "handling"  # 签收 → 办理
    OBJECTED = "objected"  # 退单: the department objects to the dispatch, waiting for the dispatchers' review
    ANSWERED = "answered"  # 回复/办结: result given, waiting for the citizen's rating (回访)
    VISITED = "visited"  # 回访 done: rated, or 未评价 after the rating window
    ARCHIVED = "archived"  # 归档
    MERGED = "merged"  # 合并 into another ticket
    WITHDRAWN = "withdrawn"  # 撤单: the citizen withdrew it before it was answered (closed, never rated)


LABELS = {
    Status.ACCEPTED: "已受理，待派单",
    Status.DISPATCHED: "已派单，待签收",
    Status.HANDLING: "办理中",
    Status.OBJECTED: "已退单，待审核",
    Status.ANSWERED: "已办结，待评价",
    Status.VISITED: "已回访",
    Status.ARCHIVED: "已归档",
    Status.MERGED: "已合并",
    Status.WITHDRAWN: "已撤回（已关闭）",
}
OPEN = frozenset({Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING, Status.OBJECTED})


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset[Status]
    target: Status | None  # None: the status stays (e.g. extension, urge)


T = Transition
TRANSITIONS: dict[str, Transition] = {
    "dispatch": T("派单", frozenset({Status.ACCEPTED}), Status.DISPATCHED),
    "sign": T("签收", frozenset({Status.DISPATCHED}), Status.HANDLING),
    "return": T("退单", frozenset({Status.DISPATCHED, Status.HANDLING}), Status.OBJECTED),
    # the dispatchers' review of a 退单: accepted → re-dispatched elsewhere; rejected → back to the department
    "objection_accept": T("同意退单并改派", frozenset({Status.OBJECTED}), Status.DISPATCHED),
    "objection_reject": T("驳回退单", frozenset({Status.OBJECTED}), Status.DISPATCHED),
    # the department says more of its 退单 while it waits for the review ("因为系住建局管嘅")
    "return_note": T("补充退单说明", frozenset({Status.OBJECTED}), None),
    "reply": T("回复办结", frozenset({Status.HANDLING}), Status.ANSWERED),
    "rate": T("评价", frozenset({Status.ANSWERED}), Status.VISITED),
    "unrated": T("未评价", frozenset({Status.ANSWERED}), Status.VISITED),
    "rework": T("重办", frozenset({Status.ANSWERED, Status.VISITED}), Status.HANDLING),
    "archive": T("归档", frozenset({Status.VISITED}), Status.ARCHIVED),
    "merge": T("合并", frozenset({Status.ACCEPTED, Status.DISPATCHED}), Status.MERGED),
    # co-handling (协办): the lead department stays; assisting departments sign for and answer their part
    "assist": T("指定协办部门", frozenset({Status.DISPATCHED, Status.HANDLING}), None),
    "assist_sign": T("协办签收", frozenset({Status.DISPATCHED, Status.HANDLING}), None),
    "assist_reply": T("提交协办意见", frozenset({Status.DISPATCHED, Status.HANDLING}), None),
    "extend_request": T("申请延期", frozenset({Status.HANDLING}), None),
    "extend_decide": T("审批延期", frozenset({Status.HANDLING}), None),
    "urge": T("催办", frozenset(OPEN), None),
    "rerate": T("重新评价", frozenset({Status.VISITED, Status.ARCHIVED}), None),
    # the citizen's own follow-up on an open ticket (office_flows/tickets/followup.py)
    "supplement": T("补充诉求", frozenset(OPEN), None),
    "remind": T("催单", frozenset(OPEN), None),
    "withdraw": T("撤单", frozenset(OPEN), Status.WITHDRAWN),
    # the citizen corrects their phone: while the ticket is handled, and while the callback (回访) is to come
    "contact": T("更正联系电话", frozenset(OPEN | {Status.ANSWERED}), None),
    "address": T("更正事发地址", frozenset(OPEN), None),
}


class IllegalTransition(ValueError):
    """The action is not allowed in the ticket's current state; the message says why, in Chinese."""


def check(action: str, status: str) -> Transition:
    t = TRANSITIONS[action]
    current = Status(status)
    if current not in t.sources:
        allowed = "、".join(LABELS[s] for s in sorted(t.sources))
        raise IllegalTransition(f"工单当前状态为“{LABELS[current]}”，不能{t.label}（只有在{allowed}时可以）。")
    return t
