"""Query-side text handling of the KB: aspect phrases, service verbs, shared texts, dialect word boundaries."""

from __future__ import annotations

import pytest

from knowledge_base.lexicon import service_terms, shipped_pairs
from knowledge_base.normalize import DialectMap, normalize
from knowledge_base.query import (
    dense_query,
    lexical_expansion,
    service_verbs,
    strip_aspects,
)
from knowledge_base.retriever import EntryInfo, FusionParams, IndexedText, fuse


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("第一次办港澳通行证要带什么材料在那里办", "第一次办港澳通行证"),
        ("取水许可要多少天", "取水许可"),
        ("高校教师资格认定有没有咨询电话", "高校教师资格认定"),
        ("注册内资有限公司可以网上办吗", "注册内资有限公司"),
        ("律师事务所设立怎么申请要几天", "律师事务所设立"),
        ("残疾证补办收费吗", "残疾证补办"),
        # 查 names the many 查询 items: it stays
        ("普通话证书在哪里查", "普通话证书在哪里查"),
        # nothing but aspects: the question is kept as it is
        ("要带什么材料", "要带什么材料"),
    ],
)
def test_strip_aspects(question, expected):
    assert strip_aspects(question) == expected


def test_dense_query_drops_polite_opening_and_aspects():
    assert dense_query(normalize("请问，护照怎么办理？")) == "护照"
    assert dense_query(normalize("您好")) == "您好"


@pytest.mark.parametrize(
    ("question", "verbs"),
    [
        ("店里电不够用了要申请加大容量", ["增容"]),
        ("店不干了营业执照怎么处理", ["注销"]),
        ("毕业证弄丢了", ["遗失", "补领", "补办", "补发"]),
        ("许可证快到期了", ["延续", "续期", "换证"]),
        ("第一次申请频率", ["首次", "新办", "初次"]),
        ("想看看有多少人跟他同名同姓", ["重名"]),
        ("集体户口页用完了要还回去", ["归还"]),
        # formal words already in the question are not repeated
        ("取水许可证到期了想延续", ["续期", "换证"]),
        # no colloquial verb: nothing added; 开证明 is not setting something up
        ("护照", []),
        ("在哪里开一个婚姻登记记录的证明", []),
    ],
)
def test_service_verbs(question, verbs):
    assert service_verbs(question) == verbs


def test_lexical_expansion_appends_and_keeps_the_question():
    assert lexical_expansion("要申请加大容量") == "要申请加大容量 增容"
    assert lexical_expansion("护照") == "护照"


def _text(tid: int, entry: int, text: str) -> IndexedText:
    return IndexedText(tid, "item", entry, "name", text)


def test_fuse_shared_text_penalty_lets_each_entry_s_own_name_decide():
    entries = {
        ("item", 1): EntryInfo("item", 1, "延续取水许可", "A"),
        ("item", 2): EntryInfo("item", 2, "新增取水许可", "B"),
    }
    # Both share the catalogue name 取水许可, which matches best; their own names match a little less.
    cands = [
        (_text(1, 1, "取水许可"), 0.9, ()),
        (_text(2, 2, "取水许可"), 0.9, ()),
        (_text(3, 1, "延续取水许可"), 0.75, ()),
        (_text(4, 2, "新增取水许可"), 0.85, ()),
    ]
    p = FusionParams(dense=())
    plain = fuse(entries, cands, p, "lexical", [])
    assert plain[0].fused == plain[1].fused  # a tie, broken by entry id: the renewal first
    ranked = fuse(entries, cands, p, "lexical", [], shared=frozenset(["取水许可"]))
    assert [h.title for h in ranked] == ["新增取水许可", "延续取水许可"]
    assert ranked[0].matched_text == "新增取水许可"


def test_dialect_words_only_replace_whole_words():
    dm = DialectMap.build([("报了", "参加了"), ("书馆", "私塾"), ("唔见", "丢"), ("咗", "了")])
    assert normalize("举报了能有奖励吗", dm) == "举报了能有奖励吗"
    assert normalize("在中山图书馆借书", dm) == "在中山图书馆借书"
    assert normalize("保安证唔见咗", dm) == "保安证丢了"


