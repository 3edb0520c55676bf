"""What a turn announced as more of the same adds to the ticket just filed (``bot.nlu_handlers.added_to_filing``): the
words after the lead, a correction marked as one, nothing for a lead alone or "另一件事" (another matter)."""

from __future__ import annotations

import pytest

from bot.nlu_handlers import added_to_filing


@pytest.mark.parametrize(
    ("said", "added"),
    [
        ("还有就是每次都是一辆蓝色货车", "每次都是一辆蓝色货车"),
        ("仲有，佢哋系夜晚十点之后先开工", "佢哋系夜晚十点之后先开工"),
        ("另外，倒完之后整条路都是泥", "倒完之后整条路都是泥"),
        ("头先讲错咗，唔系建筑垃圾，系生活垃圾", "更正，唔系建筑垃圾，系生活垃圾"),
        ("还有", ""),  # the lead alone: nothing added yet
        ("仲有啊", ""),
        ("另一件事，我楼下路灯坏咗", ""),  # another matter, not more of this one
        ("楼下又开始倒垃圾", ""),  # no lead: an ordinary turn
    ],
)
def test_what_a_turn_announced_as_more_adds(said: str, added: str) -> None:
    assert added_to_filing(said) == added
