"""A freelancer's scripted day in the real window (issue 3): create the vault and an organization,
a client and a project with a rate; start and stop the timer; add and edit an entry by hand; see it
in the week view and its amount in the report; then act as a Viewer and see editing gone.
Screenshots of every main screen go to $STINT_E2E_SHOTS/day-*.png."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import Select, WebDriverWait

from desktop import pick, CLIENT, PROJECT, WAIT, by_testid, launch, replace_text, shoot, wait_for, wait_text

ORG = "Nordlicht Studio"
OWNER = "Ada Lovelace"
VIEWER = "Vera Viewer"
NOTE = "Design review"


def rows(driver: webdriver.Remote, testid: str, count: int) -> list:
    """Wait until exactly `count` elements carry `testid`, and return them."""

    def found(d: webdriver.Remote):
        try:
            items = d.find_elements(*by_testid(testid))
            return items if len(items) == count and all(i.is_displayed() for i in items) else False
        except StaleElementReferenceException:
            return False

    return WebDriverWait(driver, WAIT).until(found, f"expected {count} × {testid}")


def shown(element) -> str:
    """The element's rendered text. (WebKitWebDriver's own text leaves out cells that clip with an
    ellipsis, so read `innerText`, which still skips what CSS hides.)"""
    return (element.get_attribute("innerText") or "").strip()


def no_alerts(driver: webdriver.Remote) -> None:
    alerts = [a.text for a in driver.find_elements("css selector", '[role="alert"]') if a.is_displayed()]
    assert not alerts, alerts


def add_by_hand(driver: webdriver.Remote, start: str, end: str, note: str) -> None:
    """Today, on the project, from `start` to `end` (HH:MM), through the "Add time by hand" form."""
    if not any(f.is_displayed() for f in driver.find_elements(*by_testid("manual-form"))):
        driver.find_element(*by_testid("manual-toggle")).click()
    wait_for(driver, "manual-start")
    pick(driver, "manual-project", PROJECT, f"{CLIENT} — {PROJECT}")
    replace_text(driver.find_element(*by_testid("manual-start")), start)
    replace_text(driver.find_element(*by_testid("manual-end")), end)
    driver.find_element(*by_testid("manual-note")).send_keys(note)
    driver.find_element(*by_testid("manual-add")).click()


def test_a_scripted_day(shots: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    vault = tmp_path_factory.mktemp("day-vault")
    downloads = tmp_path_factory.mktemp("day-downloads")
    with launch(vault, tmp_path_factory.mktemp("day-webdriver"), {"STINT_DOWNLOADS": str(downloads)}) as driver:
        # Onboarding: a vault protected by a passphrase, then the first organization.
        wait_for(driver, "unlock-passphrase").send_keys("a long day passphrase")
        driver.find_element(*by_testid("unlock-passphrase-confirm")).send_keys("a long day passphrase")
        driver.find_element(*by_testid("unlock-submit")).click()
        wait_for(driver, "org-create-name").send_keys(ORG)
        driver.find_element(*by_testid("org-create-owner")).send_keys(OWNER)
        Select(driver.find_element(*by_testid("org-create-week-start"))).select_by_value("monday")
        shoot(driver, shots, "day-01-onboarding")
        driver.find_element(*by_testid("org-create-submit")).click()
        wait_text(driver, "org-list", ORG)
        driver.find_element(*by_testid("org-option")).click()
        wait_for(driver, "main-screen")
        wait_text(driver, "acting-role", "Owner")

        # A client and a project with a rate of 95 EUR/h from 1 January.
        driver.find_element(*by_testid("nav-projects")).click()
        wait_for(driver, "client-name-input").send_keys(CLIENT)
        driver.find_element(*by_testid("client-add")).click()
        wait_text(driver, "client-row", CLIENT)
        Select(wait_for(driver, "project-client-select")).select_by_visible_text(CLIENT)
        driver.find_element(*by_testid("project-name-input")).send_keys(PROJECT)
        driver.find_element(*by_testid("project-rate-input")).send_keys("95")
        from_field = driver.find_element(*by_testid("project-rate-from"))
        driver.execute_script(
            "const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;"
            "set.call(arguments[0], arguments[1]);"
            "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
            from_field,
            "2026-01-01",
        )
        driver.find_element(*by_testid("project-add")).click()
        wait_text(driver, "project-row", PROJECT)
        wait_for(driver, "tag-name-input").send_keys("meeting")
        driver.find_element(*by_testid("tag-add")).click()
        wait_text(driver, "tag-list", "meeting")
        no_alerts(driver)
        shoot(driver, shots, "day-02-projects")

        # The timer: start on the project, let it run, stop.
        driver.find_element(*by_testid("nav-track")).click()
        pick(driver, "timer-project", "websi", f"{CLIENT} — {PROJECT}")
        driver.find_element(*by_testid("timer-note")).send_keys("Timer run")
        driver.find_element(*by_testid("timer-toggle")).click()
        wait_text(driver, "timer-toggle", "Stop")
        time.sleep(2.2)
        assert PROJECT in driver.title and driver.title.startswith("0:00:0"), driver.title
        shoot(driver, shots, "day-03-timer-running")
        driver.find_element(*by_testid("timer-toggle")).click()
        wait_text(driver, "timer-toggle", "Start")
        rows(driver, "entry-row", 1)

        # Add 09:00–10:30 by hand, then edit its note.
        add_by_hand(driver, "09:00", "10:30", NOTE)
        entries = rows(driver, "entry-row", 2)
        manual = next(r for r in entries if r.find_element(*by_testid("entry-note")).text == NOTE)
        assert manual.find_element(*by_testid("entry-duration")).text == "1:30:00"
        assert "142.50" in manual.find_element(*by_testid("entry-amount")).text
        manual.find_element(*by_testid("entry-edit")).click()
        replace_text(wait_for(driver, "entry-note-input"), f"{NOTE} with the client")
        shoot(driver, shots, "day-04a-entry-edit")
        driver.find_element(*by_testid("entry-save")).click()
        wait_text(driver, "today-list", f"{NOTE} with the client")
        no_alerts(driver)
        shoot(driver, shots, "day-04-day-view")

        # Delete the timer's few seconds so the report's figures are exact.
        timer_row = next(
            r for r in rows(driver, "entry-row", 2) if r.find_element(*by_testid("entry-note")).text == "Timer run"
        )
        timer_row.find_element(*by_testid("entry-delete")).click()
        rows(driver, "entry-row", 1)
        # A delete happens at once and can be undone for a while: undone, the row is back.
        assert "Deleted Timer run" in wait_for(driver, "entry-undo-bar").get_attribute("textContent")
        shoot(driver, shots, "day-04a-undo")
        driver.find_element(*by_testid("entry-undo")).click()
        rows(driver, "entry-row", 2)
        timer_row = next(
            r for r in rows(driver, "entry-row", 2) if r.find_element(*by_testid("entry-note")).text == "Timer run"
        )
        timer_row.find_element(*by_testid("entry-delete")).click()
        rows(driver, "entry-row", 1)

        # Time added over the same hours is accepted, said, and both rows are marked; then removed.
        add_by_hand(driver, "09:30", "10:00", "Double-booked")
        rows(driver, "entry-row", 2)
        WebDriverWait(driver, WAIT).until(lambda d: len(d.find_elements(*by_testid("entry-overlaps"))) == 2)
        # Each badge names the other entry; the day's total says what it counts twice.
        badges = sorted(b.text for b in driver.find_elements(*by_testid("entry-overlaps")))
        assert badges[0].startswith(f"Overlaps {NOTE} with the client (") and badges[1].startswith("Overlaps Double-booked ("), badges
        assert wait_for(driver, "today-overlap").text.endswith("0:30:00 of it overlaps")
        shoot(driver, shots, "day-04b-overlaps")
        double = next(
            r for r in rows(driver, "entry-row", 2) if r.find_element(*by_testid("entry-note")).text == "Double-booked"
        )
        double.find_element(*by_testid("entry-delete")).click()
        rows(driver, "entry-row", 1)
        assert not driver.find_elements(*by_testid("entry-overlaps"))

        # The week view shows the entry on today's column.
        driver.find_element(*by_testid("view-week")).click()
        wait_for(driver, "week-view")
        assert len(driver.find_elements(*by_testid("week-day"))) == 7
        block = rows(driver, "week-entry", 1)[0]
        shoot(driver, shots, "day-05-week-view")
        summary = block.get_attribute("title")
        assert f"{CLIENT} — {PROJECT}: {NOTE} with the client (1:30:00)" == summary, summary
        assert driver.find_element(*by_testid("today-total")).text == "1:30:00"

        # An expense with a receipt (stored encrypted in the vault), and its preview.
        driver.find_element(*by_testid("nav-expenses")).click()
        wait_for(driver, "expense-amount").send_keys("23.40")
        driver.find_element(*by_testid("expense-category")).send_keys("Travel")
        driver.find_element(*by_testid("expense-note")).send_keys("Taxi to the client")
        receipt = Path(__file__).resolve().parents[2] / "icons" / "128x128.png"
        driver.find_element(*by_testid("expense-receipt-file")).send_keys(str(receipt))
        driver.find_element(*by_testid("expense-add")).click()
        expense = rows(driver, "expense-row", 1)[0]
        assert "Taxi to the client" in shown(expense) and "23.40" in shown(expense), shown(expense)
        expense.find_element(*by_testid("expense-receipt")).click()
        preview = wait_for(driver, "receipt-preview")
        image = preview.find_element("css selector", "img")
        WebDriverWait(driver, WAIT).until(lambda d: d.execute_script("return arguments[0].naturalWidth", image) == 128)
        no_alerts(driver)
        shoot(driver, shots, "day-06-expenses")

        # The report: 1.50 billable hours and 142.50 EUR on the project; export it as CSV.
        driver.find_element(*by_testid("nav-reports")).click()
        wait_for(driver, "report-chart")
        shoot(driver, shots, "day-07-report")
        row = rows(driver, "report-row", 1)[0]
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", row)
        shoot(driver, shots, "day-07-report-table")
        assert shown(row.find_element(*by_testid("report-row-label"))) == PROJECT
        # Durations as a clock (the organization's default style): 1:30.
        assert shown(row.find_element(*by_testid("report-row-hours"))) == "1:30"
        assert "142.50" in shown(row.find_element(*by_testid("report-row-amount")))
        assert "142.50" in shown(driver.find_element(*by_testid("report-total-amount")))
        wait_for(driver, "report-chart")
        driver.find_element(*by_testid("report-export-csv")).click()
        saved = wait_for(driver, "report-export-path").text
        csv_files = list(downloads.glob("stint-report-*.csv"))
        assert len(csv_files) == 1, (saved, csv_files)
        csv = csv_files[0].read_text()
        assert PROJECT in csv and "1.50" in csv and "142.50" in csv, csv
        no_alerts(driver)

        # The chart over time: today's bar split by project, with its figures for screen readers.
        driver.find_element(*by_testid("report-chart-time")).click()
        chart = wait_for(driver, "report-time-chart")
        WebDriverWait(driver, WAIT).until(
            lambda d: f"{PROJECT}:" in (d.find_element(*by_testid("report-time-chart-data")).get_attribute("textContent") or "")
        )
        assert "1.50 h" in (driver.find_element(*by_testid("report-time-chart-data")).get_attribute("textContent") or "")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", chart)
        shoot(driver, shots, "day-07c-report-over-time")

        # The detailed report lists the entry itself; as unbilled time it is still there.
        driver.find_element(*by_testid("report-mode-detailed")).click()
        entry = rows(driver, "detailed-row", 1)[0]
        assert f"{NOTE} with the client" in shown(entry), shown(entry)
        Select(driver.find_element(*by_testid("detailed-status"))).select_by_value("unbilled")
        rows(driver, "detailed-row", 1)
        assert "142.50" in shown(driver.find_element(*by_testid("detailed-total-amount")))
        shoot(driver, shots, "day-07b-report-detailed")
        # The entries shown, as a CSV a spreadsheet opens safely.
        driver.find_element(*by_testid("detailed-export")).click()
        wait_for(driver, "detailed-export-path")
        entries_csv = list(downloads.glob("stint-entries-*.csv"))
        assert len(entries_csv) == 1, list(downloads.iterdir())
        lines = entries_csv[0].read_text().splitlines()
        assert len(lines) == 2 and PROJECT in lines[1] and "142.50" in lines[1], lines
        no_alerts(driver)

        # Projects as a dashboard: the row says what is tracked, unbilled and worth, at which rate.
        driver.find_element(*by_testid("nav-projects")).click()
        figures = wait_for(driver, "project-figures")
        WebDriverWait(driver, WAIT).until(lambda d: "1:30 h tracked" in shown(d.find_element(*by_testid("project-figures"))))
        assert "1:30 h unbilled" in shown(figures) and "142.50" in shown(figures) and "95.00/h" in shown(figures), shown(figures)
        shoot(driver, shots, "day-07c-projects-dashboard")
        no_alerts(driver)

        # One locale everywhere: German and decimal hours, picked from lists with a preview, change
        # how every screen writes money and durations, and the app speaks German from then on.
        driver.find_element(*by_testid("nav-settings")).click()
        Select(wait_for(driver, "settings-locale")).select_by_value("de-DE")
        Select(driver.find_element(*by_testid("settings-duration-style"))).select_by_value("decimal")
        WebDriverWait(driver, WAIT).until(lambda d: "1,50 h" in shown(d.find_element(*by_testid("settings-preview"))))
        shoot(driver, shots, "day-07d-settings-locale")
        driver.find_element(*by_testid("settings-save")).click()
        wait_for(driver, "settings-saved")
        driver.find_element(*by_testid("nav-projects")).click()
        WebDriverWait(driver, WAIT).until(lambda d: "1,50 h erfasst" in shown(d.find_element(*by_testid("project-figures"))))
        assert "Projekte" in driver.find_element(*by_testid("nav-projects")).text
        assert "142,50" in shown(driver.find_element(*by_testid("project-figures")))
        no_alerts(driver)

        # Settings: a Viewer joins.
        driver.find_element(*by_testid("nav-settings")).click()
        wait_for(driver, "member-name-input").send_keys(VIEWER)
        Select(driver.find_element(*by_testid("member-role-select"))).select_by_value("viewer")
        driver.find_element(*by_testid("member-add")).click()
        rows(driver, "member-row", 2)
        no_alerts(driver)
        shoot(driver, shots, "day-08-settings")

        # Acting as the Viewer: no timer, no manual entry, no edit or delete, read-only catalog.
        Select(driver.find_element(*by_testid("acting-member"))).select_by_visible_text(f"{VIEWER} (Betrachter)")
        wait_text(driver, "acting-role", "Betrachter")
        driver.find_element(*by_testid("nav-track")).click()
        wait_for(driver, "timer-readonly")
        assert driver.find_element(*by_testid("timer-toggle")).get_attribute("disabled") is not None
        Select(wait_for(driver, "track-member")).select_by_visible_text(OWNER)
        entry = rows(driver, "entry-row", 1)[0]
        assert f"{NOTE} with the client" in entry.text
        assert not entry.find_elements(*by_testid("entry-edit"))
        assert not entry.find_elements(*by_testid("entry-delete"))
        assert not driver.find_elements(*by_testid("manual-form"))
        shoot(driver, shots, "day-09-viewer-track")
        driver.find_element(*by_testid("nav-projects")).click()
        wait_for(driver, "catalog-readonly")
        assert not driver.find_elements(*by_testid("client-add"))
        assert not driver.find_elements(*by_testid("project-add"))
        shoot(driver, shots, "day-10-viewer-projects")
