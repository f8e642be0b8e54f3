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
        self.active = False

    @method()
    def GetActive(self) -> "b":  # noqa: F821
        return self.active


class ScreenLocker:
    """What KDE's, XFCE's or LXQt's screen locker offers on the session bus:
    `org.freedesktop.ScreenSaver.GetActive`. Set `locked` to lock or unlock."""

    app_env: dict[str, str] = {}

    def __init__(self) -> None:
        self.link = BusThread()
        self.service = _ScreenSaver()
        self.link.bus.export("/org/freedesktop/ScreenSaver", self.service)
        self.link.call(self.link.bus.request_name("org.freedesktop.ScreenSaver"))

    @property
    def locked(self) -> bool:
        return self.service.active

    @locked.setter
    def locked(self, value: bool) -> None:
        self.service.active = value

    def close(self) -> None:
        self.link.close()


class _LogindSession(ServiceInterface):
    def __init__(self) -> None:
        super().__init__("org.freedesktop.login1.Session")
        self.locked = False

    @dbus_property(access=PropertyAccess.READ)
    def LockedHint(self) -> "b":  # noqa: F821
        return self.locked


class Logind:
    """What logind offers on the system bus for the user's session, as much as the app reads:
    the `LockedHint` of `/org/freedesktop/login1/session/auto`, which GNOME's, KDE's and
    Cinnamon's lockers set. Set `locked` to lock or unlock. The app must be started with
    `app_env` so that it takes this bus for the system bus."""

    def __init__(self) -> None:
        self.link = BusThread()
        self.session = _LogindSession()
        self.link.bus.export("/org/freedesktop/login1/session/auto", self.session)
        self.link.call(self.link.bus.request_name("org.freedesktop.login1"))
        self.app_env = {"DBUS_SYSTEM_BUS_ADDRESS": os.environ["DBUS_SESSION_BUS_ADDRESS"]}

    @property
    def locked(self) -> bool:
        return self.session.locked

    @locked.setter
    def locked(self, value: bool) -> None:
        self.session.locked = value

    def close(self) -> None:
        self.link.close()
