"""Channel-neutral messages: what came in, what goes out."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Incoming:
    channel: str  # "web", "matrix", an integration's channel, …
    sender: str
    text: str
    client: str = ""  # the client's network address when the channel knows it (rate limits)


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass
class Reply:
    text: str
    html: str | None = None
    buttons: list[Button] = field(default_factory=list)
