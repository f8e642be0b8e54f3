"""A new device in the window (issue 16): the app starts on an empty vault signed in to a real
`stint-server` whose account already syncs from another device (the `stint` CLI). A wrong recovery
key is refused before anything changes; then the app shows a code and fingerprint, the CLI approves
it with the same fingerprint, and the organization arrives. The app in turn approves a third device
(the CLI again) by the code it shows. The three devices list each other by name (sealed: the server
cannot read them) with when each was last seen; the window renames its own device and the CLI reads
the new name. Screenshots go to $STINT_E2E_SHOTS/enrol-*.png."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.support.ui import WebDriverWait

from desktop import (
    ORG,
    PASSPHRASE,
    by_testid,
    launch,
    replace_text,
    required_path,
    scrolled_to,
    seed_vault,
    shoot,
    wait_for,
    wait_text,
)
from syncserver import cli, cli_env, cli_sign_in, grouped, stint_server, verified_account

EMAIL = "nora@example.org"
PASSWORD = "a long and private passphrase"


def test_a_new_device_is_approved_and_approves_the_next(shots: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    laptop = seed_vault(
        tmp_path_factory.mktemp("enrol-laptop"),
        ["org", "create", ORG, "--currency", "EUR", "--time-zone", "UTC"],
        ["client", "add", "Acme"],
    )
    desk = seed_vault(tmp_path_factory.mktemp("enrol-desk"))
    phone = seed_vault(tmp_path_factory.mktemp("enrol-phone"))
    logs = tmp_path_factory.mktemp("enrol-logs")
    with stint_server(tmp_path_factory.mktemp("enrol-server"), logs) as server:
        verified_account(server, EMAIL, PASSWORD)
        cli_sign_in(laptop, server, EMAIL, PASSWORD, "laptop")
        cli(laptop, server, "org", "publish", "--json")
        # The window's sign-in through the browser is test_server_sign_in's; here the new vault is
        # signed in before the app starts, as it would be after that.
        cli_sign_in(desk, server, EMAIL, PASSWORD, "desk")

        with launch(desk, tmp_path_factory.mktemp("enrol-webdriver")) as app:
            app: webdriver.Remote
            wait_for(app, "unlock-passphrase").send_keys(PASSPHRASE)
            app.find_element(*by_testid("unlock-submit")).click()
            wait_for(app, "enrol-panel")
            wait_text(app, "server-signed-in", EMAIL)
            shoot(app, shots, "enrol-01-new-device")

            # A key that is not the account's opens nothing, and says so.
            app.find_element(*by_testid("enrol-key")).send_keys("0000-0000-0000-0000-0000-0000-0000-0000")
            app.find_element(*by_testid("enrol-by-key")).click()
            error = wait_for(app, "enrol-error").text
            assert "recovery key" in error, error
            assert app.find_elements(*by_testid("org-empty"))

            # Approved from the laptop, both showing the same digits.
            app.find_element(*by_testid("enrol-by-device")).click()
            code = wait_for(app, "enrol-code").text.strip()
            shown = app.find_element(*by_testid("enrol-fingerprint")).text
            shoot(app, shots, "enrol-02-code")
            approved = json.loads(cli(laptop, server, "device", "approve", code, "--json"))
            assert grouped(approved["fingerprint"]) == shown, (approved, shown)
            # The organization arrives with the round that follows.
            wait_text(app, "org-list", ORG)
            shoot(app, shots, "enrol-03-arrived")
            app.find_element(*by_testid("org-option")).click()
            wait_for(app, "main-screen")
            app.find_element(*by_testid("nav-projects")).click()
            wait_text(app, "client-list", "Acme")

            # The window approves the next device by the code it shows.
            cli_sign_in(phone, server, EMAIL, PASSWORD, "phone")
            enrolling = subprocess.Popen(
                [str(required_path("STINT_CLI_BIN")), "device", "enrol", "--json"],
                env=cli_env(phone, server),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                assert enrolling.stdout is not None
                request = json.loads(enrolling.stdout.readline())
                app.find_element(*by_testid("nav-settings")).click()
                field = wait_for(app, "approve-code")
                app.execute_script("arguments[0].scrollIntoView({block: 'center'})", field)
                field.send_keys(request["code"])
                app.find_element(*by_testid("approve-send")).click()
                assert wait_for(app, "approve-fingerprint").text == grouped(request["fingerprint"])
                shoot(app, shots, "enrol-04-approved-another")
                out, err = enrolling.communicate(timeout=120)
            finally:
                if enrolling.poll() is None:
                    enrolling.kill()
            assert enrolling.returncode == 0, f"stint device enrol failed:\n{out}\n{err}"
            assert json.loads(out)["enrolled"] is True, out
            clients = [c["name"] for c in json.loads(cli(phone, server, "--org", ORG, "client", "list", "--json"))]
            assert clients == ["Acme"], clients

            # Every device is named after its machine when enrolled; the phone takes a name of its
            # own, and the window lists all three with when the others were last seen.
            cli(phone, server, "device", "rename", "Nora’s phone")
            app.find_element(*by_testid("nav-track")).click()
            app.find_element(*by_testid("nav-settings")).click()
            scrolled_to(app, "team-panel")
            WebDriverWait(app, 30).until(lambda d: len(d.find_elements(*by_testid("team-device"))) == 3)
            rows = app.find_elements(*by_testid("team-device"))
            names = [r.find_element(*by_testid("device-name")).text for r in rows]
            host = socket.gethostname()
            assert sorted(names) == sorted([host, host, "Nora’s phone"]), names
            phone_row = rows[names.index("Nora’s phone")]
            assert "last seen" in phone_row.find_element(*by_testid("device-when")).text, phone_row.text
            own = next(r for r in app.find_elements(*by_testid("team-device")) if "this device" in r.text)
            app.execute_script("arguments[0].scrollIntoView({block: 'center'})", own)
            shoot(app, shots, "enrol-05-devices")
            own.find_element(*by_testid("device-rename")).click()
            replace_text(wait_for(app, "device-rename-input"), "Studio desk")
            shoot(app, shots, "enrol-06-renaming")
            app.find_element(*by_testid("device-rename-save")).click()
            wait_text(app, "team-notice", "This device is now called Studio desk")
            listed = json.loads(cli(laptop, server, "device", "list", "--json"))
            assert sorted(d["name"] for d in listed) == sorted([host, "Nora’s phone", "Studio desk"]), listed
            assert all(d["last_seen_ms"] for d in listed if not d["this_device"]), listed
