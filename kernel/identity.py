"""Who is speaking: roles decide what a sender may do.

The directory (``office_flows.directory``) maps chat identities to people and their
roles; a static map from settings (``GOVCHAT_SENDER_ROLES``) can also make a sender
staff, and everyone else is a citizen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

# Channels whose senders are citizens and nothing else, whatever the directory or the static map says: the
# WeChat official account (an OpenID is anyone with WeChat who follows the account).
CITIZEN_ONLY = frozenset({"wechat"})


class Role(StrEnum):
    CITIZEN = "citizen"
    STAFF = "staff"
    HEAD = "department_head"
    DISPATCHER = "dispatcher"
    SUPERVISOR = "supervisor"
    EDITOR = "editor"
    ADMIN = "admin"
    OPERATOR = "operator"  # hotline operator who takes conversations handed off by the bot


ROLE_LABELS = {
    Role.CITIZEN: "市民",
    Role.STAFF: "工作人员",
    Role.HEAD: "部门负责人",
    Role.DISPATCHER: "派单员",
    Role.SUPERVISOR: "督办人员",
    Role.EDITOR: "知识编辑",
    Role.ADMIN: "管理员",
    Role.OPERATOR: "人工客服",
}


@dataclass(frozen=True)
class Actor:
    """The speaker of a message: a citizen (no person) or a person of the directory."""

    channel: str
    sender: str
    roles: frozenset[Role]
    person_id: int | None = None
    name: str = ""
    department_code: str | None = None
    department_name: str = ""

    @property
    def key(self) -> str:
        """A stable label for audit trails: the person's id, or the chat address of a citizen."""
        return f"person:{self.person_id}" if self.person_id is not None else f"{self.channel}:{self.sender}"

    @property
    def display(self) -> str:
        return self.name or self.sender

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))


class IdentityResolver(Protocol):
    async def roles_of(self, channel: str, sender: str) -> frozenset[Role]: ...

    async def whois(self, channel: str, sender: str) -> Actor: ...


class StaticRoles:
    """Roles from a "channel:sender=role+role,…" string; unknown senders are citizens.

    The channel is part of the key: ``matrix:@op:example.gov=operator`` makes that Matrix user an operator and
    nobody else, whatever they call themselves on another channel. A bare Matrix id (``@op:example.gov``) means
    the Matrix channel; any other entry must name its channel."""

    def __init__(self, spec: str = "") -> None:
        self._map: dict[tuple[str, str], frozenset[Role]] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            who, _, roles = part.rpartition("=")
            who = who.strip()
            if who.startswith("@"):
                channel, sender = "matrix", who
            else:
                channel, _, sender = who.partition(":")
                if not sender:
                    raise ValueError(
                        f"GOVCHAT_SENDER_ROLES: {who!r} must name its channel, e.g. matrix:@op:example.gov=operator"
                    )
                if channel.strip() in CITIZEN_ONLY:
                    raise ValueError(f"GOVCHAT_SENDER_ROLES: {who!r}: senders on {channel} are always citizens")
            self._map[(channel.strip(), sender.strip())] = frozenset(
                Role(r.strip()) for r in roles.split("+") if r.strip()
            )

    def channels(self) -> frozenset[str]:
        return frozenset(c for c, _ in self._map)

    async def roles_of(self, channel: str, sender: str) -> frozenset[Role]:
        if channel in CITIZEN_ONLY:
            return frozenset({Role.CITIZEN})
        return self._map.get((channel, sender), frozenset({Role.CITIZEN}))

    async def whois(self, channel: str, sender: str) -> Actor:
        return Actor(channel, sender, await self.roles_of(channel, sender))
