"""An invoice a German client's accounts department accepts, made in the real window (issue 17,
item 5): a GmbH with its register entry and managing directors bills an Austrian client under
reverse charge, in German, with the entries' notes under the line. The saved PDF is read back with
pdftotext (DIN 5008 footer, return address, the client's country by name, the reverse-charge note
in German) and its e-invoice goes through the official schema and EN 16931 rules. Then it is paid
and carries PAID instead of payment instructions. Run in the light and the dark theme; screenshots: $STINT_E2E_SHOTS/invoice-de-*.png."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from selenium.webdriver.support.ui import Select, WebDriverWait

from desktop import WAIT, by_testid, launch, open_organization, replace_text, seed_vault, shoot, wait_for, wait_text

ORG = "Nordlicht Studio"
CLIENT = "Donau Digital"
PROJECT = "Relaunch"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An English-speaking organization whose Austrian client gets its invoices in German."""
    return seed_vault(
        tmp_path_factory.mktemp("invoice-de-vault"),
        ["org", "create", ORG, "--currency", "EUR", "--time-zone", "Europe/Berlin", "--locale", "en-GB"],
        ["client", "add", CLIENT],
        ["project", "add", PROJECT, "--client", CLIENT],
        ["rate", "set", "95", "--project", PROJECT, "--from", "2026-01-01"],
        ["entry", "add", "--project", PROJECT, "--date", "2026-11-09", "--duration", "2h", "--note", "Startseite entworfen"],
        ["entry", "add", "--project", PROJECT, "--date", "2026-11-10", "--duration", "2h", "--note", "Shop-Anbindung"],
        [
            "billing", "set",
            "--name", "Nordlicht Studio GmbH", "--street", "Torstraße 1", "--postcode", "10119",
            "--city", "Berlin", "--country", "DE", "--vat-id", "DE123456789",
            "--phone", "+49 30 1234567", "--email", "rechnung@nordlicht.example",
            "--holder", "Nordlicht Studio GmbH", "--iban", "DE89 3704 0044 0532 0130 00",
            "--pattern", "RE-{YYYY}-{SEQ:3}",
        ],
        [
            "billing", "client", CLIENT,
            "--name", "Donau Digital GmbH", "--street", "Ringstraße 5", "--postcode", "1010",
            "--city", "Wien", "--country", "AT", "--vat-id", "ATU12345678",
        ],
    )


