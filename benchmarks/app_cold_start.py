"""Cold start of the app to its unlock screen, against a bare Textual app that shows one word and exits.

Each run is a fresh interpreter (nothing cached in memory), headless, timed from process start until the
first screen has been painted. The brief's budget: ``bold`` at most 1.5x the bare app. Run:
``python benchmarks/app_cold_start.py [runs]``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

BARE = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("Unlock")
async def first_paint(pilot):
    await pilot.pause()
    pilot.app.exit()
Bare().run(headless=True, auto_pilot=first_paint)
"""

BOLD = """
from bold_tui import secrets
from linkage_core.bundle.files import inspect
path = secrets.bundle_path(None)
trust = secrets.trust_store([])
envelope, _ = inspect(path, trust)
from bold_tui.app import BoldApp
async def first_paint(pilot):
    await pilot.pause()
    assert type(pilot.app.screen).__name__ == "UnlockScreen"
    pilot.app.exit()
BoldApp(path, trust, demo=secrets.is_demo(envelope, trust)).run(headless=True, auto_pilot=first_paint)
"""


#: As on a person's laptop, Python keeps compiled modules: the installed libraries already have theirs (pip
#: compiles at install), so a machine that sets PYTHONDONTWRITEBYTECODE would recompile only our own modules
#: on every start and charge that to bold alone.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def once(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=ENV)
    return time.perf_counter() - start


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    once(BARE), once(BOLD)  # warm the file cache, as a second launch on a laptop would be
    bare = statistics.median(once(BARE) for _ in range(runs))
    bold = statistics.median(once(BOLD) for _ in range(runs))
    print(f"bare Textual app: {bare:.3f} s   bold to unlock screen: {bold:.3f} s   ratio {bold / bare:.2f}")


if __name__ == "__main__":
    main()
