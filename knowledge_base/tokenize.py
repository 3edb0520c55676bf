"""jieba tokenisation for lexical search, with the KB's own names in the user dictionary."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import jieba

from knowledge_base.mandarin_dict import add_kb_words

# Words that say what kind of question it is, not which service it is about.
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "么",
        "嘛",
        "哦",
        "喔",
        "是",
        "在",
        "有",
        "和",
        "与",
        "及",
        "或",
        "我",
        "你",
        "他",
        "她",
        "我们",
        "你们",
        "想",
        "要",
        "请",
        "请问",
        "问",
        "问下",
        "一下",
        "下",
        "个",
        "怎么",
        "怎样",
        "如何",
        "什么",
        "哪里",
        "哪儿",
        "哪个",
        "哪些",
        "多久",
        "多少",
        "几天",
        "能",
        "能不能",
        "可以",
        "可不可以",
        "需要",
        "需不需要",
        "要不要",
        "吗",
        "去",
        "到",
        "办",
        "办理",
        "怎么办",
        "咨询",
        "这个",
        "那个",
        "就",
        "还",
        "都",
        "也",
        "又",
        "被",
        "把",
        "让",
        "给",
        "对",
        "从",
        "跟",
        "么",
        "啥",
        "没有",
        "不",
        "没",
        "好",
        "谢谢",
        "您",
        "您好",
        "你好",
        "一",
        "些",
        "现在",
        "今天",
        "了解",
        "知道",
        "告诉",
        "帮",
        "帮忙",
        "应该",
        "得",
        "地",
        "着",
        "过",
        "吧",
        "呗",
        "呐",
        "哈",
        "嗯",
        "诶",
        "额",
        "该",
        "该怎么",
        "是不是",
        "有没有",
        "时候",
        "时间",
        "需",
        # aspect words: which detail of a service is asked about, not which service
        "材料",
        "资料",
        "证件",
        "带",
        "带什么",
        "手续",
        "流程",
        "步骤",
        "条件",
        "地点",
        "地址",
        "电话",
        "号码",
        "费用",
        "收费",
        "钱",
        "多少钱",
        "网上",
        "在线",
        "能办",
        "办好",
        "办下来",
        "天",
        "几天",
        "要多久",
        "申请",
        "哪",
        "哪儿",
        "弄",
        "搞",
    ]
)


def add_words(words: Iterable[str], freq: int = 2000) -> int:
    """Teach jieba the KB's names (item names, aliases, departments); returns how many were new."""
    stripped = (word.strip() for word in words)
    return add_kb_words((w for w in stripped if 2 <= len(w) <= 20 and " " not in w), freq)


def tokens(text: str) -> list[str]:
    """Search-mode tokens of normalised text: long dictionary words plus their sub-words."""
    out = []
    for tok in jieba.cut_for_search(text):
        tok = tok.strip()
        if tok and tok not in STOPWORDS:
            out.append(tok)
    return out


def initialise() -> None:
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
