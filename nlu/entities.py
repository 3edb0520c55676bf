"""Entity post-processing: IDs validated against their formats, times resolved, ratings and phones checked."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from nlu.timeparse import parse_time

TICKET_ID = re.compile(r"GD(\d{8})(\d{5})")
DOC_ID = re.compile(r"(?:FW|SW)-\d{4}-\d{3}")
MEETING_ID = re.compile(r"HY-\d{4}-\d{4}")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# A mobile number as people write it, grouped with spaces or dashes ("138 0013 8000", "138-0013-8000").
_MOBILE_GROUPED = re.compile(r"(?<![\d\-－—])1[3-9]\d(?:[ \-－—]?\d){8}(?![\d\-－—])")
_GROUPING = re.compile(r"[ \-－—]")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")

RATINGS = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
# Colloquial ratings → the five official levels (longest phrases are tried first).
RATING_WORDS = {
    "非常不满意": "非常不满意",
    "很不满意": "非常不满意",
    "极不满意": "非常不满意",
    "太差了": "非常不满意",
    "极差": "非常不满意",
    "非常差": "非常不满意",
    "差到极点": "非常不满意",
    "不太满意": "不满意",
    "不是很满意": "不满意",
    "不是太满意": "不满意",
    "不算满意": "不满意",
    "唔系好满意": "不满意",
    "唔系几满意": "不满意",
    "唔系太满意": "不满意",
    "唔算满意": "不满意",
    "毋系几满意": "不满意",
    "不满意": "不满意",
    "差评": "不满意",
    "不好": "不满意",
    "唔满意": "不满意",
    "基本满意": "基本满意",
    "一般般": "基本满意",
    "一般": "基本满意",
    "还行": "基本满意",
    "还可以": "基本满意",
    "凑合": "基本满意",
    "过得去": "基本满意",
    "还算满意": "基本满意",
    "都算满意": "基本满意",
    "算满意": "基本满意",
    "勉强满意": "基本满意",
    "马马虎虎": "基本满意",
    "麻麻哋": "基本满意",
    "麻麻地": "基本满意",
    "非常满意": "非常满意",
    "很满意": "非常满意",
    "特别满意": "非常满意",
    "十分满意": "非常满意",
    "超级满意": "非常满意",
    "五星": "非常满意",
    "满意": "满意",
    "几满意": "满意",
    "都几满意": "满意",
    "好评": "满意",
    "挺好": "满意",
    "不错": "满意",
}
# Cantonese 好 is "very" (好唔满意, 好满意); 超 and 极 the same in every dialect.
RATING_WORDS |= {"好不满意": "非常不满意", "超不满意": "非常不满意", "十分不满意": "非常不满意", "好满意": "非常满意"}
# The Cantonese 唔 and the Hakka 毋 say what 不 says: 非常唔满意 is 非常不满意, not 不满意 after a "very".
# (Only with 满意: 唔好 is "don't" in Cantonese, not 不好.)
RATING_WORDS |= {
    w.replace("不", neg): level for w, level in list(RATING_WORDS.items()) if "不满意" in w for neg in "唔毋"
}
# Longest phrases first; 满意率 and 满意度 are statistics, not ratings.
_RATING_RE = re.compile("(?:" + "|".join(sorted(map(re.escape, RATING_WORDS), key=len, reverse=True)) + ")(?![率度])")


def valid_ticket_id(value: str) -> bool:
    m = TICKET_ID.fullmatch(value)
    if not m:
        return False
    try:
        date(int(m.group(1)[:4]), int(m.group(1)[4:6]), int(m.group(1)[6:]))
    except ValueError:
        return False
    return True


def rating_level(text: str) -> str | None:
    m = _RATING_RE.search(text)
    return RATING_WORDS[m.group(0)] if m else None


# What opens the reason after the rating word: punctuation, a final particle of the rating ("都算满意嘅，…"), "因为".
_REASON_LEAD = re.compile(
    r"^[\s,，。.;；:：!！、]*(?:(?:嘅|的|啦|喇|吧|啊|呀|咯|了)(?=[\s,，。.;；:：!！、]))?[\s,，。.;；:：!！、]*"
    r"(?:因为|原因是|理由是|理由|原因)?[\s,，:：]*"
)
_RATING_LEAD = re.compile(
    r"^(?:我|本人|𠊎|我哋|我们)?(?:的)?(?:觉得|认为|感觉|睇|看来)?(?:评价|打分|给个?|俾个?|畀个?)?(?:是|为|系|：|:)?\s*"
)


def rating_reason(text: str) -> str:
    """What a citizen said besides the rating ("不满意，昨晚12点还是很吵" → "昨晚12点还是很吵"),
    as written (full-width punctuation kept); empty when the message is only the rating."""
    m = _RATING_RE.search(text)
    if m is None:
        return ""
    before = _RATING_LEAD.sub("", text[: m.start()]).strip(" ，,。")
    after = _REASON_LEAD.sub("", text[m.end() :]).strip()
    after = "" if re.fullmatch(r"[吧啦啊呀了喇嘞咯哈嘛啰噃\s。.!！~～]*", after) else after  # "基本满意吧"
    rest = "，".join(part for part in (before, after) if part)
    return rest.rstrip("。.!！ ")


def mobile_in(text: str) -> str | None:
    """The first mobile number in ``text``, its groups joined ("138 0013 8000" → "13800138000")."""
    m = _MOBILE_GROUPED.search(text)
    return _GROUPING.sub("", m.group(0)) if m else None


# A street and its house number ("东山大道12号", "江南路 38 号"), and what may stand before the street's name in a
# sentence but is not part of it (a verb, a pronoun, a locative word).
_STREET_NUMBER = re.compile(r"(?:大道|大街|路|街|巷)\s*[0-9０-９一二三四五六七八九十百零〇]+\s*号")
_NOT_IN_A_NAME = re.compile(r"[在喺响于到去系係是的嘅了我你佢𠊎有个诉报映话讲说问想要近对边门隔篱楼住，,。！!？?\s]")
_BEFORE_A_NAME = ("楼下", "隔壁", "附近", "对面", "旁边")
_NAME_CHARS = 8


def street_address(text: str) -> str | None:
    """The first street address with a house number in ``text`` ("投诉东山大道12号大排档油烟好大" → "东山大道12号"):
    the street's name runs back from its 路/街/大道 to a word that cannot be part of it."""
    m = _STREET_NUMBER.search(text)
    if m is None:
        return None
    start = m.start()
    while start > 0 and m.start() - start < _NAME_CHARS and not _NOT_IN_A_NAME.match(text, start - 1):
        if text[:start].endswith(_BEFORE_A_NAME):
            break
        start -= 1
    return text[start : m.end()] if start < m.start() else None


