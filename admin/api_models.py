"""The typed contract of /api: request and response models (pydantic v2).

Requests are validated through these models (admin/contract.py turns a refusal into a Chinese 400), responses
are built from them, and /api/openapi.json is generated from their JSON schemas (admin/openapi.py), so the
document, the validation and the answers cannot drift apart.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

Text = Annotated[str, Field(max_length=20_000)]
Short = Annotated[str, Field(max_length=255)]
TextOrLines = str | list[str]


class Model(BaseModel):
    """Unknown fields in a request are ignored (older and newer clients keep working)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Open(BaseModel):
    """A response that may carry more fields than it names (a domain outcome's data)."""

    model_config = ConfigDict(extra="allow")


# --- tickets -----------------------------------------------------------------------------------


class TicketCreate(Model):
    kind: Short = Field("咨询", description="咨询、求助、投诉、举报、建议、表扬")
    content: Text = Field("", description="诉求内容")
    address: Short = ""
    since: Short = Field("", description="问题出现的时间（自由文本）")
    phone: Short = ""
    anonymous: bool = False
    channel: Short | None = Field(None, description="集成渠道，默认 phone；不能是网页或 Matrix")
    sender: Short = Field("", description="来电市民在该渠道中的编号，默认为电话号码")


class TicketCreated(Model):
    code: str
    deadline: str
    duplicate_of: str | None = None


class Proposal(Model):
    department: str
    category: str | None = None
    confidence: float | None = None


class TicketOut(Model):
    code: str
    kind: str
    status: str
    status_label: str
    content: str
    address: str | None = None
    department: str | None = None
    proposal: Proposal | None = None
    duplicate_of: str | None = None
    created_at: str | None = None
    deadline_at: str | None = None
    deadline_beyond_known: bool = False
    answered_at: str | None = None
    result: str | None = None
    return_count: int = 0
    rework_count: int = 0
    remind_count: int = Field(0, description="市民催单次数")
    escalation: int = 0
    raised: bool = False
    on_time: bool | None = None
    first_contact: str | None = Field(None, description="首接负责：受理来电的工作人员")


class TicketEvent(Model):
    action: str
    from_: str | None = Field(None, alias="from")
    to: str | None = None
    actor: str | None = None
    comment: str | None = None
    department: str | None = None
    at: str | None = None


class AssistOut(Model):
    department: str
    department_name: str
    deadline_at: str | None = None
    signed_at: str | None = None
    answered_at: str | None = None
    part: str = Field("", description="协办部门的办理意见")


class TicketDetail(TicketOut):
    assists: list[AssistOut] = Field(default_factory=list, description="协办部门")
    events: list[TicketEvent]


class TicketList(Model):
    tickets: list[TicketOut]


class TicketListQuery(Model):
    status: Short = ""
    department: Short = ""
    limit: int = Field(100, ge=1, le=500)


class PeriodQuery(Model):
    from_: str = Field(alias="from", description="起始日期 YYYY-MM-DD", examples=["2026-11-01"])
    to: str = Field(description="截止日期 YYYY-MM-DD（不含当天）", examples=["2026-12-01"])
    department: Short = ""


class DrillQuery(PeriodQuery):
    metric: str = Field(description="指标键，见 /api/tickets/stats 的 metrics", examples=["ontime_rate"])
    part: Literal["all", "good", "bad"] = "all"


class StatsOut(Model):
    from_: str = Field(alias="from")
    to: str
    metrics: dict[str, str]
    lower_is_better: list[str] = Field(default_factory=list, description="越低越好的指标键")
    departments: dict[str, dict[str, JsonValue]]


class DrillOut(Model):
    metric: str
    part: str
    tickets: list[str]


class DispatchIn(Model):
    department: Short = Field("", description="部门编码；空则采用系统建议")
    comment: Text = ""


class ReasonIn(Model):
    reason: Text = ""


