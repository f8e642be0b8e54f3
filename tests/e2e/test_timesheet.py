"""The timesheet in the real window (issue 17, item 3): a week of projects × days where typing
`1:30` or `1.5` into a cell records time, typing over a cell changes its entry, and the Day view
shows what the grid recorded. Then (item 2) a timer started without a project, stopped, and given
one in the day list. Run in the light and the dark theme, with screenshots of each."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from desktop import CLIENT, PROJECT, WAIT, by_testid, launch, open_organization, pick, seed_vault, shoot, wait_for

ORG = "Raster Studio"
SECOND = "Shop relaunch"


@pytest.fixture
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An organization with one client and two projects, and no time yet."""
    return seed_vault(
        tmp_path_factory.mktemp("timesheet-vault"),
        ["org", "create", ORG, "--currency", "EUR", "--time-zone", "UTC"],
        ["client", "add", CLIENT],
        ["project", "add", PROJECT, "--client", CLIENT],
        ["project", "add", SECOND, "--client", CLIENT],
    )


def text_of(driver: webdriver.Remote, testid: str) -> str:
    return driver.find_element(*by_testid(testid)).get_attribute("textContent") or ""


def wait_total(driver: webdriver.Remote, total: str) -> None:
    """Wait for the week's total; if it never comes, say what the grid shows instead."""
    try:
        WebDriverWait(driver, WAIT).until(lambda d: text_of(d, "timesheet-total") == total)
    except TimeoutException:
        print(driver.find_element("css selector", "body").get_attribute("innerText"))
        cells = [c.get_attribute("value") for c in driver.find_elements(*by_testid("timesheet-cell"))]
        alerts = [a.get_attribute("textContent") for a in driver.find_elements("css selector", '[role="alert"]')]
        raise AssertionError(
            f"week total {text_of(driver, 'timesheet-total')!r}, not {total!r}; cells {cells}; alerts {alerts}"
        ) from None


def cell(driver: webdriver.Remote, project: str, day: str):
    """The input of `project`'s row (by its visible name) on `day`."""
    for row in driver.find_elements(*by_testid("timesheet-row")):
        if project in (row.get_attribute("textContent") or ""):
            for field in row.find_elements(*by_testid("timesheet-cell")):
                if field.get_attribute("data-date") == day:
                    return field
    raise AssertionError(f"no cell for {project} on {day}")


def add_row(driver: webdriver.Remote, typed: str, project: str, shots: Path | None = None, shot: str = "") -> None:
    """Add `project`'s row with the picker below the grid: type part of the name, check the one
    option offered, press Enter."""
    expected = f"{CLIENT} — {project}"
    field = wait_for(driver, "timesheet-add-row")
    field.click()
    field.send_keys(typed)
    WebDriverWait(driver, WAIT).until(
        lambda d: [o.text for o in d.find_elements(*by_testid("timesheet-add-row-option"))] == [expected]
    )
    if shots is not None:
        shoot(driver, shots, shot)
    field.send_keys(Keys.ENTER)
    # The grid renders again as the row comes: look afresh until it is there.
    WebDriverWait(driver, WAIT, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: any(th.text.endswith(project) for th in d.find_elements(By.CSS_SELECTOR, '[data-testid="timesheet-row"] th'))
    )


