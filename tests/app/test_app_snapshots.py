"""SVG snapshots of the main screens at 80x24 and 120x40: a layout change shows up as a picture to review.

Update after a deliberate change with ``pytest tests/test_app_snapshots.py --snapshot-update`` and look at
the SVGs in ``tests/__snapshots__/`` before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bold_tui.app import BoldApp
from linkage_core.bundle.keys import TrustStore
from tests.helpers import PASSPHRASE

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
    "finding": ("down", "enter"),
    "finding_region": ("down", "enter", "b"),
    "will_wont": ("down", "enter", "w"),
    "help": ("question_mark",),
}


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("name", list(SCREENS))
def test_screen(name: str, size: tuple[int, int], snap_compare, bundle_file: Path, trust: TrustStore) -> None:
    app = BoldApp(bundle_file, trust, demo=True)
    assert snap_compare(app, terminal_size=size, run_before=_steps(SCREENS[name]))


# -- screens built from a bundle the real pipeline made: the shipped demo, so wording and figures are checked --
# The session pipeline fixture (tests/conftest.py) was tried first, but two builds of its world with
# the same seed publish different figures (seen 2026-12-02: +9.1 and +13.6 points for one course), so it
# cannot back a picture. The demo is a fixed file. After the demo is rebuilt, regenerate these with
#     pytest tests/test_app_snapshots.py -k pipeline --snapshot-update
# and read the SVGs in tests/__snapshots__/ before committing them.


def _answer_steps(extra: tuple[str, ...]):
    """Unlock, open the education pack's answer on 'in work a year after release', then ``extra`` keys."""

    async def run_before(pilot) -> None:
        from bold_tui.answers import answerable, pack_outcomes

        app = pilot.app
        for _ in range(200):
            if type(app.screen).__name__ == "UnlockScreen":
                break
            await pilot.pause(0.02)
        import sample_db

        app.screen.query_one("#passphrase").value = sample_db.DEMO_PASSPHRASE
        await pilot.press("enter")
        for _ in range(400):
            if app.bundle is not None and type(app.screen).__name__ == "HomeScreen":
                break
            await pilot.pause(0.05)
        packs = answerable(app.bundle)
        target = next(p for p in packs if p.id == "education_work")
        outcomes = pack_outcomes(app.bundle, target)
        year = next(i for i, o in enumerate(outcomes) if "1 year" in o.label and "work" in o.label.lower())
        await pilot.press("a", *["right_square_bracket"] * packs.index(target), str(year + 1), *extra)
        await pilot.pause(0.3)
        app.screen.set_focus(app.screen.focused)

    return run_before


PIPELINE_SCREENS = {
    "answer": (),
    "finding": ("enter",),
    "finding_by_level": ("enter", "b", "b"),
}


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("name", list(PIPELINE_SCREENS))
def test_pipeline_screen(name: str, size: tuple[int, int], snap_compare) -> None:
    """The demo bundle, built by the real pipeline: regenerate after the demo is rebuilt (see above)."""
    import sample_db

    from bold_tui import secrets

    app = BoldApp(Path(sample_db.__file__).parent / "data" / "demo.bold", secrets.trust_store([]), demo=True)
    assert snap_compare(app, terminal_size=size, run_before=_answer_steps(PIPELINE_SCREENS[name]))
