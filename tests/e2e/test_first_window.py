"""The first window, end to end: the real `stint-desktop` binary in a real WebKitGTK window, driven
through Debian's WebKitWebDriver (see docs FIELD-NOTES, "Tauri 2 on this machine").

Run through `scripts/e2e.sh`, which builds everything, starts Xvfb and sets:
  STINT_DESKTOP_BIN  the built app        STINT_CLI_BIN  the built `stint`
  STINT_E2E_SHOTS    where screenshots go DISPLAY        the Xvfb display
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery staple"
CLIENT = "Müller & Søn"
PROJECT = "Website"
ORG = "Acme Studio"
WAIT = 30


def _required_path(var: str) -> Path:
    value = os.environ.get(var)
    if not value:
        pytest.fail(f"{var} is not set; run scripts/e2e.sh")
    path = Path(value)
    if not path.is_file():
        pytest.fail(f"{var}={path} does not exist; build it first (scripts/e2e.sh does)")
    return path


@pytest.fixture(scope="module")
def shots() -> Path:
    directory = Path(os.environ.get("STINT_E2E_SHOTS", REPO / "target-e2e-shots"))
    directory.mkdir(parents=True, exist_ok=True)
    (directory / ".gitignore").write_text("*\n")
    return directory


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A passphrase vault with one organization, client, project and rate, made with the CLI."""
    cli = _required_path("STINT_CLI_BIN")
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def launch(vault: Path, logs: Path) -> Iterator[webdriver.Remote]:
    """The app on `vault`, through a WebKitWebDriver whose environment it inherits."""
    app = _required_path("STINT_DESKTOP_BIN")
    port = _free_port()
    log = logs / "webkitwebdriver.log"
    env = {**os.environ, "TAURI_WEBVIEW_AUTOMATION": "true", "STINT_VAULT": str(vault)}
    env.pop("STINT_PASSPHRASE", None)
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["WebKitWebDriver", f"--port={port}"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{url}/status", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"WebKitWebDriver did not start:\n{log.read_text()}")
                time.sleep(0.2)
        options = ArgOptions()
        options.set_capability("webkitgtk:browserOptions", {"binary": str(app), "args": []})
        session = webdriver.Remote(command_executor=url, options=options)
        try:
            yield session
        finally:
            session.quit()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def driver(vault: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Remote]:
    with launch(vault, tmp_path_factory.mktemp("webdriver")) as session:
        yield session


def shoot(driver: webdriver.Remote, shots: Path, name: str) -> None:
    """A WebDriver screenshot of the page and, as a fallback, the whole X screen."""
    # Let the page paint what the DOM already holds: two animation frames, then a moment.
    driver.set_script_timeout(5)
    driver.execute_async_script("requestAnimationFrame(() => requestAnimationFrame(arguments[0]))")
    time.sleep(0.3)
    driver.save_screenshot(str(shots / f"{name}.png"))
    subprocess.run(
        ["import", "-window", "root", str(shots / f"{name}-screen.png")], check=False, timeout=30
    )


def by_testid(testid: str) -> tuple[str, str]:
    return (By.CSS_SELECTOR, f'[data-testid="{testid}"]')


def wait_for(driver: webdriver.Remote, testid: str) -> WebElement:
    return WebDriverWait(driver, WAIT).until(EC.visibility_of_element_located(by_testid(testid)))


def wait_text(driver: webdriver.Remote, testid: str, text: str) -> None:
    WebDriverWait(driver, WAIT).until(EC.text_to_be_present_in_element(by_testid(testid), text))


def replace_text(field: WebElement, text: str) -> None:
    field.click()
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.BACKSPACE)
    field.send_keys(text)


def test_unlock_choose_org_track_and_edit(driver: webdriver.Remote, shots: Path) -> None:
    # Unlock: a wrong passphrase first shows the engine's message and keeps what was typed.
    passphrase = wait_for(driver, "unlock-passphrase")
    assert driver.find_element(*by_testid("unlock-submit")).text == "Unlock"
    passphrase.send_keys("not the passphrase")
    driver.find_element(*by_testid("unlock-submit")).click()
    error = wait_for(driver, "unlock-error")
    assert error.text.strip(), "the unlock error is empty"
    assert driver.find_element(*by_testid("unlock-passphrase")).get_attribute("value") == "not the passphrase"
    shoot(driver, shots, "01-unlock-error")

    replace_text(driver.find_element(*by_testid("unlock-passphrase")), PASSPHRASE)
    shoot(driver, shots, "01-unlock")
    driver.find_element(*by_testid("unlock-submit")).click()

    # Choose the organization the CLI made.
    wait_for(driver, "org-list")
    options = driver.find_elements(*by_testid("org-option"))
    names = [o.find_element(*by_testid("org-option-name")).text for o in options]
    assert names == [ORG]
    shoot(driver, shots, "02-organizations")
    options[0].click()

    # Start a timer on the project, let it run, stop it.
    wait_for(driver, "main-screen")
    assert driver.find_element(*by_testid("current-org")).text == ORG
    wait_text(driver, "timer-project", PROJECT)
    Select(driver.find_element(*by_testid("timer-project"))).select_by_visible_text(f"{CLIENT} — {PROJECT}")
    driver.find_element(*by_testid("timer-note")).send_keys("homepage layout")
    toggle = driver.find_element(*by_testid("timer-toggle"))
    assert toggle.text == "Start"
    toggle.click()
    wait_text(driver, "timer-toggle", "Stop")
    time.sleep(2.2)
    first = driver.find_element(*by_testid("timer-elapsed")).text
    assert first.startswith("0:00:0") and first != "0:00:00", first
    time.sleep(1.1)
    assert driver.find_element(*by_testid("timer-elapsed")).text != first, "the running time does not tick"
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
    assert duration.startswith("0:00:0") and duration != "0:00:00", duration

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
        assert driver.find_element(*by_testid("timer-toggle")).get_attribute("disabled") is not None
        shoot(driver, shots, "12-empty-main")
