"""Questions about the day itself, in Mandarin, Cantonese and Hakka words: the date ("今日几号", "今天几月几号"),
the weekday ("今日礼拜几", "今下係拜几"), the time ("而家几点", "宜家几点钟") and whether a day is a working day
("今日放唔放假", "听日使唔使返工", "明天政务大厅开门吗", "后日上唔上班"). Nothing in the knowledge base answers
them (its nearest item is a confident wrong answer), so they are read here, whole-sentence only: a sentence that
names anything else ("社保局几点开门", "几号去办") is left to the rest of the bot."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Asked(Enum):
    DATE = "date"
    WEEKDAY = "weekday"
    TIME = "time"
    WORKDAY = "workday"


@dataclass(frozen=True)
class DayQuestion:
    asked: Asked
    offset: int  # days from today: 0 today, 1 tomorrow, -1 yesterday


# Day words, with how far from today they are (Mandarin, Cantonese 听日/琴日/尋日, Hakka 今晡日/天光日/昨晡日).
_DAYS = {
    "今日": 0,
    "今天": 0,
    "今朝": 0,
    "今晡日": 0,
    "今晡": 0,
    "今下": 0,
    "听日": 1,
    "聽日": 1,
    "明天": 1,
    "明日": 1,
    "天光日": 1,
    "后天": 2,
    "后日": 2,
    "後日": 2,
    "琴日": -1,
    "尋日": -1,
    "寻日": -1,
    "昨天": -1,
    "昨日": -1,
    "昨晡日": -1,
}
_DAY = "|".join(sorted((re.escape(d) for d in _DAYS), key=len, reverse=True))
_NOW = r"(?:而家|宜家|依家|而今|现在|現在|今下|目前|这会儿|此刻)"
_TODAY_OR = rf"(?:(?P<day>{_DAY})|{_NOW})"  # a day word, or "now" for today: "几号" alone answers a question
_OPEN = r"(?:政府|你哋|你地|你们|政务大厅|办事大厅|政务服务中心|政务中心|行政服务中心|大厅|12345|热线)?"
_LEAD = r"^(?:请问|问下|想问下|唔该|喂)?[，,\s]*"
_END = r"[先了吗嘛呀啊咩㗎嘅呢啦喇哦吖?？。.!！~～\s]*$"
_BE = r"(?:是|系|係|喺)?"

_DATE = re.compile(
    rf"{_LEAD}{_TODAY_OR}{_BE}(?:阳历|公历|新历)?"
    rf"(?:几月几号|几月几日|几月几|几号|几多号|几日|什么日子|咩日子|乜嘢日子|乜日子|么个日子|哪一天|哪天|边日|几多日){_END}"
)
_WEEKDAY = re.compile(rf"{_LEAD}{_TODAY_OR}{_BE}(?:星期几|礼拜几|禮拜幾|拜几|周几|星期什么|礼拜咩){_END}")
_TIME = re.compile(rf"{_LEAD}{_NOW}{_BE}(?:几点钟?|几点几分|几多点|什么时间|什么时候|咩时间|几时){_END}")
_WORKDAY = re.compile(
    rf"{_LEAD}(?P<day>{_DAY}){_OPEN}"
    r"(?:系唔系|係唔係|系咪|係咪|是不是|是否|会唔会|会不会|要不要|使唔使|用不用|是|系|係)?"
    r"(?:(?:工作日|节假日|假期|假日|休息日)|"
    r"(?:放唔放假|放不放假|放假|休唔休息|休不休息|休息|使唔使返工|使唔使上班|驶唔驶返工|"
    r"返唔返工|返工|上唔上班|上不上班|上班|开唔开门|开不开门|开门|办唔办公|办不办公|办公|有冇人上班|有没有人上班|"
    r"有冇开|有没有开|开冇|做唔做嘢|使唔使做))" + _END
)


def _offset(day: str | None) -> int:
    return _DAYS.get(day or "今日", 0)


def day_question(text: str) -> DayQuestion | None:
    """What ``text`` asks about a day, when that is all it asks."""
    said = text.strip()
    if len(said) > 20:
        return None
    for pattern, asked in ((_WORKDAY, Asked.WORKDAY), (_DATE, Asked.DATE), (_WEEKDAY, Asked.WEEKDAY)):
        found = pattern.match(said)
        if found is not None:
            return DayQuestion(asked, _offset(found.group("day")))
    if _TIME.match(said):
        return DayQuestion(Asked.TIME, 0)
    return None
