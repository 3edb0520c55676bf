"""Corrections of a time ("不是三点，是四点") and a corrected hour kept on the day already known."""

from __future__ import annotations

from datetime import datetime

import pytest

from kernel.clock import SHANGHAI
from nlu.timeparse import on_day_of, parse_time, week_asked

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=SHANGHAI)  # a Wednesday
BOOKED = datetime(2026, 11, 19, 15, 0, tzinfo=SHANGHAI)  # tomorrow 15:00


@pytest.mark.parametrize(
    ("text", "hour", "minute"),
    [
        ("唔系三点，系四点", 16, 0),
        ("不是三点，改四点", 16, 0),
        ("不是下午三点啊，应该是四点一刻", 16, 15),
        ("毋系三点，系五点半", 17, 30),
        ("时间错了，应该是四点半", 16, 30),
        ("并不是3点，要4点", 16, 0),
    ],
)
def test_the_corrected_time_is_the_one_meant(text: str, hour: int, minute: int) -> None:
    t = parse_time(text, NOW)
    assert t is not None and (t.value.hour, t.value.minute) == (hour, minute)
    assert not t.has_day


def test_a_corrected_hour_keeps_the_known_day_and_a_corrected_day_keeps_the_hour() -> None:
    hour_only = parse_time("唔系三点，系四点", NOW)
    assert hour_only is not None
    assert on_day_of(hour_only, BOOKED) == datetime(2026, 11, 19, 16, 0, tzinfo=SHANGHAI)
    day_only = parse_time("不是明天，是后天", NOW)
    assert day_only is not None and day_only.has_day and not day_only.has_clock
    assert on_day_of(day_only, BOOKED) == datetime(2026, 11, 20, 15, 0, tzinfo=SHANGHAI)
    both = parse_time("毋系明天，系后日上昼十点", NOW)
    assert both is not None and on_day_of(both, BOOKED) == datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


def test_a_negated_time_alone_is_still_read_and_plain_times_are_unchanged() -> None:
    alone = parse_time("不是三点", NOW)
    assert alone is not None and alone.value.hour == 15
    plain = parse_time("听日下昼三点", NOW)
    assert plain is not None and plain.has_day and plain.has_part and plain.value == BOOKED


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("我呢个礼拜有咩会", (11, 16), (11, 22)),
        ("这周有什么会议", (11, 16), (11, 22)),
        ("今个星期", (11, 16), (11, 22)),
        ("下个礼拜有冇会要开", (11, 23), (11, 29)),
        ("下下周", (11, 30), (12, 6)),
        ("上周开过咩会", (11, 9), (11, 15)),
    ],
)
def test_a_week_named_whole_is_monday_to_sunday(text: str, first: tuple[int, int], last: tuple[int, int]) -> None:
    span = week_asked(text, NOW)
    assert span is not None
    assert ((span.first.month, span.first.day), (span.last.month, span.last.day)) == (first, last)


@pytest.mark.parametrize("text", ["下周三有冇会", "周五", "我最近有什么会", "礼拜堂附近"])
def test_a_weekday_or_no_week_is_no_whole_week(text: str) -> None:
    assert week_asked(text, NOW) is None
