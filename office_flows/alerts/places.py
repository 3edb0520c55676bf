"""The place of a ticket: its address cut after the community (社区, 村), else the street (街道, 镇), else the road.

梅江区金山街道江南社区3栋 → 梅江区金山街道江南社区; 梅江区西郊街道办 → 梅江区西郊街道; 梅江区东路12号 → 梅江区东路.
Reports about the same community or stretch of road meet under one place.
"""

from __future__ import annotations

import re

UNKNOWN_PLACE = "（地点不详）"
_PREFIX = re.compile(r"^(广东省)?(梅州市)?")
_LEVELS = (
    re.compile(r"^(.*?(?:社区|村委会|村|小区|花园|新城|苑))"),
    re.compile(r"^(.*?(?:街道|镇|乡))"),
    re.compile(r"^(.*?(?:大道|路|街|巷|广场|市场))"),
)


def place_of(address: str) -> str:
    text = _PREFIX.sub("", re.sub(r"\s+", "", address or ""))
    if not text:
        return UNKNOWN_PLACE
    for level in _LEVELS:
        m = level.match(text)
        if m and len(m.group(1)) > 2:
            return m.group(1)
    return text[:6]


_DISTRICT = re.compile(r"^.{1,6}?[区县市]")


def without_place(text: str, place: str) -> str:
    """A ticket's text with its own place taken out (a topic's title speaks of the matter, not of one street):
    西郊街道东山社区十字路口的垃圾桶满了 → 十字路口的垃圾桶满了."""
    if place == UNKNOWN_PLACE:
        return text
    for name in (place, _DISTRICT.sub("", place)):
        if len(name) > 2 and name in text:
            rest = text.replace(name, "", 1).lstrip("，,。 的")
            return rest or text
    return text
