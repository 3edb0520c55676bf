"""What counts as asking for a person: the bot's strict reading and the inspection's liberal one, one word list."""

from __future__ import annotations

import pytest

from office_flows.handoff.asking import asks_for_person, person_phrases

REQUESTS = [
    "人工",
    "转人工",
    "我要人工",
    "人工客服",
    "找真人",
    "请帮我转人工好吗",
    "我不想填了，帮我转人工",
    "我想搵真人",  # Cantonese
    "搵人工",
    "同我转人工啦",
    "唔该转人工",
    "𠊎爱同人工讲",  # Hakka
    "爱真人",
    "转人攻",  # slips of the keyboard after a request verb
    "找仁工",
    "机器人太笨了我要转人工",  # a request ending a longer clause, without a comma
    "问了半天都不懂转人工吧",
    "你答非所问我想搵真人啦",  # Cantonese
    "讲来讲去都唔明𠊎爱同人工讲",  # Hakka
    "填到一半唔该转人工",
]
NOT_REQUESTS = [
    "人工湖旁边",  # the word in another sense
    "人工智能公司噪音扰民",
    "梅江区人工湖公园门口",
    "小区的人工河发臭",
    "路灯坏了需要人工修",  # part of a description
    "投诉人工客服态度差",
    "晚上有没有人管",
    "不要转人工",  # refused
    "唔要人工",
    "主人公",
    "梅江区江南路28号",
    "我不用转人工",  # a negated request ending a clause
    "我不想转人工",
    "你们别转人工了",
    "唔使同我转人工",
    "我家楼下的人工湖好臭",  # the speaker, then the word in another sense
    "我觉得要人工",  # no request opener before the phrase
    "这段路需要人工清扫",
]


@pytest.mark.parametrize("text", REQUESTS)
def test_plain_requests_for_a_person(text: str) -> None:
    assert asks_for_person(text)


@pytest.mark.parametrize("text", NOT_REQUESTS)
def test_other_senses_and_descriptions_are_not_requests(text: str) -> None:
    assert not asks_for_person(text)


def test_inspection_reads_the_same_words_liberally() -> None:
    assert person_phrases("𠊎爱真人同𠊎讲") == ["爱真人"]  # the longer phrase, not 真人 inside it
    assert person_phrases("投诉人工客服态度差") == ["人工客服"]  # worth a reviewer's look
    assert person_phrases("转人攻") == ["转人工"]
    assert person_phrases("人工智能可以办社保吗") == []
