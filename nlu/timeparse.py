"""Chinese time expressions → timezone-aware datetimes in Asia/Shanghai, relative to the product's clock.

Covers what people say in office chat: 今天/明天/后天/大后天, 下周一上午, 本周五, 周三, 下个礼拜三,
11月25日, 25号, 上午/中午/下午/晚上/今晚, 三点, 3点半, 三点一刻, 15:30, 10点30分; and the Cantonese and
Hakka words for days and parts of the day: 听日/听朝/听晚, 后日, 琴日/寻日, 今晡日, 天光日, 朝早, 上昼, 下昼,
晏昼, 夜晚.
A day without a clock time gets the part of day's default hour (上午 9 点, 下午 3 点);
a bare hour from 1 to 6 means the afternoon, as in office hours.
In a correction ("不是三点，是四点", "唔系三点，系四点", "毋系明天，系后天") the time said after the negated one
is the time meant; ``on_day_of`` keeps a known date when a correction names only the hour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kernel.clock import SHANGHAI
from nlu.numerals import chinese_number

_NUM = r"[0-9零〇一二两三四五六七八九十]{1,3}"
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_DAY_WORDS = {
    "今天": 0,
    "今日": 0,
    "今晡日": 0,  # Hakka
    "明天": 1,
    "明日": 1,
    "听日": 1,  # Cantonese
    "天光日": 1,  # Hakka
    "后天": 2,
    "后日": 2,
    "大后天": 3,
    "昨天": -1,
    "琴日": -1,
    "寻日": -1,
    "昨晡日": -1,
    "前天": -2,
    "前日": -2,
    "明早": 1,
    "明晚": 1,
    "听朝": 1,
    "听晚": 1,
    "昨晚": -1,
    "琴晚": -1,
    "寻晚": -1,
}
_PARTS = {
    "凌晨": (False, 2),
    "早上": (False, 9),
    "早晨": (False, 8),
    "上午": (False, 9),
    "中午": (False, 12),
    "下午": (True, 15),
    "傍晚": (True, 18),
    "晚上": (True, 19),
    "今晚": (True, 19),
    "明早": (False, 9),
    "明晚": (True, 19),
    "听朝": (False, 9),
    "听晚": (True, 19),
    "昨晚": (True, 19),
    "琴晚": (True, 19),
    "寻晚": (True, 19),
    "朝早": (False, 9),
    "上昼": (False, 9),
    "下昼": (True, 15),
    "晏昼": (True, 15),
    "夜晚": (True, 19),
}

# 后日/前日 also end words that are no day (今后日子, 目前日程): only where no such word can end
_AMBIGUOUS_DAYS = ("后日", "前日")
_DAYS = r"(?<![今之以此目日])(?:后日|前日)|" + "|".join(
    sorted((d for d in [*_DAY_WORDS, "今晚"] if d not in _AMBIGUOUS_DAYS), key=len, reverse=True)
)
_PART_WORDS = "|".join(sorted((p for p in _PARTS if p not in _DAY_WORDS and p != "今晚"), key=len, reverse=True))
_PATTERN = re.compile(
    rf"(?P<day>{_DAYS})?"
    r"(?:(?P<week>下下|下|本|这|呢|上)?个?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天末]))?"
    rf"(?:(?P<month>{_NUM})月(?P<mday>{_NUM})[日号]|(?P<mday2>{_NUM})[日号])?"
    rf"(?P<part>{_PART_WORDS})?"
    # Minutes: 半, 一刻, "十五", "30", or any number followed by 分 — but not "三点三楼".
    rf"(?:(?P<hour>{_NUM})(?:点|时|:|：)(?P<minute>半|一刻|三刻|{_NUM}分|\d{{1,2}}|[二三四五]?十[一二三四五六七八九]?)?)?"
)


# A time right after these words is the one being corrected, not the one meant (Mandarin, Cantonese, Hakka).
_NEGATION = re.compile(r"(?:不是|并不是|唔系|唔係|唔喺|毋系|毋係|冇系)(?:在|喺|于)?\s*$")


@dataclass(frozen=True)
class TimeMatch:
    value: datetime
    start: int
    end: int
    text: str
    has_clock: bool
    has_day: bool = False  # a day was named (明天, 周五, 11月25日), not only an hour or a part of the day
    has_part: bool = False  # a part of the day was named (上午, 下昼, 今晚)


def _is_negated(text: str, m: re.Match[str]) -> bool:
    return bool(_NEGATION.search(text[: m.start()]))


def on_day_of(t: TimeMatch, known: datetime) -> datetime:
    """The time ``t`` means for something already set at ``known``: a bare hour ("四点") keeps its date, a bare day
    ("后天") keeps its clock time; a time with both is taken as said."""
    local = known.astimezone(SHANGHAI)
    if t.has_day and not (t.has_clock or t.has_part):
        return t.value.replace(hour=local.hour, minute=local.minute)
    if not t.has_day:
        return t.value.replace(year=local.year, month=local.month, day=local.day)
    return t.value


def parse_time(text: str, now: datetime) -> TimeMatch | None:
    """The first (longest) time expression in text, resolved against now; None when there is none. A time the text
    negates ("不是三点，是四点") gives way to the others."""
    local_now = now.astimezone(SHANGHAI)
    best: re.Match[str] | None = None
    matches = [m for m in _PATTERN.finditer(text) if m.group(0)]
    if any(not _is_negated(text, m) for m in matches if _names_a_time(m)):
        matches = [m for m in matches if not _is_negated(text, m)]
    for m in matches:
        if _names_a_time(m) and (best is None or len(m.group(0)) > len(best.group(0))):
            best = m
    if best is None:
        return None
    m = best
    day = local_now.date()
    if m.group("day"):
        day += timedelta(days=_DAY_WORDS.get(m.group("day"), 0))  # 今晚: today
    if m.group("wd"):
        target = _WEEKDAY[m.group("wd")]
        week = m.group("week") or ""
        monday = day - timedelta(days=day.weekday())
        if week in ("下",):
            day = monday + timedelta(days=7 + target)
        elif week == "下下":
            day = monday + timedelta(days=14 + target)
        elif week == "上":
            day = monday + timedelta(days=-7 + target)
        else:  # 本周/这周/呢个礼拜/周X: this week's, or next week's when it has passed
            day = monday + timedelta(days=target)
            if not week and day < local_now.date():
                day += timedelta(days=7)
    if m.group("mday") or m.group("mday2"):
        mday = chinese_number(m.group("mday") or m.group("mday2"))
        month = chinese_number(m.group("month")) if m.group("month") else day.month
        year = day.year
        try:
            candidate = day.replace(year=year, month=month, day=mday)
        except ValueError:
            return None
        if candidate < local_now.date() and not m.group("month"):
            month = month % 12 + 1
            year += 1 if month == 1 else 0
            try:
                candidate = candidate.replace(year=year, month=month)
            except ValueError:
                return None
        elif candidate < local_now.date():
            candidate = candidate.replace(year=year + 1)
        day = candidate
    part = m.group("part") or (m.group("day") if m.group("day") in _PARTS else None)
    pm, default_hour = _PARTS.get(part, (False, 9)) if part else (False, 9)
    hour, minute, has_clock = default_hour, 0, False
    if m.group("hour"):
        hour = chinese_number(m.group("hour"))
        has_clock = True
        raw_min = m.group("minute") or ""
        if raw_min == "半":
            minute = 30
        elif raw_min == "一刻":
            minute = 15
        elif raw_min == "三刻":
            minute = 45
        elif raw_min:
            minute = chinese_number(raw_min.rstrip("分"))
        if (pm and hour < 12) or (part == "中午" and hour < 6):
            hour += 12
        elif not part and 1 <= hour <= 6:
            hour += 12  # 开会 "三点" means 15:00
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    value = datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)
    has_day = any(m.group(g) for g in ("day", "wd", "mday", "mday2"))
    return TimeMatch(value, m.start(), m.end(), m.group(0), has_clock, has_day, part is not None)


def _names_a_time(m: re.Match[str]) -> bool:
    return any(m.group(g) for g in ("day", "wd", "mday", "mday2", "part", "hour"))


# A week named without a weekday ("呢个礼拜有咩会", "下周", "今个星期"): the whole week, Monday to Sunday.
_WEEK = re.compile(r"(?P<which>下下|下|本|这|呢|今|上)个?(?:周|星期|礼拜)(?![一二三四五六日天末])")
_WEEK_OFFSET = {"下下": 14, "下": 7, "上": -7}


@dataclass(frozen=True)
class DaySpan:
    first: date
    last: date
    text: str


def week_asked(text: str, now: datetime) -> DaySpan | None:
    """The week the text names as a whole ("这周", "下个礼拜", "今个星期"), Monday to Sunday; None when it names
    none, or names a day of it ("下周三" is a day, for ``parse_time``)."""
    m = _WEEK.search(text)
    if m is None:
        return None
    today = now.astimezone(SHANGHAI).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=_WEEK_OFFSET.get(m.group("which"), 0))
    return DaySpan(monday, monday + timedelta(days=6), m.group(0))