def text(element) -> str:
    return (element.get_attribute("textContent") or "").strip()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_german_invoice_with_register_footer_and_reverse_charge(
    theme: str, vault: Path, shots: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    downloads = tmp_path_factory.mktemp("invoice-de-downloads")
    env = {"STINT_DOWNLOADS": str(downloads)} | ({"GTK_THEME": "Adwaita:dark"} if theme == "dark" else {})
    with launch(vault, tmp_path_factory.mktemp("invoice-de-webdriver"), env) as driver:
        open_organization(driver, ORG)
        driver.find_element(*by_testid("nav-invoices")).click()
        wait_for(driver, "invoices-empty")

        # The legal details of the footer, and German texts for new invoices.
        driver.find_element(*by_testid("billing-toggle")).click()
        for testid, value in {
            "legal-tax-number": "30/123/45678",
            "legal-register-court": "Amtsgericht Berlin-Charlottenburg",
            "legal-register-number": "HRB 123456 B",
            "legal-managing-directors": "Anna Schmidt, Jonas Weber",
            "legal-seat": "Berlin",
        }.items():
            replace_text(wait_for(driver, testid), value)
        Select(driver.find_element(*by_testid("texts-language"))).select_by_value("de")
        driver.find_element(*by_testid("texts-suggest")).click()
        WebDriverWait(driver, WAIT).until(
            lambda d: "vielen Dank" in (d.find_element(*by_testid("texts-intro")).get_attribute("value") or "")
        )
        replace_text(driver.find_element(*by_testid("texts-subject")), "Website-Relaunch")
        driver.find_element(*by_testid("billing-save")).click()
        wait_for(driver, "billing-saved")
        # The client: German invoices, reverse charge.
        Select(wait_for(driver, "client-billing-client")).select_by_visible_text(CLIENT)
        WebDriverWait(driver, WAIT).until(
            lambda d: d.find_element(*by_testid("buyer-language")).is_enabled()
        )
        Select(driver.find_element(*by_testid("buyer-language"))).select_by_value("de")
        Select(driver.find_element(*by_testid("buyer-tax"))).select_by_value("reverse_charge")
        driver.find_element(*by_testid("client-billing-save")).click()
        wait_for(driver, "client-billing-saved")
        driver.execute_script("arguments[0].scrollIntoView()", driver.find_element(*by_testid("seller-legal")))
        shoot(driver, shots, f"invoice-de-01-billing-settings-{theme}")
        driver.find_element(*by_testid("billing-toggle")).click()

        # A draft from the unbilled time, with the notes under the line.
        Select(wait_for(driver, "invoice-client")).select_by_visible_text(CLIENT)
        Select(driver.find_element(*by_testid("invoice-detail-choice"))).select_by_value("notes")
        driver.find_element(*by_testid("invoice-create")).click()
        wait_for(driver, "invoice-detail")
        wait_text(driver, "invoice-status", "Draft")
        line = wait_for(driver, "invoice-line")
        assert "Startseite entworfen; Shop-Anbindung" in text(line), text(line)
        assert Select(driver.find_element(*by_testid("invoice-language"))).first_selected_option.text == "Deutsch"
        assert driver.find_element(*by_testid("invoice-subject")).get_attribute("value") == "Website-Relaunch"
        wait_text(driver, "invoice-preview-status", "Preview of the PDF · 1 page")
        shoot(driver, shots, f"invoice-de-02-draft-{theme}")
        driver.find_element(*by_testid("preview-zoom-in")).click()
        wait_text(driver, "preview-zoom", "125 %")
        wait_text(driver, "invoice-preview-status", "Preview of the PDF · 1 page")
        driver.execute_script("document.querySelector('[data-testid=\"invoice-preview\"]').scrollIntoView()")
        shoot(driver, shots, f"invoice-de-03-preview-zoomed-{theme}")

        driver.find_element(*by_testid("invoice-issue")).click()
        wait_text(driver, "invoice-status", "Issued")
        # The number's year is the issue date's, today's: only its series and sequence are known.
        number = text(driver.find_element("css selector", '[data-testid="invoice-detail"] h2')).split()[-1]
        assert number.startswith("RE-") and number.endswith("-001"), number
        driver.find_element(*by_testid("invoice-save-pdf")).click()
        saved = wait_for(driver, "invoice-saved").text
        pdf = downloads / f"{number}.pdf"
        assert pdf.exists(), (saved, list(downloads.iterdir()))
        assert "without e-invoice" not in saved, saved
        pdf_text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
        for needle in [
            "Rechnung",
            "Website-Relaunch",
            "vielen Dank für Ihren Auftrag",
            "Startseite entworfen; Shop-Anbindung",
            "Nordlicht Studio GmbH · Torstraße 1 · 10119 Berlin · Deutschland",
            "Österreich",
            "USt-IdNr. ATU12345678",
            "Steuerschuldnerschaft des Leistungsempfängers",
            "Registergericht: Amtsgericht Berlin-Charlottenburg",
            "HRB 123456 B",
            "Geschäftsführung: Anna Schmidt, Jonas Weber",
            "Sitz: Berlin",
            "Steuernummer 30/123/45678",
            "380,00",
        ]:
            assert needle in pdf_text, (needle, pdf_text)
        python = os.environ.get("STINT_EINVOICE_PYTHON", str(Path.home() / ".cache/stint-venv/bin/python"))
        check = subprocess.run([python, str(REPO / "tests/einvoice/validate.py"), str(pdf)], capture_output=True, text=True)
        assert check.returncode == 0 and "valid (XSD and EN 16931 rules)" in check.stdout, check.stdout + check.stderr
        # The e-invoice inside says the same, with the code of the exemption.
        body = subprocess.run(
            [python, "-c", "import facturx, sys; print(facturx.get_xml_from_pdf(open(sys.argv[1], 'rb').read(), check_xsd=False)[1].decode())", str(pdf)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert "<ram:ExemptionReasonCode>VATEX-EU-AE</ram:ExemptionReasonCode>" in body, body
        assert "Steuerschuldnerschaft des Leistungsempfängers" in body, body
        shoot(driver, shots, f"invoice-de-04-issued-{theme}")

        # Paid in full, by transfer (today): PAID, and no payment instructions.
        replace_text(wait_for(driver, "invoice-payment"), "380.00")
        driver.find_element(*by_testid("invoice-pay")).click()
        wait_text(driver, "invoice-status", "Paid")
        assert "by bank transfer" in text(wait_for(driver, "invoice-payments"))
        pdf.rename(downloads / "issued.pdf")
        driver.find_element(*by_testid("invoice-save-pdf")).click()
        WebDriverWait(driver, WAIT).until(lambda d: pdf.exists())
        paid_text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
        assert "BEZAHLT" in paid_text, paid_text
        assert "Zahlbar innerhalb" not in paid_text and "Verwendungszweck" not in paid_text, paid_text
        shoot(driver, shots, f"invoice-de-05-paid-{theme}")
