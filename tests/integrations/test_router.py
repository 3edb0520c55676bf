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
    d = route("delegate_task", 0.95, [], [{"entity": "doc_id", "value": "FW-2026-015"}], STAFF, 0.5)
    assert d.action == "ask" and d.message.startswith("请问要交给谁")


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


# --- the same urging words for a citizen (催单) and for supervisors (催办) ---


def test_urging_words_mean_each_speakers_own_action():
    supervisor = frozenset({Role.STAFF, Role.SUPERVISOR})
    citizen = route("urge_ticket", 0.9, [], [], CITIZEN, 0.5)
    assert citizen.action == "flow" and citizen.spec is not None and citizen.spec.name == "remind_ticket"
    staff = route("remind_ticket", 0.9, [], [{"entity": "ticket_id", "value": "GD2026111800001"}], supervisor, 0.5)
    assert staff.action == "flow" and staff.spec is not None and staff.spec.name == "urge_ticket"
    clerk = route("urge_ticket", 0.9, [], [{"entity": "ticket_id", "value": "GD2026111800001"}], STAFF, 0.5)
    assert clerk.action == "denied"  # a clerk is neither the citizen nor a supervisor
    unsure = route("urge_ticket", 0.25, [("urge_ticket", 0.25), ("remind_ticket", 0.2)], [], CITIZEN, 0.5)
    assert unsure.action == "unsure" and [s.name for s in unsure.options] == ["remind_ticket"]


def test_two_readings_meaning_one_intent_for_the_speaker_add_up():
    """A citizen's "帮我催下我个单" as the real NLU read it: remind_ticket 0.55, urge_ticket 0.32 (threshold 0.55
    then, just missed) — for a citizen both are 催单, 0.87 together. A single reading below the threshold stays
    unsure, and two readings of different intents never add up."""
    ranking = [("remind_ticket", 0.54), ("urge_ticket", 0.32), ("supplement_ticket", 0.02)]
    citizen = route("remind_ticket", 0.54, ranking, [], CITIZEN, 0.55)
    assert citizen.action == "flow" and citizen.spec is not None and citizen.spec.name == "remind_ticket"
    supervisor = route("remind_ticket", 0.54, ranking, [], frozenset({Role.STAFF, Role.SUPERVISOR}), 0.55)
    assert supervisor.spec is not None and supervisor.spec.name == "urge_ticket"
    fallback = [("nlu_fallback", 0.55), *ranking]  # Rasa's fallback heading the ranking changes nothing
    assert route("nlu_fallback", 0.55, fallback, [], CITIZEN, 0.55).action == "flow"
    alone = route("remind_ticket", 0.54, [("remind_ticket", 0.54), ("supplement_ticket", 0.4)], [], CITIZEN, 0.55)
    assert alone.action == "unsure"


def test_a_citizen_asking_after_their_tickets_in_queue_words_gets_their_status():
    """ "我嗰单嘢搞成点" reads like a handler's queue question; from a citizen it asks after their own tickets.
    One way only: a handler's queue question stays theirs."""
    citizen = route("ticket_queue", 0.76, [("ticket_queue", 0.76)], [], CITIZEN, 0.5)
    assert citizen.action == "flow" and citizen.spec is not None and citizen.spec.name == "query_ticket"
    handler = frozenset({Role.STAFF})
    staff = route("ticket_queue", 0.76, [("ticket_queue", 0.76)], [], handler, 0.5)
    assert staff.spec is not None and staff.spec.name == "ticket_queue"
    asked = route("query_ticket", 0.9, [], [], handler, 0.5)
    assert asked.spec is not None and asked.spec.name == "query_ticket"
