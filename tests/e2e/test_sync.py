"""Sync you can see (issue 16): the app's vault syncs through a real `stint-server` with another device
of the same account (the `stint` CLI on its own vault). The header says where sync stands; a client
added on the other device appears in the window after a round, one added in the window reaches the
other device after "Sync now"; on a network that swallows every packet the window works on while the
round finds out, and with the server gone the header says "Offline", calmly.
Screenshots go to $STINT_E2E_SHOTS/sync-*.png."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.support.ui import WebDriverWait

from desktop import (
    ORG,
    WAIT,
    by_testid,
    launch,
    open_organization,
    seed_vault,
    shoot,
    wait_for,
    wait_text,
)
from syncserver import StallingRelay, cli, cli_sign_in, stint_server, verified_account

EMAIL = "sam@example.org"
PASSWORD = "a long and private passphrase"


def badge(driver: webdriver.Remote) -> str:
    return (driver.find_element(*by_testid("sync-badge")).get_attribute("innerText") or "").strip()


def test_changes_travel_both_ways_and_offline_is_calm(shots: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    laptop = seed_vault(
        tmp_path_factory.mktemp("sync-laptop"),
        ["org", "create", ORG, "--currency", "EUR", "--time-zone", "UTC"],
        ["client", "add", "Acme"],
    )
    phone = seed_vault(tmp_path_factory.mktemp("sync-phone"))
    logs = tmp_path_factory.mktemp("sync-logs")
    with stint_server(tmp_path_factory.mktemp("sync-server"), logs) as server:
        verified_account(server, EMAIL, PASSWORD)
        # The laptop reaches the server through a relay that can stop passing bytes on.
        relay = StallingRelay(server)

        # The laptop publishes its organization; the phone joins with the recovery key and adds a
        # client of its own.
        cli_sign_in(laptop, relay, EMAIL, PASSWORD, "laptop")  # type: ignore[arg-type]
        recovery = json.loads(cli(laptop, relay, "org", "publish", "--json"))["recovery_key"]  # type: ignore[arg-type]
        cli_sign_in(phone, server, EMAIL, PASSWORD, "phone")
        cli(phone, server, "device", "enrol", "--recovery-key", env={"STINT_RECOVERY_KEY": recovery})
        cli(phone, server, "sync")
        cli(phone, server, "client", "add", "Globex")
        # Both devices change the same field of Acme without hearing of the other's change; the
        # phone's, the later, wins, and the laptop (whose change lost) is the one to review it.
        cli(laptop, relay, "client", "edit", "Acme", "--note", "from the laptop")  # type: ignore[arg-type]
        cli(phone, server, "client", "edit", "Acme", "--note", "from the phone")
        cli(phone, server, "sync")

        with launch(laptop, tmp_path_factory.mktemp("sync-webdriver")) as app:
            app: webdriver.Remote
            open_organization(app, ORG)
            # The unlock starts a round: the phone's client arrives and the views read again.
            WebDriverWait(app, WAIT).until(lambda d: badge(d) == "Synced")
            app.find_element(*by_testid("nav-projects")).click()
            wait_text(app, "client-list", "Globex")
            shoot(app, shots, "sync-01-synced")

            # The field both changed is in Settings' review list: what each side had, which won.
            app.find_element(*by_testid("nav-settings")).click()
            conflict = wait_for(app, "conflict")
            app.execute_script("arguments[0].scrollIntoView({block: 'center'})", conflict)
            cells = [[c.text for c in row.find_elements("css selector", "th, td")] for row in conflict.find_elements(*by_testid("conflict-field"))]
            assert cells == [["note", "from the phone", "from the laptop"]], cells
            assert conflict.find_element(*by_testid("conflict-title")).text == "“Acme”"
            shoot(app, shots, "sync-01b-review")
            conflict.find_element(*by_testid("conflict-keep")).click()
            wait_for(app, "review-empty")
            app.find_element(*by_testid("nav-projects")).click()

            # A client added here goes out within seconds, without waiting for the minute's round
            # or a "Sync now".
            app.find_element(*by_testid("client-new")).click()
            wait_for(app, "client-name-input").send_keys("Initech")
            app.find_element(*by_testid("client-add")).click()
            wait_text(app, "client-list", "Initech")
            deadline = time.monotonic() + WAIT
            clients: list[str] = []
            while time.monotonic() < deadline and "Initech" not in clients:
                cli(phone, server, "sync")
                clients = [c["name"] for c in json.loads(cli(phone, server, "client", "list", "--json"))]
                time.sleep(0.5)
            assert sorted(clients) == ["Acme", "Globex", "Initech"], clients

            # "Sync now", from the badge's details.
            app.find_element(*by_testid("sync-badge")).click()
            wait_for(app, "sync-details")
            shoot(app, shots, "sync-02-details")
            app.find_element(*by_testid("sync-now")).click()
            WebDriverWait(app, WAIT).until(lambda d: badge(d) == "Synced")
            assert "Last synced at" in wait_for(app, "sync-last").text

            # The network swallows every packet: connections open and nothing comes back. The
            # round does not hold the vault while it finds that out, so the window works on: a
            # client added meanwhile is shown at once (the round's HTTP requests would wait 60 s).
            relay.stall()
            app.find_element(*by_testid("sync-now")).click()
            app.find_element(*by_testid("sync-badge")).click()  # the details close
            app.find_element(*by_testid("client-new")).click()
            wait_for(app, "client-name-input").send_keys("Hooli")
            app.find_element(*by_testid("client-add")).click()
            wait_text(app, "client-list", "Hooli")
            WebDriverWait(app, WAIT).until(lambda d: badge(d) == "Offline")
            shoot(app, shots, "sync-02b-stalled")
            # Settings asks the server for the team: it says the server does not answer, and the
            # window works on meanwhile (the panel's requests would hold it for a minute).
            app.find_element(*by_testid("nav-settings")).click()
            wait_text(app, "team-error", "does not answer. Check the connection and try again.")
            shoot(app, shots, "sync-02c-team-stalled")
            app.find_element(*by_testid("nav-projects")).click()
            wait_text(app, "client-list", "Hooli")
            # The network comes back: the client made meanwhile goes out with the next round.
            relay.resume()
            app.find_element(*by_testid("sync-badge")).click()
            wait_for(app, "sync-now").click()
            WebDriverWait(app, WAIT).until(lambda d: badge(d) == "Synced")
            cli(phone, server, "sync")
            clients = [c["name"] for c in json.loads(cli(phone, server, "client", "list", "--json"))]
            assert sorted(clients) == ["Acme", "Globex", "Hooli", "Initech"], clients

            # The server goes away: offline, and calm about it.
            server.proc.terminate()
            server.proc.wait(timeout=10)
            app.find_element(*by_testid("sync-now")).click()
            WebDriverWait(app, WAIT).until(lambda d: badge(d) == "Offline")
            details = wait_for(app, "sync-details").text
            assert "Your changes are kept on this device" in details, details
            assert not app.find_elements(*by_testid("sync-problem"))
            assert app.find_element(*by_testid("sync-badge")).find_element("xpath", "..").get_attribute("data-state") == "offline"
            shoot(app, shots, "sync-03-offline")
