"""SVG snapshots of the main screens at 80x24 and 120x40: a layout change shows up as a picture to review.

Update after a deliberate change with ``pytest tests/test_app_snapshots.py --snapshot-update`` and look at
the SVGs in ``tests/__snapshots__/`` before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bold_tui.app import BoldApp
from linkage_core.bundle.keys import TrustStore
from tests.conftest import PASSPHRASE

SIZES = [(80, 24), (120, 40)]


def _steps(keys: tuple[str, ...]):
    async def run_before(pilot) -> None:
        app = pilot.app
        for _ in range(100):
            if type(app.screen).__name__ == "UnlockScreen":
                break
            await pilot.pause(0.02)
        if not keys:
            return
        app.screen.query_one("#passphrase").value = PASSPHRASE
        await pilot.press("enter")
        for _ in range(200):
            if app.bundle is not None and type(app.screen).__name__ == "HomeScreen":
                break
            await pilot.pause(0.02)
        await pilot.press(*keys)
        await pilot.pause(0.2)
        app.screen.set_focus(app.screen.focused)  # settle the cursor before the picture

    return run_before


SCREENS = {
    "unlock": (),
    "home": ("down", "up"),
    "finding": ("enter",),
    "finding_region": ("enter", "b"),
    "will_wont": ("enter", "w"),
    "help": ("question_mark",),
}


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("name", list(SCREENS))
def test_screen(name: str, size: tuple[int, int], snap_compare, bundle_file: Path, trust: TrustStore) -> None:
    app = BoldApp(bundle_file, trust, demo=True)
    assert snap_compare(app, terminal_size=size, run_before=_steps(SCREENS[name]))
