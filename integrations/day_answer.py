"""The answer to a question about the day itself (``nlu.day_questions``): the date, the weekday, the time, or
whether a day is a working day, from the injected clock and the working calendar (statutory holidays, 调休
make-up days and the admin's overrides). Office hours are the calendar's own (``kernel.workdays.PERIODS``)."""

from __future__ import annotations

from datetime import date, timedelta

from kernel.clock import SHANGHAI, Clock
from kernel.db import Database
from kernel.workdays import PERIODS, WorkCalendar, holiday_name
from nlu.day_questions import Asked, DayQuestion

_WEEKDAYS = "一二三四五六日"
_DAY_NAMES = {0: "今天", 1: "明天", 2: "后天", -1: "昨天"}
_HOURS = "、".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in PERIODS).replace("08:", "8:")
_ONLINE = "可以网上办的事项可通过“粤省事”或广东政务服务网办理，12345 热线 7×24 小时都有人接听。"


def _day(d: date) -> str:
    return f"{d.year} 年 {d.month} 月 {d.day} 日，星期{_WEEKDAYS[d.weekday()]}"


async def day_answer(db: Database, clock: Clock, question: DayQuestion) -> str:
    now = clock.now().astimezone(SHANGHAI)
    day = now.date() + timedelta(days=question.offset)
    name = _DAY_NAMES.get(question.offset, f"{day.month} 月 {day.day} 日")
    if question.asked is Asked.TIME:
        return f"现在是北京时间 {now:%H:%M}（{_day(day)}）。"
    if question.asked is not Asked.WORKDAY:
        return f"{name}是 {_day(day)}。"
    async with db.session() as s:
        calendar = await WorkCalendar.load(s)
    guessed = "" if calendar.known(day) else "（节假日安排尚未录入，按周一至周五推算）"
    if calendar.is_workday(day):
        made_up = "（调休上班）" if day.weekday() >= 5 else ""
        return (
            f"{name}（{_day(day)}）是工作日{made_up}{guessed}，政务服务中心办公时间 {_HOURS}。"
            "12345 热线 7×24 小时都有人接听。"
        )
    holiday = holiday_name(day)
    rest = f"{holiday}假期" if holiday else "休息日"
    return f"{name}（{_day(day)}）是{rest}{guessed}，政务服务中心不对外办公。{_ONLINE}"
