"""Channel-neutral messages: what came in, what goes out."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Incoming:
    channel: str  # "rest", "web", "matrix", …
    sender: str
    text: str


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass
class Reply:
    text: str
    html: str | None = None
    buttons: list[Button] = field(default_factory=list)
