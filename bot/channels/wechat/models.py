"""What the WeChat channels remember in the database, so that every worker sees it: the messages taken up
(a platform's retry is answered once, whichever worker it reaches), the addresses the platform accepts
messages for only after they write, and the WeCom 退回 clicks waiting for their reason."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, UTCDateTime


class WechatClaim(Base):
    """A message (``MsgId``, or sender + time for events and card clicks) taken up by one worker.

    ``state``: ``taken`` (being answered), ``replied`` (answered within the budget: ``texts`` is the passive
    answer, for a retry the platform sends because it did not get it) or ``late`` (answered ``success``; the
    answer goes through the outbox)."""

    __tablename__ = "wechat_claims"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    msg_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    worker: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(8))
    texts: Mapped[list[str]] = mapped_column(JSON, default=list)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class WechatWaiting(Base):
    """An address the platform refused because the person has not written for 48 hours (since ``since``)."""

    __tablename__ = "wechat_waiting"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    address: Mapped[str] = mapped_column(String(255), primary_key=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class WechatReason(Base):
    """A 退回 clicked on a WeCom card: the person's next text (within minutes) is its reason."""

    __tablename__ = "wechat_reasons"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    address: Mapped[str] = mapped_column(String(255), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(64))
    since: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
