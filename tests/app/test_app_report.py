"""What leaves the app: the HTML report rendered in headless Chromium, and trainer mode with the network off.

Chromium runs with every request for another machine sent to a recording proxy that forwards nothing (see
``tests/browser.py``), so "nothing is fetched from the internet" is checked, not assumed. Skipped, with the
reason, where Chromium is not installed (``apt-get install chromium``).
"""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from bold_tui.export import write_document
from linkage_core.bundle.keys import TrustStore
from linkage_core.bundle.reader import open_bundle
from tests.browser import RecordingProxy, chromium, screenshot
from tests.helpers import PASSPHRASE

ROOT = Path(__file__).resolve().parents[2]
needs_chromium = pytest.mark.skipif(chromium() is None, reason="headless Chromium is not installed")

#: Chromium's own background traffic (updates, sign-in, autofill), not the page's: everything else counts.
BROWSER_OWN = ("google.com", "content-autofill.googleapis.com", "update.googleapis.com", "gvt1.com",
               "safebrowsing.googleapis.com", "optimizationguide-pa.googleapis.com")


def page_requests(proxy: RecordingProxy) -> list[str]:
    return [r for r in proxy.requests if not any(host in r for host in BROWSER_OWN)]


def png_size_and_ink(path: Path) -> tuple[int, int, float]:
    """Width, height and the share of pixels that are not white, read with zlib alone (no imaging library)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, width = 8, [], 0
    height = bit_depth = colour = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, bit_depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    channels = {2: 3, 6: 4}[colour]
    stride = width * channels
    ink = total = 0
    previous = bytearray(stride)
    for row in range(height):  # undo the PNG filters, then count pixels darker than near-white
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        previous = line
        if row % 4 == 0:
            for x in range(0, width, 4):
                r, g, b = line[x * channels:x * channels + 3]
                total += 1
                ink += (r + g + b) < 600
    return width, height, ink / max(1, total)


def test_report_html_is_self_contained_and_in_jdl_order(bundle_file: Path, trust: TrustStore, tmp_path: Path) -> None:
    with open_bundle(bundle_file, PASSPHRASE, trust) as bundle:
        finding = next(f for f in bundle.findings() if f.comparison_label)
        path = write_document(bundle, tmp_path / "report.html", "html", finding=finding)
        again = write_document(bundle, tmp_path / "report.html", "html", finding=finding)
    assert again.name == "report-2.html"  # never overwrites
    html = path.read_text(encoding="utf-8")
    for outside in ("http://", "https://", "//fonts", "<script", "<link", "@import", "url("):
        assert outside not in html.replace('xmlns="http://www.w3.org/2000/svg"', ""), outside
    order = ["What was measured", "Results", "Chart", "What you can say", "What you cannot say", "Method",
             "Linkage quality", "Provenance", "Disclosure policy"]
    positions = [html.index(f">{heading}<") for heading in order]
    assert positions == sorted(positions)
    assert "@page { size: A4" in html and "<svg" in html


@needs_chromium
def test_report_renders_in_chromium_with_the_network_off(bundle_file: Path, trust: TrustStore, tmp_path: Path) -> None:
    with open_bundle(bundle_file, PASSPHRASE, trust) as bundle:
        pack = next(p for p in bundle.packs() if any(f.comparison_label for f in bundle.findings(p.id)))
        path = write_document(bundle, tmp_path / "pack.html", "html", pack_id=pack.id)
    shot = tmp_path / "report.png"
    with RecordingProxy() as proxy:
        screenshot(path.as_uri(), shot, proxy, size=(794, 1123), wait_ms=2000)  # A4 at 96 dpi
    assert shot.exists(), "Chromium wrote no screenshot"
    width, height, ink = png_size_and_ink(shot)
    assert (width, height) == (794, 1123)
    assert 0.01 < ink < 0.5, ink  # text and a table on a white page: neither blank nor a dark error page
    assert page_requests(proxy) == []
    pdf = tmp_path / "report.pdf"
    subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p'}",
                    f"--proxy-server=http://127.0.0.1:{proxy.port}", f"--print-to-pdf={pdf}",
                    "--no-pdf-header-footer", path.as_uri()], capture_output=True, timeout=60, check=False)
    assert pdf.exists() and pdf.read_bytes()[:4] == b"%PDF"
    assert b"/MediaBox [0 0 594.96 841.92]" in pdf.read_bytes() or b"595" in pdf.read_bytes()  # A4 in points


@needs_chromium
def test_the_proxy_catches_a_page_that_reaches_out(tmp_path: Path) -> None:
    """The check can fail: textual-serve's own page asks the internet for its font."""
    page = tmp_path / "outside.html"
    page.write_text('<html><head><link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto%20Mono">'
                    "</head><body>x</body></html>")
    with RecordingProxy() as proxy:
        screenshot(page.as_uri(), tmp_path / "outside.png", proxy, wait_ms=2000)
    assert any("fonts.googleapis.com" in r for r in page_requests(proxy))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@needs_chromium
def test_trainer_mode_fetches_nothing_from_outside(tmp_path: Path) -> None:
    pytest.importorskip("textual_serve", reason="the serve extra is not installed")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", "bold_tui.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("localhost", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        import urllib.request

        page = urllib.request.urlopen(f"http://localhost:{port}/", timeout=10).read().decode()
        assert "fonts.googleapis.com" not in page and "fonts/RobotoMono-VariableFont_wght.ttf" in page
        assert 'data-font-size="22"' in page  # the projector size
        font = urllib.request.urlopen(f"http://localhost:{port}/static/fonts/RobotoMono-VariableFont_wght.ttf",
                                      timeout=10)
        assert font.status == 200
        with RecordingProxy() as proxy:
            screenshot(f"http://localhost:{port}/", tmp_path / "serve.png", proxy, wait_ms=5000)
        assert (tmp_path / "serve.png").exists()
        assert page_requests(proxy) == []
    finally:
        server.terminate()
        server.wait(10)


def test_serve_without_the_extra_names_the_real_extra() -> None:
    code = ("import sys, builtins\n"
            "real = builtins.__import__\n"
            "def fake(name, *a, **k):\n"
            "    if name.startswith('textual_serve'): raise ImportError(name)\n"
            "    return real(name, *a, **k)\n"
            "builtins.__import__ = fake\n"
            "from bold_tui.cli import main\n"
            "main(['serve'])\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode != 0
    assert "bold-insights[serve]" in result.stderr and "Traceback" not in result.stderr
