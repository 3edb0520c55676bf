"""Context for sentences without an ID: "同意" with one pending document applies to it; with several the
speaker picks one by number (the choice waits in the session, ``PICK``). A numbered list just shown (the
to-do list, ``LISTED``) lets a later sentence point at an item by its place in it: "第一份写咩嘅", "同意第二件"."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from integrations.contract import Answer, Choice, FlowCall, Outcome, SessionData
from nlu.numerals import LAST, ordinal_in
from office_flows.common import OfficeError

PICK = "entity_pick"  # {"intent", "entities", "entity", "options": [id, …], "text"}
LISTED = "listed"  # {"entity", "options": "id,id,…", "at"}: the numbered list last shown
LISTED_TTL = timedelta(minutes=30)


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


def remember_listing(session: SessionData, entity: str, ids: Sequence[str], now: datetime) -> None:
    """A numbered list of ``entity`` values was shown: its items may be pointed at by place for a while."""
    if ids:
        session[LISTED] = {"entity": entity, "options": ",".join(ids), "at": now.isoformat()}
    else:
        session.pop(LISTED, None)


@dataclass(frozen=True)
class PointedAt:
    """An item pointed at by its place in the list last shown: its value, or None when the list is shorter."""

    value: str | None
    count: int  # how many items the list had
    words: str  # the words that pointed ("第二份")


def listed_entity(session: SessionData) -> str | None:
    """What the list last shown lists ("doc_id", "ticket_id"), if one was shown."""
    raw = session.get(LISTED)
    return str(raw.get("entity")) if isinstance(raw, dict) and raw.get("entity") else None


def listed_item(session: SessionData, entity: str, text: str, now: datetime) -> PointedAt | None:
    """The item of the list of ``entity`` last shown that ``text`` points at by its place ("第二份", "最后嗰件");
    None when no such list is fresh or nothing is pointed at by place."""
    listed = fresh_entry(session, LISTED, now, LISTED_TTL)
    found = ordinal_in(text)
    if listed is None or listed.get("entity") != entity or found is None:
        return None
    ids = [i for i in listed.get("options", "").split(",") if i]
    n, said = found
    if n == LAST:
        n = len(ids)
    return PointedAt(ids[n - 1] if 1 <= n <= len(ids) else None, len(ids), said.group(0))


def offer(call: FlowCall, entity: str, options: Sequence[tuple[str, str]], what: str, measure: str = "件") -> Outcome:
    """Several candidates for ``entity``: list them as numbered choices and remember the request."""
    call.session[PICK] = {
        "intent": call.spec.name,
        "entities": dict(call.entities),
        "entity": entity,
        "options": [value for value, _ in options],
        "text": call.written,
        "labels": [label for _, label in options],
    }
    lines = [f"您有 {len(options)} {measure}{what}，请问是哪一{measure}？请回复序号："]
    lines += [f"{n}. {label}" for n, (_, label) in enumerate(options, start=1)]
    lines.append("（回复“取消”可放弃）")
    choices = [Choice(f"{n}. {value}", str(n)) for n, (value, _) in enumerate(options, start=1)]
    return Outcome([Answer("\n".join(lines), choices)])


# What stands around an option's description: "烧烤档嗰单" → 烧烤档, "系关于垃圾嘅那个" → 垃圾.
_AROUND_DESCRIPTION = re.compile(
    r"^(?:系|是|就系|就是|关于|讲)*|(?:嘅|的)?(?:嗰|那|呢|这|个)?(?:单|张|件|份|个|宗|条|次)?(?:啦|呀|啊|吧|喇|嘅|的)*$"
)


def described_option(state: Mapping[str, object], text: str) -> int | None:
    """The offered option (1-based) a description picks ("烧烤档嗰单" among two tickets): the words that are left
    are in exactly one option's label, else None."""
    labels = state.get("labels")
    if not isinstance(labels, list):
        return None
    core = _AROUND_DESCRIPTION.sub("", text.strip())
    if len(core) < 2:
        return None
    fits = [n for n, label in enumerate(labels, start=1) if core in str(label)]
    return fits[0] if len(fits) == 1 else None


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
