"""Who is speaking: roles decide what a sender may do.

Issue 5 brings the directory of people; until then a static map from settings
(``GOVCHAT_SENDER_ROLES``) can make a sender staff, and everyone else is a citizen.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


class Role(StrEnum):
    CITIZEN = "citizen"
    STAFF = "staff"
    HEAD = "department_head"
    DISPATCHER = "dispatcher"
    SUPERVISOR = "supervisor"
    EDITOR = "editor"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.CITIZEN: "市民",
    Role.STAFF: "工作人员",
    Role.HEAD: "部门负责人",
    Role.DISPATCHER: "派单员",
    Role.SUPERVISOR: "督办人员",
    Role.EDITOR: "知识编辑",
    Role.ADMIN: "管理员",
}


class IdentityResolver(Protocol):
    async def roles_of(self, channel: str, sender: str) -> frozenset[Role]: ...


class StaticRoles:
    """Roles from a "sender=role+role,sender2=role" string; unknown senders are citizens."""

    def __init__(self, spec: str = "") -> None:
        self._map: dict[str, frozenset[Role]] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            sender, _, roles = part.partition("=")
            self._map[sender.strip()] = frozenset(Role(r.strip()) for r in roles.split("+") if r.strip())

    async def roles_of(self, channel: str, sender: str) -> frozenset[Role]:
        return self._map.get(sender, frozenset({Role.CITIZEN}))
