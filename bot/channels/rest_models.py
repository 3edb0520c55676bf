"""The REST chat channel's typed contract (pydantic v2): what the webhook and the outbox take and answer."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, JsonValue, RootModel


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class WebhookIn(Model):
    sender: str | None = Field(None, description="集成：其用户编号（必填）；网页访客：仅作回显标签")
    message: JsonValue = Field(None, description="用户说的话（字符串；其他类型按无法识别的消息答复）")


class Button(Model):
    title: str
    payload: str


class BotMessage(Model):
    recipient_id: str
    text: str
    buttons: list[Button] | None = None
    custom: dict[str, JsonValue] | None = None


class BotMessages(RootModel[list[BotMessage]]):
    pass


class OutboxMessage(Model):
    id: int
    recipient_id: str
    text: str
    kind: str


class OutboxMessages(RootModel[list[OutboxMessage]]):
    pass


class OutboxQuery(Model):
    sender: Annotated[str, Field(max_length=255)] | None = Field(None, description="集成：只取该用户的消息")


class AckIn(Model):
    ids: list[Annotated[int, Field(gt=0, lt=2**63)]] = Field(max_length=500)


class AckOut(Model):
    acknowledged: int


class StatusOut(Model):
    status: str
