"""What people ask of the assistant instead of answering it, in Mandarin, Cantonese and Hakka words: how long
handling takes ("噉要几耐先有人处理？", "多久能办好"), what or whom the assistant is ("你系咪机器人", "你哋系咪
政府嘅"), or a moment before answering ("等阵先"). Read by the global words and mid-intake, where such a turn is
answered and the step asked again, never stored as the appeal."""

from __future__ import annotations

import re

from nlu.giving_up import gives_up, is_cancel

_HOW_LONG = re.compile(r"几耐|几久|多久|几时|多长时间|几长时间|几多日|几多天|几天|几日|要好耐")
_OF_HANDLING = re.compile(r"处理|办|回复|答复|有人|搞掂|解决|理|跟进|结果|落实|回音")


def asks_how_long(text: str) -> bool:
    """Whether ``text`` asks how long handling takes (a how-long word and a word of handling)."""
    return bool(_HOW_LONG.search(text) and _OF_HANDLING.search(text))


# Asking what answers ("你是机器人吗", "你系咪真人", "你系边个"), whom it stands for ("你哋系咪政府嘅",
# "你们是官方的吗", "你系边个部门") or whether anyone is there ("有冇人呀", "有人在吗").
_WHO = re.compile(
    r"^(?:喂[，,\s]*)?(?:(?:你|您|你哋|你们|你地)(?:到底)?(?:是不是|系唔系|係唔係|系咪|係咪|是|系|係)(?:一个|个)?"
    r"(?:机器人|机械人|真人|人工|ai|人(?=还是|定|抑或)|谁|边个|咩人|乜人|边个部门|哪个部门|什么部门|政府|政府部门|官方|12345|热线)"
    r"(?:(?:还是|定系|定係|定|抑或|或者|或是)(?:系|係|是)?(?:机器人|机械人|真人|人工|人|ai))?"
    r"|有(?:冇|没|没有|无)?人(?:在|喺|喺度)?)"
    r"[吗嘛呀啊咩㗎嘅嚟来的?？。!！~～\s]*$",
    re.I,
)
# Asking for a moment ("等阵先", "等一下", "稍等", "等我谂下"): nothing is answered yet.
_WAIT = re.compile(
    r"^(?:等阵先?|等一阵|等等|等一下|等下|等一等|稍等(?:一下)?|等我(?:谂|想|睇|看|揾|找)(?:下|一下|想)?)"
    r"[啊呀先啦喇吧哈。.!！~～…\s]*$"
)


def asks_what_answers(text: str) -> bool:
    """Whether ``text`` only asks what or whom the assistant is, or whether anyone is there."""
    return bool(_WHO.match(text.strip()))


def asks_to_wait(text: str) -> bool:
    """Whether ``text`` only asks for a moment before answering."""
    return bool(_WAIT.match(text.strip()))


# About to ask, and not yet asking: "我想问下", "请问", "有个问题想问下你", "𠊎想问下", "想咨询下".
_ABOUT_TO_ASK = re.compile(
    r"^(?:你好|您好|喂|唔该|麻烦你?|hello|hi)?[，,!！\s]*(?:我|𠊎|俺)?(?:想|要|可唔可以|可以|能不能)?"
    r"(?:问下|问一下|问吓|问问|请问|咨询下?|咨询一下|打听下|打听一下|问(?:啲|D|些|个|一个)?(?:嘢|问题|事))?"
    r"(?:(?:我|𠊎)?有(?:个|一个|啲|D|些|件)(?:问题|嘢|事|事情)(?:想|要)?(?:问|咨询)?(?:下|一下|吓)?)?"
    r"(?:你|您|你哋|你们)?(?:下|一下)?[啊呀啦喇吧嘞哈先。.!！?？~～…\s]*$",
    re.I,
)


def about_to_ask(text: str) -> bool:
    """Whether ``text`` only announces a question ("我想问下", "有个问题想问下你") without asking it."""
    stripped = text.strip()
    return bool(re.search(r"问|咨询|打听", stripped)) and bool(_ABOUT_TO_ASK.match(stripped))


# Asking why something is asked, or whether it must be given ("点解要讲地址㗎", "为什么要留电话", "做咩要知几时开始",
# "一定要填地址咩"): a why-word or a must-word before a verb of giving, and the rest short. A reason, not an answer.
_WHY = re.compile(
    r"(?:点解|为什么|为何|为啥|为乜|做咩|做乜|做么个|干嘛|干什么|做什么|一定要|必须要?|非要|硬系要|使唔使|需唔需要)"
    r"\S{0,4}?(?:讲|说|填|留|写|提供|报|俾|畀|给|话|问|知|知道|登记|告诉|交代)"
)


def asks_why(text: str) -> bool:
    """Whether ``text`` asks why the assistant wants something, or whether it must be given."""
    stripped = text.strip()
    return len(stripped) <= 20 and bool(_WHY.search(stripped))


