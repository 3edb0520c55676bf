"""Context for sentences without an ID: "同意" with one pending document applies to it; with several the
speaker picks one by number (the choice waits in the session, ``PICK``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from integrations.contract import Answer, Choice, FlowCall, Outcome, SessionData
from office_flows.common import OfficeError

PICK = "entity_pick"  # {"intent", "entities", "entity", "options": [id, …], "text"}


def fresh_entry(session: SessionData, key: str, now: datetime, ttl: timedelta) -> dict[str, str] | None:
    """The session's ``key`` entry (a dict stamped "at") while it is younger than ``ttl``; a stale one
    is dropped, so that an old step never catches a later message."""
    raw = session.get(key)
    if not isinstance(raw, dict):
        return None
    try:
        fresh = now - datetime.fromisoformat(str(raw.get("at"))) <= ttl
    except ValueError:
        fresh = False
    if not fresh:
        session.pop(key, None)
        return None
    return {k: str(v) for k, v in raw.items()}


def offer(call: FlowCall, entity: str, options: Sequence[tuple[str, str]], what: str, measure: str = "件") -> Outcome:
    """Several candidates for ``entity``: list them as numbered choices and remember the request."""
    call.session[PICK] = {
        "intent": call.spec.name,
        "entities": dict(call.entities),
        "entity": entity,
        "options": [value for value, _ in options],
        "text": call.written,
    }
    lines = [f"您有 {len(options)} {measure}{what}，请问是哪一{measure}？请回复序号："]
    lines += [f"{n}. {label}" for n, (_, label) in enumerate(options, start=1)]
    lines.append("（回复“取消”可放弃）")
    choices = [Choice(f"{n}. {value}", str(n)) for n, (value, _) in enumerate(options, start=1)]
    return Outcome([Answer("\n".join(lines), choices)])


async def named_or_only(
    call: FlowCall,
    entity: str,
    candidates: Callable[[], Awaitable[Sequence[tuple[str, str]]]],
    none: str,
    what: str,
) -> str | Outcome:
    """The ``entity`` the speaker named, else their only candidate (value, label), else a choice among them;
    ``none`` is said when there is no candidate, a domain refusal (``OfficeError``) is said as it is."""
    if call.entities.get(entity):
        return str(call.entities[entity])
    try:
        options = await candidates()
    except OfficeError as exc:
        return Outcome.say(str(exc))
    if not options:
        return Outcome.say(none)
    if len(options) == 1:
        return options[0][0]
    return offer(call, entity, options, what)
