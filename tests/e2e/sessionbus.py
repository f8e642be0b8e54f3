"""The session bus from the tests' side: a connection on its own asyncio loop thread (selenium
blocks the main one), for tests that play a desktop service the app talks to, as a panel or a
screen locker would. `scripts/with-xvfb` gives every run its own session bus.

No `from __future__ import annotations` here: dbus-next reads the D-Bus signatures ("s", "b")
from the annotations as written."""

import asyncio
import os
import threading
from typing import Any

from dbus_next import BusType
from dbus_next.aio import MessageBus
from dbus_next.service import ServiceInterface, method


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
    """What KDE's, XFCE's or Cinnamon's screen locker offers on the session bus:
    `org.freedesktop.ScreenSaver.GetActive`. Set `locked` to lock or unlock."""

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
