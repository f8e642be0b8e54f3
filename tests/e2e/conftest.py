"""Fixtures shared by the end-to-end tests."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shots() -> Path:
    directory = Path(os.environ.get("STINT_E2E_SHOTS", REPO / "target-e2e-shots"))
    directory.mkdir(parents=True, exist_ok=True)
    (directory / ".gitignore").write_text("*\n")
    return directory





# The app shows "today" and "this month" from the real clock (the desktop app has no fixed clock
# of its own), and a test here runs for up to a minute and a half. A test that began just before
# midnight in a zone its organization uses would see its entries land on the next day (or month).
# So no test starts within this long of a midnight in those zones: it waits the few minutes out.
DATE_CHANGE_MARGIN = timedelta(minutes=5)
# The zones the tests' organizations use, and the machine's own (the app's suggestion).
ZONES = (ZoneInfo("UTC"), ZoneInfo("Europe/Berlin"), datetime.now().astimezone().tzinfo)


def wait_out_a_date_change(now: datetime, zones=ZONES) -> float:
    """Seconds to wait from `now` so that no date changes in any of `zones` for
    DATE_CHANGE_MARGIN."""
    wait = 0.0
    for zone in zones:
        local = now.astimezone(zone)
        midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        until = (midnight - local).total_seconds()
        if until < DATE_CHANGE_MARGIN.total_seconds():
            wait = max(wait, until + 30)
    return wait


@pytest.fixture(autouse=True)
def no_date_change_during_the_test() -> None:
    wait = wait_out_a_date_change(datetime.now(timezone.utc))
    if wait > 0:
        print(f"waiting {wait:.0f} s for the date to change before the test starts")
        time.sleep(wait)
