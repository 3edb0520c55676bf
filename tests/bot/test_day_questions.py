"""Questions about the day itself ("今日几号", "而家几点", "听日使唔使返工") are answered from the clock and the
working calendar, in the chat and mid-intake, instead of a confident wrong KB answer ("今日几号" used to get
残疾人两项补贴, "而家几点" the hotline's opening hours)."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from govchat.runtime import Runtime
from kernel.clock import SHANGHAI, FakeClock
from kernel.workdays import set_override
from nlu.day_questions import Asked, DayQuestion, day_question
from office_flows.tickets.models import Ticket
from tests.support.dialogue import verify_dialog


@pytest.mark.parametrize(
    ("said", "asked", "offset"),
    [
        ("今日几号", Asked.DATE, 0),
        ("今天是几月几号？", Asked.DATE, 0),
        ("琴日几号", Asked.DATE, -1),
        ("听日系几号呀", Asked.DATE, 1),
        ("今天星期几呀", Asked.WEEKDAY, 0),
        ("今下係拜几", Asked.WEEKDAY, 0),  # Hakka: what weekday is it now
        ("而家几点", Asked.TIME, 0),
        ("现在几点了", Asked.TIME, 0),
        ("宜家几点钟啊", Asked.TIME, 0),
        ("今日系咪放假", Asked.WORKDAY, 0),
        ("今天是工作日吗", Asked.WORKDAY, 0),
        ("听日使唔使返工", Asked.WORKDAY, 1),
        ("明天政务大厅开门吗", Asked.WORKDAY, 1),
        ("天光日放唔放假", Asked.WORKDAY, 1),  # Hakka: tomorrow
        ("后日上唔上班", Asked.WORKDAY, 2),
        ("请问今日办事大厅开唔开门", Asked.WORKDAY, 0),
    ],
)
def test_questions_about_the_day_are_read(said: str, asked: Asked, offset: int) -> None:
    assert day_question(said) == DayQuestion(asked, offset)


@pytest.mark.parametrize(
    "said",
    [
        "几号",  # alone: an answer to something, or a question about something else
        "社保局几点开门",  # a place's opening hours: the KB's
        "办事大厅几点开门",
        "今日农历几号",  # the lunar date is not known here
        "今日有咩要批",
        "今日几号去办居住证好",
        "明天上班前可以去办社保卡吗",
    ],
)
def test_other_questions_are_not_about_the_day(said: str) -> None:
    assert day_question(said) is None


async def test_the_date_weekday_and_time_come_from_the_clock(rt: Runtime) -> None:
    # the tests' clock: Wednesday 18 November 2026, 09:00 in Guangdong
    await verify_dialog(
        rt,
        [
            ("今日几号", "今天是 2026 年 11 月 18 日，星期三。"),
            ("听日星期几", "明天是 2026 年 11 月 19 日，星期四。"),
            ("而家几点", "现在是北京时间 09:00（2026 年 11 月 18 日，星期三）。"),
        ],
    )


async def test_a_working_day_says_the_office_hours(rt: Runtime) -> None:
    await verify_dialog(
        rt,
        [
            (
                "今日系咪放假",
                re.compile(
                    r"^今天（2026 年 11 月 18 日，星期三）是工作日，政务服务中心办公时间 8:30–12:00、14:30–17:30"
                ),
            ),
            ("后日上唔上班", re.compile(r"^后天（2026 年 11 月 20 日，星期五）是工作日")),
        ],
    )


async def test_a_weekend_a_holiday_and_a_made_up_working_day(rt: Runtime, clock: FakeClock) -> None:
    clock.set(datetime(2026, 10, 1, 10, 0, tzinfo=SHANGHAI))
    await verify_dialog(
        rt,
        [
            (
                "听日使唔使返工",
                re.compile(r"^明天（2026 年 10 月 2 日，星期五）是国庆节假期，政务服务中心不对外办公。.*粤省事"),
            ),
        ],
    )
    clock.set(datetime(2026, 10, 9, 10, 0, tzinfo=SHANGHAI))
    await verify_dialog(
        rt,
        [
            ("明天政务大厅开门吗", re.compile(r"^明天（2026 年 10 月 10 日，星期六）是工作日（调休上班）")),
            ("后日上唔上班", re.compile(r"^后天（2026 年 10 月 11 日，星期日）是休息日")),
        ],
    )


async def test_the_admins_override_wins_and_an_unknown_year_is_said_to_be_guessed(
    rt: Runtime, clock: FakeClock
) -> None:
    async with rt.db.session() as s:
        await set_override(s, date(2026, 11, 19), False, "台风停工", by="admin", now=clock.now())
        await s.commit()
    clock.set(datetime(2031, 3, 3, 10, 0, tzinfo=SHANGHAI))
    await verify_dialog(rt, [("今日系唔系工作日", re.compile(r"是工作日（节假日安排尚未录入，按周一至周五推算）"))])
    clock.set(datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI))
    await verify_dialog(rt, [("听日开唔开门", re.compile(r"^明天（2026 年 11 月 19 日，星期四）是休息日"))])


async def test_the_date_asked_mid_intake_is_answered_and_the_step_asked_again(rt: Runtime) -> None:
    await verify_dialog(
        rt,
        [
            ("我想投诉隔离邻居装修好吵", ["登记投诉工单", "具体地点在哪里"]),
            ("梅江区华南大道8号", "从什么时候开始"),
            (
                "今日几号先",
                ["今天是 2026 年 11 月 18 日，星期三。", re.compile("我们继续刚才的登记：.*从什么时候开始")],
            ),
            ("上个礼拜开始", "留下手机号码"),
        ],
    )
    async with rt.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Ticket)) == 0  # nothing filed yet
