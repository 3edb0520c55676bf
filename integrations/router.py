"""Routing an understood message: role check, missing entities, low confidence — pure decisions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from integrations.contract import Entities, EntityValue
from integrations.intents import CITIZEN_READING, SPECS, STAFF_COUNTERPART, IntentSpec, Need
from kernel.identity import ROLE_LABELS, Role

FALLBACK = "nlu_fallback"


@dataclass
class Decision:
    action: str  # "flow", "ask", "denied", "unsure"
    spec: IntentSpec | None = None
    entities: Entities = field(default_factory=dict)
    need: Need | None = None
    message: str = ""
    options: list[IntentSpec] = field(default_factory=list)


def entity_values(entities: Sequence[Mapping[str, object]]) -> Entities:
    """First value per entity type (the order in the text)."""
    out: Entities = {}
    for e in entities:
        value = e.get("value")
        if isinstance(value, EntityValue):
            out.setdefault(str(e["entity"]), value)
        elif value is not None:
            out.setdefault(str(e["entity"]), str(value))
    return out


def denied_message(spec: IntentSpec, roles: frozenset[Role]) -> str:
    who = "、".join(ROLE_LABELS[r] for r in sorted(roles)) or "市民"
    if roles - {Role.CITIZEN}:  # a civil servant without this duty: name the duty, not "工作人员" they already are
        needed = "、".join(ROLE_LABELS[r] for r in sorted(spec.roles - {Role.ADMIN})) or ROLE_LABELS[Role.ADMIN]
        return (
            f"抱歉，“{spec.label}”需要{needed}身份办理，您当前的身份是{who}，无法进行这项操作。"
            "如工作需要，请联系管理员调整权限。"
        )
    return (
        f"抱歉，“{spec.label}”需要工作人员身份办理，您当前的身份是{who}，无法进行这项操作。"
        "如需咨询政务服务或反映诉求，请直接告诉我。"
    )


def for_role(spec: IntentSpec, roles: frozenset[Role]) -> IntentSpec:
    """The intent the words mean for this speaker: a staff intent for staff allowed to use it, its citizen
    counterpart for a citizen (``STAFF_COUNTERPART``, ``CITIZEN_READING``)."""
    staff = SPECS.get(STAFF_COUNTERPART.get(spec.name, ""))
    if staff is not None and roles & staff.roles:
        return staff
    citizen = next((SPECS[c] for c, s in STAFF_COUNTERPART.items() if s == spec.name), None)
    citizen = citizen or SPECS.get(CITIZEN_READING.get(spec.name, ""))
    if citizen is not None and not roles & spec.roles and roles <= {Role.CITIZEN}:
        return citizen
    return spec


def summed_for_role(ranking: Sequence[tuple[str, float]], roles: frozenset[Role]) -> list[tuple[str, float]]:
    """The NLU's readings as this speaker means them (``for_role``), two names meaning one intent added up,
    likeliest first."""
    summed: dict[str, float] = {}
    for name, conf in ranking:
        if name in SPECS:
            meant = for_role(SPECS[name], roles).name
            summed[meant] = summed.get(meant, 0.0) + conf
    return sorted(summed.items(), key=lambda item: -item[1])


def decide_for(spec: IntentSpec, entities: Entities, roles: frozenset[Role]) -> Decision:
    spec = for_role(spec, roles)
    if not roles & spec.roles:
        return Decision("denied", spec, entities, message=denied_message(spec, roles))
    for need in spec.needs:
        if need.entity not in entities and not need.from_context:
            return Decision("ask", spec, entities, need=need, message=need.question)
    return Decision("flow", spec, entities)


def route(
    intent: str,
    confidence: float,
    ranking: list[tuple[str, float]],
    entities: Sequence[Mapping[str, object]],
    roles: frozenset[Role],
    threshold: float,
) -> Decision:
    spec = SPECS.get(intent)
    if spec is None or intent == FALLBACK or confidence < threshold:
        # Two readings that mean one intent for this speaker add up: a citizen's "帮我催下我个单" read as
        # remind_ticket 0.55 and urge_ticket 0.32 is a clear 催单.
        meant = summed_for_role(ranking, roles)
        if meant and meant[0][1] >= threshold:
            name, summed = meant[0]
            alone = max(conf for n, conf in ranking if n in SPECS and for_role(SPECS[n], roles).name == name)
            if summed > alone:  # not one reading below the threshold: two that add up to it
                return decide_for(SPECS[name], entity_values(entities), roles)
        # Small talk is never offered as a choice: nobody needs a menu to say hello.
        options: list[IntentSpec] = []
        for name, _ in ranking:
            spec = for_role(SPECS[name], roles) if name in SPECS else None
            if spec is not None and roles & spec.roles and spec.flow != "chat" and spec not in options:
                options.append(spec)
        return Decision("unsure", entities=entity_values(entities), options=options[:3])
    return decide_for(spec, entity_values(entities), roles)
