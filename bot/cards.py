"""Answer cards: a knowledge-base entry rendered as chat text (and HTML for rich channels)."""

from __future__ import annotations

import html
from typing import Any

from bot.messages import Reply
from knowledge_base.service import Card


def _item_lines(item: dict[str, Any], *, with_title: bool = True) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if with_title:
        rows.append(("", f"【{item['name']}】"))
    if item.get("department"):
        rows.append(("办理部门", item["department"]))
    limit = item.get("promised_time_limit") or ""
    if item.get("legal_time_limit"):
        limit = f"{limit}（法定时限：{item['legal_time_limit']}）" if limit else item["legal_time_limit"]
    if limit:
        rows.append(("承诺时限", limit))
    materials = item.get("materials") or []
    if materials:
        rows.append(("所需材料", "\n".join(f"{n}. {m}" for n, m in enumerate(materials, start=1))))
    for key, label in (
        ("conditions", "办理条件"),
        ("fees", "收费标准"),
        ("location", "办理地点"),
        ("consult_phone", "咨询电话"),
        ("online_url", "网上办理"),
    ):
        if item.get(key):
            rows.append((label, str(item[key])))
    if item.get("source_code"):
        rows.append(("事项编码", item["source_code"]))
    return rows


def _text(rows: list[tuple[str, str]]) -> str:
    out = []
    for label, value in rows:
        if not label:
            out.append(value)
        elif "\n" in value:
            out.append(f"{label}：\n{value}")
        else:
            out.append(f"{label}：{value}")
    return "\n".join(out)


def _html(rows: list[tuple[str, str]]) -> str:
    out = []
    for label, value in rows:
        esc = html.escape(value).replace("\n", "<br>")
        out.append(f"<b>{esc}</b>" if not label else f"<b>{html.escape(label)}：</b>{esc}")
    return "<br>".join(out)


# The item fields that answer a follow-up about one detail (knowledge_base.query.aspect_asked).
_DETAIL_ROWS = {
    "materials": ("所需材料",),
    "time": ("承诺时限",),
    "place": ("办理地点", "办理部门"),
    "cost": ("收费标准",),
    "online": ("网上办理",),
    "phone": ("咨询电话",),
}


def _detail(card: Card, aspect: str) -> list[tuple[str, str]] | None:
    """The item's rows that answer a follow-up about ``aspect``, under its title; None when it has none (a FAQ
    found for the follow-up answers it in its own words, and is shown whole)."""
    wanted = _DETAIL_ROWS.get(aspect)
    if card.kind != "item" or wanted is None:
        return None
    item = card.data
    rows = [(label, value) for label, value in _item_lines(item, with_title=False) if label in wanted]
    if not rows:
        return None
    hint = f"（完整的办事指南，请说“{item['name']}”。）"
    return [("", f"【{item['name']}】"), *rows, ("", hint)]


def card_reply(card: Card, aspect: str = "") -> Reply:
    detail = _detail(card, aspect) if aspect else None
    if detail is not None:
        return Reply(text=_text(detail), html=_html(detail))
    if card.kind == "item":
        rows = _item_lines(card.data)
    else:
        rows = [("", card.data["answer"])]
        if card.item:
            rows.append(("", f"——\n相关事项：【{card.item['name']}】"))
            rows.extend(_item_lines(card.item, with_title=False))
    return Reply(text=_text(rows), html=_html(rows))
