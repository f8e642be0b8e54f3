"""Running a team from the window (issue 16): the app's vault, signed in to a real `stint-server`,
publishes its organization from Settings; the recovery key is shown, saved as a PDF kit and checked
by typing two of its groups back; a Viewer is invited from the app, joins with the `stint` CLI on a
vault of their own, is confirmed in the app by the fingerprint they read out, and their device then
receives the organization. Screenshots go to $STINT_E2E_SHOTS/team-*.png."""

from __future__ import annotations

import json
import re
import stat
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from desktop import (
    ORG,
    WAIT,
    by_testid,
    launch,
    open_organization,
    replace_text,
    scrolled_to,
    seed_vault,
    shoot,
    wait_for,
    wait_gone,
    wait_text,
)
from syncserver import cli, cli_sign_in, grouped, stint_server, verified_account

OWNER = "olga@example.org"
VIEWER = "vic@example.org"
PASSWORD = "a long and private passphrase"


def test_publish_then_invite_and_confirm_a_viewer(shots: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    laptop = seed_vault(
        tmp_path_factory.mktemp("team-laptop"),
        ["org", "create", ORG, "--currency", "EUR", "--time-zone", "UTC"],
        ["client", "add", "Acme"],
    )
    viewer = seed_vault(tmp_path_factory.mktemp("team-viewer"))
    downloads = tmp_path_factory.mktemp("team-downloads")
    logs = tmp_path_factory.mktemp("team-logs")
    with stint_server(tmp_path_factory.mktemp("team-server"), logs) as server:
        verified_account(server, OWNER, PASSWORD)
        verified_account(server, VIEWER, PASSWORD)
        # The window's own sign-in through the browser is test_server_sign_in's; here the vault is
        # signed in before the app starts, as it would be after that.
        cli_sign_in(laptop, server, OWNER, PASSWORD, "laptop")

        with launch(laptop, tmp_path_factory.mktemp("team-webdriver"), {"STINT_DOWNLOADS": str(downloads)}) as app:
            app: webdriver.Remote
            open_organization(app, ORG)
            app.find_element(*by_testid("nav-settings")).click()
            publish = scrolled_to(app, "publish-panel")
            assert "without being able to read them" in publish.text, publish.text
            shoot(app, shots, "team-01-publish")
            app.find_element(*by_testid("publish")).click()

            # The recovery key, once: saved as a kit, then two groups typed back.
            key = scrolled_to(app, "recovery-panel").find_element(*by_testid("recovery-key"))
            groups = [g.text for g in key.find_elements("css selector", "span")]
            assert len(groups) >= 8 and all(len(g) == 4 for g in groups), groups
            shoot(app, shots, "team-02-recovery-key")
            app.find_element(*by_testid("recovery-save")).click()
            saved = wait_for(app, "recovery-saved").text
            kit = next(downloads.glob("*.pdf"))
            assert str(kit) in saved, saved
            assert kit.read_bytes().startswith(b"%PDF-")
            assert stat.S_IMODE(kit.stat().st_mode) == 0o600, oct(kit.stat().st_mode)

            app.find_element(*by_testid("recovery-written")).click()
            fields = app.find_elements(*by_testid("recovery-group"))
            asked = [int(f.get_attribute("data-group") or "0") for f in fields]
            wrong = "0000" if groups[asked[1] - 1] != "0000" else "1111"
            fields[0].send_keys(groups[asked[0] - 1].lower())
            fields[1].send_keys(wrong)
            app.find_element(*by_testid("recovery-check-submit")).click()
            wait_text(app, "recovery-error", f"group {asked[1]} does not match")
            shoot(app, shots, "team-03-recovery-check-wrong")
            replace_text(fields[1], groups[asked[1] - 1])
            app.find_element(*by_testid("recovery-check-submit")).click()
            wait_gone(app, "recovery-panel")

            # The synced team: the Owner, this device, and an invitation for a Viewer.
            team = scrolled_to(app, "team-panel")
            WebDriverWait(app, WAIT).until(lambda d: d.find_elements(*by_testid("team-device")))
            assert "this device" in team.text, team.text
            replace_text(app.find_element(*by_testid("invite-email")), VIEWER)
            Select(app.find_element(*by_testid("invite-role"))).select_by_value("viewer")
            app.find_element(*by_testid("invite-send")).click()
            wait_text(app, "team-notice", f"Invited {VIEWER} as Viewer")
            shoot(app, shots, "team-04-invited")

            # The Viewer joins from their own device and reads out their fingerprint.
            token = re.search(r"sti_\S+", server.email_arrives(VIEWER, 2))
            assert token, "no invitation token in the email"
            cli_sign_in(viewer, server, VIEWER, PASSWORD, "viewer-laptop")
            joined = json.loads(cli(viewer, server, "org", "join", token.group(0), "--json"))
            assert joined["pending"] is True, joined
            read_out = grouped(joined["fingerprint"])

            # The list of newcomers is read when Settings opens.
            app.find_element(*by_testid("nav-track")).click()
            app.find_element(*by_testid("nav-settings")).click()
            row = scrolled_to(app, "team-pending")
            assert VIEWER in row.text, row.text
            assert app.find_element(*by_testid("pending-fingerprint")).text == read_out
            app.find_element(*by_testid("team-confirm")).click()
            ask = wait_for(app, "team-confirm-ask")
            assert read_out in ask.text, ask.text
            shoot(app, shots, "team-05-confirm-by-fingerprint")
            app.find_element(*by_testid("team-confirm-match")).click()
            wait_text(app, "team-notice", f"Confirmed {VIEWER}")
            wait_gone(app, "team-pending")
            shoot(app, shots, "team-06-confirmed")

            # The Viewer's device receives the organization once the app's round handed it over.
            deadline = time.monotonic() + WAIT
            clients: list[str] = []
            while time.monotonic() < deadline:
                cli(viewer, server, "sync")
                orgs = json.loads(cli(viewer, server, "org", "list", "--json"))
                if any(o["name"] == ORG for o in orgs):
                    clients = [c["name"] for c in json.loads(cli(viewer, server, "--org", ORG, "client", "list", "--json"))]
                    if clients:
                        break
                time.sleep(1)
            assert clients == ["Acme"], clients
            names = [m.text for m in app.find_elements(*by_testid("member-name"))]
            assert any(VIEWER in n for n in names), names

    log = (logs / "stint-server.log").read_text()
    assert not re.search(r"st[hsr]_[0-9A-Za-z]", log), "a token in the server's log"
