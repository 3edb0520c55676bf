"""Giving up on a ticket being written, in other words than "取消": read by the ticket intake at every step.

A message gives up when every clause of it is made of nothing but words that drop what is under way (取消, 算了,
冇事了, 唔使, 不用 …), a filing verb under a negation (不投诉了, 唔使登记喇, 𠊎唔投诉了, 毋使报, 别再反映了) and the
words around them (the speaker, particles, 就/都/还是, a thank-you), and at least one such word is there. So
"算啦唔投诉啦", "算了不报了", "冇事了唔使搞", "不用了，谢谢" give up, while "不是投诉，是建议" (a type correction),
"工地到现在都不停工" (a negation in the appeal) or "本来想算了，但系越来越嘈" (算了 inside a description) do not:
something else is said in them.

The global words (``bot/basic_handlers.py``, nothing pending) do not read it: with no ticket under way,
"我唔投诉了" may be about a ticket already filed, which is another dialogue's business.
"""

from __future__ import annotations

import re

# A filing verb under a negation: 不投诉, 唔使登记, 毋使报, 别再反映, 唔好同我登记, 不想搞.
_NEGATED_FILING = (
    r"(?:不|唔|冇|没|毋|莫|别|咪)(?:再|想|用|使|洗|要|爱|好|需要|必|打算)?(?:再)?(?:帮我|同我|给我|俾我|替我|帮|同)?"
    r"(?:投诉|举报|反映|登记|报|搞|弄|填|提交|求助|建议|表扬|咨询|写|整|追究)"
)
# Words that drop what is under way by themselves.
_DROP = (
    r"取消|退出|放弃|撤回|撤销|cancel|罢了|拉倒|免了|算数|算了?|算啦|算喇|算嘞|算哩|冇事|没事|无事|冇嘢|没什么事|"
    r"唔使|毋使|唔洗|不用|不要|唔要|唔爱|不需要|唔需要|无需|不必"
)
_GIVING_UP = re.compile(f"{_NEGATED_FILING}|{_DROP}", re.I)
# A booking verb under a negation: 唔订了, 不约了, 唔使预约, 不开会了.
_NEGATED_BOOKING = (
    r"(?:不|唔|冇|没|毋|莫|别|咪)(?:再|想|用|使|洗|要|爱|需要|必|打算)?(?:帮我|同我|给我|俾我|替我)?"
    r"(?:预订|预约|预定|订|约|定|book|开会|开|搞)(?:会议室|房|会|个会)?"
)
_DROPPING_BOOKING = re.compile(f"{_NEGATED_BOOKING}|{_DROP}", re.I)
# What may stand around them: the speaker, what is dropped, adverbs, particles, politeness.
_AROUND = re.compile(
    r"我哋|我们|我|𠊎|俺|咱|这个|呢个|这张|呢张|这次|今次|件事|工单|投诉单|单|就咁|那就|还是|不好意思|唔好意思|"
    r"谢谢|多谢|唔该|麻烦晒|sorry|ok|好吧|好啦|好|就|都|又|先|再|也|那|咁|唉|哎呀|哎|嗯|呃|哦|喔|噢|"
    r"了|啦|喇|咯|嘞|吧|罢|哩|啰|噃|啊|呀|咧|嘛|哈|住",
    re.I,
)
_CLAUSES = re.compile(r"[，,。.!！?？;；:：、~～…\s]+")


# "Cancel" said plainly: what every pending step (a slot asked for, a booking's choices, a queue for a person)
# takes as dropping it.
_CANCEL = re.compile(
    r"^(?:我哋|我们|我|𠊎|俺)?(?:都|就|还是)?(?:取消|退出|cancel|算了|算啦|算喇|算嘞|"
    r"(?:不用|唔使|唔洗|毋使|不要|唔要|唔爱|毋爱|冇嘢|没事|冇事|不订|唔订)(?:了|喇|啦|嘞|咯))"
    r"[吧啦了喇嘞咯。.!！~～\s]*$",
    re.I,
)


_DROP_WORD = re.compile(_DROP, re.I)


def is_cancel(text: str) -> bool:
    """A plain cancel word ("取消", "算了吧", "唔使了", "我唔要了", "𠊎唔爱了", "cancel"), or two said together
    ("算了唔使了", "取消，唔要了"), and nothing else."""
    said = text.strip()
    if _CANCEL.match(said):
        return True
    if keeps_it(said):  # "不要撤回了" asks to keep it: two drop words, one negating the other
        return False
    return len(_DROP_WORD.findall(said)) >= 2 and _only_dropping(said, _DROP_WORD)


def gives_up(text: str) -> bool:
    """Whether the message drops the ticket under way: every clause is giving up and nothing else ("不要取消" asks
    to keep it)."""
    return not keeps_it(text) and _only_dropping(text, _GIVING_UP)


def drops_booking(text: str) -> bool:
    """Whether the message drops the booking under way ("算了唔订了", "唔使约喇", "不开会了"): every clause is
    giving up and nothing else."""
    return not keeps_it(text) and _only_dropping(text, _DROPPING_BOOKING)


def _only_dropping(text: str, dropping: re.Pattern[str]) -> bool:
    clauses = [c for c in _CLAUSES.split(text) if c]
    found = False
    for clause in clauses:
        rest = dropping.sub(" ", clause)
        found = found or rest != clause
        if _AROUND.sub("", rest).strip():
            return False
    return found


# Asking NOT to drop something: 唔好取消, 不要撤回, 别取消了, 算啦唔好取消住 (算啦 is "never mind" there).
_NEGATED_DROP = (
    r"(?:唔好|不要|别|咪|毋好|莫|唔使|毋使|不用|不想|唔想)(?:再)?(?:帮我|同我|给我|俾我|替我)?"
    r"(?:取消|撤回|撤销|撤单|撤|删除|删)"
)
_NEGATED = re.compile(_NEGATED_DROP)
_KEEPING = re.compile(f"{_NEGATED_DROP}|算了?|算啦|算喇|算嘞|等等|咪住|等阵|等一下", re.I)


def keeps_it(text: str) -> bool:
    """Whether the message only asks not to cancel or withdraw ("唔好取消", "算啦唔好取消住", "不要撤回了")."""
    return bool(_NEGATED.search(text)) and _only_dropping(text, _KEEPING)


# A step back: "上一步", "返回", "返回上一步", "退返上一步", "翻去上一条问题", "我想返去上一步".
_BACK = re.compile(
    r"^(?:我想|我要|𠊎想|𠊎爱)?(?:(?:返回|回到|回去|退回|退返|倒返|返|翻)(?:去|到)?)?"
    r"(?:上一步|上步|上一个问题|上一条问题|上一题|上一项|上一个|前一步)"
    r"(?:啦|喇|吧|啊|呀|先)?[。.!！]*$|^(?:返回|后退|返转头|退一步)[啦喇吧啊呀。.!！]*$"
)


def goes_back(text: str) -> bool:
    """A step back asked for ("上一步", "返回", "退返上一步"), and nothing else."""
    return bool(_BACK.match(text.strip()))
