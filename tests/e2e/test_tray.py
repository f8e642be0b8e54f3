"""The status-area (tray) icon, seen the way a desktop panel sees it.

Linux panels (KDE Plasma, GNOME's AppIndicator extension, XFCE, waybar…) host tray icons through the
StatusNotifierItem protocol on the session bus: the panel owns `org.kde.StatusNotifierWatcher`, each
app registers its item there, and the panel reads the item's icon and label and shows its menu
(`com.canonical.dbusmenu`). Xvfb has no panel, so this test is one: it owns the watcher before the
app starts (see sessionbus.py), then checks over D-Bus that the
real app's item says whether a timer runs, and that its menu starts and stops the timer on the last
project, which the window then shows.
"""

import shutil
import struct
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dbus_next import Message, MessageType, Variant
from dbus_next.service import ServiceInterface, dbus_property, method, signal
from dbus_next.constants import PropertyAccess
from selenium import webdriver

from sessionbus import BusThread
from desktop import CLIENT, PROJECT, by_testid, launch, open_organization, seed_vault, shoot, wait_for, wait_text

ORG = "Tray Studio"
WATCHER = "org.kde.StatusNotifierWatcher"
ITEM = "org.kde.StatusNotifierItem"
MENU = "com.canonical.dbusmenu"


class Watcher(ServiceInterface):
    """The panel's half of the protocol: items register here."""

    def __init__(self) -> None:
        super().__init__(WATCHER)
        self.items: list[str] = []

    @method()
    def RegisterStatusNotifierItem(self, service: "s") -> None:  # noqa: F821
        self.StatusNotifierItemRegistered(service)

    @method()
    def RegisterStatusNotifierHost(self, service: "s") -> None:  # noqa: F821
        pass

    @signal()
    def StatusNotifierItemRegistered(self, service) -> "s":  # noqa: F821
        return service

    @dbus_property(access=PropertyAccess.READ)
    def RegisteredStatusNotifierItems(self) -> "as":  # noqa: F821
        return list(self.items)

    @dbus_property(access=PropertyAccess.READ)
    def IsStatusNotifierHostRegistered(self) -> "b":  # noqa: F821
        return True

    @dbus_property(access=PropertyAccess.READ)
    def ProtocolVersion(self) -> "i":  # noqa: F821
        return 0


class Panel:
    """A watcher on the session bus; `items` fills with the (bus name, object path) of every
    registered item."""

    def __init__(self) -> None:
        self.link = BusThread()
        self.bus = self.link.bus
        self.call = self.link.call
        self.items: list[tuple[str, str]] = []
        self.call(self._start())

    async def _start(self) -> None:
        watcher = Watcher()

        def note_registration(message: Message) -> None:
            # The sender is the item's bus name; the argument its object path (or a bus name).
            if message.message_type == MessageType.METHOD_CALL and message.member == "RegisterStatusNotifierItem":
                service = message.body[0]
                path = service if service.startswith("/") else "/StatusNotifierItem"
                self.items.append((message.sender, path))
                watcher.items.append(f"{message.sender}{path}")

        self.bus.add_message_handler(note_registration)
        self.bus.export("/StatusNotifierWatcher", watcher)
        await self.bus.request_name(WATCHER)

    async def _call(self, destination: str, path: str, interface: str, member: str, signature: str, body: list) -> list:
        reply = await self.bus.call(
            Message(destination=destination, path=path, interface=interface, member=member, signature=signature, body=body)
        )
        assert reply.message_type == MessageType.METHOD_RETURN, f"{member}: {reply.error_name} {reply.body}"
        return reply.body

    def vault_of(self, item: tuple[str, str]) -> str | None:
        """STINT_VAULT of the process that owns `item`'s bus name (None once it has gone)."""
        try:
            (pid,) = self.call(
                self._call(
                    "org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus",
                    "GetConnectionUnixProcessID",
                    "s",
                    [item[0]],
                )
            )
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except (AssertionError, OSError):
            return None
        for variable in environ:
            name, _, value = variable.partition(b"=")
            if name == b"STINT_VAULT":
                return value.decode()
        return None

    def properties(self, item: tuple[str, str]) -> dict[str, Any]:
        body = self.call(self._call(item[0], item[1], "org.freedesktop.DBus.Properties", "GetAll", "s", [ITEM]))
        return {name: value.value for name, value in body[0].items()}

    def menu(self, item: tuple[str, str]) -> list[dict[str, Any]]:
        """The item's menu entries, each with its `id`, `label` (mnemonics removed), `enabled`."""
        path = self.properties(item)["Menu"]
        _revision, (_root, _props, children) = self.call(
            self._call(item[0], path, MENU, "GetLayout", "iias", [0, -1, []])
        )
        entries = []
        for child in children:
            entry_id, props, _ = child.value
            props = {name: value.value for name, value in props.items()}
            if props.get("type") == "separator":
                continue
            entries.append(
                {
                    "id": entry_id,
                    "label": str(props.get("label", "")).replace("_", ""),
                    "enabled": props.get("enabled", True),
                }
            )
        return entries

    def click(self, item: tuple[str, str], entry_id: int) -> None:
        path = self.properties(item)["Menu"]
        self.call(self._call(item[0], path, MENU, "Event", "isvu", [entry_id, "clicked", Variant("i", 0), 0]))

    def close(self) -> None:
        self.link.close()


