"""Signing in to a sync server from the window (issue 16): a real `stint-server` on SQLite, headless
Chromium as the system browser (through `$BROWSER`, as a desktop sets it), the server's own sign-in
page with a password and the emailed code, and the hand-off back to the app's loopback listener. The
session survives a restart of the app (it is sealed in the vault), and signing out ends it on the
server. The account is made first on the server's sign-up page, which the app opens, and confirmed
through the emailed link, where a passkey is added (Chromium's virtual authenticator: a platform
authenticator that verifies its user); after signing out, that passkey alone signs the app in again.
Screenshots go to $STINT_E2E_SHOTS/server-*.png."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options as ChromeOptions
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.common.virtual_authenticator import VirtualAuthenticatorOptions
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from desktop import (
    ORG,
    WAIT,
    by_testid,
    launch,
    open_organization,
    replace_text,
    seed_vault,
    shoot,
    wait_for,
    wait_text,
)
from syncserver import api_session, emailed_code, session_devices, stint_server

EMAIL = "jane@example.org"
# What the app calls this computer in the account's session list (as `hostname` says).
HOST = socket.gethostname()
PASSWORD = "a long and private passphrase"


@contextlib.contextmanager
def chromium(profile: Path) -> Iterator[webdriver.Chrome]:
    """Debian's headless Chromium behind its chromedriver (both from apt; no download)."""
    options = ChromeOptions()
    options.binary_location = os.environ.get("STINT_CHROMIUM", "/usr/bin/chromium")
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    service = ChromeService(executable_path=os.environ.get("STINT_CHROMEDRIVER", "/usr/bin/chromedriver"))
    browser = webdriver.Chrome(service=service, options=options)
    try:
        # The device's own authenticator (fingerprint, face or PIN), which keeps passkeys and
        # always verifies its user; it lasts as long as this browser.
        browser.add_virtual_authenticator(VirtualAuthenticatorOptions(
            transport=VirtualAuthenticatorOptions.Transport.INTERNAL,
            has_resident_key=True, has_user_verification=True, is_user_verified=True,
        ))
        yield browser
    finally:
        browser.quit()


def system_browser(directory: Path) -> tuple[str, Path]:
    """A `$BROWSER` that notes each address the app asks it to open, one per line, as the
    test's Chromium opens them; the command and the file it writes."""
    opened = directory / "opened.txt"
    script = directory / "browser"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{opened}"\n')
    script.chmod(0o755)
    return str(script), opened


def next_opened(opened: Path, count: int) -> str:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        lines = opened.read_text().splitlines() if opened.exists() else []
        if len(lines) >= count:
            return lines[count - 1]
        time.sleep(0.1)
    pytest.fail("the app did not open the browser")


def handed_back(browser: webdriver.Chrome) -> None:
    """The page sends the browser on to the app's loopback port: an element read while that happens
    is stale, and is read again from the next page."""
    WebDriverWait(browser, WAIT, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda b: "Signed in." in b.find_element(By.TAG_NAME, "body").text
    )
    assert browser.current_url.startswith("http://127.0.0.1:"), browser.current_url


