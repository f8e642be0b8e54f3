"""The app in German (issue 17, item 1): an organization whose locale is de-DE speaks German on
every screen and writes its numbers, money and durations the German way, in the light and the dark
theme. The data is made with the CLI; nothing here depends on today's date. Screenshots:
$STINT_E2E_SHOTS/german-<theme>-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from desktop import (
    PASSPHRASE,
    WAIT,
    by_testid,
    launch,
    open_organization,
    replace_text,
    seed_vault,
    shoot,
    wait_for,
)

ORG = "Kanzlei Berg"
CLIENT = "Stadtwerke Ulm"
PROJECT = "Website"


@pytest.fixture
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A German organization with four hours of work in November and a draft invoice for them."""
    return seed_vault(
        tmp_path_factory.mktemp("german-vault"),
        ["org", "create", ORG, "--currency", "EUR", "--time-zone", "Europe/Berlin", "--locale", "de-DE"],
        ["client", "add", CLIENT],
        ["project", "add", PROJECT, "--client", CLIENT],
        ["rate", "set", "95", "--project", PROJECT, "--from", "2026-01-01"],
        ["entry", "add", "--project", PROJECT, "--date", "2026-11-09", "--duration", "2h", "--note", "Entwurf"],
        ["entry", "add", "--project", PROJECT, "--date", "2026-11-10", "--duration", "2h", "--note", "Umsetzung"],
        [
            "billing", "set",
            "--name", "Kanzlei Berg", "--street", "Münsterplatz 1", "--postcode", "89073",
            "--city", "Ulm", "--country", "DE", "--vat-id", "DE123456789",
            "--holder", "Kanzlei Berg", "--iban", "DE89 3704 0044 0532 0130 00",
            "--pattern", "RE-{YYYY}-{SEQ:3}",
        ],
        [
            "billing", "client", CLIENT,
            "--street", "Karlstraße 1", "--postcode", "89073", "--city", "Ulm", "--country", "DE",
        ],
        ["invoice", "create", CLIENT],
    )


def text(element) -> str:
    return " ".join((element.get_attribute("textContent") or "").replace("\u00a0", " ").split())


def test_the_unlock_screen_speaks_the_systems_language(vault: Path, shots: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Before an organization is open the window speaks the system's language, and so does the
    shell's refusal of a wrong passphrase (a `Failure` with a code, in the window's own words)."""
    env = {"LANG": "de_DE.UTF-8", "LANGUAGE": "de_DE:de"}
    with launch(vault, tmp_path_factory.mktemp("german-unlock-webdriver"), env) as driver:
        wait_for(driver, "unlock-passphrase").send_keys("nicht die Passphrase")
        submit = driver.find_element(*by_testid("unlock-submit"))
        assert submit.text == "Entsperren", submit.text
        submit.click()
        assert wait_for(driver, "unlock-error").text == "Falsche Passphrase."
        shoot(driver, shots, "german-00-unlock-error")
        replace_text(driver.find_element(*by_testid("unlock-passphrase")), PASSPHRASE)
        driver.find_element(*by_testid("unlock-submit")).click()
        wait_for(driver, "main-screen")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_german_organization_speaks_german_everywhere(
    theme: str, vault: Path, shots: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    env = {"GTK_THEME": "Adwaita:dark"} if theme == "dark" else {}
    with launch(vault, tmp_path_factory.mktemp("german-webdriver"), env) as driver:
        open_organization(driver, ORG)
        WebDriverWait(driver, WAIT).until(lambda d: d.execute_script("return document.documentElement.lang") == "de")
        for section, word in {
            "track": "Erfassen",
            "projects": "Projekte",
            "expenses": "Ausgaben",
            "invoices": "Rechnungen",
            "reports": "Berichte",
            "settings": "Einstellungen",
        }.items():
            assert word in text(driver.find_element(*by_testid(f"nav-{section}"))), section
        shoot(driver, shots, f"german-{theme}-01-track")

        driver.find_element(*by_testid("nav-projects")).click()
        figures = wait_for(driver, "project-figures")
        WebDriverWait(driver, WAIT).until(lambda d: "4:00 h erfasst" in text(d.find_element(*by_testid("project-figures"))))
        # The draft invoice took all four hours: a rate, the hours, and nothing left to bill.
        assert "95,00 €/Std." in text(figures) and "nichts abzurechnen" in text(figures), text(figures)
        shoot(driver, shots, f"german-{theme}-02-projects")

        driver.find_element(*by_testid("nav-expenses")).click()
        wait_for(driver, "expenses-screen")
        shoot(driver, shots, f"german-{theme}-03-expenses")

        driver.find_element(*by_testid("nav-invoices")).click()
        row = wait_for(driver, "invoice-row")
        # 4 h at 95 plus 19 % USt.: 452,20 €, a draft.
        WebDriverWait(driver, WAIT).until(lambda d: "452,20 €" in text(d.find_element(*by_testid("invoice-row"))))
        assert "Entwurf" in text(row), text(row)
        row.find_element(*by_testid("invoice-open")).click()
        wait_for(driver, "invoice-detail")
        shoot(driver, shots, f"german-{theme}-04-invoice")

        driver.find_element(*by_testid("nav-reports")).click()
        wait_for(driver, "report-preset")
        shoot(driver, shots, f"german-{theme}-05-reports")

        driver.find_element(*by_testid("nav-settings")).click()
        preview = wait_for(driver, "settings-preview")
        WebDriverWait(driver, WAIT).until(lambda d: "1.234,50 €" in text(d.find_element(*by_testid("settings-preview"))))
        assert "1:30 h" in text(preview), text(preview)
        shoot(driver, shots, f"german-{theme}-06-settings")
