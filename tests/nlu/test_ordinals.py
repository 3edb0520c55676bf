"""An item of a numbered list pointed at in words ("第二份", "头一份", "最后嗰件"), and what is not one."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from integrations.context import LISTED_TTL, listed_item, remember_listing
from kernel.clock import SHANGHAI
from nlu.numerals import LAST, ordinal_in, without_leading_ordinal

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("said", "place"),
    [
        ("第一份写咩嘅", 1),
        ("同意第2件", 2),
        ("第 二 个", 2),
        ("签收第一张", 1),
        ("头一份批咗佢", 1),
        ("第十二份", 12),
        ("最后嗰份退返去", LAST),
        ("最后一件", LAST),
    ],
)
def test_a_place_in_a_list(said: str, place: int) -> None:
    found = ordinal_in(said)
    assert found is not None and found[0] == place


@pytest.mark.parametrize("said", ["第一次投诉", "第二天又吵", "第一时间处理", "第零份", "一份材料"])
def test_not_a_place_in_a_list(said: str) -> None:
    assert ordinal_in(said) is None


def test_only_a_leading_place_is_dropped() -> None:
    assert without_leading_ordinal("第二张回复市民：已处理") == "回复市民：已处理"
    assert without_leading_ordinal("回复市民：第二张罚单已开出") == "回复市民：第二张罚单已开出"


def test_the_list_last_shown_is_pointed_into_while_fresh() -> None:
    session: dict[str, object] = {}
    remember_listing(session, "doc_id", ["FW-2026-001", "FW-2026-002", "FW-2026-003"], NOW)
    second = listed_item(session, "doc_id", "第二份写咩嘅", NOW)
    assert second is not None and (second.value, second.words) == ("FW-2026-002", "第二份")
    last = listed_item(session, "doc_id", "最后嗰份退返去", NOW)
    assert last is not None and last.value == "FW-2026-003"
    beyond = listed_item(session, "doc_id", "第五份同意", NOW)
    assert beyond is not None and (beyond.value, beyond.count) == (None, 3)
    assert listed_item(session, "ticket_id", "第二张", NOW) is None  # another kind of list
    assert listed_item(session, "doc_id", "同意", NOW) is None  # nothing pointed at
    assert listed_item(session, "doc_id", "第二份", NOW + LISTED_TTL + timedelta(minutes=1)) is None  # stale
    remember_listing(session, "doc_id", [], NOW)  # an empty list shown forgets the last one
    assert listed_item(session, "doc_id", "第二份", NOW) is None
