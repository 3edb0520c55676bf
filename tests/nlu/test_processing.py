"""NLU processing without Rasa: time expressions, numbers, entity validation, preprocessing, the jieba dictionary."""

from __future__ import annotations

from datetime import datetime

import pytest

from kernel.clock import SHANGHAI
from nlu.entities import postprocess, rating_level, rating_reason, valid_ticket_id
from nlu.numerals import chinese_number
from nlu.service import preprocess
from nlu.timeparse import parse_time

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("明天下午三点在三楼会议室开会", "2026-11-19T15:00:00+08:00"),
        ("下周一上午", "2026-11-23T09:00:00+08:00"),
        ("后天", "2026-11-20T09:00:00+08:00"),
        ("3点半", "2026-11-18T15:30:00+08:00"),
        ("三点一刻", "2026-11-18T15:15:00+08:00"),
        ("25号上午10点", "2026-11-25T10:00:00+08:00"),
        ("12月1日下午两点半", "2026-12-01T14:30:00+08:00"),
        ("周一", "2026-11-23T09:00:00+08:00"),  # this week's Monday has passed
        ("本周五", "2026-11-20T09:00:00+08:00"),
        ("今晚八点", "2026-11-18T20:00:00+08:00"),
        ("10点30分", "2026-11-18T10:30:00+08:00"),
        ("15:45", "2026-11-18T15:45:00+08:00"),
        ("听日下昼三点开会", "2026-11-19T15:00:00+08:00"),  # Cantonese
        ("听朝十点", "2026-11-19T10:00:00+08:00"),
        ("后日上昼", "2026-11-20T09:00:00+08:00"),
        ("下个礼拜三下昼三点", "2026-11-25T15:00:00+08:00"),
        ("呢个礼拜五", "2026-11-20T09:00:00+08:00"),
        ("琴日夜晚", "2026-11-17T19:00:00+08:00"),
        ("天光日下昼两点", "2026-11-19T14:00:00+08:00"),  # Hakka
        ("今晡日下昼四点", "2026-11-18T16:00:00+08:00"),
        ("昨晚十点", "2026-11-17T22:00:00+08:00"),
        ("琴晚", "2026-11-17T19:00:00+08:00"),
    ],
)
def test_time_expressions(text, iso):
    m = parse_time(text, NOW)
    assert m is not None and m.value.isoformat() == iso
    assert m.value.tzinfo is not None


def test_no_time_and_impossible_times():
    assert parse_time("请帮我查一下工单", NOW) is None
    assert parse_time("2月30日", NOW) is None
    assert parse_time("25点", NOW) is None
    assert parse_time("今后日子会好", NOW) is None  # 后日 ending another word is no day
    assert parse_time("目前日程很满", NOW) is None


def test_relative_to_the_injected_clock():
    later = datetime(2026, 12, 31, 18, 0, tzinfo=SHANGHAI)
    m = parse_time("明天上午九点", later)
    assert m is not None and m.value.isoformat() == "2027-01-01T09:00:00+08:00"


@pytest.mark.parametrize(("raw", "n"), [("十五", 15), ("二十", 20), ("三", 3), ("12", 12), ("二十三", 23)])
def test_chinese_numbers(raw, n):
    assert chinese_number(raw) == n


@pytest.mark.parametrize(
    ("ticket", "ok"), [("GD2026111800123", True), ("GD2026133200123", False), ("GD202611180012", False)]
)
def test_ticket_id_format_and_date(ticket, ok):
    assert valid_ticket_id(ticket) is ok


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("非常满意", "非常满意"),
        ("很不满意", "非常不满意"),
        ("一般般吧", "基本满意"),
        ("给个好评", "满意"),
        ("不太满意", "不满意"),
        # a negated "very" is no praise; a qualified one is basic
        ("不是很满意，处理得太慢", "不满意"),
        ("唔系几满意", "不满意"),
        ("都算满意嘅，不过慢咗啲", "基本满意"),
        ("麻麻哋啦", "基本满意"),
        ("都几满意", "满意"),
        # Cantonese 唔 and Hakka 毋 for 不, and Cantonese 好 for "very" (非常唔满意 was only 不满意)
        ("非常唔满意", "非常不满意"),
        ("好唔满意，第二日又堆返", "非常不满意"),
        ("𠊎毋满意", "不满意"),
        ("好满意，多谢晒", "非常满意"),
        ("唔好意思，我想问下", None),  # 唔好 is "don't", not 不好
        ("今天天气", None),
    ],
)
def test_rating_levels(text, level):
    assert rating_level(text) == level