class ReturnIn(Model):
    reason: Text = Field(
        "", description="退单理由（从 GOVCHAT_TICKET_RETURN_REASONS 中选择）", examples=["非本部门职责"]
    )
    text: Text = Field("", description="退单说明")


class ObjectionReviewIn(Model):
    decision: Short = Field(
        "", description="accept（同意退单并改派）或 reject（驳回退单）；其他值答 409", examples=["accept"]
    )
    department: Short = Field("", description="同意退单时改派的部门（名称、简称或编码；空则采用建议部门）")
    ruling: Text = Field("", description="裁定意见")


class AssistIn(Model):
    departments: list[Short] = Field(description="协办部门名称（或简称）", examples=[["市监局"]])


class ObjectionsQuery(Model):
    all: Short = Field("", description="1：全部退单（含已审核）；否则只列待审核的")
    from_: str | None = Field(None, alias="from", description="退单数统计起始日期 YYYY-MM-DD（默认本月）")
    to: str | None = Field(None, description="退单数统计截止日期 YYYY-MM-DD（不含当天）")


class ObjectionOut(Model):
    code: str
    department: str | None = None
    reason: str
    text: str | None = None
    raised_by: str | None = None
    raised_at: str | None = None
    review_due_at: str | None = None
    status: str
    ruling: str | None = None
    redispatched_to: str | None = None


class ObjectionList(Model):
    objections: list[ObjectionOut]
    per_department: dict[str, dict[str, int]] = Field(description="各部门退单数：total、accepted、rejected、pending")
    reasons: list[str] = Field(description="可选的退单理由")


class CatalogueDepartment(Model):
    name: Short
    aliases: list[str] = Field(default_factory=list)
    matters: list[str] = Field(default_factory=list)


class CatalogueDepartmentIn(Model):
    name: Short = Field(description="部门全称")
    aliases: TextOrLines = Field(default_factory=list, description="简称（列表或逐行文本）")
    matters: TextOrLines = Field(default_factory=list, description="职责事项（列表或逐行文本）")


class CatalogueIn(Model):
    departments: list[CatalogueDepartmentIn] = Field(default_factory=list)
    categories: dict[str, Short] = Field(default_factory=dict, description="分类 → 部门")
    note: Text = Field("", description="版本说明")


class CatalogueOut(Model):
    version: int
    departments: list[CatalogueDepartment]
    categories: dict[str, str]


class CatalogueVersionOut(Model):
    version: int
    created_by: str | None = None
    created_at: str
    note: str | None = None


class CatalogueState(CatalogueOut):
    versions: list[CatalogueVersionOut]


class CatalogueRestoreIn(Model):
    version: int = Field(ge=1, le=2**31 - 1, description="要恢复的版本号")


class ReplyIn(Model):
    result: Text = Field("", description="办理结果")


class ExtensionIn(Model):
    days: int = Field(0, ge=0, le=365)
    reason: Text = ""


class DecisionIn(Model):
    approve: bool = False
    comment: Text = ""


class CommentIn(Model):
    comment: Text = ""


class MergeIn(Model):
    into: Short = Field("", description="并入的主工单号")


class NoteIn(Model):
    note: Text = ""


class Empty(Model):
    pass


class RatingIn(Model):
    rating: str = Field(description="满意程度", examples=["满意"])
    sender: Short = Field("", description="来电市民在该系统中的编号（例如来电号码）")
    comment: Text = ""


class RatingOut(Model):
    message: str
    rectification: bool = False


# --- knowledge base ----------------------------------------------------------------------------


class KbEntryIn(Model):
    """FAQ fields (question, similar_questions, answer, item_id, category, tags) or the item fields the
    console edits; list fields take a JSON list or one entry per line."""

    question: Text | None = None
    similar_questions: TextOrLines | None = None
    answer: Text | None = None
    item_id: str | int | None = None
    category: Short | None = None
    tags: TextOrLines | None = None
    name: Short | None = None
    aliases: TextOrLines | None = None
    department: Short | None = None
    conditions: Text | None = None
    materials: TextOrLines | None = None
    fees: Text | None = None
    location: Text | None = None
    consult_phone: Short | None = None


