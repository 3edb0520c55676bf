"""Dialect detection from the scored lexicon: clear cases, the Mandarin it must leave alone, and its evidence."""

from __future__ import annotations

import pytest

from knowledge_base.dialect_detect import CANTONESE, HAKKA, MANDARIN, detect


@pytest.mark.parametrize(
    ("text", "dialect"),
    [
        ("唔该，我想问下点样补办身份证", CANTONESE),
        ("佢哋讲嘢我睇唔明", CANTONESE),
        ("唔好話條仔玩你感情喎", CANTONESE),  # traditional characters; 喎 is 㖞 once simplified
        ("𠊎屋下门口个路灯坏撇哩", HAKKA),
        ("今晡日去办证，仰般排队？", HAKKA),
        ("我家门口的路灯坏了好几天了", MANDARIN),
        ("系统一直显示提交失败，请问怎么处理", MANDARIN),  # 系 is Mandarin; only 係 counts
        ("客家话和粤语的宣传资料在哪里领取", MANDARIN),  # naming a dialect is not writing it
        ("", MANDARIN),
    ],
)
def test_detect(text: str, dialect: str) -> None:
    assert detect(text).dialect == dialect


def test_evidence_names_the_markers() -> None:
    d = detect("𠊎想问么个时候办得好")
    assert d.dialect == HAKKA and d.label == "客家话" and "𠊎" in d.evidence and "么个" in d.evidence
