"""Matrix message bodies: HTML with a plain-text fallback; how a room addresses the bot."""

from __future__ import annotations

import html
import re
from typing import Any

from bot.messages import Reply

HTML_FORMAT = "org.matrix.custom.html"


def text_to_html(text: str) -> str:
    """Escape first, then keep the line structure (answer cards, lists, summaries are line-based)."""
    return html.escape(text).replace("\n", "<br>")


def content_of(reply: Reply) -> dict[str, Any]:
    return {
        "msgtype": "m.text",
        "body": reply.text,
        "format": HTML_FORMAT,
        "formatted_body": reply.html if reply.html is not None else text_to_html(reply.text),
    }


def plain_notice(text: str) -> dict[str, Any]:
    return {"msgtype": "m.notice", "body": text}


def addressed_text(body: str, content: dict[str, Any], bot_id: str, prefix: str) -> str | None:
    """The text meant for the bot in a group room, or None when the message is not addressed to it."""
    text = body.strip()
    if prefix and text.startswith(prefix):
        return text[len(prefix) :].strip()
    localpart = bot_id[1:].split(":", 1)[0] if bot_id.startswith("@") else bot_id
    mentions = (content.get("m.mentions") or {}).get("user_ids") or []
    lead = re.compile(rf"^\s*(?:{re.escape(bot_id)}|@?{re.escape(localpart)})\s*[:：,，]?\s*", re.I)
    if bot_id in mentions or bot_id in text or lead.match(text):
        return lead.sub("", text, count=1).replace(bot_id, "").strip()
    return None
