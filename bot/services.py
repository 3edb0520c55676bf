"""What handlers may use: the services the composition root wires into the bot."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from integrations.contract import IntentRegistry
from integrations.handoff import HandoffDesk
from integrations.knowledge import KnowledgeAnswers
from integrations.quality import QualityDesk
from kernel.clock import Clock
from kernel.db import Database
from kernel.identity import IdentityResolver, StaticRoles
from kernel.sms import SmsGateway
from nlu.service import NluService
from office_flows.office import Office
from office_flows.tickets.service import TicketService
from office_flows.transcripts.store import TranscriptStore


@dataclass
class BotServices:
    clock: Clock
    db: Database
    intents: IntentRegistry  # every understood intent is answered through it
    knowledge: KnowledgeAnswers
    handoff: HandoffDesk
    nlu: NluService | None = None  # None when NLU is switched off
    identity: IdentityResolver = field(default_factory=StaticRoles)
    nlu_threshold: float = 0.55
    office: Office | None = None  # documents, meetings, notices
    tickets: TicketService | None = None
    intake_timeout: timedelta = timedelta(minutes=30)
    sms: SmsGateway | None = None  # one-time codes for ticket lookups by phone (None: not available)
    quality: QualityDesk | None = None  # automatic quality inspection (/质检)
    transcripts: TranscriptStore | None = None  # every turn recorded for inspection (None: not recorded)
