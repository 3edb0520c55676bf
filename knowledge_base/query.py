"""What a question says about WHICH item, apart from how it is phrased.

- ``dense_query``: the text the dense encoders see, without a polite opening (请问、您好) and without
  generic "aspect" phrases (要带什么材料、多久能办好、在哪里办、怎么办理、收费吗、可以网上办吗、电话多少)
  that ask about a detail of any service and pull the question vector towards other questions instead
  of towards the item's name.
- ``item_actions`` / ``question_cues``: the catalogue has look-alike variants of one service (新增 /
  变更 / 延续 / 补发 / 注销 …). A variant named for a change, renewal, reissue or cancellation is the
  right answer only when the question says so (改、到期、丢了、注销 …); otherwise the plain service is
  meant. See ``FusionParams.variant_penalty``.

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
# deliberately absent: for the many 查询 items it is what the service is.
_ASPECT = re.compile(
    "|".join(
        [
            # materials: 要带什么材料、需要准备哪些资料、要交什么
            rf"(?:需要|要|得|应该|该)?(?:带|准备|交|提交|提供|备|递交|拿)?(?:一些|些|好)?{_WHAT}的?{_PAPERS}",
            rf"(?:需要|要|得)?(?:带|准备|交|提交|提供){_WHAT}(?:去|过去|来)?",
            # time: 要多久、多少个工作日、几天能拿到
            r"(?:大概|一般|大约)?(?:要|需要|得)?(?:多久|多长时间|多少天|几天|多少个?工作日|几个工作日)"
            r"(?:才|就)?(?:能|可以|会)?(?:办好|办完|拿到|拿证|出证|下来|批下来|审批完|批|办结|出结果)?",
            r"(?:什么时候)(?:能|可以)?(?:办好|拿到|出证|下来)",
            # place: 在哪里办、去哪个窗口受理、找哪个部门
            r"(?:应该|要|可以|能)?(?:在|去|到)?(?:哪里|哪儿|哪|那里|什么地方|哪个窗口|哪个部门)"
            r"(?:办理|办|申请|交|受理|提交|递交)",
            r"(?:办理|受理)?(?:地点|地址|窗口)在(?:哪里|哪儿|哪)",
            r"找(?:省里|市里)?(?:哪个部门|哪里|谁)",
            # how: 怎么办理、如何申请、流程是怎样的
            r"(?:应该|要|该)?(?:怎么|怎样|如何)(?:办理|申请|办|弄|操作|搞|处理|申报)",
            r"(?:办理|申请)?(?:流程|步骤|程序)(?:是)?(?:怎样|怎么样|什么|如何)的?",
            # cost: 收费吗、要交钱吗、多少钱
            r"(?:要|需要)?(?:收费|交钱|交费|付费|要钱|收钱)(?:吗|不)?",
            r"(?:收不收费|要不要钱|要不要交钱|多少钱|费用多少)",
            # online: 可以网上办吗
            r"(?:可以|能|能不能|可不可以)(?:在)?网上(?:办理|办|申请)(?:吗)?",
            r"网上(?:能|可以)(?:办理|办|申请)(?:吗)?",
            # phone: 咨询电话是多少、有没有电话
            r"(?:咨询)?电话(?:是)?多少",
            r"有没有(?:咨询)?电话",
        ]
    )
)
_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")


def strip_aspects(query: str) -> str:
    """The question without generic aspect phrases; the question itself when little would be left."""
    out = _CJK_SPACE.sub("", " ".join(_ASPECT.sub(" ", query).split()))
    return out if len(out) >= 2 else query


def dense_query(query: str) -> str:
    """The text a dense encoder sees: the normalised question without polite opening and aspect phrases."""
    return strip_aspects(_FILLER.sub("", query) or query)


# What a variant does to a licence or record, read from the item's name ...
_ITEM_ACTIONS = {
    "change": re.compile(r"变更"),
    "renew": re.compile(r"延续|续期|延期|换发|换证|续展"),
    "reissue": re.compile(r"补发|补办|补领|遗失|挂失|损毁"),
    "cancel": re.compile(r"注销|撤销|终止"),
}
# ... and the words by which a question asks for it (broad on purpose: a cue only lifts the penalty).
_QUESTION_CUES = {
    "change": re.compile(r"变更|改|更换|换成|换个|转让|迁"),
    "renew": re.compile(r"延续|续期|延期|续|到期|过期|换发|换证|换本|换新"),
    "reissue": re.compile(r"补发|补办|补领|丢|遗失|不见|损坏|破损|烂|坏了|挂失"),
    "cancel": re.compile(r"注销|撤销|不做了|不干了|关掉|关闭|停业|终止|取消"),
}


def item_actions(title: str) -> frozenset[str]:
    """The variant actions an item's name states (change, renew, reissue, cancel); empty for a plain item."""
    return frozenset(a for a, rx in _ITEM_ACTIONS.items() if rx.search(title))


def question_cues(query: str) -> frozenset[str]:
    """The variant actions a normalised question asks for."""
    return frozenset(a for a, rx in _QUESTION_CUES.items() if rx.search(query))


def variant_mismatch(actions: frozenset[str], cues: frozenset[str]) -> bool:
    """True for a change/renewal/reissue/cancellation variant that the question does not ask for."""
    return bool(actions) and not (actions & cues)
