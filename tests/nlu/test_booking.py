"""Booking sentences: duration, room, people and topic."""

from __future__ import annotations

import pytest

from nlu.booking import parse_booking

ROOMS = ["三楼会议室", "五楼大会议室", "二楼小会议室"]


@pytest.mark.parametrize(
    ("text", "minutes", "room", "people", "topic"),
    [
        (
            "明天下午三点在三楼会议室开一小时会，请张三、李四参加，议题是汛期值班",
            60,
            "三楼会议室",
            ["张三", "李四"],
            "汛期值班",
        ),
        ("后天上午在五楼大会议室开一个半小时的会，邀请王强和刘洋出席", 90, "五楼大会议室", ["王强", "刘洋"], ""),
        ("周五下午二楼小会议室开半小时会，主题：周报", 30, "二楼小会议室", [], "周报"),
        ("明天十点开会45分钟", 45, None, [], ""),
        ("明天十点开会", None, None, [], ""),
    ],
)
def test_parse_booking(text: str, minutes: int | None, room: str | None, people: list[str], topic: str) -> None:
    got = parse_booking(text, ROOMS)
    assert (got.minutes, got.room, got.people, got.topic) == (minutes, room, people, topic)