def type_into(field, text: str) -> None:
    field.click()
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.BACKSPACE)
    field.send_keys(text, Keys.ENTER)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_typing_hours_into_the_week(
    theme: str, vault: Path, shots: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    env = {"GTK_THEME": "Adwaita:dark"} if theme == "dark" else {}
    with launch(vault, tmp_path_factory.mktemp("timesheet-webdriver"), env) as driver:
        driver: webdriver.Remote
        open_organization(driver, ORG)
        today = text_of(driver, "today-date")
        driver.find_element(*by_testid("view-timesheet")).click()
        wait_for(driver, "timesheet")
        assert "Add a project row" in text_of(driver, "timesheet-empty")
        week = [c.get_attribute("data-date") for c in driver.find_elements(*by_testid("timesheet-day-total"))]
        assert len(week) == 7 and today in week, week
        other_day = week[0] if week[0] != today else week[1]

        # A row per project, added below the grid by typing part of its name.
        add_row(driver, "webs", PROJECT)
        # The field is empty again, ready for the next row.
        assert wait_for(driver, "timesheet-add-row").get_attribute("value") == ""
        add_row(driver, "shop", SECOND, shots=shots, shot=f"timesheet-00-add-row-{theme}")
        WebDriverWait(driver, WAIT).until(lambda d: len(d.find_elements(*by_testid("timesheet-row"))) == 2)
        # Both projects have their row: there is nothing left to add.
        assert not driver.find_elements(*by_testid("timesheet-add-row"))

        # 1:30 today on the first project; 1.5 hours (as a decimal) on another day on the second.
        type_into(cell(driver, PROJECT, today), "1:30")
        wait_total(driver, "1:30")
        type_into(cell(driver, SECOND, other_day), "1.5")
        wait_total(driver, "3:00")
        assert cell(driver, SECOND, other_day).get_attribute("value") == "1:30"

        # Typing over a cell changes its one entry: 2h15 instead of 1:30.
        type_into(cell(driver, PROJECT, today), "2h15")
        wait_total(driver, "3:45")
        WebDriverWait(driver, WAIT).until(lambda d: cell(d, PROJECT, today).get_attribute("value") == "2:15")

        # What is not a duration is refused with a reason, and nothing changes.
        type_into(cell(driver, PROJECT, other_day), "lunch")
        assert "1:30, 1h30, 90m or 1.5" in wait_for(driver, "timesheet-error").get_attribute("textContent")
        cell(driver, PROJECT, other_day).send_keys(Keys.ESCAPE)
        WebDriverWait(driver, WAIT).until(lambda d: not d.find_elements(*by_testid("timesheet-error")))
        wait_total(driver, "3:45")
        shoot(driver, shots, f"timesheet-01-grid-{theme}")

        # The Day view shows the one entry the grid keeps for today: 2:15 on the first project.
        driver.find_element(*by_testid("view-day")).click()
        WebDriverWait(driver, WAIT).until(lambda d: len(d.find_elements(*by_testid("entry-row"))) == 1)
        row = driver.find_element(*by_testid("entry-row"))
        assert PROJECT in (row.get_attribute("textContent") or "")
        assert text_of(driver, "entry-duration") == "2:15:00"
        assert text_of(driver, "today-total") == "2:15:00"

        # A timer started before anyone chose a project: it runs, says it has none, and is kept.
        pick(driver, "timer-project", "No project", "")
        driver.find_element(*by_testid("timer-toggle")).click()
        assert "no project yet" in wait_for(driver, "timer-no-project").get_attribute("textContent")
        shoot(driver, shots, f"timesheet-02-running-without-project-{theme}")
        driver.find_element(*by_testid("timer-toggle")).click()
        WebDriverWait(driver, WAIT).until(lambda d: len(d.find_elements(*by_testid("entry-row"))) == 2)
        WebDriverWait(driver, WAIT).until(lambda d: d.find_elements(*by_testid("entry-no-project")))

        # Given a project in the day list, it is time on that project like any other.
        unassigned = next(
            r for r in driver.find_elements(*by_testid("entry-row")) if r.find_elements(*by_testid("entry-no-project"))
        )
        unassigned.find_element(*by_testid("entry-edit")).click()
        pick(driver, "entry-project-input", "webs", f"{CLIENT} — {PROJECT}")
        driver.find_element(*by_testid("entry-save")).click()

        def projects_listed(d: webdriver.Remote) -> list[str]:
            return [p.get_attribute("textContent") or "" for p in d.find_elements(*by_testid("entry-project"))]

        # Both rows back in the list (not the editor), both on the project.
        try:
            WebDriverWait(driver, WAIT).until(lambda d: projects_listed(d) == [f"{CLIENT} — {PROJECT}"] * 2)
        except TimeoutException:
            raise AssertionError(f"rows show {projects_listed(driver)}") from None
        assert not driver.find_elements(*by_testid("entry-no-project"))