class KbMoveIn(Model):
    to: Literal["draft", "review", "published", "archived"]
    comment: Text = ""


class KbRollbackIn(Model):
    version: int = Field(ge=1, le=2**31 - 1)


class KbEntryOut(Model):
    kind: str
    id: int
    title: str | None = None
    status: str
    status_label: str
    version: int
    published_version: int | None = None
    hit_count: int = 0
    updated_at: str
    updated_by: str | None = None
    data: dict[str, JsonValue]


class KbVersion(Model):
    version: int
    status: str
    actor: str | None = None
    at: str
    comment: str | None = None


class KbEntryDetail(KbEntryOut):
    published: dict[str, JsonValue] | None = None
    versions: list[KbVersion]


class KbEntryList(Model):
    entries: list[KbEntryOut]


class KbListQuery(Model):
    q: Short = ""
    status: Short = ""


class HitTestQuery(Model):
    q: Annotated[str, Field(max_length=500)] = Field(description="要测试的问题", examples=["居住证怎么办理"])


class HitTestOut(Open):
    question: str
    normalized: str
    decision: Literal["answer", "suggest", "decline"]
    shown: list[tuple[str, int]] = Field(description="给用户看的条目（kind, id）")
    mode: str
    candidates: list[dict[str, JsonValue]]


class UnansweredGroup(Model):
    ids: list[int]
    questions: list[str]
    best_score: float | None = None


class UnansweredOut(Model):
    groups: list[UnansweredGroup]


# --- office ------------------------------------------------------------------------------------


class OfficeOutcome(Open):
    message: str
    ref: str = ""


class TodoItemOut(Model):
    doc_id: str
    title: str
    urgency: str
    step: str
    mode: str
    since: str
    due_at: str
    on_behalf_of: str


class TodoOut(Model):
    items: list[TodoItemOut]


class DocumentIn(Model):
    kind: Literal["FW", "SW"] = "FW"
    title: Text
    body: Text
    urgency: Short = "平件"
    security: Short = "非密"


class ApproveIn(Model):
    comment: Text = ""


class RejectIn(Model):
    reason: Text
    to: Literal["drafter", "previous"] = "drafter"


class PersonIn(Model):
    person: Short = Field(description="姓名或人员编码")
    comment: Text = ""


class ResubmitIn(Model):
    body: Text = ""


class VerifyIn(Open):
    """The copy's fields to check against the seal (e.g. {"body": "…"}); empty checks the stored document."""

    body: Text | None = None
    title: Text | None = None


class VerifyOut(Model):
    doc_id: str
    valid: bool
    message: str


class MeetingIn(Model):
    start: Short = Field(description="ISO 时间，带时区", examples=["2026-11-19T15:00:00+08:00"])
    minutes: int = Field(60, ge=5, le=24 * 60)
    room: Short
    people: list[Short] = Field(default_factory=list, max_length=200)
    topic: Short = ""


class MeetingBooked(Model):
    message: str
    meeting_id: str


class MeetingConflict(Model):
    """409: the room or a participant is taken; ``alternatives`` are free slots."""

    error: str
    message: str
    meeting_id: str = ""
    alternatives: list[dict[str, JsonValue]]


class RsvpIn(Model):
    accept: bool
    reason: Text = ""


class ReasonOptIn(Model):
    reason: Text = ""


class NoticeIn(Model):
    to: list[Short] = Field(default_factory=list, max_length=500, description="部门或人员名称")
    title: Text
    body: Text


class CalendarTokenOut(Model):
    url: str
    token: str


class RevokedOut(Model):
    revoked: bool


class CalendarQuery(Model):
    token: Short = ""
