"""What a question says about WHICH item, apart from how it is phrased.

- ``dense_query``: the text the dense encoders see, without a polite opening (请问、您好) and without
  generic "aspect" phrases (要带什么材料、多久能办好、在哪里办、怎么办理、收费吗、可以网上办吗、电话多少)
  that ask about a detail of any service and pull the question vector towards other questions instead
  of towards the item's name.
- ``lexical_expansion``: generic service verbs said colloquially (加大容量、搬过去、不干了、丢了、到期了、
  第一次、同名同姓 …) get the catalogue's formal verb (增容、迁移、注销、补领、延续、首次、重名 …) added for
  BM25, which has no other way to match them.

All functions take normalised text (knowledge_base.normalize: simplified, dialect words in Mandarin,
no punctuation, no spaces between Chinese characters).
"""

from __future__ import annotations

import re

# Polite openings carry no meaning but pull the query vector towards other polite questions.
_FILLER = re.compile(
    r"^(?:(?:你好|您好|请问一下|请问|我想问一下|我想问下|想问一下|想问下|问一下|麻烦问一下|咨询一下)[，,、\s]*)+"
)

_WHAT = r"(?:什么|啥|哪些|哪几样|什么样的|些什么)"
_PAPERS = r"(?:材料|资料|证件|手续|证明|文件|东西)"
# Each alternative asks about a detail that every service has; none names a service. 查 (look up) is
# deliberately absent: for the many 查询 items it is what the service is. Grouped by the detail asked.
_ASPECTS = {
    # materials: 要带什么材料、需要准备哪些资料、要交什么
    "materials": [
        rf"(?:需要|要|得|应该|该)?(?:带|准备|交|提交|提供|备|递交|拿)?(?:一些|些|好)?{_WHAT}的?{_PAPERS}",
        rf"(?:需要|要|得)?(?:带|准备|交|提交|提供){_WHAT}(?:去|过去|来)?",
    ],
    # time: 要多久、多少个工作日、几天能拿到
    "time": [
        r"(?:大概|一般|大约)?(?:要|需要|得)?(?:多久|多长时间|多少天|几天|多少个?工作日|几个工作日)"
        r"(?:才|就)?(?:能|可以|会)?(?:办好|办完|拿到|拿证|出证|下来|批下来|审批完|批|办结|出结果)?",
        r"(?:什么时候)(?:能|可以)?(?:办好|拿到|出证|下来)",
    ],
    # place: 在哪里办、去哪个窗口受理、找哪个部门
    "place": [
        r"(?:应该|要|可以|能)?(?:在|去|到)?(?:哪里|哪儿|哪|那里|什么地方|哪个窗口|哪个部门)"
        r"(?:办理|办|申请|交|受理|提交|递交)",
        r"(?:办理|受理)?(?:地点|地址|窗口)在(?:哪里|哪儿|哪)",
        r"找(?:省里|市里)?(?:哪个部门|哪里|谁)",
    ],
    # how: 怎么办理、如何申请、流程是怎样的
    "how": [
        r"(?:应该|要|该)?(?:怎么|怎样|如何)(?:办理|申请|办|弄|操作|搞|处理|申报)",
        r"(?:办理|申请)?(?:流程|步骤|程序)(?:是)?(?:怎样|怎么样|什么|如何)的?",
    ],
    # cost: 收费吗、要交钱吗、多少钱
    "cost": [
        r"(?:要|需要)?(?:收费|交钱|交费|付费|要钱|收钱)(?:吗|不)?",
        r"(?:收不收费|要不要钱|要不要交钱|多少钱|费用多少)",
    ],
    # online: 可以网上办吗
    "online": [
        r"(?:可以|能|能不能|可不可以)(?:在)?网上(?:办理|办|申请)(?:吗)?",
        r"网上(?:能|可以)(?:办理|办|申请)(?:吗)?",
    ],
    # phone: 咨询电话是多少、有没有电话
    "phone": [r"(?:咨询)?电话(?:是)?多少", r"有没有(?:咨询)?电话"],
}
_ASPECT = re.compile("|".join(f"(?P<{kind}>{'|'.join(alts)})" for kind, alts in _ASPECTS.items()))
# More ways to ask a detail, heard only as a follow-up that names no service ("电话几多号", "打咩电话", "网上可唔可以
# 办"). Retrieval does not strip them (``strip_aspects``, ``dense_query`` are unchanged): stripping them from
# questions that name a service was never measured.
_SPOKEN_ASPECTS = {
    # photos, a material every card and licence asks: 要唔要相 → 要不要相, 要几张相, 使唔使影相
    "materials": [
        r"(?=[要使需带准交影拍几多])(?:要不要|要唔要|使不使|使唔使|需不需要|要|需要)?(?:带|准备|交|影|拍)?"
        r"(?:几张|几多张|多少张|几寸)?的?(?:相片|相|照片|证件照|寸照)(?:吗|么|不)?",
    ],
    # in person or on one's behalf: 要不要本人去、一定要亲自到场吗、可以叫人代办吗 (no item field: shown whole)
    "in_person": [
        r"(?:要不要|要唔要|需不需要|使不使|使唔使|一定要|必须|是不是要|系咪要|是否要)(?:本人|亲自|自己)"
        r"(?:去|到场|到现场|过去|来|办理|办)?",
        r"(?:可以|可不可以|可唔可以|能不能|能|得不得|得唔得)?(?:找|叫|请|让|托)?"
        r"(?:人|别人|家人|家里人|屋企人|屋下人|亲属|亲戚|他人|朋友)(?:帮我|帮手|帮忙)?"
        r"(?:代办|代领|代理|去办|去拿|去领)(?:吗|么|不|得唔得|得不得)?",
    ],
    # how long, in Cantonese and Hakka words: 几耐先搞掂、几久正做得好、要几耐先攞到
    "time": [
        r"(?:大概|一般|大约)?(?:要|需要|爱)?(?:多久|几耐|几久|几长时间|几多日)(?:正|先|才|就)?(?:能|可以|会)?"
        r"(?:做得好|做好|搞掂|搞定|办得好|办好|拎到|攞到|拿到|有得拎|有得攞|出证|落嚟|下来)?",
    ],
    # online, also as Cantonese and Hakka say it once normalised: 网上做得唔 → 网上做得不, 喺网上办 → 线上办
    "online": [
        r"(?:网上|线上)(?:能不能|可不可以|可以|能)(?:办理|办|申请|做|搞)(?:吗|么|不)?",
        r"(?:网上|线上)(?:做|办|搞|申请|办理)得(?:妥|掂|定|好)?(?:不|么|吗|冇|无)?",
        r"(?:可不可以|可以|能不能|能|是不是|做不做得|做得)(?:在)?(?:网上|线上)(?:办理|办|申请|做|搞)(?:吗|么|不)?",
        # no verb: 网上得唔得 → 网上可不可以, 网上行唔行, 线上得吗
        r"(?:网上|线上)(?:能不能|可不可以|可以|能|行不行|行唔行|得不得|得)(?:吗|么|不|嘛|咩)?$",
    ],
    "phone": [r"(?:咨询)?电话(?:号码?)?(?:是|系)?(?:多少|几多)号?", r"(?:打|拨)(?:什么|咩|乜嘢?|哪个|边个)电话"],
    # how much, as Hakka and Cantonese ask it: 要几钱, 几多银, 使唔使钱
    "cost": [r"(?:要|收|使|爱)?(?:几钱|几多银|几银|几多钱)(?:呀|啊)?", r"(?:使唔使|使不使|爱唔爱|要唔要)(?:交)?钱"],
}
_FOLLOW_UP = re.compile(
    "|".join(
        f"(?P<{kind}>{'|'.join(_SPOKEN_ASPECTS.get(kind, []) + _ASPECTS.get(kind, []))})"
        for kind in [*_ASPECTS, *(k for k in _SPOKEN_ASPECTS if k not in _ASPECTS)]
    )
)
_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")