def test_signing_in_through_the_browser(shots: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    logs = tmp_path_factory.mktemp("server-sign-in-logs")
    vault = seed_vault(
        tmp_path_factory.mktemp("server-sign-in-vault"),
        ["org", "create", ORG, "--currency", "EUR", "--time-zone", "UTC"],
    )
    browser_cmd, opened = system_browser(tmp_path_factory.mktemp("server-sign-in-browser"))
    with (
        stint_server(tmp_path_factory.mktemp("server-sign-in-data"), logs) as server,
        chromium(tmp_path_factory.mktemp("server-sign-in-chromium")) as browser,
    ):
        with launch(vault, tmp_path_factory.mktemp("server-sign-in-webdriver"), {"BROWSER": browser_cmd}) as app:
            app: webdriver.Remote
            open_organization(app, ORG)
            app.find_element(*by_testid("nav-settings")).click()
            address = wait_for(app, "server-address")
            app.execute_script("arguments[0].scrollIntoView({block: 'center'})", address)
            shoot(app, shots, "server-01-signed-out")

            # A server that would take a password in the clear is refused before any browser opens.
            replace_text(address, "http://stint.example.org")
            app.find_element(*by_testid("server-sign-in")).click()
            wait_text(app, "server-error", "refusing to sign in over plain HTTP to http://stint.example.org; use https://")
            assert not opened.exists()

            replace_text(address, server.base)

            # No account yet: the app opens the server's sign-up page; the emailed link confirms it
            # and offers a passkey, which the device's authenticator makes.
            app.find_element(*by_testid("server-sign-up")).click()
            page = next_opened(opened, 1)
            assert page == f"{server.base}/sign-up", page
            browser.get(page)
            browser.find_element(By.ID, "email").send_keys(EMAIL)
            browser.find_element(By.ID, "password").send_keys(PASSWORD)
            browser.find_element(By.ID, "password-again").send_keys(PASSWORD + "!")
            browser.find_element(By.ID, "sign-up-submit").click()
            WebDriverWait(browser, WAIT).until(lambda b: "differ" in b.find_element(By.ID, "status").text)
            assert not server.emails_to(EMAIL)
            again = browser.find_element(By.ID, "password-again")
            again.clear()
            again.send_keys(PASSWORD)
            browser.find_element(By.ID, "sign-up-submit").click()
            sent = WebDriverWait(browser, WAIT).until(EC.visibility_of_element_located((By.ID, "sent")))
            assert EMAIL in sent.text, sent.text
            browser.save_screenshot(str(shots / "server-01b-sign-up-page.png"))
            link = re.search(r"http://\S+/verify-email#ste_[0-9a-f]{64}", server.email_arrives(EMAIL, 1))
            assert link, "no confirmation link in the email"
            browser.get(link.group(0))
            browser.find_element(By.ID, "verify-password").send_keys(PASSWORD)
            browser.find_element(By.ID, "verify-submit").click()
            WebDriverWait(browser, WAIT).until(EC.visibility_of_element_located((By.ID, "passkey-offer")))
            browser.save_screenshot(str(shots / "server-01c-passkey-offer.png"))
            assert not browser.get_credentials()
            browser.find_element(By.ID, "passkey-add").click()
            WebDriverWait(browser, WAIT).until(EC.visibility_of_element_located((By.ID, "verified")))
            status = browser.find_element(By.ID, "status").text
            assert re.fullmatch(r'Confirmed, with the passkey "Passkey on .+"\.', status), status
            kept = browser.get_credentials()
            assert len(kept) == 1 and kept[0].is_resident_credential and kept[0].rp_id == "localhost", kept
            assert "A passkey named" in server.email_arrives(EMAIL, 2)

            app.find_element(*by_testid("server-sign-in")).click()
            wait_for(app, "server-waiting")
            shoot(app, shots, "server-02-waiting-for-the-browser")

            # This time with the password and the emailed code (the account has no authenticator
            # app); the passkey signs in further down.
            page = next_opened(opened, 2)
            assert page.startswith(f"{server.base}/sign-in?"), page
            assert "code_verifier" not in page
            browser.get(page)
            handoff = WebDriverWait(browser, WAIT).until(EC.visibility_of_element_located((By.ID, "handoff")))
            assert f"The Stint app on {HOST} asked to sign in." in handoff.text, handoff.text
            browser.find_element(By.ID, "email").send_keys(EMAIL)
            browser.find_element(By.ID, "password").send_keys(PASSWORD)
            browser.find_element(By.ID, "password-submit").click()
            code = WebDriverWait(browser, WAIT).until(EC.visibility_of_element_located((By.ID, "code")))
            code.send_keys(emailed_code(server.email_arrives(EMAIL, 3)))
            browser.find_element(By.ID, "code-submit").click()
            handed_back(browser)

            wait_text(app, "server-signed-in", f"Signed in to {server.base} as {EMAIL}.")
            assert not app.find_elements(*by_testid("server-error"))
            shoot(app, shots, "server-03-signed-in")

        # The account's session list names the app's session after this computer.
        observer = api_session(server, EMAIL, PASSWORD, "observer")
        assert HOST in session_devices(server, observer)

        # The session is kept in the vault, sealed: a new start of the app is still signed in.
        with launch(vault, tmp_path_factory.mktemp("server-sign-in-webdriver-2"), {"BROWSER": browser_cmd}) as app:
            open_organization(app, ORG)
            app.find_element(*by_testid("nav-settings")).click()
            wait_text(app, "server-signed-in", f"Signed in to {server.base} as {EMAIL}.")
            app.find_element(*by_testid("server-sign-out")).click()
            wait_for(app, "server-sign-in")
            assert (wait_for(app, "server-address").get_attribute("value") or "") == "https://"
            assert len(opened.read_text().splitlines()) == 2, "signing out opens no browser"

            # Signing out ended the session on the server, not only here.
            assert HOST not in session_devices(server, observer)

            # The passkey from the sign-up page is a whole sign-in: no email, no password.
            emails = len(server.emails_to(EMAIL))
            replace_text(wait_for(app, "server-address"), server.base)
            app.find_element(*by_testid("server-sign-in")).click()
            browser.get(next_opened(opened, 3))
            WebDriverWait(browser, WAIT).until(EC.visibility_of_element_located((By.ID, "handoff")))
            browser.find_element(By.ID, "passkey").click()
            handed_back(browser)
            wait_text(app, "server-signed-in", f"Signed in to {server.base} as {EMAIL}.")
            assert len(server.emails_to(EMAIL)) == emails, "a passkey sign-in sends no code"
            assert HOST in session_devices(server, observer)

    log = (logs / "stint-server.log").read_text()
    assert not re.search(r"st[hsrw]_[0-9A-Za-z]", log), "a token in the server's log"
