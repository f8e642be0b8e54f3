"""The first window, end to end: unlock, choose an organization, track and edit; and a fresh vault
made in the window. See desktop.py for how the app is driven."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from desktop import (
    pick,
    CLIENT,
    ORG,
    PASSPHRASE,
    PROJECT,
    WAIT,
    by_testid,
    launch,
    replace_text,
    required_path,
    shoot,
    wait_for,
    wait_text,
)


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A passphrase vault with one organization, client, project and rate, made with the CLI."""
    cli = required_path("STINT_CLI_BIN")
    directory = tmp_path_factory.mktemp("vault")
    env = {**os.environ, "STINT_VAULT": str(directory), "STINT_PASSPHRASE": PASSPHRASE}
    for args in (
        ["init"],
        ["org", "create", ORG, "--currency", "EUR", "--time-zone", "Europe/Berlin"],
        ["client", "add", CLIENT],
        ["project", "add", PROJECT, "--client", CLIENT],
        ["rate", "set", "95", "--project", PROJECT, "--from", "2026-01-01"],
    ):
        done = subprocess.run([str(cli), *args], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"stint {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return directory


@pytest.fixture(scope="module")
def driver(vault: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Remote]:
    with launch(vault, tmp_path_factory.mktemp("webdriver")) as session:
        yield session


def test_unlock_choose_org_track_and_edit(driver: webdriver.Remote, shots: Path) -> None:
    # Unlock: a wrong passphrase first says so (the shell's `Failure`, in the window's words) and keeps
    # what was typed.
    passphrase = wait_for(driver, "unlock-passphrase")
    assert driver.find_element(*by_testid("unlock-submit")).text == "Unlock"
    passphrase.send_keys("not the passphrase")
    driver.find_element(*by_testid("unlock-submit")).click()
    error = wait_for(driver, "unlock-error")
    assert error.text == "Wrong passphrase.", error.text
    assert driver.find_element(*by_testid("unlock-passphrase")).get_attribute("value") == "not the passphrase"
    shoot(driver, shots, "01-unlock-error")

    replace_text(driver.find_element(*by_testid("unlock-passphrase")), PASSPHRASE)
    shoot(driver, shots, "01-unlock")
    driver.find_element(*by_testid("unlock-submit")).click()

    # The vault's one organization opens at once; the list is a click away.
    wait_for(driver, "main-screen")
    assert driver.find_element(*by_testid("current-org")).text == ORG
    driver.find_element(*by_testid("switch-org")).click()
    wait_for(driver, "org-list")
    options = driver.find_elements(*by_testid("org-option"))
    names = [o.find_element(*by_testid("org-option-name")).text for o in options]
    assert names == [ORG]
    shoot(driver, shots, "02-organizations")
    options[0].click()

    # Start a timer on the project, let it run, stop it.
    wait_for(driver, "main-screen")
    assert driver.find_element(*by_testid("current-org")).text == ORG
    pick(driver, "timer-project", "websi", f"{CLIENT} — {PROJECT}")
    driver.find_element(*by_testid("timer-note")).send_keys("homepage layout")
    toggle = driver.find_element(*by_testid("timer-toggle"))
    assert toggle.text == "Start"
    toggle.click()
    wait_text(driver, "timer-toggle", "Stop")
    time.sleep(2.2)
    first = driver.find_element(*by_testid("timer-elapsed")).text
    assert first.startswith("0:00:0") and first != "0:00:00", first
    # It ticks once a second; a busy machine may run the window's timer late, so give it room.
    WebDriverWait(
        driver, 5, poll_frequency=0.1, ignored_exceptions=[StaleElementReferenceException]
    ).until(
        lambda d: d.find_element(*by_testid("timer-elapsed")).text != first,
        "the running time does not tick",
    )
    shoot(driver, shots, "03-timer-running")
    driver.find_element(*by_testid("timer-toggle")).click()
    wait_text(driver, "timer-toggle", "Start")

    # One entry today; edit its note.
    def one_stopped_entry(d: webdriver.Remote):
        try:
            rows = d.find_elements(*by_testid("entry-row"))
            return rows if len(rows) == 1 and "running" not in rows[0].text else False
        except StaleElementReferenceException:
            return False

    rows = WebDriverWait(driver, WAIT).until(one_stopped_entry)
    row = rows[0]
    assert row.find_element(*by_testid("entry-note")).text == "homepage layout"
    assert PROJECT in row.find_element(*by_testid("entry-project")).text
    duration = row.find_element(*by_testid("entry-duration")).text
    # Ran for 3 s and more, a screenshot included: some seconds, under a minute.
    assert duration.startswith("0:00:") and duration != "0:00:00", duration

    row.find_element(*by_testid("entry-edit")).click()
    note = wait_for(driver, "entry-note-input")
    assert note.get_attribute("value") == "homepage layout"
    replace_text(note, "Homepage layout, second pass")
    shoot(driver, shots, "04-entry-editing")
    driver.find_element(*by_testid("entry-save")).click()
    wait_text(driver, "entry-note", "Homepage layout, second pass")
    assert not driver.find_elements(*by_testid("entry-edit-row"))
    assert not driver.find_elements(*by_testid("today-error"))
    shoot(driver, shots, "05-entry-edited")


def test_create_vault_and_organization_in_the_window(
    shots: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No vault yet: create one with a passphrase, then an organization, all in the window."""
    vault = tmp_path_factory.mktemp("fresh-vault")
    with launch(vault, tmp_path_factory.mktemp("webdriver-fresh")) as driver:
        wait_for(driver, "unlock-passphrase").send_keys("a new passphrase")
        driver.find_element(*by_testid("unlock-passphrase-confirm")).send_keys("a new passphrase")
        assert driver.find_element(*by_testid("unlock-use-keyring")).is_displayed()
        create = driver.find_element(*by_testid("unlock-submit"))
        assert create.text == "Create vault"
        shoot(driver, shots, "10-create-vault")
        create.click()

        wait_for(driver, "org-empty")
        driver.find_element(*by_testid("org-create-name")).send_keys("Nordlicht GmbH")
        driver.find_element(*by_testid("org-create-owner")).send_keys("Ada")
        assert driver.find_element(*by_testid("org-create-currency")).get_attribute("value") == "EUR"
        assert driver.find_element(*by_testid("org-create-tz")).get_attribute("value")
        driver.find_element(*by_testid("org-create-submit")).click()
        WebDriverWait(driver, WAIT).until(
            EC.any_of(
                EC.text_to_be_present_in_element(by_testid("org-list"), "Nordlicht GmbH"),
                EC.visibility_of_element_located(by_testid("org-create-error")),
            )
        )
        shoot(driver, shots, "11-org-created")
        errors = driver.find_elements(*by_testid("org-create-error"))
        assert not errors, errors[0].text
        driver.find_element(*by_testid("org-option")).click()

        wait_for(driver, "main-screen")
        assert driver.find_element(*by_testid("current-org")).text == "Nordlicht GmbH"
        wait_for(driver, "today-empty")
        # No project yet, and the timer can still start: one is assigned later.
        assert driver.find_element(*by_testid("timer-toggle")).get_attribute("disabled") is None
        assert "start anyway" in wait_for(driver, "timer-no-projects").get_attribute("textContent")
        shoot(driver, shots, "12-empty-main")
