"""Ticket policy read from settings: deadlines per type, clock-stopped states, escalation thresholds."""

from __future__ import annotations

from dataclasses import dataclass

from kernel.config import ConfigError, Settings
from office_flows.tickets.states import Status

KINDS = ("咨询", "求助", "建议", "投诉", "举报", "表扬")
INTENT_KINDS = {
    "complain": "投诉",
    "report": "举报",
    "request_help": "求助",
    "suggest": "建议",
    "praise": "表扬",
    "ask_service": "咨询",
}


@dataclass(frozen=True)
class TicketRules:
    workdays: dict[str, int]
    sign_hours: float = 2.0
    clock_stopped: frozenset[Status] = frozenset({Status.ACCEPTED, Status.OBJECTED})
    remind_hours: float = 8.0
    supervise_hours: float = 8.0
    rating_days: int = 3
    raise_after: int = 3
    auto_dispatch: float = 0.0
    callback_days: int = 1  # rectification: return call within 1 working day
    rectify_days: int = 15  # rectification within 15 working days
    return_reasons: tuple[str, ...] = ("非本部门职责", "不属本辖区", "诉求不清无法办理", "重复诉求", "涉法涉诉", "其他")
    review_hours: float = 4.0  # the dispatchers' review of a 退单
    assist_days: int = 5  # an assisting department's part (协办)

    @classmethod
    def from_settings(cls, s: Settings) -> TicketRules:
        workdays = {}
        for part in filter(None, (p.strip() for p in s.ticket_workdays.split(","))):
            kind, _, days = part.partition("=")
            if kind.strip() not in KINDS or not days.strip().isdigit():
                raise ConfigError(f"GOVCHAT_TICKET_WORKDAYS: cannot read {part!r} (e.g. 投诉=15)")
            workdays[kind.strip()] = int(days)
        missing = [k for k in KINDS if k not in workdays]
        if missing:
            raise ConfigError(f"GOVCHAT_TICKET_WORKDAYS: missing {', '.join(missing)}")
        try:
            stopped = frozenset(Status(x.strip()) for x in s.ticket_clock_stopped.split("+") if x.strip())
        except ValueError as exc:
            raise ConfigError(f"GOVCHAT_TICKET_CLOCK_STOPPED: {exc}") from exc
        reasons = tuple(r.strip() for r in s.ticket_return_reasons.replace("，", ",").split(",") if r.strip())
        if not reasons:
            raise ConfigError("GOVCHAT_TICKET_RETURN_REASONS: at least one reason is needed")
        return cls(
            workdays=workdays,
            return_reasons=reasons,
            review_hours=s.ticket_review_hours,
            assist_days=s.ticket_assist_days,
            sign_hours=s.ticket_sign_hours,
            clock_stopped=stopped,
            remind_hours=s.ticket_remind_hours,
            supervise_hours=s.ticket_supervise_hours,
            rating_days=s.ticket_rating_days,
            raise_after=s.ticket_raise_after,
            auto_dispatch=s.ticket_auto_dispatch,
        )


def return_reason(rules: TicketRules, word: str) -> str | None:
    """The configured 退单 reason a typed word names: the reason itself or its number in the list (1, 2, …)."""
    word = word.strip()
    if word.isdigit() and 1 <= int(word) <= len(rules.return_reasons):
        return rules.return_reasons[int(word) - 1]
    return word if word in rules.return_reasons else None


RATINGS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
LEVEL_OF = {v: k for k, v in RATINGS.items()}
SATISFIED = frozenset({5, 4, 3})
