"""What a booking sentence says besides its time: duration, room, attendees and topic.

The NLU resolves the time (and may tag the room and people); these rules read the rest from the
text, e.g. 明天下午三点在三楼会议室开一小时会，请张伟、李娜参加，议题是汛期值班.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nlu.numerals import chinese_number

_NUM = r"[0-9零〇一二两三四五六七八九十]{1,3}"
_HOURS = re.compile(rf"({_NUM})(个)?(半)?(?:小时|钟头)")
_HALF = re.compile(r"半(?:个)?(?:小时|钟头)")
_HOURS_SAID = re.compile(rf"({_NUM})个(半)?钟(?!头|点)")  # Cantonese "开一个钟", "两个半钟"
_MINUTES = re.compile(rf"({_NUM})分钟")
# "十个人左右", "大概8个人", "20人", "十五位": how many come (not "请李娜等人参加": a number is needed).
_HEADCOUNT = re.compile(rf"(?<!第)({_NUM})\s*(?:个|名)?\s*(?:人|位)(?!员|民|数|大)")
_PEOPLE = re.compile(r"(?:请|邀请|通知|叫上?)([\u4e00-\u9fff、，,和及与\s]{2,60}?)(?:参加|参会|出席|一起|到会)")
# "叫埋张伟同刘洋", "邀请李娜和王强": people brought in with no verb of attending after them.
_PEOPLE_CLAUSE = re.compile(
    r"(?:叫[埋上齐]|请埋|喊上|喊埋|拉上|拉埋|通知埋|约埋|约上|[搵揾找]埋|找上|邀请)([\u4e00-\u9fff、和及与同\s]{2,40}?)"
    r"(?:一齐|一起|过来|入嚟|嚟|来|参加|参会|出席)?(?:啦|吧|呀|啊|喔)?(?:[，,。；;！!]|$)"
)
# "约张伟同王强开个会", "同张伟、王强开会": the people met with, named before the meeting.
_MEET_WITH = re.compile(
    r"(?:约|同|和|跟|与|搵|找)([\u4e00-\u9fff、和及与同\s]{2,40}?)(?:一齐|一起)?(?:开|倾)(?:个|一个|下|一下)?会"
)
_TOPIC = re.compile(r"(?:议题|主题|内容|会议名称)(?:是|为|系|係|：|:)\s*([^，。,；;]+)")
# "开个会讲防汛", "开会，讨论汛期值班": the matter said after the meeting.
_TOPIC_SAID = re.compile(
    r"(?:开|倾)(?:个|一个|下|一下)?会[，,\s]*(?:讲|讨论|商量|倾|研究|谈|议|说)(?:下|一下|吓)?\s*([^，。,；;]{2,20})"
)
_SPLIT = re.compile(r"[、，,和及与同\s]+")


@dataclass
class BookingText:
    minutes: int | None = None
    room: str | None = None
    people: list[str] = field(default_factory=list)
    # Where the people were named ("张伟同王强听日下昼开会"): a list that runs into a time or the meeting
    # itself keeps only its short parts in ``people``; the directory's full names are looked for here.
    people_said: str = ""
    topic: str = ""
    headcount: int | None = None


_FLOOR = re.compile(r"^([0-9零〇一二两三四五六七八九十]{1,3})(楼|层)")
_GENERIC = {"会议室", "会商室", "室", "会议厅"}


def _room_aliases(name: str) -> set[str]:
    """Ways people name a room: the full name, without its floor, its floor alone, the floor in digits."""
    aliases = {name}
    m = _FLOOR.match(name)
    if m:
        floor, rest = m.group(0), name[m.end() :]
        digits = str(chinese_number(m.group(1))) + m.group(2)
        aliases |= {rest, floor, digits, digits + rest, floor + "的" + rest}
        if rest not in _GENERIC:
            aliases.add(floor + "会议室")
    return {a for a in aliases if a and a not in _GENERIC}


def match_room(text: str, room_names: list[str]) -> str | None:
    """The room a sentence names: the full name, else a distinctive part that fits exactly one room
    ("大会议室", "五楼", "5楼" → 五楼大会议室)."""
    for name in sorted(room_names, key=len, reverse=True):
        if name in text:
            return name
    owners: dict[str, set[str]] = {}
    for name in room_names:
        for alias in _room_aliases(name):
            owners.setdefault(alias, set()).add(name)
    for alias in sorted(owners, key=len, reverse=True):
        if len(owners[alias]) == 1 and alias in text:
            return next(iter(owners[alias]))
    return None


def parse_booking(text: str, room_names: list[str]) -> BookingText:
    out = BookingText()
    m = _HOURS.search(text)
    if m:
        out.minutes = chinese_number(m.group(1)) * 60 + (30 if m.group(3) else 0)
    elif (m := _HOURS_SAID.search(text)) is not None:
        out.minutes = chinese_number(m.group(1)) * 60 + (30 if m.group(2) else 0)
    elif _HALF.search(text):
        out.minutes = 30
    elif (m := _MINUTES.search(text)) is not None:
        out.minutes = chinese_number(m.group(1))
    out.room = match_room(text, room_names)
    m = _HEADCOUNT.search(text)
    if m:
        out.headcount = chinese_number(m.group(1))
    m = _PEOPLE.search(text) or _PEOPLE_CLAUSE.search(text) or _MEET_WITH.search(text)
    if m:
        out.people_said = m.group(1)
        out.people = [p for p in _SPLIT.split(m.group(1)) if 2 <= len(p) <= 4]  # "叫埋同事": nobody named
    m = _TOPIC.search(text) or _TOPIC_SAID.search(text)
    if m:
        out.topic = m.group(1).strip()
    return out
