"""The Debian package (issue 17, item 10): `scripts/build-deb` packs the app and the CLI, `dpkg -i`
installs them, the desktop entry is valid and names an installed icon, and the installed binary
opens its window. The package is built from the binaries this run tested (debug, uncompressed, to
keep the run short); a release package is the same script without --app/--cli."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from desktop import launch, required_path, shoot, wait_for

REPO = Path(__file__).resolve().parents[2]
ENTRY = Path("/usr/share/applications/stint.desktop")


def as_root(*command: str) -> subprocess.CompletedProcess[str]:
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    done = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("deb")
    built = subprocess.run(
        [
            str(REPO / "scripts" / "build-deb"),
            "--app", str(required_path("STINT_DESKTOP_BIN")),
            "--cli", str(required_path("STINT_CLI_BIN")),
            "--out", str(out),
            "--fast",
        ],
        capture_output=True, text=True, timeout=600,
    )
    assert built.returncode == 0, built.stderr
    deb = Path(built.stdout.strip().splitlines()[-1])
    assert deb.is_file() and deb.name.startswith("stint_") and deb.suffix == ".deb", deb
    return deb


def test_the_package_installs_and_the_installed_app_starts(
    package: Path, shots: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = subprocess.run(["dpkg-deb", "--field", str(package)], capture_output=True, text=True, check=True).stdout
    assert "Package: stint" in info and "libwebkit2gtk-4.1-0" in info, info
    as_root("dpkg", "-i", str(package))
    try:
        assert subprocess.run(["dpkg-query", "-W", "-f=${Status}", "stint"], capture_output=True, text=True).stdout == (
            "install ok installed"
        )
        # The desktop entry: valid, starts the installed binary, names an icon that is installed.
        entry = ENTRY.read_text()
        subprocess.run(["desktop-file-validate", str(ENTRY)], check=True)
        assert "Exec=stint-desktop\n" in entry and "Icon=stint\n" in entry and "Name=Stint\n" in entry, entry
        for size in ("32x32", "128x128", "256x256"):
            icon = Path(f"/usr/share/icons/hicolor/{size}/apps/stint.png")
            assert icon.is_file() and icon.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", icon
        # Both programs are on the PATH; the CLI answers.
        version = subprocess.run(["/usr/bin/stint", "--version"], capture_output=True, text=True, timeout=60)
        assert version.returncode == 0 and "0.1.0" in version.stdout, version

        # The installed app opens its window on a new vault.
        monkeypatch.setenv("STINT_DESKTOP_BIN", "/usr/bin/stint-desktop")
        vault = tmp_path_factory.mktemp("installed-vault")
        with launch(vault, tmp_path_factory.mktemp("installed-webdriver")) as driver:
            wait_for(driver, "unlock-passphrase")
            assert wait_for(driver, "unlock-submit").text == "Create vault"
            shoot(driver, shots, "install-01-installed-app")
    finally:
        as_root("dpkg", "-r", "stint")
    assert not ENTRY.exists() and not Path("/usr/bin/stint-desktop").exists()
