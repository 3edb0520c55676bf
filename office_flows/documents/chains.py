"""Approval chains as data, versioned per department and document kind.

A definition is JSON::

    {"department": "MJ-BGS", "kind": "FW", "steps": [
        {"name": "核稿", "mode": "single", "assignees": ["MJ002"], "hours": 4},
        {"name": "会签", "mode": "all", "assignees": ["MJ004", "MJ011", "MJ020"], "hours": 8},
        {"name": "区领导阅签", "mode": "single", "assignees": ["MJ005"], "when": {"urgency": ["特急"]}},
        {"name": "签发", "mode": "any", "assignees": ["head"], "hours": 4}]}

``mode``: single (one person), all (会签: every assignee must agree), any (或签: the first decides).
``assignees``: staff numbers, or ``head`` for the heads of the document's department.
``when``: the step applies only if every listed document field has one of the listed values.
``hours``: working hours before the holder is reminded (default 8); the head is told after twice that.
Importing a changed definition adds a version; documents already in flight keep theirs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.identity import Role
from office_flows.directory.store import department_by, people_of, person_by
from office_flows.documents.models import Chain

MODES = {"single", "all", "any"}
KINDS = {"FW", "SW"}
CONDITION_FIELDS = {"urgency", "kind", "security"}
DEFAULT_HOURS = 8.0


class ChainError(ValueError):
    """An invalid chain definition; the message is for people."""


@dataclass(frozen=True)
class StepDef:
    name: str
    mode: str
    assignees: tuple[str, ...]
    hours: float
    when: dict[str, tuple[str, ...]]

    def applies(self, fields: dict[str, str]) -> bool:
        return all(fields.get(k) in vs for k, vs in self.when.items())


def parse_steps(definition: dict[str, Any]) -> list[StepDef]:
    raw = definition.get("steps")
    if not isinstance(raw, list) or not raw:
        raise ChainError("审批链至少要有一个步骤（steps）。")
    out = []
    for i, st in enumerate(raw, start=1):
        if not isinstance(st, dict):
            raise ChainError(f"第 {i} 步格式不对，应为对象。")
        name, mode, who = st.get("name"), st.get("mode", "single"), st.get("assignees")
        if not isinstance(name, str) or not name:
            raise ChainError(f"第 {i} 步缺少名称（name）。")
        if mode not in MODES:
            raise ChainError(f"第 {i} 步“{name}”的方式 {mode} 无效（可用：single、all 会签、any 或签）。")
        if not isinstance(who, list) or not who or not all(isinstance(w, str) for w in who):
            raise ChainError(f"第 {i} 步“{name}”缺少办理人（assignees）。")
        if mode == "single" and len(who) != 1 and who != ["head"]:
            raise ChainError(f"第 {i} 步“{name}”为单人审批，只能有一位办理人；多人请用 all（会签）或 any（或签）。")
        when = st.get("when") or {}
        if not isinstance(when, dict) or set(when) - CONDITION_FIELDS:
            raise ChainError(f"第 {i} 步“{name}”的条件只能针对：{'、'.join(sorted(CONDITION_FIELDS))}。")
        hours = st.get("hours", DEFAULT_HOURS)
        if not isinstance(hours, int | float) or hours <= 0:
            raise ChainError(f"第 {i} 步“{name}”的办理时限（hours）必须是正数。")
        out.append(StepDef(name, mode, tuple(who), float(hours), {k: tuple(v) for k, v in when.items()}))
    return out


def canonical(definition: dict[str, Any]) -> str:
    return json.dumps(definition, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


async def validate(s: AsyncSession, definition: dict[str, Any]) -> tuple[str, str, list[StepDef]]:
    dept, kind = definition.get("department"), definition.get("kind")
    if not isinstance(dept, str) or await department_by(s, code=dept) is None:
        raise ChainError(f"审批链的部门 {dept} 不存在。")
    if kind not in KINDS:
        raise ChainError(f"审批链的公文类型 {kind} 无效（FW 发文 或 SW 收文）。")
    steps = parse_steps(definition)
    for st in steps:
        for code in st.assignees:
            if code != "head" and await person_by(s, code=code) is None:
                raise ChainError(f"步骤“{st.name}”的办理人工号 {code} 不存在。")
    return dept, kind, steps


async def save_chain(s: AsyncSession, definition: dict[str, Any], *, by: str, now: datetime) -> tuple[Chain, bool]:
    """Store a definition as the department's next version; an unchanged one is not duplicated."""
    dept, kind, _ = await validate(s, definition)
    text = canonical(definition)
    current = await current_chain(s, dept, kind)
    if current is not None and current.definition == text:
        return current, False
    version = (current.version if current else 0) + 1
    chain = Chain(department_code=dept, kind=kind, version=version, definition=text, created_at=now, created_by=by)
    s.add(chain)
    await s.flush()
    return chain, True


async def current_chain(s: AsyncSession, department_code: str, kind: str) -> Chain | None:
    return await s.scalar(
        select(Chain)
        .where(Chain.department_code == department_code, Chain.kind == kind)
        .order_by(Chain.version.desc())
        .limit(1)
    )


def steps_of(chain: Chain) -> list[StepDef]:
    return parse_steps(json.loads(chain.definition))


async def resolve_assignees(s: AsyncSession, step: StepDef, department_code: str) -> list[int]:
    ids: list[int] = []
    for code in step.assignees:
        if code == "head":
            ids += [p.id for p in await people_of(s, department_code, Role.HEAD)]
        else:
            p = await person_by(s, code=code)
            if p is not None:
                ids.append(p.id)
    return list(dict.fromkeys(ids))


async def chains_are_empty(s: AsyncSession) -> bool:
    return (await s.scalar(select(func.count()).select_from(Chain))) == 0


def demo_definitions() -> list[dict[str, Any]]:
    text = (resources.files("office_flows.documents") / "demo_chains.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert isinstance(data, list)
    return data


async def load_demo_chains(s: AsyncSession, now: datetime) -> int:
    for d in demo_definitions():
        await save_chain(s, d, by="demo", now=now)
    return len(demo_definitions())
