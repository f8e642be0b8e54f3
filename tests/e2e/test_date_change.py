"""The wait that keeps every end-to-end test off a date change (conftest.py)."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from conftest import wait_out_a_date_change

UTC = timezone.utc
ZONES = (ZoneInfo("UTC"), ZoneInfo("Europe/Berlin"))


def test_no_wait_far_from_midnight() -> None:
    assert wait_out_a_date_change(datetime(2026, 12, 1, 12, 0, tzinfo=UTC), ZONES) == 0


def test_three_minutes_before_midnight_utc_waits_until_after_it() -> None:
    assert wait_out_a_date_change(datetime(2026, 12, 1, 23, 57, tzinfo=UTC), ZONES) == 210


def test_berlin_midnight_counts_in_winter_and_summer() -> None:
    # 22:58 UTC is 23:58 in Berlin in winter; 21:58 UTC is 23:58 there in summer.
    assert wait_out_a_date_change(datetime(2026, 12, 1, 22, 58, tzinfo=UTC), ZONES) == 150
    assert wait_out_a_date_change(datetime(2026, 7, 1, 21, 58, tzinfo=UTC), ZONES) == 150
