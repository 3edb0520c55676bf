"""What every office flow shares: refusals with a message for people, outcomes, and who may act."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govchat.identity import Actor


class OfficeError(ValueError):
    """A refused office action; the message says why, politely, in Chinese; status is the HTTP code."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Outcome:
    message: str
    ref: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def person_required(actor: Actor) -> int:
    if actor.person_id is None:
        raise OfficeError("公文、会议和通知功能仅限机关工作人员使用，您当前未登记为工作人员。", 403)
    return actor.person_id
