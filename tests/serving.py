"""``guanai serve`` as a real process on loopback, for the tests that need the whole server.

``with served(database_url, "--workers", "2") as server:`` starts ``python -m guanai --db URL
serve --port 0 …``, waits for its one listening line (the port it bound), and stops it with
SIGTERM afterwards; ``server.stderr()`` is everything it logged (kept in a file, so a chatty
server never blocks on a full pipe). ``raw(port, data)`` speaks bytes to it, for the requests
no HTTP client would send.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

HOST = "127.0.0.1"
LISTENING = re.compile(r"http://127\.0\.0\.1:(\d+)")


@dataclass
class Served:
    process: subprocess.Popen[str]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def stderr(self) -> str:
        """What the server has logged so far (as far as :meth:`wait_for_log` has read)."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> str:
        """Stop the server (SIGTERM), wait for it to end; everything it logged on stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)
        assert self._copier is not None
        self._copier.drain()
        return self.stderr()

    def wait_for_log(self, text: str, count: int = 1) -> None:
        """Wait until the server has logged ``text`` ``count`` times: its stderr is read as
        it grows, blocking on the pipe it is copied through, never on a timer."""
        assert self._copier is not None
        while self.stderr().count(text) < count:
            if not self._copier.copy_one():
                raise AssertionError(f"server ended before logging {text!r}:\n{self.stderr()}")

    _copier: _StderrCopier | None = None


class _StderrCopier:
    """Copies the server's stderr pipe into the log file, one read at a time."""

    def __init__(self, pipe: int, log: Path) -> None:
        self.pipe = pipe
        self.log = log

    def copy_one(self) -> bool:
        chunk = os.read(self.pipe, 65536)
        if not chunk:
            return False
        with self.log.open("ab") as file:
            file.write(chunk)
        return True

    def drain(self) -> None:
        while self.copy_one():
            pass


@contextmanager
def served(database_url: str, *args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """A running ``guanai serve`` on a free loopback port, stopped (SIGTERM) on exit."""
    with TemporaryDirectory(prefix="guanai-serve-") as directory:
        log = Path(directory) / "stderr.log"
        log.touch()
        read_end, write_end = os.pipe()
        process = subprocess.Popen(
            [sys.executable, "-m", "guanai", "--db", database_url, "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=write_end,
            text=True,
            env={**os.environ, **(env or {})},
        )
        os.close(write_end)
        copier = _StderrCopier(read_end, log)
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            found = LISTENING.search(line)
            if not found:
                process.wait(30)
                copier.drain()
                raise AssertionError(f"no listening line: {line!r}\n{log.read_text()}")
            server = Served(process, int(found.group(1)), log)
            server._copier = copier
            yield server
            server.stop()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(30)
            os.close(read_end)
            if process.stdout is not None:
                process.stdout.close()


def raw(port: int, data: bytes, *, timeout: float = 10) -> bytes:
    """Send ``data`` on a new connection, half-close it, and read the answer to its end."""
    with socket.create_connection((HOST, port), timeout=timeout) as connection:
        connection.sendall(data)
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer
