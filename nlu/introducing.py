"""A citizen saying how to be called ("陈生", "我姓陈", "我系黄小姐", "𠊎姓古", "叫我阿李", "我叫陈大文"), as
callers do on the hotline when an operator would ask. Read whole-sentence only, so that a sentence naming a person
in the matter ("李老师打人", "王生个铺头好嘈") stays the matter."""

from __future__ import annotations

import re

# The commonest surnames of Guangdong and of China (Hakka districts: 曾 钟 古 邱 丘 温 廖 赖 巫 饶 蓝 刁 …).
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱丘江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃戴莫孔向汤温古赖"
    "巫饶蓝房刁卜凌官练池涂邬欧麦岑利植区关伍骆甘柯简翁庄颜洪康"
)
_S = f"[{_SURNAMES}]"
_TITLE = r"(?:先生|小姐|女士|太太|师傅|老师|阿姨|伯伯|叔叔|大哥|大姐|生|太|姐|姨|伯|叔|婶|婆|哥|嫂)"
_I = r"(?:我|𠊎|俺)"
_TAIL = r"[啊呀啦喇嘞哈吖的嘅。.!！~～\s]*$"

_SURNAME_ONLY = re.compile(rf"^(?:免贵)?{_I}?(?:免贵)?姓(?P<surname>{_S}){_TAIL}")
_TITLED = re.compile(rf"^(?:{_I}(?:系|係|是))?(?P<name>(?:阿|老){_S}|{_S}{_TITLE}){_TAIL}")
_FULL_NAME = re.compile(
    rf"^(?:{_I}(?:叫|个名叫|嘅名系|的名字是|的名字叫|名叫|姓名是|系叫)|叫我|称呼我)"
    rf"(?P<name>(?:阿|老)?{_S}[\u4e00-\u9fff]?{_TITLE}?|{_S}[\u4e00-\u9fff]{{1,2}}){_TAIL}"
)


def form_of_address(text: str) -> str | None:
    """How the speaker asks to be called, as they said it ("陈生", "陈大文"; "您姓陈" for "我姓陈"), when that is
    all the sentence says."""
    said = text.strip()
    if len(said) > 12:
        return None
    found = _SURNAME_ONLY.match(said)
    if found is not None:
        return f"{found.group('surname')}先生/女士"
    for pattern in (_TITLED, _FULL_NAME):
        found = pattern.match(said)
        if found is not None:
            return found.group("name")
    return None
