"""The directory as the bot's identity resolver: linked addresses speak as people, others are citizens."""

from __future__ import annotations

from kernel.db import Database
from kernel.identity import Actor, Role, StaticRoles
from office_flows.directory.store import person_for_address


class DirectoryIdentity:
    """Looks the sender up in the directory; falls back to the static map, then to citizen."""

    def __init__(self, db: Database, static: StaticRoles | None = None) -> None:
        self.db = db
        self.static = static or StaticRoles()

    async def whois(self, channel: str, sender: str) -> Actor:
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
