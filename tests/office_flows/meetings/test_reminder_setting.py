"""The meeting reminder setting: two lead times, longer first, both positive."""

from __future__ import annotations

from datetime import timedelta

import pytest

from office_flows.meetings.service import Reminders


def test_meeting_reminder_setting() -> None:

    assert Reminders.parse("1440,30") == Reminders(timedelta(days=1), timedelta(minutes=30))
    for bad in ("30", "30,1440", "a,b", "60,0"):
        with pytest.raises(ValueError, match="meeting reminders"):
            Reminders.parse(bad)