def phone_in(text: str) -> str | None:
    """The phone number a message gives: its first mobile number, else a landline with its area code."""
    landline = LANDLINE.search(text)
    return mobile_in(text) or (landline.group(0) if landline else None)


# Words for a phone ("电话", "手机号码", "联系方式").
PHONE_WORDS = re.compile(r"电话|手机|号码|联系")


def speaks_of_a_phone(text: str) -> bool:
    """Whether ``text`` names a phone: a word for one, or a mobile number."""
    return bool(PHONE_WORDS.search(text)) or mobile_in(text) is not None


def mobile_alone(text: str) -> str | None:
    """The mobile number ``text`` is made of and nothing else ("138 0013 8000" → "13800138000")."""
    m = _MOBILE_GROUPED.fullmatch(text.strip())
    return _GROUPING.sub("", m.group(0)) if m else None


def _span(entity: str, value: Any, start: int, end: int, **extra: Any) -> dict[str, Any]:
    return {"entity": entity, "value": value, "start": start, "end": end, **extra}


def _regex_entities(text: str) -> list[dict[str, Any]]:
    """IDs and phones straight from the text: exact formats need no learning."""
    out = []
    for m in re.finditer(r"GD\d{13}", text):
        if valid_ticket_id(m.group(0)):
            out.append(_span("ticket_id", m.group(0), m.start(), m.end()))
    out += [_span("doc_id", m.group(0), m.start(), m.end()) for m in DOC_ID.finditer(text)]
    out += [_span("meeting_id", m.group(0), m.start(), m.end()) for m in MEETING_ID.finditer(text)]
    mobiles = [(_GROUPING.sub("", m.group(0)), m) for m in _MOBILE_GROUPED.finditer(text)]
    out += [_span("phone", number, m.start(), m.end()) for number, m in mobiles]
    out += [_span("phone", m.group(0), m.start(), m.end()) for m in LANDLINE.finditer(text)]
    return out


