"""Training questions built from the loaded KB's own structure, nothing else.

Each training question names its target entry and the texts to leave out of retrieval:

- **alias** (catalogue name or editor alias not shared with another entry): asked as it is, with that
  text left out, so the model cannot learn "an exact match of an indexed text answers";
- **FAQ questions and similar questions**: each asked with its own text left out (leave-one-out); the
  FAQ's other questions and its item still count as the right answer;
- **colloquial rewrites of the name**: some of its words dropped (keeping the bracketed variant detail,
  which tells look-alike items apart), framed as a citizen asks (怎么办理, 要带什么材料, 点样办, 仰般办 …;
  Cantonese and Hakka frames go through the same dialect normalisation as real questions); in a dialect
  frame, Mandarin words of the name are also said in that dialect, from the shipped lexicons
  (小孩 → 细人, 回家 → 转屋下, 多少 → 几多), so the model sees dialect wording that the normaliser may or
  may not map back;
- **out of KB**: a share of the questions are asked with every text of their target left out, so that
  the best remaining candidates are neighbours (same catalogue name, same department, lexically close)
  and the right label for all of them is "does not answer".

The candidates retrieved for each question supply the hard negatives: look-alike variants, same-
department neighbours and lexically close entries are exactly what retrieval puts next to the target.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass

import jieba

from knowledge_base import lexicon
from knowledge_base.retriever import SearchSnapshot

# How citizens frame a request, in Mandarin, Cantonese and Hakka; {x} is the service.
FRAMES: tuple[str, ...] = (
    "{x}",
    "{x}怎么办理",
    "请问{x}要带什么材料",
    "我想办{x}",
    "{x}在哪里办",
    "办{x}要多久",
    "想咨询一下{x}的事情",
    "我要{x}，找哪个部门",
    "{x}可以网上办吗",
    "{x}需要什么条件",
    "{x}点样办",
    "想问下{x}喺边度办",
    "{x}要带咩嘢",
    "我想搞{x}，要几耐",
    "𠊎爱办{x}，仰般办",
    "{x}爱带么个材料",
)
# The dialect of each dialect frame above (by index): its names' words may be said in that dialect.
FRAME_DIALECT: dict[int, str] = {**dict.fromkeys(range(10, 14), "cantonese"), 14: "hakka", 15: "hakka"}
# Share of a dialect frame's name words that are said in the dialect when the lexicon has a form for them.
DIALECT_WORD_SHARE = 0.5
# Everyday context citizens put around a request (who, when, why); none names a service. Real questions
# carry such words, which no KB text contains: they lower the lexical share and the cosine as in real use.
CONTEXTS: tuple[str, ...] = (
    "我爸",
    "我妈",
    "家里老人",
    "我们公司",
    "单位让我",
    "上个月",
    "去年",
    "刚从外地回来",
    "听朋友说",
    "现在急着用",
    "我老婆",
    "我个仔",
    "屋企人",
    "𠊎屋下",
    "之前",
    "这两天",
    "朋友问我",
    "我自己",
)
_BRACKET = re.compile(r"[(（](.*)[)）]\s*$")
_INNER = re.compile(r"[(（)）]")


@dataclass(frozen=True)
class TrainingQuestion:
    text: str  # raw: normalised with the KB's dialect map before retrieval
    target: tuple[str, int]
    excluded: frozenset[int]  # text ids left out of retrieval
    out_of_kb: bool = False


def _core(name: str) -> str:
    """The distinguishing part of an item name: the bracketed variant when there is one."""
    m = _BRACKET.search(name)
    if m and len(_INNER.sub("", m.group(1))) >= 4:
        return _INNER.sub("", m.group(1))
    return _INNER.sub("", name)


def colloquial(
    name: str,
    rng: random.Random,
    *,
    drop: float = 0.25,
    context: float = 0.0,
    dialect_words: Mapping[str, Mapping[str, tuple[str, ...]]] | None = None,
) -> str:
    """A rewrite of a name as a citizen might ask for it: some words dropped, in a random frame, with
    everyday context (with probability ``context``); in a dialect frame, words of the name said in that
    dialect (``dialect_words``: dialect → Mandarin word → its dialect forms)."""
    words = [w for w in jieba.lcut(_core(name)) if w.strip()]
    kept = [w for w in words if rng.random() >= drop] or [max(words, key=len, default=name)]
    frame = rng.randrange(len(FRAMES))
    forms = (dialect_words or {}).get(FRAME_DIALECT.get(frame, ""), {})
    if forms:
        kept = [rng.choice(forms[w]) if w in forms and rng.random() < DIALECT_WORD_SHARE else w for w in kept]
    core = "".join(kept)
    if len(core) < 2:
        core = _core(name)
    text = FRAMES[frame].format(x=core)
    if rng.random() < context:
        text = "".join(rng.sample(CONTEXTS, k=rng.choice((1, 2)))) + text
    return text


def training_questions(
    snap: SearchSnapshot,
    *,
    seed: int = 0,
    per_entry: int = 2,
    out_of_kb: float = 0.3,
    limit: int = 12000,
    drop: float = 0.25,
    hide_profile: bool = False,
    hide_name: bool = False,
    context: float = 0.0,
    dialect_words: Mapping[str, Mapping[str, tuple[str, ...]]] | None = None,
) -> list[TrainingQuestion]:
    """Questions for every published entry of a snapshot (deterministic for a seed)."""
    rng = random.Random(seed)
    if dialect_words is None:
        dialect_words = lexicon.dialect_forms()
    by_code: dict[str, list[tuple[str, int]]] = {}
    for key, info in snap.entries.items():
        if info.source_code:
            by_code.setdefault(info.source_code, []).append(key)
    out: list[TrainingQuestion] = []
    for key in sorted(snap.entries):
        info = snap.entries[key]
        ids = snap.entry_texts.get(key, ())
        texts = [snap.texts[i] for i in ids if i in snap.texts]
        # Leaving the target out entirely must also remove its FAQs / its item (same source code).
        family = by_code.get(info.source_code, [key]) if info.source_code else [key]
        all_ids = frozenset(i for k in family for i in snap.entry_texts.get(k, ()))
        asked: list[tuple[str, frozenset[int]]] = []
        for t in texts:
            if t.field in ("alias", "question", "similar") and t.text not in snap.shared_texts:
                asked.append((t.text, frozenset({t.id})))
        if key[0] == "item":
            # Citizens rarely name the department: its profile text is left out for these.
            hide = {"profile"} if hide_profile else set()
            hide |= {"name"} if hide_name else set()
            hidden = frozenset(t.id for t in texts if t.field in hide)
            asked.extend(
                (colloquial(info.title, rng, drop=drop, context=context, dialect_words=dialect_words), hidden)
                for _ in range(per_entry)
            )
        for text, excluded in asked:
            gone = rng.random() < out_of_kb
            out.append(TrainingQuestion(text, key, all_ids if gone else excluded, gone))
    rng.shuffle(out)
    return out[:limit]


def is_positive(snap: SearchSnapshot, question: TrainingQuestion, key: tuple[str, int]) -> bool:
    """Whether a candidate entry answers a training question (its target, or the same item's FAQ)."""
    if question.out_of_kb:
        return False
    if key == question.target:
        return True
    code = snap.entries[question.target].source_code
    return code is not None and snap.entries[key].source_code == code
