"""What counts as a citizen asking for a person: one word list for the bot (hand over) and for quality
inspection (a request for a person that no handoff followed, ``office_flows/quality/rules.py``).

Two readings of the same list:

- ``person_phrases`` (inspection, liberal): every phrase found anywhere in a turn, other senses of the words
  (人工智能, 人工湖 …) dropped first; a reviewer confirms the finding.
- ``asks_for_person`` (the bot, strict): some clause of the message is a request and nothing else: once the
  phrase and the words around a request (我要, 帮我, 同我, 啦, 讲 …) are taken out nothing is left. So "转人工",
  "我想搵真人", "𠊎爱同人工讲", "同我转人工啦" hand over, while "路灯坏了需要人工修" or "投诉人工客服态度差",
  said while a ticket is being written, stay what they are. A clause may also *end* in such a request when the
  request holds the speaker, a "please" or a transfer verb and is not negated ("机器人太笨了我要转人工",
  "问了半天都不懂转人工吧"; not "我不用转人工"). A slip of the keyboard after a request verb (转人攻, 找仁工) is
  read as 人工.
"""

from __future__ import annotations

import re

# Asking for a person, in Mandarin, Cantonese and Hakka (a longer phrase is reported instead of one it contains).
PHRASES = (
    "转人工",
    "人工客服",
    "人工服务",
    "找人工",
    "要人工",
    "真人",
    "活人",
    "人工",
    "有没有人",
    "搵人工",
    "揾人工",
    "搵真人",
    "揾真人",
    "叫人嚟",
    "唔该转人工",
    "爱人工",
    "爱真人",
    "𠊎要人工",
)
# The words in another sense: a topic, not a request.
OTHER_SENSES = (
    "人工智能",
    "人工湖",
    "人工费",
    "人工草坪",
    "人工授精",
    "人工河",
    "人工林",
    "人工降雨",
    "人工呼吸",
    "真人秀",
)
# What may stand around the phrase in a request ("请帮我转人工好吗", "我哋想搵真人啦", "𠊎爱同人工讲").
_AROUND = (
    "可不可以",
    "有没有",
    "有冇",
    "可唔可以",
    "能不能",
    "得唔得",
    "行不行",
    "好不好",
    "好吗",
    "唔该",
    "麻烦",
    "可以",
    "能否",
    "帮我",
    "帮忙",
    "同我",
    "给我",
    "俾我",
    "我哋",
    "我们",
    "你们",
    "想要",
    "需要",
    "转接",
    "客服",
    "一个",
    "立刻",
    "马上",
    "直接",
    "还是",
    "我",
    "𠊎",
    "你",
    "要",
    "想",
    "爱",
    "请",
    "帮",
    "找",
    "搵",
    "揾",
    "转",
    "接",
    "叫",
    "同",
    "跟",
    "和",
    "个",
    "位",
    "讲",
    "说",
    "聊",
    "倾",
    "谈",
    "话",
    "吧",
    "啦",
    "呀",
    "啊",
    "了",
    "嘛",
    "喔",
    "呢",
    "哦",
    "咯",
    "㗎",
    "吗",
    "先",
    "快",
    "点",
)
_CLAUSES = re.compile(r"[，,。.!！?？;；:：、~～\s]+")
_TYPO = re.compile(r"(?<=[转找要搵揾爱])(?:人[攻公功宫]|仁工|认工)")
_AROUND_RE = re.compile("|".join(sorted(map(re.escape, _AROUND), key=len, reverse=True)))
# What a request ending a longer clause must hold: the speaker, a "please", or the transfer verb itself.
_OPENERS = ("我", "𠊎", "帮我", "同我", "给我", "俾我", "请", "唔该", "麻烦", "转")
# A negation just before the request ("我不用转人工", "唔使同我转人工", "别再转人工"); not 不懂, 唔明 …
_NEGATION = re.compile(r"不要|不用|不想|不必|不需要|无需|无须|毋须|唔使|唔要|唔想|唔好|冇必要|别|莫|勿")
# How far from a clause's end a request that ends it may start (a request is short; bounds the work on long text).
_TAIL = 24


def _without_other_senses(text: str, other_senses: tuple[str, ...] = OTHER_SENSES) -> str:
    """``text`` with the words in another sense cut out (a clause break in their place), slips after a request
    verb read as 人工."""
    for word in sorted(other_senses, key=len, reverse=True):
        text = text.replace(word, "，")
    return _TYPO.sub("人工", text)


def _found_in(text: str, phrases: tuple[str, ...] | list[str]) -> list[str]:
    """The phrases in ``text``, in the list's order, leaving out one that a longer phrase found contains."""
    present = [p for p in phrases if p and p in text]
    return [p for p in present if not any(p != q and p in q for q in present)]


def person_phrases(
    text: str, phrases: tuple[str, ...] | list[str] = PHRASES, other_senses: tuple[str, ...] = OTHER_SENSES
) -> list[str]:
    """The ``phrases`` anywhere in ``text`` once ``other_senses`` are cut out (for inspection: liberal)."""
    return _found_in(_without_other_senses(text, other_senses), phrases)


def asks_for_person(text: str) -> bool:
    """Whether the message asks for a person, plainly (for the bot: a clause that is a request and nothing else,
    or that ends in one holding the speaker, a "please" or a transfer verb)."""
    for clause in _CLAUSES.split(_without_other_senses(text)):
        if _only_a_request(clause) or _ends_in_request(clause):
            return True
    return False


def _only_a_request(clause: str) -> bool:
    """The clause holds a phrase and nothing but the words around a request."""
    covered = [False] * len(clause)
    for phrase in PHRASES:
        for m in re.finditer(re.escape(phrase), clause):
            covered[m.start() : m.end()] = [True] * len(phrase)
    if not any(covered):
        return False
    rest = "".join(ch if not on else " " for ch, on in zip(clause, covered, strict=True))
    return not _AROUND_RE.sub("", rest).replace(" ", "")


def _ends_in_request(clause: str) -> bool:
    """The clause's last words are a request (the longest such tail) that holds an opener and is not negated."""
    for start in range(max(1, len(clause) - _TAIL), len(clause)):
        tail = clause[start:]
        if _only_a_request(tail):
            opened = any(opener in tail for opener in _OPENERS)
            # the negation may sit just before the tail or inside its first words (不|要转人工, 我不|想转人工)
            return opened and not _NEGATION.search(clause[max(0, start - 4) : start + 2])
    return False