def postprocess(entities: list[dict[str, Any]], text: str, now: datetime) -> list[dict[str, Any]]:
    """Validated, de-duplicated entities; time gets an ISO value, rating one of the five levels."""
    kept: list[dict[str, Any]] = []
    by_regex = _regex_entities(text)
    regex_kinds = {e["entity"] for e in by_regex}
    for e in entities:
        name, value = e.get("entity"), str(e.get("value", ""))
        start, end = int(e.get("start", 0)), int(e.get("end", 0))
        if name in ("ticket_id", "doc_id", "meeting_id", "phone"):
            continue  # taken from the regexes below, which also validate the format
        if name == "rating":
            continue  # resolved from the whole text below: DIET spans cut 非常不满意 into 满意
        if name == "time":
            resolved = parse_time(text[start:end] or value, now)
            if resolved is None:
                continue
            kept.append(_span("time", resolved.value.isoformat(), start, end, text=text[start:end]))
            continue
        kept.append(_span(str(name), value, start, end))
    kept += by_regex
    diet_saw_rating = any(e.get("entity") == "rating" for e in entities)
    m = _RATING_RE.search(text)
    if m and (diet_saw_rating or "满意" in text or "评" in text or "ticket_id" in regex_kinds):
        kept.append(_span("rating", RATING_WORDS[m.group(0)], m.start(), m.end()))
    if "time" not in {e["entity"] for e in kept}:
        t = parse_time(text, now)
        if t is not None and (t.has_clock or len(t.text) >= 2):
            kept.append(_span("time", t.value.isoformat(), t.start, t.end, text=t.text))
    seen: set[tuple[str, str]] = set()
    unique = []
    for e in sorted(kept, key=lambda e: (e["start"], e["entity"])):
        key = (e["entity"], str(e["value"]))
        if key not in seen:
            seen.add(key)
            unique.append(e)
    return unique


# A place and nothing else ("梅江区城北镇扎上村村口", "人民公园", "金山小区 3 栋门口"): named units one after another
# (a name ending in a place word, a house or building number), and at most a word of position at the end. A name
# holds no word of a sentence (a verb, a pronoun, a particle), so "有人乱停车喺江南路" is an appeal, not a place.
_UNIT_NAME = r"(?:(?![有在喺系係是的嘅个啲了我你他她佢𠊎呢嗰边要想乱好唔不冇没咗啦吗呀啊噉咁成日搞])[^\W\d_]){0,6}?"
_UNIT_WORD = (
    r"(?:区|镇|乡|街道|村|社区|小区|花园|新村|屋村|路|大道|大街|街|巷|公园|广场|市场|商场|学校|小学|中学|医院|大厦|"
    r"工地|桥|站|苑)"
)
_UNIT_NUMBER = r"\s*[0-9０-９一二三四五六七八九十百零〇]+\s*(?:号|栋|幢|座|楼|层|室|巷)"
_POSITION = r"(?:村口|门口|路口|入口|出口|附近|旁边|对面|侧边|楼下|后面|前面|里面|嗰度|那里|这里)"
_ONLY_A_PLACE = re.compile(
    rf"(?:就喺|就在|喺|在|系|係)?(?:{_UNIT_NAME}{_UNIT_WORD}(?:{_UNIT_NUMBER})*)+{_POSITION}?[。.!！~～\s]*"
)
_LEAD_WORD = re.compile(r"^(?:就喺|就在|喺|在|系|係)")


def only_a_place(text: str) -> str | None:
    """The place a message names when it names nothing else ("喺梅江区人民公园" → "梅江区人民公园"), else None."""
    said = text.strip()
    if not _ONLY_A_PLACE.fullmatch(said):
        return None
    return _LEAD_WORD.sub("", said).rstrip("。.!！~～ ")
