"""The window follows the system's dark theme (GTK's dark variant → `prefers-color-scheme: dark`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop import by_testid, launch, shoot, wait_for, wait_text


def test_dark_theme_follows_the_system(shots: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    vault = tmp_path_factory.mktemp("dark-vault")
    with launch(vault, tmp_path_factory.mktemp("dark-webdriver"), {"GTK_THEME": "Adwaita:dark"}) as driver:
        wait_for(driver, "unlock-passphrase")
        assert driver.execute_script("return matchMedia('(prefers-color-scheme: dark)').matches") is True
        background = driver.execute_script("return getComputedStyle(document.documentElement).backgroundColor")
        # --bg in the dark theme is #151917.
        assert background == "rgb(21, 25, 23)", background
        shoot(driver, shots, "dark-01-create-vault")

        wait_for(driver, "unlock-passphrase").send_keys("a dark passphrase")
        driver.find_element(*by_testid("unlock-passphrase-confirm")).send_keys("a dark passphrase")
        driver.find_element(*by_testid("unlock-submit")).click()
        wait_for(driver, "org-create-name").send_keys("Nachtschicht")
        driver.find_element(*by_testid("org-create-owner")).send_keys("Nyx")
        driver.find_element(*by_testid("org-create-submit")).click()
        wait_text(driver, "org-list", "Nachtschicht")
        driver.find_element(*by_testid("org-option")).click()
        wait_for(driver, "main-screen")
        driver.find_element(*by_testid("nav-projects")).click()
        wait_for(driver, "client-name-input")
        shoot(driver, shots, "dark-02-projects")
