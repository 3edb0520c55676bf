"""Working days: statutory holidays, 调休 make-up days, overrides beyond the package's years, office hours."""

from __future__ import annotations

from datetime import date, datetime

from kernel.clock import SHANGHAI
from kernel.workdays import WorkCalendar


def test_national_day_holiday_and_makeup_day():
    cal = WorkCalendar()
    assert not cal.is_workday(date(2026, 10, 1))
    # Filed on Wednesday 2026-09-30: the Golden Week does not count, the deadline moves past it.
    d = cal.add_workdays(datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI), 2)
    assert d.at.date() > date(2026, 10, 7) and not d.beyond_known
    assert d.at.hour == 17 and d.at.minute == 30


def test_beyond_known_years_warns_and_overrides_win():
    cal = WorkCalendar()
    d = cal.add_workdays(datetime(2026, 12, 30, 10, 0, tzinfo=SHANGHAI), 5)
    assert d.beyond_known and "节假日数据未覆盖" in d.warning
    cal = WorkCalendar({date(2027, 1, 1): False, date(2027, 1, 4): True})
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.known(date(2027, 6, 1))  # an override year counts as known (admin entered it)


def test_work_hours_skip_lunch_nights_and_weekends():
    cal = WorkCalendar()
    friday_4pm = datetime(2026, 11, 20, 16, 0, tzinfo=SHANGHAI)
    d = cal.add_work_hours(friday_4pm, 3)  # 1.5 h on Friday, 1.5 h on Monday morning
    assert d.at == datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
    assert cal.work_hours_between(friday_4pm, d.at) == 3
    noon = datetime(2026, 11, 18, 11, 0, tzinfo=SHANGHAI)
    assert cal.add_work_hours(noon, 2).at == datetime(2026, 11, 18, 15, 30, tzinfo=SHANGHAI)


def test_back_work_hours_is_the_inverse():
    cal = WorkCalendar()
    monday_10 = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
    assert cal.back_work_hours(monday_10, 3) == datetime(2026, 11, 20, 16, 0, tzinfo=SHANGHAI)
    assert cal.back_work_hours(monday_10, 1) == datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