def eventually(check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (AssertionError, KeyError, OSError) as error:
            last = error
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {timeout} s (last: {last!r})")


def png_rgba(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGBA pixels of an 8-bit RGBA PNG (what the tray writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at, idat, width, height = 8, b"", 0, 0
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, chunk = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            assert (depth, colour) == (8, 6), f"expected 8-bit RGBA, got depth {depth} colour type {colour}"
        elif kind == b"IDAT":
            idat += chunk
        at += 12 + length
    raw, stride, rows, previous = zlib.decompress(idat), width * 4, [], bytes(width * 4)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - 4] if x >= 4 else 0
            up, corner = previous[x], previous[x - 4] if x >= 4 else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(bytes(line))
        previous = bytes(line)
    return width, height, rows


def icon_file(properties: dict[str, Any]) -> Path:
    name, theme = properties["IconName"], properties.get("IconThemePath", "")
    candidates = [Path(name), Path(theme) / name, Path(theme) / f"{name}.png"]
    for candidate in candidates:
        if candidate.is_absolute() and candidate.is_file():
            return candidate
    raise AssertionError(f"no icon file for {name!r} in {theme!r}")


def green_dot_pixels(path: Path) -> int:
    """How many clearly green pixels the lower right quarter of the icon has."""
    width, height, rows = png_rgba(path.read_bytes())
    count = 0
    for row in rows[height // 2 :]:
        for x in range(width // 2, width):
            r, g, b, a = row[x * 4 : x * 4 + 4]
            count += a > 200 and g > 120 and g > r + 60 and g > b + 60
    return count


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_vault(
        tmp_path_factory.mktemp("tray-vault"),
        ["org", "create", ORG, "--currency", "EUR", "--time-zone", "UTC"],
        ["client", "add", CLIENT],
        ["project", "add", PROJECT, "--client", CLIENT],
        # Earlier work today makes Website the last project, which the tray offers to start.
        ["entry", "add", "--project", PROJECT, "--duration", "1h", "--note", "Earlier work"],
    )


def test_the_tray_shows_the_timer_and_starts_and_stops_it(
    vault: Path, shots: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    panel = Panel()
    try:
        with launch(vault, tmp_path_factory.mktemp("tray-webdriver")) as driver:
            driver: webdriver.Remote
            wait_for(driver, "unlock-passphrase")
            # The item of this app, on this vault: an app of an earlier test that is still
            # exiting registers its item again when a watcher appears.
            item = eventually(
                lambda: next((i for i in panel.items if panel.vault_of(i) == str(vault)), None),
                "the app registers a tray item",
            )

            # Locked: the icon is the app's, with no label, and the menu cannot start a timer.
            properties = panel.properties(item)
            idle_icon = icon_file(properties).read_bytes()
            assert green_dot_pixels(icon_file(properties)) == 0
            assert not properties.get("XAyatanaLabel")
            entries = {e["label"]: e for e in panel.menu(item)}
            assert set(entries) == {"Start timer", "Show Stint", "Quit Stint"}, entries
            assert entries["Start timer"]["enabled"] is False

            open_organization(driver, ORG)
            wait_text(driver, "timer-toggle", "Start")

            # Unlocked: the menu offers the last project.
            start = eventually(
                lambda: next((e for e in panel.menu(item) if e["label"] == f"Start timer on {PROJECT}"), None),
                "the menu offers the last project",
            )
            assert start["enabled"] is True

            # The panel's click starts the timer; the window, the icon and the label follow.
            panel.click(item, start["id"])
            wait_text(driver, "timer-toggle", "Stop")
            assert driver.find_element(*by_testid("timer-project")).get_attribute("value") == f"{CLIENT} — {PROJECT}"
            running = eventually(
                lambda: (p := panel.properties(item)) and green_dot_pixels(icon_file(p)) > 20 and p,
                "the icon shows a running timer",
            )
            assert running["XAyatanaLabel"] == "0:00", running.get("XAyatanaLabel")
            stop = eventually(
                lambda: next((e for e in panel.menu(item) if e["label"] == f"Stop timer on {PROJECT}"), None),
                "the menu offers to stop",
            )
            shoot(driver, shots, "tray-01-started-from-the-tray")
            shutil.copyfile(icon_file(running), shots / "tray-02-icon-running.png")
            (shots / "tray-02-icon-idle.png").write_bytes(idle_icon)

            # And stops it again: the window shows the stopped timer, the icon is the app's again.
            panel.click(item, stop["id"])
            wait_text(driver, "timer-toggle", "Start")
            stopped = eventually(
                lambda: (p := panel.properties(item)) and green_dot_pixels(icon_file(p)) == 0 and p,
                "the icon shows no timer",
            )
            assert icon_file(stopped).read_bytes() == idle_icon
            assert not stopped.get("XAyatanaLabel")
            eventually(
                lambda: any(e["label"] == f"Start timer on {PROJECT}" for e in panel.menu(item)),
                "the menu offers to start again",
            )
            # The list reloads after the stop; wait for it rather than read it mid-reload.
            eventually(
                lambda: len(driver.find_elements(*by_testid("entry-row"))) >= 2,
                "the stopped timer is an entry of today, beside the earlier one",
            )
    finally:
        panel.close()


def test_the_tray_starts_a_timer_without_a_project_before_any_was_used(
    shots: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # A new organization: nothing tracked yet, so no last project; the timer starts without one.
    fresh = seed_vault(
        tmp_path_factory.mktemp("tray-fresh-vault"),
        ["org", "create", ORG, "--currency", "EUR", "--time-zone", "UTC"],
    )
    panel = Panel()
    try:
        with launch(fresh, tmp_path_factory.mktemp("tray-fresh-webdriver")) as driver:
            driver: webdriver.Remote
            wait_for(driver, "unlock-passphrase")
            item = eventually(
                lambda: next((i for i in panel.items if panel.vault_of(i) == str(fresh)), None),
                "the app registers a tray item",
            )
            open_organization(driver, ORG)
            wait_text(driver, "timer-toggle", "Start")
            start = eventually(
                lambda: next((e for e in panel.menu(item) if e["label"] == "Start timer (no project yet)"), None),
                "the menu offers a timer without a project",
            )
            assert start["enabled"] is True

            panel.click(item, start["id"])
            wait_text(driver, "timer-toggle", "Stop")
            assert driver.find_element(*by_testid("timer-project")).get_attribute("value") == ""
            eventually(
                lambda: any(e["label"] == "Stop timer" for e in panel.menu(item)),
                "the menu offers to stop the timer of no project",
            )
            shoot(driver, shots, "tray-03-started-without-a-project")
    finally:
        panel.close()
