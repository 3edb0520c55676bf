"""Text messages to a phone (one-time codes), behind an interface: a deployment plugs in its SMS gateway.

``ConsoleSms`` is the demo's stand-in: it writes the message to the log (the phone masked, the code not) and
is wired only in demo mode. Without a gateway, features that need one say so instead of working unverified.
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger("govchat.sms")


class SmsGateway(Protocol):
    async def send(self, phone: str, text: str) -> None: ...


class ConsoleSms:
    """Demo only: the "SMS" appears in the server log."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))
        log.warning("【演示短信】发往 %s：%s", phone, text)