# Complaining that nobody has handled it yet ("点解咁耐都冇人理㗎", "怎么还没人管", "拖咗咁耐仲未搞掂", "𠊎个事
# 好久都冇人来"): a delay and nobody acting, and no new matter named (kept short).
_DELAY = re.compile(r"咁耐|甘耐|这么久|那么久|好耐|好久|几日|几天|一直|仲未|还没|还未|重未|都未|拖|等咗|等了|等到")
_NOBODY_ACTS = re.compile(
    r"(?:冇|没|没有|无|唔见|不见)(?:人|人哋|人家)?(?:理|管|处理|跟进|跟|嚟|来|过来|回复|回音|联系)|"
    r"(?:仲未|还没|还未|重未|都未|未)(?:有人)?(?:处理|搞掂|搞|解决|理|管|回复|回音|联系|嚟|来)"
)


# Saying the matter goes on as before ("仲系臭到死", "还是很吵", "依然有人摆摊", "照样烧嘢"): a word of "still" at the
# head (after a "but"), then how it is.
_STILL = re.compile(
    r"^(?:但系|但是|可是|不过|而家|现在|到而家|到现在)?(?:仲系|仲係|还系|还是|依然|仍然|仍旧|照样|照旧|依旧)"
)


# Saying it came back after it was dealt with ("但系第二日又停返", "过两日又嚟过", "没几天又开始吵了", "又出现了"): a
# clause with 又 and a word of coming back, or any 又 after a word of "later" (what came before was the fix) or
# after the people complained of ("佢哋又喺度烧嘢").
_LATER = (
    r"(?:第二日|第二天|隔日|隔天|过(?:咗|了)?[一两几]日|过(?:了)?[一两几]天|冇几耐|无几耐|没几天|没多久|之后|后来|跟住|"
    r"点知|谁知|结果)"
)
# A question by its ending: what is asked is no news of the matter nor a reason.
_ASKED = re.compile(r"[?？吗咩未]$")
_CAME_BACK = re.compile(
    rf"(?:^|[，,。；;\s]|但系|但是|可是|不过){_LATER}?(?:佢|佢哋|他们|他|啲人|那些人)?"
    r"又(?:再)?(?:开始|出现|回来|返嚟|返来|嚟|来|系咁|係咁|是这样|继续|恢复|\S{1,3}?返)"
    rf"|{_LATER}(?:佢|佢哋|他们|他|啲人|那些人)?又|(?:佢|佢哋|他们|他|啲人|那些人|有人)又"
)


def says_it_persists(text: str) -> bool:
    """Whether ``text`` says that what was reported still goes on ("仲系臭到死") or came back ("第二日又停返"), as a
    statement (a question is not)."""
    said = text.strip()
    if len(said) < 3 or _ASKED.search(said):
        return False
    if not (_STILL.match(said) or _CAME_BACK.search(said)):
        return False
    return not (is_cancel(said) or gives_up(said))  # "还是算了" drops something, it reports nothing


_ENDING = re.compile(r"(?:我|𠊎|佢|呀|啊|㗎|嘅|的|呢|啦|喇|咩|吗|嘛|吖|哦|[?？!！。.,，~～\s])*")


def complains_of_delay(text: str) -> bool:
    """Whether ``text`` only complains that nothing has been done yet about what was filed (what nobody did
    ends it: "一直没人来收垃圾" names a matter)."""
    said = text.strip()
    acts = _NOBODY_ACTS.search(said)
    if len(said) > 20 or acts is None or not _DELAY.search(said):
        return False
    return bool(_ENDING.fullmatch(said[acts.end() :]))


# Saying nobody called, came or acted ("点解冇人打电话畀我", "佢哋根本冇嚟睇过", "做咩都冇人理㗎", "𠊎都冇人打电话
# 分𠊎"): who and why words, a "nobody" or "not" and what was not done, then at most to whom and particles. What
# nobody did is the end of it: "楼下垃圾冇人理" names a matter.
_WHO_AND_WHY = (
    r"^(?:点解|为什么|为何|为啥|做咩|做乜|做么个|怎么|咋|到而家|到现在|而家|现在|至今|都|根本|一直|仲|还|从来|就|又|"
    r"佢哋|佢|他们|他|你哋|你们|部门|啲人|工作人员|我|𠊎|个单|张单|工单|嘅|的|係|系|是|啊|呀|[，,\s])*"
)
_NOBODY_DID = re.compile(
    r"(?:冇|没有?|无|唔见|不见|未)(?:人|人哋|人家|任何人|有人)?(?:有)?(?:给我|畀我|俾我|同我|跟我|分𠊎)?"
    r"(?:打(?:过|咗)?电话|打|致电|回电话?|联系|联络|嚟|来|过来|上门|到场|到现场|理|管|跟进|处理|回复|回音|睇|看)"
)
_TO_WHOM = re.compile(
    r"(?:过|咗|了|睇|看|下|吓|一下|畀我|俾我|给我|分𠊎|同我|跟我|联系我|我|𠊎|现场|处理|睇过|看过|"
    r"[呀啊㗎嘅的呢啦喇咩吗嘛吖哦噃添囉啰?？!！。.,，~～\s])*"
)


