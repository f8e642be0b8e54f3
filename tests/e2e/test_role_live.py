"""A role change arriving from the server changes the window at once (issue 16): the app's vault
belongs to an Admin of a synced organization (invited, joined and confirmed with the `stint` CLI);
the Owner demotes them to Member on their own device; after the app's next round the Invoices
section is gone, and the Admin who was looking at it is back on Track, without a restart.
Screenshots go to $STINT_E2E_SHOTS/role-*.png."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.support.ui import WebDriverWait

from desktop import ORG, WAIT, by_testid, launch, open_organization, seed_vault, shoot, wait_for, wait_gone
from syncserver import cli, cli_sign_in, stint_server, verified_account

OWNER = "oona@example.org"
ADMIN = "adam@example.org"
PASSWORD = "a long and private passphrase"


def test_a_demoted_admin_loses_the_finance_screens_at_once(shots: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    owner = seed_vault(
        tmp_path_factory.mktemp("role-owner"),
        ["org", "create", ORG, "--currency", "EUR", "--time-zone", "UTC"],
        ["client", "add", "Acme"],
    )
    admin = seed_vault(tmp_path_factory.mktemp("role-admin"))
    logs = tmp_path_factory.mktemp("role-logs")
    with stint_server(tmp_path_factory.mktemp("role-server"), logs) as server:
        verified_account(server, OWNER, PASSWORD)
        verified_account(server, ADMIN, PASSWORD)
        cli_sign_in(owner, server, OWNER, PASSWORD, "owner-laptop")
        cli(owner, server, "org", "publish", "--json")
        cli(owner, server, "member", "invite", ADMIN, "--role", "admin")
        token = re.search(r"sti_\S+", server.email_arrives(ADMIN, 2))
        assert token, "no invitation token in the email"
        cli_sign_in(admin, server, ADMIN, PASSWORD, "admin-laptop")
        joined = json.loads(cli(admin, server, "org", "join", token.group(0), "--json"))
        cli(owner, server, "member", "confirm", ADMIN, "--fingerprint", joined["fingerprint"])
        cli(admin, server, "sync")

        with launch(admin, tmp_path_factory.mktemp("role-webdriver")) as app:
            app: webdriver.Remote
            open_organization(app, ORG)
            # Synced: the device acts as its account, and never as another member.
            assert wait_for(app, "acting-member-name").text == ADMIN
            assert not app.find_elements(*by_testid("acting-member"))
            app.find_element(*by_testid("nav-invoices")).click()
            wait_for(app, "invoices-screen")
            shoot(app, shots, "role-01-admin-on-invoices")

            # Demoted on the Owner's device; the app's next round brings it.
            cli(owner, server, "member", "role", ADMIN, "member")
            app.find_element(*by_testid("sync-badge")).click()
            app.find_element(*by_testid("sync-now")).click()
            wait_gone(app, "nav-invoices")
            WebDriverWait(app, WAIT).until(lambda d: not d.find_elements(*by_testid("invoices-screen")))
            assert app.find_elements(*by_testid("nav-track"))
            assert "Member" in app.find_element(*by_testid("main-screen")).text
            shoot(app, shots, "role-02-member-without-invoices")
