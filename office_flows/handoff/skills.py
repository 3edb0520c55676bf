"""Operators' skills (dialect desks and special desks): stored per chat address, read when an operator takes a
conversation and when the citizen is told how long the wait is."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from office_flows.handoff.models import OperatorSkill

KNOWN = ("粤语", "客家话", "企业服务")  # offered in the console; any short name is accepted
MAX_LEN = 16


class SkillError(ValueError):
    """A skill name that cannot be stored; the message is Chinese."""


def parse(raw: str) -> list[str]:
    """ "粤语，客家话 企业服务" → the skills, in order, without repeats; "无" or "" clears."""
    out: list[str] = []
    for part in raw.replace("，", ",").replace("、", ",").replace(" ", ",").split(","):
        name = part.strip()
        if not name or name == "无":
            continue
        if len(name) > MAX_LEN:
            raise SkillError(f"技能名称“{name[:20]}”太长（最多 {MAX_LEN} 个字）")
        if name not in out:
            out.append(name)
    return out


async def set_skills(
    s: AsyncSession, channel: str, operator: str, skills: Iterable[str], now: datetime, by: str
) -> list[str]:
    """Replace the operator's skills; returns them as stored."""
    wanted = list(dict.fromkeys(skills))
    await s.execute(delete(OperatorSkill).where(OperatorSkill.channel == channel, OperatorSkill.operator == operator))
    for skill in wanted:
        s.add(OperatorSkill(channel=channel, operator=operator, skill=skill, created_at=now, created_by=by))
    await s.flush()
    return wanted


async def skills_of(s: AsyncSession, channel: str, operator: str) -> frozenset[str]:
    rows = await s.scalars(
        select(OperatorSkill.skill).where(OperatorSkill.channel == channel, OperatorSkill.operator == operator)
    )
    return frozenset(rows)


async def operators(s: AsyncSession) -> list[tuple[str, str, list[str]]]:
    """(channel, address, skills) of every operator with a skill, by address."""
    rows = await s.execute(
        select(OperatorSkill.channel, OperatorSkill.operator, OperatorSkill.skill).order_by(
            OperatorSkill.channel, OperatorSkill.operator, OperatorSkill.id
        )
    )
    out: dict[tuple[str, str], list[str]] = {}
    for channel, operator, skill in rows:
        out.setdefault((channel, operator), []).append(skill)
    return [(c, o, sk) for (c, o), sk in out.items()]


async def holders(s: AsyncSession, skill: str) -> list[tuple[str, str]]:
    """(channel, address) of the operators carrying a skill."""
    q = select(OperatorSkill.channel, OperatorSkill.operator).where(OperatorSkill.skill == skill)
    rows = await s.execute(q.order_by(OperatorSkill.id))
    return [(c, o) for c, o in rows]


async def count_holders(s: AsyncSession, skill: str) -> int:
    return int(await s.scalar(select(func.count()).select_from(OperatorSkill).where(OperatorSkill.skill == skill)) or 0)
