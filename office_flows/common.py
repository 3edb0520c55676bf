"""What every office flow shares: refusals with a message for people, outcomes, and who may act."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.identity import Actor
from office_flows.directory.models import Person
from office_flows.directory.store import DirectoryError, PersonInfo, person_by


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


_TITLED = re.compile(r"^([\u4e00-\u9fff])(副?(?:科长|主任|局长|区长|处长|队长|股长|所长))$")


async def find_person(s: AsyncSession, name: str) -> PersonInfo:
    """A colleague by full name, staff number, or surname + title as people say it (“赖科长”, “王主任”)."""
    try:
        found = await person_by(s, name=name) or await person_by(s, code=name)
    except DirectoryError as exc:
        raise OfficeError(str(exc)) from None
    if found is not None:
        return found
    m = _TITLED.match(name)
    if m:
        rows = list(
            await s.scalars(
                select(Person).where(
                    Person.active.is_(True), Person.name.startswith(m.group(1)), Person.position.contains(m.group(2))
                )
            )
        )
        if len(rows) == 1:
            info = await person_by(s, id=rows[0].id)
            if info is not None:
                return info
        if len(rows) > 1:
            raise OfficeError(f"有不止一位“{name}”，请说全名。")
    raise OfficeError(f"通讯录中没有找到“{name}”，请核对姓名。", 404)