def test_shipped_lexicon_skips_pairs_of_common_mandarin_characters():
    words = {w for _d, w, _m, _s in shipped_pairs()}
    assert not words & {"过了", "必去", "有多", "个名", "高企"}
    assert {"屋企", "唔该", "几耐"} <= words


def test_service_terms_replace_whole_words_only():
    dm = DialectMap.build([("高企", "高新技术企业"), ("低保", "最低生活保障")], whole_words=["高企", "低保"])
    assert normalize("想申请评高企", dm) == "想申请评高新技术企业"
    assert normalize("提高企业竞争力", dm) == "提高企业竞争力"
    assert normalize("申请低保要什么材料", dm) == "申请最低生活保障要什么材料"


def test_shipped_service_terms_are_abbreviations():
    terms = dict(service_terms())
    assert terms["低保"] == "最低生活保障"
    assert all(variant not in term for variant, term in terms.items())


@pytest.mark.parametrize(
    "question",
    ["要带什么材料", "要多久", "在哪里办", "那收费吗", "还有，电话多少", "需要准备哪些资料呢", "可以网上办吗"],
)
def test_a_follow_up_asks_only_an_aspect(question):
    from knowledge_base.query import only_an_aspect

    assert only_an_aspect(question)


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("电话几多号", "phone"),
        ("电话号码系几多", "phone"),
        ("打什么电话", "phone"),
        ("网上可不可以办", "online"),
        ("要不要本人去", "in_person"),
        ("一定要亲自到场吗", "in_person"),
        ("可以叫人代办吗", "in_person"),
        ("屋企人去办得唔得", "in_person"),
        ("可以叫家里人代办吗", "in_person"),
        ("几久正做得好", "time"),  # Hakka, after 居住证's answer: used to be read as the citizen's ticket
        ("要几耐先搞掂", "time"),
        # normalised Cantonese and Hakka: "网上做得唔" after 居住证's answer got 企业注销 from the KB
        ("网上做得不", "online"),
        ("网上办得不", "online"),
        ("可不可以线上办", "online"),
        ("网上搞得妥不", "online"),
        ("网上做得么", "online"),
        ("要几钱", "cost"),  # Hakka "how much" after 犬只登记's answer: not understood
        ("使唔使钱", "cost"),
        ("要不要相", "materials"),  # 要唔要相 (photos) after 社保卡's answer got 结婚登记's FAQ
        ("要几张相", "materials"),
        ("使唔使影相", "materials"),
        ("网上可不可以", "online"),  # 网上得唔得 normalised
        ("网上行不行", "online"),
        ("线上得吗", "online"),
    ],
)
def test_spoken_follow_ups_name_their_detail_and_are_not_stripped_from_retrieval(question, aspect):
    """Said after an answer, these used to be declined; retrieval's query is unchanged (never measured there)."""
    from knowledge_base.query import aspect_asked, dense_query, only_an_aspect

    assert only_an_aspect(question) and aspect_asked(question) == aspect
    assert dense_query("旅游投诉" + question) == "旅游投诉" + question


@pytest.mark.parametrize(
    "question",
    ["居住证要带什么材料", "营业执照要多久", "社保卡在哪里办", "你好", "我要投诉", "多少钱一斤的菜", ""],
)
def test_a_question_naming_a_service_is_no_follow_up(question):
    from knowledge_base.query import only_an_aspect

    assert not only_an_aspect(question)


@pytest.mark.parametrize(
    ("question", "other"),
    [
        ("咁居住证呢", "居住证"),
        ("这么居住证呢", "居住证"),  # 咁 as the KB normalises it
        ("那营业执照又怎样？", "营业执照"),
        ("社保卡又点", "社保卡"),
    ],
)
def test_the_last_question_asked_about_another_service(question, other):
    from knowledge_base.query import another_service

    assert another_service(question) == other


@pytest.mark.parametrize("question", ["居住证要带什么材料", "你呢", "点解呢个咁贵呢，我觉得唔合理", "要几耐"])
def test_no_other_service_is_asked_about(question):
    from knowledge_base.query import another_service

    assert another_service(question) is None
