"""Joining an organization from the window (issue 16): the Owner (the `stint` CLI on a vault of
their own, signed in to a real `stint-server`) publishes an organization and invites a Viewer; the
Viewer's app, signed in but with no organization yet, takes the emailed link on its organizations
screen, sets up the account's keys and shows the fingerprint to read out; the Owner confirms by
those digits, and the organization arrives in the window with its client. Screenshots go to
$STINT_E2E_SHOTS/join-*.png."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.support.ui import WebDriverWait

from desktop import PASSPHRASE, ORG, WAIT, by_testid, launch, replace_text, seed_vault, shoot, wait_for, wait_text
from syncserver import cli, cli_sign_in, grouped, stint_server, verified_account

OWNER = "olga@example.org"
VIEWER = "vic@example.org"
PASSWORD = "a long and private passphrase"


def test_joining_an_organization_from_the_app(shots: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    owner = seed_vault(
        tmp_path_factory.mktemp("join-owner"),
        ["org", "create", ORG, "--currency", "EUR", "--time-zone", "UTC"],
        ["client", "add", "Acme"],
    )
    invitee = seed_vault(tmp_path_factory.mktemp("join-invitee"))
    logs = tmp_path_factory.mktemp("join-logs")
    with stint_server(tmp_path_factory.mktemp("join-server"), logs) as server:
        verified_account(server, OWNER, PASSWORD)
        verified_account(server, VIEWER, PASSWORD)
        cli_sign_in(owner, server, OWNER, PASSWORD, "owner-laptop")
        cli(owner, server, "org", "publish", "--json")
        cli(owner, server, "member", "invite", VIEWER, "--role", "viewer")
        link = re.search(r"http://\S+/accept-invitation#sti_\S+", server.email_arrives(VIEWER, 2))
        assert link, "no invitation link in the email"
        cli_sign_in(invitee, server, VIEWER, PASSWORD, "viewer-laptop")

        with launch(invitee, tmp_path_factory.mktemp("join-webdriver")) as app:
            app: webdriver.Remote
            wait_for(app, "unlock-passphrase").send_keys(PASSPHRASE)
            app.find_element(*by_testid("unlock-submit")).click()
            wait_for(app, "org-empty")
            token = wait_for(app, "join-token")
            app.execute_script("arguments[0].scrollIntoView({block: 'center'})", token)
            shoot(app, shots, "join-01-invited")

            # Something else pasted is refused before the server is asked.
            replace_text(token, "482-K7Q2-9XMD")
            app.find_element(*by_testid("join-submit")).click()
            wait_text(app, "join-error", "that is not an invitation code")

            # The email's whole link does: the account's keys are set up here, and the
            # fingerprint to read out is shown.
            replace_text(token, link.group(0))
            app.find_element(*by_testid("join-submit")).click()
            done = wait_for(app, "join-done")
            assert "You joined as Viewer" in done.text, done.text
            assert "first device" in done.text, done.text
            read_out = wait_for(app, "join-fingerprint").text
            assert re.fullmatch(r"\d{5}( \d{5}){5}", read_out), read_out
            assert not app.find_elements(*by_testid("enrol-panel")), "set up now: no enrolment"
            shoot(app, shots, "join-02-waiting-for-confirmation")

            # The Owner sees the same digits for the newcomer, and confirms by them.
            pending = json.loads(cli(owner, server, "member", "pending", "--json"))
            assert [(p["email"], grouped(p["fingerprint"])) for p in pending] == [(VIEWER, read_out)], pending
            cli(owner, server, "member", "confirm", VIEWER, "--fingerprint", read_out.replace(" ", ""))
            cli(owner, server, "sync")

            # A round now brings the organization, with what the Owner had in it.
            app.find_element(*by_testid("join-check")).click()
            WebDriverWait(app, WAIT).until(
                lambda d: ORG in [e.text for e in d.find_elements(*by_testid("org-option-name"))]
            )
            assert not app.find_elements(*by_testid("join-error"))
            shoot(app, shots, "join-03-arrived")
            app.find_element(*by_testid("org-option")).click()
            wait_for(app, "main-screen")
            assert wait_for(app, "acting-member-name").text == VIEWER
            assert "Viewer" in app.find_element(*by_testid("main-screen")).text
            app.find_element(*by_testid("nav-projects")).click()
            wait_text(app, "projects-screen", "Acme")

            # The recovery key of this first device waits in Settings.
            app.find_element(*by_testid("nav-settings")).click()
            wait_for(app, "recovery-panel")
            shoot(app, shots, "join-04-recovery-key-in-settings")

    log = (logs / "stint-server.log").read_text()
    assert not re.search(r"st[hsrw]_[0-9A-Za-z]|sti_[0-9A-Z]", log), "a token in the server's log"
