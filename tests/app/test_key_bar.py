"""The bottom line of keys: what it shows, and that a click on a key presses it."""

from __future__ import annotations

from pathlib import Path

from linkage_core.bundle.keys import TrustStore
from tests.helpers import make_app, open_highlighted_finding, pilot_test, unlock, wait_for
from bold_tui.widgets.key_bar import KeyBar


def _line(app) -> str:
    return app.screen.query_one(KeyBar).render().plain


@pilot_test
async def test_key_bar_follows_the_screen_and_a_click_presses_the_key(bundle_file: Path, trust: TrustStore) -> None:
    app = make_app(bundle_file, trust)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot, app)
        home = _line(app)
        assert "Enter open" in home and "Ctrl+L lock" in home
        await open_highlighted_finding(pilot, app)
        line = _line(app)
        assert line.startswith("Esc back") and "b breakdown" in line
        assert line.count("w will/won't") == 1  # one entry per action, however many keys it has
        bar = app.screen.query_one(KeyBar)
        start = line.index("w will/won't")
        await pilot.click(bar, offset=(start + 2, 0))
        await wait_for(pilot, lambda: type(app.screen).__name__ == "WillWontScreen")
