"""Imports every table module so that Base.metadata knows all tables (for Alembic)."""

from admin import calendar_tokens as _calendar_models  # noqa: F401
from admin import idempotency as _idempotency_models  # noqa: F401
from admin import login_throttle as _login_models  # noqa: F401
from admin import models as _admin_models  # noqa: F401
from bot import models as _bot_models  # noqa: F401
from bot.channels.matrix import models as _matrix_models  # noqa: F401
from bot.channels.wechat import models as _wechat_models  # noqa: F401
from kernel import lease as _lease_models  # noqa: F401
from kernel import outbox as _notify_models  # noqa: F401
from kernel import ratelimit as _rate_models  # noqa: F401
from kernel import secrets_store as _secret_models  # noqa: F401
from kernel import workdays as _workdays_models  # noqa: F401
from kernel.db import Base
from knowledge_base import models as _kb_models  # noqa: F401
from office_flows import counters as _counter_models  # noqa: F401
from office_flows.alerts import models as _alert_models  # noqa: F401
from office_flows.directory import models as _directory_models  # noqa: F401
from office_flows.documents import models as _document_models  # noqa: F401
from office_flows.documents import seal as _seal_models  # noqa: F401
from office_flows.handoff import models as _handoff_models  # noqa: F401
from office_flows.meetings import models as _meeting_models  # noqa: F401
from office_flows.notices import models as _notice_models  # noqa: F401
from office_flows.quality import models as _quality_models  # noqa: F401
from office_flows.routing import catalogue as _catalogue_models  # noqa: F401
from office_flows.tickets import models as _ticket_models  # noqa: F401
from office_flows.transcripts import models as _transcript_models  # noqa: F401

metadata = Base.metadata
