"""Text normalisation: width, script, spacing, punctuation, dialect words, control characters."""

from __future__ import annotations

import pytest

from knowledge_base.lexicon import shipped_pairs
from knowledge_base.normalize import DialectMap, clean_input, normalize


@pytest.fixture(scope="module")
def dialect() -> DialectMap:
    return DialectMap.build((w, m) for _d, w, m, _s in shipped_pairs())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ　１２３", "abc 123"),  # full width letters, digits and space
        ("辦理居住證要帶什麼資料？", "办理居住证要带什么资料"),  # traditional → simplified, punctuation
        ("营业执照   多久\n能办好！！", "营业执照多久能办好"),  # whitespace between CJK disappears
        ("", ""),
    ],
)
def test_normalize_width_script_space_punct(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("点样办护照，使唔使预约", "怎样办护照需不需要预约"),  # Cantonese
        ("𠊎想问下今晡日去奈位办社保", "我想问下今天去哪里办社保"),  # Hakka
        ("冇户口点算", "没有户口怎么办"),
        ("食品经营许可证", "食品经营许可证"),  # ordinary Mandarin stays untouched
        ("一直在等中央空调维修", "一直在等中央空调维修"),  # frequent Mandarin words are not dialect
    ],
)
def test_dialect_words_become_mandarin(dialect, raw, expected):
    assert normalize(raw, dialect) == expected


def test_dialect_map_prefers_longest_match():
    dm = DialectMap.build([("唔", "不"), ("唔该", "谢谢")])
    assert dm.apply("唔该晒，唔要") == "谢谢晒，不要"


def test_clean_input_removes_control_characters():
    assert clean_input("你好\x07\x1b世界 ") == "你好 世界"
