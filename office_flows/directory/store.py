"""Directory queries: who a chat address is, who acts for whom, who heads a department."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.identity import CITIZEN_ONLY, Role
from office_flows.directory.models import ChatIdentity, Delegation, Department, Person

ANY_CHANNEL = "*"


class DirectoryError(ValueError):
    """A directory operation that cannot be done; the message is for people."""


@dataclass(frozen=True)
class PersonInfo:
    id: int
    code: str
    name: str
    roles: frozenset[Role]
    department_code: str | None
    department_name: str
    position: str


def parse_roles(spec: str) -> frozenset[Role]:
    """ "staff+department_head" → roles; an unknown role name is an error naming it."""
    out = set()
    for raw in filter(None, (r.strip() for r in spec.replace(",", "+").split("+"))):
        try:
            out.add(Role(raw))
        except ValueError:
            raise DirectoryError(f"未知角色：{raw}（可用：{'、'.join(r.value for r in Role)}）") from None
    return frozenset(out)


async def _info(s: AsyncSession, person: Person) -> PersonInfo:
    dept = await s.get(Department, person.department_id) if person.department_id else None
    return PersonInfo(
        id=person.id,
        code=person.code,
        name=person.name,
        roles=parse_roles(person.roles),
        department_code=dept.code if dept else None,
        department_name=dept.name if dept else "",
        position=person.position,
    )


async def person_for_address(s: AsyncSession, channel: str, address: str) -> PersonInfo | None:
    row = await s.scalar(
        select(Person)
        .join(ChatIdentity, ChatIdentity.person_id == Person.id)
        .where(
            ChatIdentity.address == address,
            ChatIdentity.channel == channel,  # never "*": an address speaks only on the channel that proved it
            Person.active.is_(True),
        )
        .limit(1)
    )
    return await _info(s, row) if row is not None else None


async def person_by(
    s: AsyncSession, *, id: int | None = None, code: str | None = None, name: str | None = None
) -> PersonInfo | None:
    q = select(Person).where(Person.active.is_(True))
    if id is not None:
        q = q.where(Person.id == id)
    if code is not None:
        q = q.where(Person.code == code)
    if name is not None:
        q = q.where(Person.name == name)
    rows = list(await s.scalars(q.limit(2)))
    if name is not None and len(rows) > 1:
        raise DirectoryError(f"有不止一位叫“{name}”的同事，请用工号指明。")
    return await _info(s, rows[0]) if rows else None


async def department_by(s: AsyncSession, *, code: str | None = None, name: str | None = None) -> Department | None:
    q = select(Department).where(Department.active.is_(True))
    if code is not None:
        q = q.where(Department.code == code)
    if name is not None:
        q = q.where(Department.name == name)
    return await s.scalar(q.limit(1))


async def people_of(s: AsyncSession, department_code: str, role: Role | None = None) -> list[PersonInfo]:
    rows = await s.scalars(
        select(Person)
        .join(Department, Department.id == Person.department_id)
        .where(Department.code == department_code, Person.active.is_(True))
        .order_by(Person.id)
    )
    infos = [await _info(s, p) for p in rows]
    return [i for i in infos if role is None or role in i.roles]


async def people_with_role(s: AsyncSession, role: Role) -> list[int]:
    """Ids of the active people holding ``role`` in any department (dispatchers, supervisors)."""
    rows = await s.execute(select(Person.id, Person.roles).where(Person.active.is_(True)).order_by(Person.id))
    return [pid for pid, roles in rows.all() if role in parse_roles(roles)]


async def addresses_of(s: AsyncSession, person_id: int) -> list[tuple[str, str]]:
    rows = await s.execute(
        select(ChatIdentity.channel, ChatIdentity.address).where(ChatIdentity.person_id == person_id)
    )
    return [(c, a) for c, a in rows.all()]


async def acting_for(s: AsyncSession, delegate_id: int, at: datetime) -> list[int]:
    """The people whose steps ``delegate_id`` may act on at ``at`` (their own excluded)."""
    rows = await s.scalars(
        select(Delegation.person_id).where(
            Delegation.delegate_id == delegate_id, Delegation.starts_at <= at, Delegation.ends_at > at
        )
    )
    return list(rows)


def check_link_channel(channel: str, channels: frozenset[str]) -> None:
    """A link names one channel that authenticates its users; "*" and unauthenticated channels are refused."""
    if channel == ANY_CHANNEL:
        raise DirectoryError("不能关联到所有渠道（*）：请写明经过认证的渠道，例如 matrix:@zhangsan:gov.local")
    if channel in CITIZEN_ONLY:
        raise DirectoryError(f"渠道“{channel}”（微信公众号）只服务市民，不能关联工作人员；请用企业微信（wecom）")
    if channel not in channels:
        raise DirectoryError(f"渠道“{channel}”不认证用户身份，不能关联工作人员（可用：{'、'.join(sorted(channels))}）")


async def link_identity(
    s: AsyncSession,
    person_code: str,
    channel: str,
    address: str,
    *,
    by: str,
    channels: frozenset[str] = frozenset({"matrix"}),
) -> None:
    """Make a chat address speak as a person (an admin's act); replaces an earlier link of that address.

    ``channels``: those that authenticate their users (Matrix, integrations allowed to assert staff)."""
    check_link_channel(channel, channels)
    person = await s.scalar(select(Person).where(Person.code == person_code))
    if person is None:
        raise DirectoryError(f"没有工号为 {person_code} 的人员。")
    existing = await s.scalar(
        select(ChatIdentity).where(ChatIdentity.channel == channel, ChatIdentity.address == address)
    )
    if existing is not None:
        existing.person_id = person.id
        existing.created_by = by
    else:
        s.add(ChatIdentity(person_id=person.id, channel=channel, address=address, created_by=by))


async def unlink_identity(s: AsyncSession, channel: str, address: str) -> bool:
    existing = await s.scalar(
        select(ChatIdentity).where(ChatIdentity.channel == channel, ChatIdentity.address == address)
    )
    if existing is None:
        return False
    await s.delete(existing)
    return True
