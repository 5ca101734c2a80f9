"""Headless Chromium for tests: render a page with every request off this machine caught, and screenshot it.

Chromium sends every request for a host other than this computer through ``--proxy-server``; the proxy here
accepts the connection, records the first line (``CONNECT fonts.googleapis.com:443 ...``) and closes it, so
nothing leaves the machine and the test can say exactly what the page tried to fetch. Loopback addresses
bypass the proxy, so a page served on localhost still loads.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from pathlib import Path


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class RecordingProxy:
    """A proxy that forwards nothing: it records what was asked for and hangs up."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(16)
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RecordingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(2)
        self._server.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    first = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
                except OSError:
                    first = "(no request line)"
                self.requests.append(first)


def screenshot(url: str, out: Path, proxy: RecordingProxy, *, size: tuple[int, int] = (1024, 768),
               wait_ms: int = 4000, timeout: float = 60) -> Path:
    """Load ``url`` in headless Chromium with all outside traffic sent to ``proxy``; write a PNG."""
    browser = chromium()
    if browser is None:
        raise FileNotFoundError("chromium")
    profile = out.parent / f"{out.stem}-profile"
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-domain-reliability", "--metrics-recording-only", "--disable-features=Translate,OptimizationHints",
               f"--user-data-dir={profile}", f"--proxy-server=http://127.0.0.1:{proxy.port}",
               f"--window-size={size[0]},{size[1]}", f"--timeout={wait_ms}",
               f"--screenshot={out}", url]
    subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    return out
