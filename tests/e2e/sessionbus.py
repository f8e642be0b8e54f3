"""The session bus from the tests' side: a connection on its own asyncio loop thread (selenium
blocks the main one), for tests that play a desktop service the app talks to, as a panel, a
screen locker or logind would. `scripts/with-xvfb` gives every run its own session bus; a test that
plays a system service (logind) hands the app this bus as its system bus too
(`DBUS_SYSTEM_BUS_ADDRESS`).

No `from __future__ import annotations` here: dbus-next reads the D-Bus signatures ("s", "b")
from the annotations as written."""

import asyncio
import os
import threading
from typing import Any

from dbus_next import BusType
from dbus_next.aio import MessageBus
from dbus_next.constants import PropertyAccess
from dbus_next.service import ServiceInterface, dbus_property, method


class BusThread:
    """A session-bus connection served by an event loop on a daemon thread."""

    def __init__(self) -> None:
        assert os.environ.get("DBUS_SESSION_BUS_ADDRESS"), "run under scripts/with-xvfb, which starts a session bus"
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.bus: MessageBus = self.call(self._connect())

    @staticmethod
    async def _connect() -> MessageBus:
        # Made inside the loop's thread: a MessageBus belongs to the loop it was made on.
        return await MessageBus(bus_type=BusType.SESSION).connect()

    def call(self, coroutine, timeout: float = 15) -> Any:
        """Run `coroutine` on the bus's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.bus.disconnect()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class _ScreenSaver(ServiceInterface):
    def __init__(self) -> None:
        super().__init__("org.freedesktop.ScreenSaver")
        self.locked = False

    @method()
    def GetActive(self) -> "b":  # noqa: F821
        return self.locked


class _LogindSession(ServiceInterface):
    def __init__(self) -> None:
        super().__init__("org.freedesktop.login1.Session")
        self.locked = False

    @dbus_property(access=PropertyAccess.READ)
    def LockedHint(self) -> "b":  # noqa: F821
        return self.locked


class _Locker:
    """A service played on the run's bus at `path` under `name`, which tells whether the screen is
    locked. Set `locked` to lock or unlock; start the app with `app_env`."""

    app_env: dict[str, str] = {}

    def __init__(self, service: _ScreenSaver | _LogindSession, path: str, name: str) -> None:
        self.link = BusThread()
        self.service = service
        self.link.bus.export(path, service)
        self.link.call(self.link.bus.request_name(name))

    @property
    def locked(self) -> bool:
        return self.service.locked

    @locked.setter
    def locked(self, value: bool) -> None:
        self.service.locked = value

    def close(self) -> None:
        self.link.close()


class ScreenLocker(_Locker):
    """What KDE's, XFCE's or LXQt's screen locker offers on the session bus:
    `org.freedesktop.ScreenSaver.GetActive`."""

    def __init__(self) -> None:
        super().__init__(_ScreenSaver(), "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver")


class Logind(_Locker):
    """What logind offers on the system bus for the user's session, as much as the app reads:
    the `LockedHint` of `/org/freedesktop/login1/session/auto`, which GNOME's, KDE's and
    Cinnamon's lockers set. The app takes this bus for its system bus through `app_env`."""

    def __init__(self) -> None:
        super().__init__(_LogindSession(), "/org/freedesktop/login1/session/auto", "org.freedesktop.login1")
        self.app_env = {"DBUS_SYSTEM_BUS_ADDRESS": os.environ["DBUS_SESSION_BUS_ADDRESS"]}