def test_postprocess_validates_ids_resolves_time_and_maps_rating():
    text = "同意FW-2026-015，另外GD2026139900123不对，HY-2026-0042明天下午三点，电话13812345678，很满意"
    rasa = [
        {"entity": "doc_id", "value": "FW-2026-015", "start": 2, "end": 13},
        {"entity": "ticket_id", "value": "GD2026139900123", "start": 16, "end": 31},  # month 13: invalid
        {"entity": "rating", "value": "很满意", "start": len(text) - 3, "end": len(text)},
    ]
    got = {(e["entity"], e["value"]) for e in postprocess(rasa, text, NOW)}
    assert ("doc_id", "FW-2026-015") in got
    assert ("meeting_id", "HY-2026-0042") in got
    assert ("phone", "13812345678") in got
    assert ("rating", "非常满意") in got
    assert ("time", "2026-11-19T15:00:00+08:00") in got
    assert not any(k == "ticket_id" for k, _ in got)


def test_preprocess_keeps_ids_and_punctuation():
    assert preprocess("同意 ＦＷ-2026-015，請辦公室印發") == "同意 FW-2026-015,请办公室印发"


def test_dictionary_keeps_manual_entries_and_adds_short_kb_names(tmp_path):
    from nlu.dictionary_gen import render

    manual = tmp_path / "manual.txt"
    manual.write_text("三楼会议室 2000 n\n居住证 3000 n\n", encoding="utf-8")
    text = render(
        [("居住证", "n"), ("梅江区民政局", "nt"), ("一个非常非常非常长的事项名称超过十二个字", "n"), ("x", "n")], manual
    )
    assert text.splitlines() == ["三楼会议室 2000 n", "居住证 3000 n", "梅江区民政局 2000 nt"]


@pytest.mark.parametrize(
    ("said", "reason"),
    [
        ("不满意，昨晚12点还是很吵", "昨晚12点还是很吵"),
        ("𠊎觉得还可以，就系慢了滴", "就系慢了滴"),  # the speaker's lead-in is not the reason
        ("我觉得系基本满意，态度几好", "态度几好"),
        ("我的评价是满意", ""),
        ("基本满意吧", ""),  # a particle is no reason
        ("都算满意嘅，不过慢咗啲", "不过慢咗啲"),  # nor the rating's own final particle
        ("满意的话就好了", "的话就好了"),  # a particle that goes on is part of what was said
    ],
)
def test_a_ratings_reason_is_what_else_was_said(said: str, reason: str) -> None:
    assert rating_reason(said) == reason


async def test_the_product_gives_the_model_dialect_words_as_people_write_them():
    """The model is trained on Cantonese and Hakka as written; the KB's dialect-to-Mandarin words once reached it
    ("有冇单超咗时" → "有没有单超了时", read as a citizen's ticket query)."""
    from govchat.runtime import nlu_service
    from kernel.clock import FakeClock
    from nlu.manager import NluRuntime
    from tests.support.nlu_double import RecordedParser

    parser = RecordedParser({})
    nlu = nlu_service(NluRuntime(client=parser), FakeClock())  # type: ignore[arg-type]
    assert nlu is not None
    for text in ("有冇单超咗时", "𠊎有么个文要批", "呢单唔关我哋事，退返去"):
        assert (await nlu.understand(text)).text == preprocess(text)
    assert parser.calls == ["有冇单超咗时", "𠊎有么个文要批", "呢单唔关我哋事,退返去"]