def strip_aspects(query: str) -> str:
    """The question without generic aspect phrases; the question itself when little would be left."""
    out = _CJK_SPACE.sub("", " ".join(_ASPECT.sub(" ", query).split()))
    return out if len(out) >= 2 else query


# What may remain of a question about a detail of "the same service" besides the aspect phrase itself.
_LEFTOVER = re.compile(
    r"^(?:那|那么|噉|咁|还有|另外|再问下?|然后|这个|那个|呢个|嗰个|佢|它|要|需要|我|就|都|还)+|"
    r"[吗呢啊呀啦的了么嘛咧喔嘅，,。.?？!！\s]"
)


def only_an_aspect(query: str) -> bool:
    """The normalised question asks about a detail every service has and names none ("要带什么资料",
    "要多久", "在哪里办", "那收费吗"): a follow-up about the service talked about last."""
    question = _FILLER.sub("", query)
    if not _FOLLOW_UP.search(question):
        return False
    return len(_LEFTOVER.sub("", _FOLLOW_UP.sub("", question))) <= 1


def aspect_asked(query: str) -> str | None:
    """Which detail a normalised question asks about ("materials", "time", "place", "how", "cost", "online",
    "phone"), or None."""
    found = _FOLLOW_UP.search(_FILLER.sub("", query))
    return found.lastgroup if found is not None else None


