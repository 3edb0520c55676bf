"""Routing an understood intent: role checks, missing entities asked for, complete intents to their flow."""

from __future__ import annotations

from integrations.router import route
from kernel.identity import Role

CITIZEN = frozenset({Role.CITIZEN})
STAFF = frozenset({Role.STAFF})


def test_citizen_cannot_approve():
    d = route("approve_document", 0.95, [], [{"entity": "doc_id", "value": "FW-2026-015"}], CITIZEN, 0.5)
    assert d.action == "denied" and "需要工作人员身份" in d.message


def test_missing_entity_is_asked_for():
    d = route("query_document", 0.95, [], [], STAFF, 0.5)
    assert d.action == "ask" and d.message.startswith("请问是哪份公文")


def test_an_id_the_context_can_give_is_left_to_the_flow():
    """ "同意" without a document number: the flow takes the speaker's only pending document (or offers them)."""
    d = route("approve_document", 0.95, [], [], STAFF, 0.5)
    assert d.action == "flow" and d.spec is not None and d.spec.name == "approve_document"


def test_complete_intent_goes_to_its_flow():
    d = route("reject_document", 0.9, [], [{"entity": "doc_id", "value": "SW-2026-001"}], STAFF, 0.5)
    assert d.action == "flow" and d.spec is not None and d.spec.flow == "documents"


def test_low_confidence_offers_only_allowed_intents():
    ranking = [("approve_document", 0.3), ("complain", 0.25), ("report", 0.2), ("suggest", 0.1)]
    d = route("approve_document", 0.3, ranking, [], CITIZEN, 0.5)
    assert d.action == "unsure" and [s.name for s in d.options] == ["complain", "report", "suggest"]
