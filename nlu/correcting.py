"""The new place a citizen's correction of their ticket's address gives ("地址都写错咗，系东升新村" → "东升新村").

A correction is made of clauses. Those that only say the address is wrong ("地址写错了", "地点唔啱") or that the
speaker wants to change it ("我想改下地址") are dropped; what leads the first remaining clause up to the place
("应该系", "系", "改成", "把地址改为", "喺") is cut off; politeness ("唔该", "谢谢") is dropped. The first
remaining clause is the place, with the clauses right after it that carry on naming it ("3栋门口"). Nothing
left: the correction did not say the place (the dialogue then asks for it).
"""

from __future__ import annotations

import re

_CLAUSES = re.compile(r"[，,。!！;；:：、~～…]+")  # not spaces: "江北路 3 号" is one clause
_CODE = re.compile(r"(?i)gd\d{13}")
_WHO = r"(?:我|𠊎|俺|我哋|我们)?"
_OF_TICKET = r"(?:(?:我|𠊎)?(?:的|嘅|个|那张|呢张|这张)?(?:工单|单|投诉|诉求)?(?:的|嘅|上面|上)?)?"
_ADDRESS = r"(?:事发)?(?:地址|地点|位置|门牌号?|地方)"
_WRONG = (
    r"(?:都|也|好似|好像|系|是)?(?:写|填|登记|讲|说|打|报|记|弄|搞)?(?:错|唔啱|唔对|不对|有误|有错|搞错)"
    r"(?:咗|了|啦|喇|嘞|咯|嘅|的)*"
)
# How the speaker gave it: "刚才说的", "头先报嘅", "登记的".
_GIVEN = r"(?:刚才|刚刚|头先|之前|啱啱|啱先|当时)?(?:说|讲|报|填|写|登记|留|提供|给)?(?:的|嘅)?"
# "地址写错了", "我个单嘅地址都写错咗", "刚才说的地址不对", "地点唔啱": the address is wrong, and nothing more.
_SAYS_WRONG = re.compile(f"^{_WHO}{_GIVEN}{_OF_TICKET}{_ADDRESS}{_WRONG}$")
_ADDRESS_WORD = re.compile(_ADDRESS)
_WRONG_WORD = re.compile(r"错|唔啱|唔对|不对|有误")
# "我想改下地址", "帮我更正一下事发地点", "要改", "爱改一下": wanting to change it, without the new one.
_MODAL = r"(?:想|要|爱|需要|帮我|麻烦|唔该|可唔可以|可不可以|能不能|系|是)*"
_CHANGE = r"(?:改|更正|修改|更改|换)(?:一?下|返)?"
_END = r"(?:一?下|返)?(?:吧|呀|啊|啦|喇)?$"
_WANTS_CHANGE = re.compile(
    f"^{_WHO}{_MODAL}{_CHANGE}{_OF_TICKET}(?:{_ADDRESS})?{_END}|^{_WHO}{_OF_TICKET}{_ADDRESS}{_MODAL}{_CHANGE}{_END}"
)
# What leads up to the place in its clause: "应该系", "系", "改成", "把地址改为", "地址系", "喺".
_LEAD = re.compile(
    f"^{_WHO}(?:帮我|麻烦|唔该)?(?:把|将)?{_OF_TICKET}(?:{_ADDRESS})?"
    r"(?:(?:改|更正|修改|更改|换)(?:成|为|做|到|去)|应该(?:系|係|是|为|喺|在)?|正确(?:的|嘅)?(?:系|係|是)|"
    r"其实(?:系|係|是|喺|在)|而(?:系|係|是)|(?:系|係|是|为|喺|在|响))+"
)
_END_PARTICLES = re.compile(r"[啊呀啦喇嘞噃咯喔]+$")
_COURTESY = re.compile(r"^(?:唔该|唔该晒|谢谢|多谢|麻烦你|麻烦晒|thanks?)(?:你|晒|啦|喇|了)*$", re.I)
# Words around a correction that are no part of it: "哎呀", "不好意思", "仲有".
_FILLER = re.compile(
    r"^(?:哎呀|哎哟|哎|唉|啊|哦|喔|噢|喂|咦|呃|嗯|系喇|係喇|系噃|对了|对喇|仲有|还有|另外|不好意思|唔好意思|sorry|"
    r"搞错咗|搞错了|弄错了|错咗|错了)(?:呀|啊|啦|喇|了)*$",
    re.I,
)
# "头先讲错咗", "刚才说错了", "我写错晒": having said something wrong, without saying what.
_MISSPOKE = re.compile(
    r"^(?:头先|刚才|刚刚|啱先|啱啱|之前|先前)?(?:我|𠊎)?(?:讲|说|写|填|打|报|搞|弄)?错(?:咗|了|啦|喇|晒|嘢|野)*"
    r"(?:呀|啊|添)*$"
)
# "唔系江南路" / "是城北镇不是城东镇" / "唔系江南系江北": what the place is not, said beside what it is.
_NAMES_ADDRESS = re.compile(f"^{_WHO}{_GIVEN}{_OF_TICKET}{_ADDRESS}(?:都|也|其实)?$")
_NOT_WORD = r"(?:唔系|唔係|不是|毋系|冇系|并非)"
_NOT = re.compile(f"^(.*?){_NOT_WORD}(.*)$")
_IS = re.compile(r"(?:系|係|是)(.+)$")
_PLACE_WORD = re.compile(r"[路街巷道村镇区号栋幢座楼层室苑园场站桥口旁边侧对面]|小区|门口|附近|隔离|隔篱")