def aspect_phrase(query: str) -> str:
    """The words a normalised question asks its detail in ("要带什么材料"), or "" when it asks none."""
    found = _FOLLOW_UP.search(_FILLER.sub("", query))
    return found.group(0) if found is not None else ""


# "咁居住证呢", "那营业执照又怎样": the question just answered, asked about another service.
_ABOUT_ANOTHER = re.compile(
    r"^(?:咁|噉|这么|这样|那|那么|那如果|如果系|如果是|换成|换做|改做)?(?P<other>[^，,。？?！!\s]{2,14}?)"
    r"(?:呢|又点|又点样|又怎样|又怎么样|又如何|又点算|又系点)[？?。!！~～]*$"
)


def another_service(query: str) -> str | None:
    """The service a normalised "咁居住证呢" asks the last question about ("居住证"), or None."""
    m = _ABOUT_ANOTHER.match(_FILLER.sub("", query).strip())
    return m.group("other") if m is not None else None


def dense_query(query: str) -> str:
    """The text a dense encoder sees: the normalised question without polite opening and aspect phrases."""
    return strip_aspects(_FILLER.sub("", query) or query)


# Generic service verbs: how citizens say what is to be done to a licence, record or account, and the
# catalogue's formal verb for it. Only verbs that apply to many services, never an item's name. The
# formal words are added to the lexical query (knowledge_base.retriever), never substituted: the
# question's own words still count.
_SERVICE_VERBS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), terms)
    for pattern, terms in [
        # increase capacity: 加大容量、扩大容量、容量不够
        (r"加大容量|扩大容量|加容量|扩容|容量不够|不够用", "增容"),
        # move: 搬到、搬过去、转到广州、调过去
        (r"搬(?:到|去|过去|过来|回|走|家)|转(?:到|去|过去|过来|回)|调(?:到|过去|过来)", "迁移 迁入 迁出"),
        # close down: 不干了、关掉、倒闭、结业
        (r"不干了|不做了|不开了|不经营了|关掉|关门|倒闭|结业|停业|歇业", "注销"),
        # lost: 丢了、掉了、弄丢、不见了、找不到了
        (r"丢了|丢失|弄丢|掉了|不见了|找不到了|被偷", "遗失 补领 补办 补发"),
        # expiry: 到期了、过期了、快到期
        (r"到期|过期|期满|快满了", "延续 续期 换证"),
        # change: 改名、改地址、换法人
        (r"改(?:名|一下|成|为|地址|名字|掉)|更改|修改|换(?:名|地址|法人|负责人)", "变更"),
        # first time: 第一次、头一次、新开
        (r"第一次|头一次|头一回|第一回|新开|刚开", "首次 新办 初次"),
        # same name: 同名同姓、名字一样
        (r"同名同姓|同名|重名|名字一样|一样的名字", "重名"),
        # refund: 退钱、多交的钱退回
        (r"退钱|退回来|退回|退返|多交|多扣|扣了两次|重复扣|重复交", "退费 退款"),
        # give back: 还回去、交还
        (r"还回去|交回去|还给|交还|退还", "归还"),
        # book: 约号、挂号、约时间
        (r"挂号|约号|约时间|点约|怎么约|预定", "预约"),
        # set up: 开公司、开一家、开店、成立
        (r"开(?:一家|一间|家|间)|开公司|开店|成立", "设立"),
    ]
)


def service_verbs(query: str) -> list[str]:
    """The catalogue's formal verbs for the colloquial ones in a normalised question (not those already in it)."""
    out: list[str] = []
    for rx, terms in _SERVICE_VERBS:
        if rx.search(query):
            out.extend(t for t in terms.split() if t not in query and t not in out)
    return out


def lexical_expansion(query: str) -> str:
    """The question with the formal verbs of its colloquial ones appended; the question itself when none."""
    extra = service_verbs(query)
    return f"{query} {' '.join(extra)}" if extra else query
