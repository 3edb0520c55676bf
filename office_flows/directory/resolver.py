"""The directory as the bot's identity resolver: linked addresses speak as people, others are citizens."""

from __future__ import annotations

from kernel.credentials import MATRIX, WEB
from kernel.db import Database
from kernel.identity import CITIZEN_ONLY, Actor, Role, StaticRoles
from office_flows.directory.store import person_for_address


class DirectoryIdentity:
    """Looks the sender up in the directory; falls back to the static map, then to citizen.

    Only channels that authenticate their users (``staff_channels``: Matrix, the web chat's server-issued
    identities, integrations allowed to assert staff) can make a sender a person; on any other channel every
    sender is a citizen, whatever the directory says; and on a citizens-only channel (the WeChat official
    account) every sender is a citizen whatever the configuration."""

    def __init__(
        self,
        db: Database,
        static: StaticRoles | None = None,
        staff_channels: frozenset[str] = frozenset({MATRIX, WEB}),
    ) -> None:
        self.db = db
        self.static = static or StaticRoles()
        self.staff_channels = staff_channels - CITIZEN_ONLY

    async def whois(self, channel: str, sender: str) -> Actor:
        if channel not in self.staff_channels or channel in CITIZEN_ONLY:
            return Actor(channel, sender, frozenset({Role.CITIZEN}))
        async with self.db.session() as s:
            person = await person_for_address(s, channel, sender)
        if person is None:
            return await self.static.whois(channel, sender)
        return Actor(
            channel,
            sender,
            person.roles or frozenset({Role.STAFF}),
            person_id=person.id,
            name=person.name,
            department_code=person.department_code,
            department_name=person.department_name,
        )

    async def roles_of(self, channel: str, sender: str) -> frozenset[Role]:
        return (await self.whois(channel, sender)).roles
