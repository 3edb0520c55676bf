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
        # Cantonese: "一个钟" is an hour, people brought in with "叫埋" and no verb of attending after them
        ("帮我约个会，后日朝早十点，开一个钟，叫埋张伟同刘洋", 60, None, ["张伟", "刘洋"], ""),
        ("听日下昼两点，开两个半钟，叫埋陈静啦，议题系预算", 150, None, ["陈静"], "预算"),
        ("三点钟喺二楼开会，叫埋同事", None, "二楼小会议室", [], ""),
        # the people met with named before the meeting, the matter after it (both used to be lost)
        ("听日下昼三点约张伟同王强开个会讲防汛", None, None, ["张伟", "王强"], "防汛"),
        ("明天下午三点约张伟和王强开会，讨论防汛", None, None, ["张伟", "王强"], "防汛"),
        ("听日同张伟、王强开个会", None, None, ["张伟", "王强"], ""),
        ("约同事开会", None, None, [], ""),
        # "搵埋" / "找埋" (get … along too): the people used to be lost and the meeting booked without them
        ("后日朝早九点半开个会，搵埋王强同刘洋", None, None, ["王强", "刘洋"], ""),
        ("听日开会，找埋李娜", None, None, ["李娜"], ""),
    ],
)
def test_parse_booking(text: str, minutes: int | None, room: str | None, people: list[str], topic: str) -> None:
    got = parse_booking(text, ROOMS)
    assert (got.minutes, got.room, got.people, got.topic) == (minutes, room, people, topic)


@pytest.mark.parametrize(
    ("text", "headcount"),
    [("十个人左右", 10), ("大概8个人", 8), ("20人", 20), ("十五位", 15), ("第三个人", None), ("请李娜等人参加", None)],
)
def test_the_headcount_a_booking_says(text: str, headcount: int | None) -> None:
    assert parse_booking(text, ROOMS).headcount == headcount
