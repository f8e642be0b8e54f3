"""The keyboard in the real window: `?` lists the shortcuts, `/` searches projects, clients and
invoices and goes to the one chosen, digits switch sections, `N` opens the by-hand form with the
cursor in it, and `S` starts and stops the timer; none of them fire while typing in a field."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from desktop import (
    CLIENT,
    PROJECT,
    WAIT,
    by_testid,
    launch,
    open_organization,
    seed_vault,
    shoot,
    wait_for,
    wait_gone,
    wait_text,
)

ORG = "Keyboard Studio"


@pytest.fixture
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An organization with one client and project."""
    return seed_vault(
        tmp_path_factory.mktemp("keyboard-vault"),
        ["org", "create", ORG, "--currency", "EUR", "--time-zone", "UTC"],
        ["client", "add", CLIENT],
        ["project", "add", PROJECT, "--client", CLIENT],
    )


def press(driver: webdriver.Remote, keys: str) -> None:
    """Keys typed at whatever has the focus, as a person presses them."""
    ActionChains(driver).send_keys(keys).perform()


def rest(driver: webdriver.Remote) -> None:
    """Put the focus on nothing that takes text (the page itself)."""
    driver.execute_script("document.activeElement && document.activeElement.blur()")


def test_shortcuts_and_search(vault: Path, shots: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    with launch(vault, tmp_path_factory.mktemp("keyboard-webdriver")) as driver:
        driver: webdriver.Remote
        open_organization(driver, ORG)
        rest(driver)

        # ? lists every shortcut; Esc closes the list.
        press(driver, "?")
        sheet = wait_for(driver, "shortcut-sheet")
        assert "Start or stop the timer" in sheet.text and "New time entry by hand" in sheet.text, sheet.text
        shoot(driver, shots, "keyboard-01-shortcuts")
        press(driver, Keys.ESCAPE)
        wait_gone(driver, "shortcut-sheet")

        # / searches; the project is found by part of its client's name and opened in Projects.
        rest(driver)
        press(driver, "/")
        field = wait_for(driver, "palette-input")
        assert driver.switch_to.active_element == field
        field.send_keys("ller")  # of "Müller & Søn", the project's client
        def results(d: webdriver.Remote) -> list[str]:
            return [r.get_attribute("textContent") or "" for r in d.find_elements(*by_testid("palette-result"))]

        try:
            WebDriverWait(driver, 10).until(lambda d: any(PROJECT in t for t in results(d)))
        except TimeoutException:
            raise AssertionError((results(driver), driver.execute_script(
                "return document.querySelector('[data-testid=palette]')?.outerHTML"
            )))
        shoot(driver, shots, "keyboard-02-search")
        field.send_keys(Keys.ENTER)
        wait_gone(driver, "palette")
        focused = WebDriverWait(driver, WAIT).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="project-row"].is-focused')
        )
        assert PROJECT in focused[0].text, focused[0].text
        assert driver.find_element(*by_testid("nav-projects")).get_attribute("aria-current") == "page"
        shoot(driver, shots, "keyboard-03-found")

        # A digit switches sections: 1 is Track.
        rest(driver)
        press(driver, "1")
        WebDriverWait(driver, WAIT).until(
            lambda d: d.find_element(*by_testid("nav-track")).get_attribute("aria-current") == "page"
        )

        # N opens the by-hand form with the cursor in it; typed letters then go into the form.
        wait_for(driver, "day-heading")
        rest(driver)
        press(driver, "n")
        WebDriverWait(driver, WAIT).until(
            lambda d: d.execute_script(
                "const f = document.querySelector('details.manual');"
                "return f && f.open && f.contains(document.activeElement);"
            )
        )
        press(driver, "s")
        assert driver.find_element(*by_testid("timer-toggle")).text == "Start"
        shoot(driver, shots, "keyboard-04-new-entry")

        # S starts the timer on the chosen project, and stops it.
        rest(driver)
        press(driver, "s")
        wait_text(driver, "timer-toggle", "Stop")
        rest(driver)
        press(driver, "s")
        wait_text(driver, "timer-toggle", "Start")
