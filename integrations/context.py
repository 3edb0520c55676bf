"""Context for sentences without an ID: "同意" with one pending document applies to it; with several the
speaker picks one by number (the choice waits in the session, ``PICK``)."""

from __future__ import annotations

from collections.abc import Sequence

from integrations.contract import Answer, Choice, FlowCall, Outcome

PICK = "entity_pick"  # {"intent", "entities", "entity", "options": [id, …], "text"}


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
