"""A real `stint-server` for the end-to-end tests: SQLite in a temporary directory, a loopback port,
emails read from its outbox; and the `stint` CLI as another device of the same account."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop import PASSPHRASE, WAIT, _free_port, required_path, stop


class Server:
    """`stint-server` on SQLite in a temporary directory, on a loopback port."""

    def __init__(self, data: Path, port: int, proc: subprocess.Popen[bytes]) -> None:
        self.data = data
        self.base = f"http://localhost:{port}"
        self.proc = proc

    @property
    def outbox(self) -> Path:
        return self.data / "outbox"

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
        request = urllib.request.Request(
            f"{self.base}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                text = reply.read().decode()
                return reply.status, json.loads(text) if text else {}
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read().decode() or "{}")

    def emails_to(self, to: str) -> list[str]:
        """Finished emails to `to`, oldest first."""
        files = sorted(self.outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
        texts = [p.read_text() for p in files]
        return [t for t in texts if f"To: {to}\r\n" in t or f"To: {to}\n" in t]

    def email_arrives(self, to: str, count: int) -> str:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            mails = self.emails_to(to)
            if len(mails) >= count:
                return mails[-1]
            time.sleep(0.1)
        pytest.fail(f"no email number {count} to {to} within {WAIT} s")


@contextlib.contextmanager
def stint_server(data: Path, logs: Path) -> Iterator[Server]:
    binary = required_path("STINT_SERVER_BIN")
    port = _free_port()
    env = {
        **os.environ,
        "STINT_SERVER_DATA": str(data),
        "STINT_SERVER_LISTEN": f"127.0.0.1:{port}",
        "STINT_SERVER_PUBLIC_URL": f"http://localhost:{port}",
    }
    env.pop("DATABASE_URL", None)
    with (logs / "stint-server.log").open("w") as out:
        proc = subprocess.Popen([str(binary)], env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(data, port, proc)
    try:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"stint-server did not start:\n{(logs / 'stint-server.log').read_text()}")
                time.sleep(0.1)
        yield server
    finally:
        stop(proc)


class StallingRelay:
    """A TCP relay on a loopback port in front of `server` that can stop passing bytes on: a network
    that swallows packets (a train's Wi-Fi, a VPN gone quiet), where connections open and nothing
    ever comes back. Clients that name its `base` reach the server through it; the rest of
    `Server` (emails, direct calls) is the server's own."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.flowing = threading.Event()
        self.flowing.set()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.base = f"http://localhost:{self.listener.getsockname()[1]}"
        self.upstream = ("127.0.0.1", int(server.base.rsplit(":", 1)[1]))
        threading.Thread(target=self._accept, daemon=True).start()

    def __getattr__(self, name: str):
        return getattr(self.server, name)

    def stall(self) -> None:
        """From now on nothing passes, either way, on old connections or new ones."""
        self.flowing.clear()

    def resume(self) -> None:
        self.flowing.set()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                self.flowing.wait()
                sink.sendall(chunk)
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def verified_account(server: Server, email: str, password: str) -> None:
    """Signs up and confirms the address with the token from the emailed link."""
    status, body = server.call("POST", "/api/v1/accounts", {"email": email, "password": password})
    assert status == 202, body
    token = re.search(r"ste_[0-9a-f]{64}", server.email_arrives(email, 1))
    assert token, "no verification token in the email"
    status, body = server.call("POST", "/api/v1/accounts/verify", {"token": token.group(0), "password": password})
    assert status == 200, body


def api_session(server: Server, email: str, password: str, device: str) -> str:
    """A session of the account's own, signed in over the API with the password and the emailed
    code: the test's window onto the account's session list."""
    before = len(server.emails_to(email))
    status, body = server.call("POST", "/api/v1/sessions", {"email": email, "password": password, "device": device})
    assert status == 200 and body["status"] == "email_code", body
    code = emailed_code(server.email_arrives(email, before + 1))
    status, body = server.call("POST", "/api/v1/sessions/email-code", {"challenge": body["challenge"], "email_code": code})
    assert status == 200, body
    return body["token"]


def session_devices(server: Server, token: str) -> list[str]:
    status, body = server.call("GET", "/api/v1/sessions", token=token)
    assert status == 200, body
    return [s["device"] for s in body]


def emailed_code(mail: str) -> str:
    """The eight-digit sign-in code of an email ("1234 5678" on a line of its own)."""
    for line in mail.splitlines():
        line = line.strip()
        if len(line) == 9 and sum(c.isdigit() for c in line) == 8:
            return line.replace(" ", "")
    pytest.fail(f"no sign-in code in:\n{mail}")


def cli(
    vault: Path, server: Server, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> str:
    """`stint ARGS` on `vault` (a PASSPHRASE vault), its standard output; a failure fails the test."""
    done = subprocess.run(
        [str(required_path("STINT_CLI_BIN")), *args],
        env=cli_env(vault, server, env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"stint {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def cli_env(vault: Path, server: Server, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {
        "STINT_VAULT": str(vault),
        "STINT_PASSPHRASE": PASSPHRASE,
        "STINT_SERVER": server.base,
        "PATH": "/usr/bin:/bin",
        **(extra or {}),
    }


def cli_sign_in(
    vault: Path, server: Server, email: str, password: str, device: str, env: dict[str, str] | None = None
) -> None:
    """`stint account sign-in`: the password, then the code the server emails, typed in."""
    before = len(server.emails_to(email))
    proc = subprocess.Popen(
        [str(required_path("STINT_CLI_BIN")), "account", "sign-in", "--email", email, "--device", device],
        env=cli_env(vault, server, {"STINT_SERVER_PASSWORD": password, **(env or {})}),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        code = emailed_code(server.email_arrives(email, before + 1))
        out, err = proc.communicate(code + "\n", timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, f"stint account sign-in failed:\n{out}\n{err}"


def grouped(digits: str) -> str:
    """A fingerprint as the window shows it: its digits in groups of five."""
    return " ".join(re.findall(r"\d{1,5}", re.sub(r"\D", "", digits)))