def speaks_of_a_place(text: str) -> bool:
    """Whether ``text`` names a place: a word for an address ("地址", "门牌") or a place ("路", "小区", "门口")."""
    return bool(_ADDRESS_WORD.search(text) or _PLACE_WORD.search(text))


def _affirmed(clause: str) -> str:
    """The clause without what it says the place is not: "是城北镇不是城东镇" → "是城北镇", "唔系江南系江北" →
    "江北", "唔系江南路" → ""."""
    m = _NOT.match(clause)
    if m is None:
        return clause
    before, after = m.group(1), m.group(2)
    if _LEAD.sub("", before) and not _NAMES_ADDRESS.match(before):
        return before
    said = _IS.search(after)
    return said.group(1) if said else ""


def _says_wrong(clause: str) -> bool:
    """ "地址写错了", and in any order ("个地方我报错咗"): an address word and a wrong word, and no place."""
    if _SAYS_WRONG.match(clause):
        return True
    rest = _ADDRESS_WORD.sub("", clause)
    return rest != clause and bool(_WRONG_WORD.search(rest)) and not _PLACE_WORD.search(rest)


def _said_nothing(clause: str) -> bool:
    quiet = _COURTESY.match(clause) or _FILLER.match(clause) or _MISSPOKE.match(clause)
    return bool(_says_wrong(clause) or _WANTS_CHANGE.match(clause) or quiet)


def corrected_place(text: str) -> str:
    """The place a correction of the address names, or "" when it names none."""
    clauses = [_affirmed(c.strip()) for c in _CLAUSES.split(_CODE.sub("", text).strip()) if c.strip()]
    kept = [c for c in clauses if c and not _said_nothing(c)]
    if not kept:
        return ""
    first = _END_PARTICLES.sub("", _LEAD.sub("", kept[0]))
    place = [first] if first else []
    place += [_LEAD.sub("", c) for c in kept[1:] if _PLACE_WORD.search(c)]
    return "，".join(c for c in place if c)


# "不是3栋是5栋", "唔系江南路，系江北路", "系5栋唔系3栋", "地点改成5栋，唔系3栋": a part of what was said, swapped.
_IS_WORD = r"(?:应该|其实)?(?:系|係|是)"
_PART = r"[^，,。；;:：？?！!]+?"
_TAIL = r"[啊呀啦喇嘞噃咯喔。.!！]*$"
_SWAP_NOT_FIRST = re.compile(
    rf"{_NOT_WORD}\s*(?P<old>{_PART})\s*[，,、]?\s*(?:而)?{_IS_WORD}\s*(?P<new>{_PART}){_TAIL}"
)
_SWAP_IS_FIRST = re.compile(rf"^(?P<new>[^，,。；;]+?)\s*[，,、]?\s*{_NOT_WORD}\s*(?P<old>{_PART}){_TAIL}")
# "唔系，…", "不对，…", "唔啱，…": a denial said before the swap, no part of it.
_DENIAL = re.compile(
    rf"^(?:(?:{_NOT_WORD}|不对|唔对|唔啱|错咗|错了|搞错咗|搞错了|讲错咗|说错了)(?:啊|呀|啦|喇|嘞|添)*[，,、。!！\s]+)+"
)


def swapped_part(text: str) -> tuple[str, str] | None:
    """What a correction says was wrong and what is right instead ("刚才说错了，不是3栋是5栋" → ("3栋", "5栋")), or
    None when it does not say both."""
    clean = _DENIAL.sub("", _CODE.sub("", text).strip())
    m = _SWAP_NOT_FIRST.search(clean)
    if m is not None:
        old, new = m.group("old"), m.group("new")
    else:
        m = _SWAP_IS_FIRST.search(clean)
        if m is None:
            return None
        old = m.group("old")
        new = corrected_place(m.group("new"))
    old, new = _END_PARTICLES.sub("", old.strip()), new.strip()
    if not old or not new or old == new or _WRONG_WORD.search(old):
        return None
    return old, new


def corrected_address(current: str, text: str) -> str:
    """The address after a correction: a swapped part replaced in place when the current address holds it and
    the new part is of like size ("东升新村3栋" + "不是3栋是5栋" → "东升新村5栋"), else the place the correction names
    ("江南路28号" + "江南路38号，唔系28号" → "江南路38号"; "" when none)."""
    swap = swapped_part(text)
    if swap is not None and current and swap[0] in current and len(swap[1]) <= len(swap[0]) + 2:
        return current.replace(swap[0], swap[1], 1)
    return corrected_place(text)


_ASKING = re.compile(r"[?？]|吗|嘛$|呢$|怎么|怎样|点样|点解|几时|几耐|几久|多久|咩|乜|边个|有冇|有没有|为什么|为何")


def gives_place(text: str) -> bool:
    """``text`` answers "which address?": it names a place and asks nothing ("系东升新村3栋", "东升新村";
    not "要几耐先有人处理？")."""
    return bool(corrected_place(text)) and not _ASKING.search(text)
