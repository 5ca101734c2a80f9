"""The app driven by keys, as a person at an 80x24 terminal would: unlock, read, check the promises, lock."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from linkage_core.bundle.keys import TrustStore
from tests.helpers import PASSPHRASE, make_app, open_highlighted_finding, pilot_test, screen_text, unlock, wait_for


@pilot_test
async def test_unlock_pack_finding_will_wont(bundle_file: Path, trust: TrustStore) -> None:
    app = make_app(bundle_file, trust, demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "passphrase" in text.lower()
        assert "Its passphrase is: synthetic-demo" in text
        assert "SYNTHETIC DEMO DATA" in text
        await unlock(pilot, app)
        text = screen_text(app)
        assert "prison" in text.lower()
        assert "SYNTHETIC DEMO DATA" in text
        await open_highlighted_finding(pilot, app)
        await pilot.pause()
        text = screen_text(app)
        assert "95% interval" in text
        assert "SYNTHETIC DEMO DATA" in text
        assert "yes" in text or "no" in text
        await pilot.press("w")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "WillWontScreen")
        await pilot.pause()
        text = screen_text(app)
        assert "won't" in text.lower()
        assert "SYNTHETIC DEMO DATA" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "FindingScreen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen")


@pilot_test
async def test_pack_notes_join_the_will_wont_panel(bundle_file: Path, trust: TrustStore) -> None:
    app = make_app(bundle_file, trust)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot, app)
        await open_highlighted_finding(pilot, app)
        pack = app.current_pack
        assert pack is not None
        await pilot.press("w")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "WillWontScreen")
        assert app.screen.pack == pack


@pilot_test
async def test_wrong_passphrase_shows_a_sentence_and_allows_retry(bundle_file: Path, trust: TrustStore) -> None:
    app = make_app(bundle_file, trust)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"not it", "enter")
        await wait_for(pilot, lambda: "does not open this bundle" in screen_text(app))
        text = screen_text(app)
        assert "Traceback" not in text
        assert "Its passphrase is" not in text  # only the demo shows its passphrase
        box = app.screen.query_one("#passphrase")
        assert not box.disabled and box.value == "" and app.focused is box
        await unlock(pilot, app, type_it=True)
        assert app.bundle is not None


@pilot_test
async def test_unlocking_state_is_shown_while_the_key_is_derived(bundle_file: Path, trust: TrustStore,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from linkage_core.bundle import reader

    release = threading.Event()
    real_open = reader.open_bundle

    def slow_open(*args, **kwargs):
        release.wait(30)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(reader, "open_bundle", slow_open)
    app = make_app(bundle_file, trust)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*PASSPHRASE, "enter")
        await wait_for(pilot, lambda: "Unlocking" in screen_text(app))
        await pilot.press("x")  # the screen still answers keys while the key is derived
        release.set()
        await wait_for(pilot, lambda: app.bundle is not None)


@pilot_test
async def test_w_and_help_from_the_unlock_screen(bundle_file: Path, trust: TrustStore) -> None:
    app = make_app(bundle_file, trust)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "WillWontScreen")
        assert "won't" in screen_text(app).lower()
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "UnlockScreen")
        await pilot.press("escape", "w")  # leave the passphrase box, then the plain key works
        await wait_for(pilot, lambda: type(app.screen).__name__ == "WillWontScreen")
        await pilot.press("w")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "UnlockScreen")
        await pilot.press("escape", "question_mark")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        assert "every key" in screen_text(app).lower()
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "UnlockScreen")
        await pilot.press("enter")  # back into the box
        await unlock(pilot, app)


@pilot_test
async def test_ctrl_l_locks_and_closes_the_bundle(bundle_file: Path, trust: TrustStore) -> None:
    app = make_app(bundle_file, trust)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot, app)
        bundle = app.bundle
        await open_highlighted_finding(pilot, app)
        await pilot.press("w")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "WillWontScreen")
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "UnlockScreen")
        assert app.bundle is None and bundle is not None and bundle.closed
        assert len(app.screen_stack) == 2
        assert "passphrase" in screen_text(app).lower()
        await unlock(pilot, app)


@pilot_test
async def test_secret_from_environment_unlocks_once(bundle_file: Path, trust: TrustStore) -> None:
    app = make_app(bundle_file, trust, secret=PASSPHRASE)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "UnlockScreen")
        await pilot.pause(0.3)
        assert app.bundle is None  # a lock is not undone by the environment's secret


@pilot_test
async def test_bundle_error_at_unlock_is_one_sentence(tmp_path: Path, trust: TrustStore) -> None:
    bad = tmp_path / "bad.bold"
    bad.write_text("not a bundle")
    app = make_app(bad, trust)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"anything", "enter")
        await wait_for(pilot, lambda: "not a BOLD bundle" in screen_text(app) or "damaged" in screen_text(app))
        assert "Traceback" not in screen_text(app)


@pilot_test
async def test_bundle_that_fails_after_unlock_closes_with_its_sentence(bundle_file: Path, trust: TrustStore,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A query that stalls while home is drawn (a crafted table) ends the app with the error, not a traceback."""
    from linkage_core.bundle.reader import Bundle
    from linkage_core.errors import CorruptBundle

    def stalls(self, *args, **kwargs):
        raise CorruptBundle("Reading this bundle took too long, so it was stopped.")

    monkeypatch.setattr(Bundle, "count_findings", stalls)
    app = make_app(bundle_file, trust)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "UnlockScreen")
        app.screen.query_one("#passphrase").value = PASSPHRASE
        await app.screen.query_one("#passphrase").action_submit()
        for _ in range(200):
            if not app.is_running:
                break
            await asyncio.sleep(0.05)
    assert isinstance(app.bold_error, CorruptBundle)
    assert app.return_code == CorruptBundle.exit_code
    assert app.bundle is None


@pilot_test
async def test_q_quits(bundle_file: Path, trust: TrustStore) -> None:
    app = make_app(bundle_file, trust)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot, app)
        bundle = app.bundle
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running
    assert bundle is not None and bundle.closed


@pytest.mark.slow
@pytest.mark.parametrize("size", [(40, 12), (20, 6)])
@pilot_test
async def test_tiny_terminal_does_not_crash(bundle_file: Path, trust: TrustStore, size) -> None:
    app = make_app(bundle_file, trust, demo=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await unlock(pilot, app)
        await open_highlighted_finding(pilot, app)
        await pilot.press("b", "b", "pagedown", "w")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "WillWontScreen")
        await pilot.press("escape", "question_mark")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
