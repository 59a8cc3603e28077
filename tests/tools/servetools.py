"""`generator serve` as a real subprocess on 127.0.0.1, for the serve tests (the `serve` fixture in
conftest.py starts them): its stderr collected line by line, requests sent exactly as given, the
"updated in N ms" lines counted. Timeouts only catch hangs; nothing asserts on speed.
"""

from __future__ import annotations

import http.client
from html import unescape
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from sitetools import REPO, free_port

HANG = 30.0  # seconds: how long a change may take to show before we call it lost (only a hang waits it out)
START = 60.0  # seconds: server start-up, including the first parse of the site
STOP = 60.0  # seconds: how long Ctrl-C may take before we call it a hang (a loaded machine is slow)
UPDATED = re.compile(r"^updated in \d+ ms")
SERVING = re.compile(r"^serving .* at http://([^/:]+):(\d+)(/\S*)")
# what serve adds to every page: its catch-up check (serve.CATCH_UP_SCRIPT), then livereload.js
LIVE_TAG = re.compile(rb'(?:<script>document\.addEventListener\("LiveReloadConnect".*?</script>)?'
                      rb'<script src="/livereload\.js[^"]*"></script>')


# --- the server as a subprocess ---------------------------------------------------------------------


class Served:
    """`python -m generator serve` running in a subprocess; its stderr is collected line by line."""

    def __init__(self, root: Path, *args: str, port: int | None = None, env: dict | None = None):
        self.root = root
        self.asked_port = port or free_port()
        self.cmd = [sys.executable, "-m", "generator", "serve", "--source", str(root), "--port", str(self.asked_port),
                    *args]
        full_env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", **(env or {})}
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=full_env, cwd=str(root.parent))
        self.lines: list[str] = []
        self.out: list[str] = []
        self._cond = threading.Condition()
        self.host = "127.0.0.1"
        self.port = 0
        self.base = "/"
        threading.Thread(target=self._pump, args=(self.proc.stderr, self.lines), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.out), daemon=True).start()

    def _pump(self, stream, into: list[str]) -> None:
        for raw in iter(stream.readline, b""):
            with self._cond:
                into.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    @property
    def stderr(self) -> str:
        with self._cond:
            return "\n".join(self.lines)

    def wait_line(self, pattern: re.Pattern, timeout: float = HANG, start: int = 0) -> re.Match:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines[start:]:
                    m = pattern.search(line)
                    if m:
                        return m
                if self.proc.poll() is not None:
                    self._cond.wait(0.3)  # the last lines may still be in the pipe
                    if any(pattern.search(line) for line in self.lines[start:]):
                        continue
                    raise AssertionError(f"server exited {self.proc.returncode} before printing {pattern.pattern!r}:\n"
                                         + "\n".join(self.lines))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no line matching {pattern.pattern!r} within {timeout} s; stderr:\n"
                                         + "\n".join(self.lines))
                self._cond.wait(min(left, 0.1))

    def wait_ready(self, timeout: float = START) -> "Served":
        m = self.wait_line(SERVING, timeout)
        self.host, self.port, self.base = m.group(1), int(m.group(2)), m.group(3)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.get("/")
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"server never answered HTTP:\n{self.stderr}") from None
                time.sleep(0.05)

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    # --- requests ----------------------------------------------------------------------------
    def get(self, path: str, method: str = "GET", host: str | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
        """One request with the path sent exactly as given (http.client does not normalise it),
        and with `host` as its Host header when given."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=HANG)
        try:
            conn.putrequest(method, path, skip_host=host is not None, skip_accept_encoding=True)
            if host is not None:
                conn.putheader("Host", host)
            conn.endheaders()
            r = conn.getresponse()
            return r.status, r.headers, r.read()
        finally:
            conn.close()

    def text(self, path: str) -> str:
        return self.get(path)[2].decode("utf-8", "replace")

    def plain(self, path: str) -> str:
        """The page with HTML entities decoded (error messages quote names with ')."""
        return unescape(self.text(path))

    def status(self, path: str) -> int:
        return self.get(path)[0]

    def raw(self, target: str) -> tuple[int, bytes]:
        """A request line written by hand on a socket: GET <target> HTTP/1.1."""
        with socket.create_connection((self.host, self.port), timeout=HANG) as s:
            s.sendall(f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
        assert m, f"not an HTTP response to {target!r}: {data[:200]!r}"
        return int(m.group(1)), data

    # --- the "updated in N ms" lines ----------------------------------------------------------
    def mark(self) -> int:
        with self._cond:
            return len(self.lines)

    def updates(self, since: int = 0) -> int:
        with self._cond:
            return sum(1 for line in self.lines[since:] if UPDATED.search(line))

    def wait_updates(self, n: int, since: int, timeout: float = HANG) -> None:
        deadline = time.monotonic() + timeout
        while self.updates(since) < n:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {n} 'updated in' lines after the change, saw {self.updates(since)}:\n"
                                     + "\n".join(self.lines[since:]))
            if self.proc.poll() is not None or self.update_failed:
                raise AssertionError(f"server died or failed to update:\n{self.stderr}")
            time.sleep(0.02)

    def wait_quiet(self, seconds: float = 1.5, timeout: float = 30) -> None:
        """Until no stderr line has arrived for `seconds`."""
        deadline = time.monotonic() + timeout
        seen, since = self.mark(), time.monotonic()
        while time.monotonic() - since < seconds:
            if time.monotonic() > deadline:
                raise AssertionError("the server never went quiet:\n" + self.stderr)
            time.sleep(0.05)
            now = self.mark()
            if now != seen:
                seen, since = now, time.monotonic()

    # --- stopping -------------------------------------------------------------------------------
    def stop(self) -> int:
        """Ctrl-C (SIGINT), then SIGKILL if it hangs; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(STOP)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(STOP)
        return self.proc.returncode

    @property
    def update_failed(self) -> bool:
        """The server said a refresh failed: the change it was for will not arrive (no need to wait it out)."""
        with self._cond:
            return any("preview update failed" in line for line in self.lines)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None


def wait_for(check, what: str = "", timeout: float = HANG, server: Served | None = None):
    """Poll check() until it returns something truthy; fail (with the server's stderr) on timeout."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        try:
            value = check()
            if value:
                return value
        except (OSError, http.client.HTTPException) as exc:
            last_exc = exc
        failed = server is not None and server.update_failed
        if time.monotonic() > deadline or failed:
            detail = f"\nlast error: {last_exc!r}" if last_exc else ""
            log = f"\nserver stderr:\n{server.stderr}" if server else ""
            why = "the server failed to update, so never saw" if failed else f"timed out after {timeout} s waiting for"
            raise AssertionError(f"{why}: {what}{detail}{log}")
        time.sleep(0.05)
