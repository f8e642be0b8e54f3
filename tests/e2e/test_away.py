"""Time away in the real window: with a one-minute idle setting, a timer runs while nobody touches
the X display; the first real input afterwards (xdotool, through the X server, as a person would)
brings up "Welcome back", and splitting leaves the work, a non-billable "Time away" entry and a new
running timer. WebDriver's own clicks are synthesized inside WebKit and do not count as X input."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.support.ui import WebDriverWait


from sessionbus import Logind, ScreenLocker
from desktop import (
    CLIENT,
    PROJECT,
    by_testid,
    launch,
    open_organization,
    pick,
    replace_text,
    seed_vault,
    shoot,
    wait_for,
    wait_gone,
    wait_text,
    x_input,
)

ORG = "Away Studio"


@pytest.fixture
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh vault per test: an organization with one client and project."""
    return seed_vault(
        tmp_path_factory.mktemp("away-vault"),
        ["org", "create", ORG, "--currency", "EUR", "--time-zone", "UTC"],
        ["client", "add", CLIENT],
        ["project", "add", PROJECT, "--client", CLIENT],
    )


def test_time_away_is_split_off(vault: Path, shots: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    with launch(vault, tmp_path_factory.mktemp("away-webdriver")) as driver:
        driver: webdriver.Remote
        open_organization(driver, ORG)

        driver.find_element(*by_testid("nav-settings")).click()
        replace_text(wait_for(driver, "watch-idle"), "1")
        driver.find_element(*by_testid("watch-save")).click()
        wait_for(driver, "watch-saved")
        shoot(driver, shots, "away-01-device-settings")

        driver.find_element(*by_testid("nav-track")).click()
        pick(driver, "timer-project", "websi", f"{CLIENT} — {PROJECT}")
        driver.find_element(*by_testid("timer-note")).send_keys("Focused work")
        driver.find_element(*by_testid("timer-toggle")).click()
        wait_text(driver, "timer-toggle", "Stop")
        x_input()  # The person was here when the timer started...
        time.sleep(5)
        assert not driver.find_elements(*by_testid("away-dialog"))

        time.sleep(62)  # ...then left the keyboard for over a minute.
        assert not driver.find_elements(*by_testid("away-dialog")), "asked before the person was back"
        x_input()  # Back.
        dialog = wait_for(driver, "away-dialog")
        assert "1 min" in dialog.text, dialog.text
        shoot(driver, shots, "away-02-welcome-back")
        driver.find_element(*by_testid("away-split")).click()

        def three_rows(d: webdriver.Remote):
            rows = d.find_elements(*by_testid("entry-row"))
            return rows if len(rows) == 3 else False



        rows = WebDriverWait(driver, 30).until(three_rows)
        notes = [r.find_element(*by_testid("entry-note")).text for r in rows]
        assert sorted(notes) == ["Focused work", "Focused work", "Time away"], notes
        assert not driver.find_elements(*by_testid("away-dialog"))
        wait_text(driver, "timer-toggle", "Stop")
        shoot(driver, shots, "away-03-split")

        # The global shortcut stops the timer from anywhere, and starts it again on the last project.
        subprocess.run(["xdotool", "key", "--clearmodifiers", "ctrl+alt+space"], check=True, timeout=10)
        wait_text(driver, "timer-toggle", "Start")
        subprocess.run(["xdotool", "key", "--clearmodifiers", "ctrl+alt+space"], check=True, timeout=10)
        wait_text(driver, "timer-toggle", "Stop")
        assert driver.find_element(*by_testid("timer-project")).get_attribute("value") == f"{CLIENT} — {PROJECT}"
        shoot(driver, shots, "away-04-shortcut")


@pytest.mark.parametrize("says", ["screensaver", "logind"])
def test_a_locked_screen_is_time_away(
    says: str, vault: Path, shots: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The desktop says the screen is locked for over a minute (its screen locker on the session
    bus, org.freedesktop.ScreenSaver as KDE's or XFCE's; or logind's LockedHint for the session on
    the system bus), while someone keeps moving the mouse at the lock screen, so that idle input
    alone would never count: on unlocking, "Welcome back"."""
    locker = ScreenLocker() if says == "screensaver" else Logind()
    try:
        with launch(vault, tmp_path_factory.mktemp("lock-webdriver"), locker.app_env) as driver:
            driver: webdriver.Remote
            open_organization(driver, ORG)
            pick(driver, "timer-project", "websi", f"{CLIENT} — {PROJECT}")
            driver.find_element(*by_testid("timer-toggle")).click()
            wait_text(driver, "timer-toggle", "Stop")
            # The person is here when the timer starts: time away counted from the timer's start
            # would make Discard drop the whole entry.
            x_input()
            time.sleep(7)  # some work before the lock (the watch looks every 3 s)

            locker.locked = True
            locked_at = time.monotonic()
            while time.monotonic() - locked_at < 65:
                x_input()  # at the lock screen: the display is never idle for long
                time.sleep(4)
                assert not driver.find_elements(*by_testid("away-dialog")), "asked while still locked"
            locker.locked = False
            x_input()
            dialog = wait_for(driver, "away-dialog")
            assert driver.find_element(*by_testid("away-minutes")).text == "1 min", dialog.text
            shoot(driver, shots, f"away-05-after-screen-lock-{says}")
            driver.find_element(*by_testid("away-discard")).click()
            wait_gone(driver, "away-dialog", 30)
            # Discarding ends the entry where the lock began and starts the timer again now.
            wait_text(driver, "timer-toggle", "Stop")
            WebDriverWait(driver, 30).until(lambda d: len(d.find_elements(*by_testid("entry-row"))) == 2)
    finally:
        locker.close()
