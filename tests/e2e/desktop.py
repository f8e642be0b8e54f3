"""Helpers for driving the real `stint-desktop` window: launch it under Debian's WebKitWebDriver
(see FIELD-NOTES, "Tauri 2 on this machine"), find elements by `data-testid`, take screenshots.

Run the tests through `scripts/e2e.sh`, which builds everything, starts Xvfb and sets:
  STINT_DESKTOP_BIN  the built app        STINT_CLI_BIN  the built `stint`
  STINT_E2E_SHOTS    where screenshots go DISPLAY        the Xvfb display
  STINT_SERVER_BIN   the built `stint-server`
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
import urllib3
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

PASSPHRASE = "correct horse battery staple"
CLIENT = "Müller & Søn"
PROJECT = "Website"
ORG = "Acme Studio"
WAIT = 30


def required_path(var: str) -> Path:
    value = os.environ.get(var)
    if not value:
        pytest.fail(f"{var} is not set; run scripts/e2e.sh")
    path = Path(value)
    if not path.is_file():
        pytest.fail(f"{var}={path} does not exist; build it first (scripts/e2e.sh does)")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_session(url: str, options: ArgOptions, log: Path) -> webdriver.Remote:
    """A WebDriver session; a dropped connection while the driver is still settling is retried a
    few times (it is the driver's start-up, not the app, that fails that way)."""
    for attempt in range(4):
        try:
            return webdriver.Remote(command_executor=url, options=options)
        except (ConnectionError, urllib3.exceptions.ProtocolError) as error:
            if attempt == 3:
                raise RuntimeError(f"no WebDriver session: {error}\n{log.read_text()}") from error
            time.sleep(1.0)
    raise AssertionError("unreachable")


def x_input() -> None:
    """Move the pointer through the X server: this is what resets the display's idle time
    (WebDriver's clicks are synthesized inside WebKit and do not)."""
    subprocess.run(["xdotool", "mousemove", "--sync", "200", "300"], check=True, timeout=10)
    subprocess.run(["xdotool", "mousemove", "--sync", "210", "310"], check=True, timeout=10)


@contextlib.contextmanager
def launch(vault: Path, logs: Path, extra_env: dict[str, str] | None = None) -> Iterator[webdriver.Remote]:
    """The app on `vault`, through tauri-driver (which runs Debian's WebKitWebDriver); the app
    inherits this environment plus `extra_env`."""
    app = required_path("STINT_DESKTOP_BIN")
    port = _free_port()
    native_port = _free_port()
    while native_port == port:
        native_port = _free_port()
    log = logs / "tauri-driver.log"
    env = {**os.environ, "TAURI_WEBVIEW_AUTOMATION": "true", "STINT_VAULT": str(vault), **(extra_env or {})}
    env.pop("STINT_PASSPHRASE", None)
    driver = os.environ.get("STINT_TAURI_DRIVER", "tauri-driver")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [driver, "--port", str(port), "--native-port", str(native_port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        # Both tauri-driver and the WebKitWebDriver it starts must answer before a session is asked
        # for; on a busy machine the second can lag the first.
        deadline = time.monotonic() + 30
        for status in (f"{url}/status", f"http://127.0.0.1:{native_port}/status"):
            while True:
                try:
                    urllib.request.urlopen(status, timeout=1).read()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"tauri-driver did not start:\n{log.read_text()}")
                    time.sleep(0.2)
        options = ArgOptions()
        options.set_capability("browserName", "wry")
        options.set_capability("tauri:options", {"application": str(app), "args": []})
        session = new_session(url, options, log)
        # The app runs on this machine: hand file inputs the path itself (no Selenium Grid upload).
        session.file_detector = UselessFileDetector()
        # Someone opens the app: the X display's idle time starts here, whatever ran (or waited)
        # before, so that no test meets a "Welcome back" it did not ask for.
        x_input()
        try:
            yield session
        finally:
            session.quit()
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """Ends a helper process: asked first, killed after ten seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


# WebKitWebDriver takes a screenshot after the page's next paint. Without compositing (the app
# paints that way when there is no GPU, as under Xvfb) an idle page with no caret blinking never
# paints again, and the screenshot waits forever. So for two seconds an invisible pixel in a
# corner (1 % black, 1×1, no pointer events) changes every 50 ms; then it is removed.
NUDGE_PAINTS = """
const dot = document.createElement('div');
dot.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;pointer-events:none;z-index:-1';
document.body.appendChild(dot);
let n = 0;
const tick = setInterval(() => {
  dot.style.background = n++ % 2 ? 'rgba(0,0,0,0.01)' : 'transparent';
  if (n > 40) { clearInterval(tick); dot.remove(); }
}, 50);
"""


def shoot(driver: webdriver.Remote, shots: Path, name: str) -> None:
    """A WebDriver screenshot of the page and, as a fallback, the whole X screen."""
    # Let the page paint what the DOM already holds: two animation frames, then a moment.
    driver.set_script_timeout(5)
    driver.execute_async_script("requestAnimationFrame(() => requestAnimationFrame(arguments[0]))")
    time.sleep(0.3)
    driver.execute_script(NUDGE_PAINTS)
    driver.save_screenshot(str(shots / f"{name}.png"))
    subprocess.run(
        ["import", "-window", "root", str(shots / f"{name}-screen.png")], check=False, timeout=30
    )


def by_testid(testid: str) -> tuple[str, str]:
    return (By.CSS_SELECTOR, f'[data-testid="{testid}"]')


def wait_for(driver: webdriver.Remote, testid: str) -> WebElement:
    return WebDriverWait(driver, WAIT).until(EC.visibility_of_element_located(by_testid(testid)))


def wait_gone(driver: webdriver.Remote, testid: str, timeout: float = WAIT) -> None:
    """Waits until nothing on the page has `testid`. WebKitWebDriver can answer a query that runs
    while the element is being removed with a stale-element error; that is asked again."""
    WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: not d.find_elements(*by_testid(testid))
    )


def wait_text(driver: webdriver.Remote, testid: str, text: str) -> None:
    WebDriverWait(driver, WAIT).until(EC.text_to_be_present_in_element(by_testid(testid), text))


def scrolled_to(driver: webdriver.Remote, testid: str) -> WebElement:
    """The element, once it is there, scrolled to the middle of the window."""
    element = wait_for(driver, testid)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    return element


def replace_text(field: WebElement, text: str) -> None:
    field.click()
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.BACKSPACE)
    field.send_keys(text)




def pick(driver: webdriver.Remote, testid: str, typed: str, expected: str) -> None:
    """Choose in a type-to-search picker as a person would: type part of the name, press Enter,
    and check what the field then shows."""
    field = wait_for(driver, testid)
    WebDriverWait(driver, WAIT).until(lambda d: field.is_enabled())
    field.click()
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(typed)
    WebDriverWait(driver, WAIT).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, f'[data-testid="{testid}-option"]'))
    )
    field.send_keys(Keys.ENTER)
    WebDriverWait(driver, WAIT).until(lambda d: field.get_attribute("value") == expected)


def seed_vault(directory: Path, *commands: list[str]) -> Path:
    """A vault at `directory`, protected by PASSPHRASE and made with the CLI: `stint init`, then
    each of `commands`; any failure fails the test with the CLI's output. The vault gets the
    cheapest passphrase setting Stint accepts (`STINT_KDF=minimum`), since every command unlocks it;
    vaults the app creates itself get the default."""
    cli = required_path("STINT_CLI_BIN")
    env = {
        "STINT_VAULT": str(directory),
        "STINT_PASSPHRASE": PASSPHRASE,
        "STINT_KDF": "minimum",
        "PATH": "/usr/bin:/bin",
    }
    for args in (["init"], *commands):
        done = subprocess.run([str(cli), *args], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"stint {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return directory


def open_organization(driver: webdriver.Remote, org: str) -> None:
    """Unlock a PASSPHRASE vault in the window: `org`, the vault's one organization (or the one the
    window had open last), opens at once."""
    wait_for(driver, "unlock-passphrase").send_keys(PASSPHRASE)
    driver.find_element(*by_testid("unlock-submit")).click()
    wait_for(driver, "main-screen")
    assert driver.find_element(*by_testid("current-org")).text == org