def complains_nobody_came(text: str) -> bool:
    """Whether ``text`` only says that nobody called, came or acted ("点解冇人打电话畀我", "佢哋根本冇嚟睇过")."""
    said = text.strip()
    if len(said) > 24:
        return False
    head = re.match(_WHO_AND_WHY, said)
    start = head.end() if head else 0
    did = _NOBODY_DID.match(said, start)
    return did is not None and bool(_TO_WHOM.fullmatch(said, did.end()))


# Asking after what one filed ("𠊎个单做到哪里了", "我嘅投诉处理成点", "我的工单有进展吗"): one's own ticket and a
# word of progress.
_OWN_TICKET = re.compile(r"(?:我|𠊎|俺)(?:个|的|嘅|那个|嗰个|之前|头先|上次|刚才)*(?:工单|单|投诉|举报|求助|反映|诉求)")
_PROGRESS = re.compile(
    r"到哪|到边|做到|去到|点样|怎么样|怎样|咋样|如何|进度|进展|成点(?!钟)|得点|搞到|处理到|结果|有冇人|有没有人|有消息|回复咗|办好"
)


def asks_after_own_ticket(text: str) -> bool:
    """Whether ``text`` asks how one's own ticket is getting on."""
    own = _OWN_TICKET.search(text)
    return own is not None and bool(_PROGRESS.search(text, own.end()))


# Asking how it is getting on, and nothing else ("处理成点", "搞成点啊", "有冇结果", "点样啦", "进度点样"):
# said by someone with a ticket, it asks after that ticket (it names no service, no matter).
_PARTICLE = r"(?:了|喇|啦|呀|啊|嘞|呢|咯|未|吖|哦)?[?？。.!！~～\s]*$"
_HOW_IT_GOES = r"(?:点样|怎么样|怎样|咋样|成点|如何|到边|到哪|到哪里|到边度|到咩程度)"
_PROGRESS_ALONE = re.compile(
    rf"^(?:咁|噉|那|那么|请问|想问下)?(?:(?:处理|搞|办|做|跟进|弄)(?:得|到|成)?(?:{_HOW_IT_GOES}|点)|{_HOW_IT_GOES})"
    + _PARTICLE
    + r"|^(?:请问|想问下)?(?:有冇|有没有|有无|有)(?:咩|乜|什么|啲|些)?(?:结果|进展|进度|消息|回音|回复|下文)"
    + _PARTICLE
    + rf"|^(?:(?:进度|进展|结果)(?:{_HOW_IT_GOES}|系点|点)?|情况(?:{_HOW_IT_GOES}|系点|点))"
    + _PARTICLE
)


def asks_progress_alone(text: str) -> bool:
    """Whether ``text`` only asks how something is getting on, naming nothing ("处理成点", "有冇结果")."""
    return bool(_PROGRESS_ALONE.match(text.strip()))


# Asking why a ticket was sent back ("第一张点解退", "GD… 点解退单", "佢哋退单嘅理由系咩"): a why-word before 退,
# or 退单 before a word of reason. A dispatcher's question about a 退单 under review, not a 退单 of their own.
_WHY_RETURNED = re.compile(
    r"(?:点解|为什么|为何|为啥|做咩|做乜|咩原因|乜原因|什么原因|么个原因)[^，。,]{0,6}(?:被)?退|"
    r"退(?:单|返|回)?[^，。,]{0,4}(?:理由|原因)"
)


def asks_why_returned(text: str) -> bool:
    """Whether ``text`` asks why a ticket was returned (退单) by its department."""
    return bool(_WHY_RETURNED.search(text))


# Giving a reason ("因为系住建局管嘅", "由于涉及违建，应该归住建局", "呢单系交通局负责"): a because-word at the head, or
# a statement that someone is in charge of it. Right after a 退单, its explanation.
_BECAUSE = re.compile(r"^(?:因为|由于|原因系|原因是|理由系|理由是|系因为|是因为|因)\S")
_IN_CHARGE = re.compile(
    r"(?:系|是|归|属于?|由|应该系|应该是|应该由|应该归)[\u4e00-\u9fff]{1,12}?(?:管|负责|职责|管辖|主管|处理)"
    r"(?:嘅|的|喎|啊|呀|㗎|先啱|才对|先对)?[。！!]*$"
)


def gives_a_reason(text: str) -> bool:
    """Whether ``text`` gives a reason or says who is in charge (a statement, not a question)."""
    said = text.strip()
    if not said or _ASKED.search(said) or "?" in said or "？" in said:
        return False
    return bool(_BECAUSE.match(said) or _IN_CHARGE.search(said))
