"""Every intent's home: the one registry the bot routes understood messages through."""

from __future__ import annotations

from integrations import chat, documents, handoff, knowledge, meetings, office_drafts, quality, tickets
from integrations.contract import IntentRegistry
from integrations.handoff import HandoffDesk
from integrations.knowledge import KnowledgeAnswers
from integrations.quality import QualityDesk
from office_flows.office import Office
from office_flows.tickets.service import TicketService


def build_registry(
    answers: KnowledgeAnswers,
    desk: HandoffDesk,
    ticket_service: TicketService | None,
    office: Office | None,
    quality_desk: QualityDesk | None = None,
) -> IntentRegistry:
    """Intents of a domain that is switched off answer that it is not enabled (``contract.not_enabled``)."""
    registry = IntentRegistry()
    knowledge.register(registry, answers)
    handoff.register(registry, desk)
    chat.register(registry)
    if ticket_service is not None:
        tickets.register(registry, ticket_service)
    if office is not None:
        documents.register(registry, office, ticket_service)
        office_drafts.register(registry, office, ticket_service)
        meetings.register(registry, office)
    if quality_desk is not None:
        quality.register(registry, quality_desk)
    return registry
