"""BOLD_ASCII: every screen drawn without a character outside ASCII, for a legacy Windows console.

The glyph set is chosen once per process, and ASCII mode also swaps Textual's own borders and scroll bars, so
this runs the app in a fresh interpreter with ``BOLD_ASCII=1`` and reads back every screen it visits.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bold_tui import glyphs

ROOT = Path(__file__).resolve().parents[2]

#: Drives the app through every screen, printing each screen's text; run in a child with BOLD_ASCII=1.
DRIVER = textwrap.dedent('''
    import asyncio, json, sys
    from pathlib import Path
    from bold_tui.app import BoldApp
    from linkage_core.bundle.keys import TrustStore, load_public_key

    bundle, pub, passphrase = sys.argv[1], sys.argv[2], sys.argv[3]
    SCREENS = [("unlock", []), ("home", []), ("answer", ["a"]), ("answer-next", ["]"]), ("help", ["question_mark"]),
               ("back", ["escape", "escape"]), ("finding", ["down", "enter"]), ("breakdown", ["b"]),
               ("export", ["e"]), ("finding-again", ["escape"]), ("glossary", ["g"]), ("about", ["escape", "i"]),
               ("will-wont", ["escape", "w"]), ("search", ["escape", "slash", "w", "o", "r", "k"]),
               ("lab", ["escape", "escape", "l"])]

    async def main():
        app = BoldApp(Path(bundle), TrustStore([load_public_key(Path(pub))]), demo=True)
        out = {}
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(200):
                if type(app.screen).__name__ == "UnlockScreen":
                    break
                await pilot.pause(0.02)
            for name, keys in SCREENS:
                if name == "home":
                    app.screen.query_one("#passphrase").value = passphrase
                    await pilot.press("enter")
                    for _ in range(400):
                        if type(app.screen).__name__ == "HomeScreen":
                            break
                        await pilot.pause(0.05)
                for key in keys:
                    await pilot.press(key)
                    await pilot.pause(0.05)
                await pilot.pause(0.3)
                lines = [strip.text for strip in app.screen._compositor.render_strips()]
                out[name] = {"screen": type(app.screen).__name__, "text": "\\n".join(lines)}
        print(json.dumps(out))

    asyncio.run(main())
''')


@pytest.fixture(scope="module")
def ascii_screens(bundle_file: Path, publisher, tmp_path_factory: pytest.TempPathFactory) -> dict:
    from tests.helpers import PASSPHRASE

    tmp_path = tmp_path_factory.mktemp("ascii")
    pub = tmp_path / "publisher.pub"
    pub.write_text(publisher.public.to_json(), encoding="utf-8")
    env = {**os.environ, "BOLD_ASCII": "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", DRIVER, str(bundle_file), str(pub), PASSPHRASE], env=env,
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _non_ascii(shot: dict) -> list[str]:
    return sorted({c for c in shot["text"] if ord(c) > 127})


@pytest.mark.slow  # its fixture drives every screen of the real app in a subprocess
def test_every_screen_is_ascii_in_ascii_mode(ascii_screens: dict) -> None:
    screens = ascii_screens
    seen = {s["screen"] for s in screens.values()}
    assert {"UnlockScreen", "HomeScreen", "AnswerScreen", "HelpScreen", "FindingScreen", "ExportScreen",
            "GlossaryScreen", "ProvenanceScreen", "WillWontScreen", "CommandPalette", "LabScreen"} <= seen, seen
    for name, shot in screens.items():
        if shot["screen"] == "LabScreen":
            continue  # checked below
        odd = _non_ascii(shot)
        assert not odd, f"{name} ({shot['screen']}) draws {odd}:\n{shot['text']}"


@pytest.mark.slow  # same subprocess-driven fixture
def test_the_lab_is_ascii_in_ascii_mode(ascii_screens: dict) -> None:
    lab = ascii_screens["lab"]
    assert lab["screen"] == "LabScreen"
    assert not _non_ascii(lab), _non_ascii(lab)


def test_glyphs_follow_the_console_and_the_switch(monkeypatch) -> None:
    assert glyphs.console_can_draw("utf-8")
    assert not glyphs.console_can_draw("cp437")  # a legacy Windows console: no tick, no cross
    assert not glyphs.console_can_draw("ascii")
    monkeypatch.setenv("BOLD_ASCII", "1")
    assert glyphs.want_ascii()
    monkeypatch.setenv("BOLD_ASCII", "0")
    assert not glyphs.want_ascii()
    for name in glyphs.fields(glyphs.ASCII):
        assert getattr(glyphs.ASCII, name.name).isascii()
