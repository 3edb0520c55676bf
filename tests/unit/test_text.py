"""Normalisation, dialect words, tokenisation, masking and input guards."""

from __future__ import annotations

import logging

import pytest

from bot.guard import BINARY, EMPTY, problem_with
from kernel.logging_setup import MaskingFormatter, configure_logging, mask_sensitive
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


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("身份证 44140219900101123X 已登记", "身份证 441402********123X 已登记"),
        ("电话13812345678请回电", "电话138****5678请回电"),
        ("座机 0753-2188888", "座机 0753-****8888"),
        ("工单 GD2026111800123", "工单 GD2026111800123"),  # ticket ids are not phone numbers
    ],
)
def test_mask_sensitive(text, masked):
    assert mask_sensitive(text) == masked


def test_log_records_are_masked():
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "来电 %s", ("13912345678",), None)
    assert "139****5678" in MaskingFormatter("%(message)s").format(record)


def test_chatty_libraries_are_quiet_at_info():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("INFO")
        assert logging.getLogger("govchat").isEnabledFor(logging.INFO)
        for name in ("nio.rooms", "nio.client.base_client", "faiss.loader", "jieba", "apscheduler.scheduler"):
            assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("", EMPTY),
        ("   \n", EMPTY),
        ("\x00\x01\x02binary", BINARY),
        (b"bytes", BINARY),
        ("正常的问题", None),
    ],
)
def test_guard(text, reply):
    assert problem_with(text, 2000) == reply


def test_guard_refuses_oversized_text():
    assert "最多 2000 个字" in (problem_with("字" * 2001, 2000) or "")
