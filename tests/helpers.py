"""Everything tests share, in one module: test secrets, the ``bold`` runner, Pilot helpers, the pipeline world.

Why one module: test files used to import helpers from each other (``from tests.test_cli import bold``), so
moving or renaming one test file broke others. Fixtures live in ``conftest.py`` (pytest shares them by
itself, once per session); plain functions and constants live here, imported by name.
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from linkage_core.bundle.envelope import KdfParams

if TYPE_CHECKING:
    from bold_tui.app import BoldApp
    from linkage_core.bundle.keys import TrustStore

ROOT = Path(__file__).resolve().parent.parent

#: Argon2id at 1 MiB and one pass: the format is the same, the tests are fast.
FAST_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)
PASSPHRASE = "correct horse battery staple"

# -- the command line ------------------------------------------------------------------------------------------


def bold(*args: str, env: dict | None = None, cwd: Path | None = None, timeout: float = 120
         ) -> subprocess.CompletedProcess:
    """Run ``bold`` as a user would (a fresh process, no terminal on stdin), with this checkout's code."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "bold_tui.cli", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd, stdin=subprocess.DEVNULL, timeout=timeout)


def assert_one_sentence(result: subprocess.CompletedProcess, code: int) -> None:
    """The contract for bad input: the documented exit code, one line on stderr, never a traceback."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr

# -- the app under Pilot ---------------------------------------------------------------------------------------


def pilot_test(test):
    """Run an async Pilot test with asyncio.run: no async pytest plugin is needed."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run


def screen_text(app) -> str:
    """Everything on screen now, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def flat(text: str) -> str:
    """Screen text with line breaks and padding squeezed out, to find sentences the screen wrapped."""
    return re.sub(r"\s+", " ", text)


async def wait_for(pilot, condition, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out waiting for the app")


async def unlock(pilot, app: BoldApp, passphrase: str = PASSPHRASE, *, type_it: bool = False) -> None:
    """Put the passphrase in the box (typing every key only where typing is the point) and press Enter."""
    if type_it:
        await pilot.press(*passphrase)
    else:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "UnlockScreen")
        app.screen.query_one("#passphrase").value = passphrase
    await pilot.press("enter")
    await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
    await pilot.pause()


async def open_highlighted_finding(pilot, app) -> None:
    """From home: past the pack's answer row (the first row after unlocking) to a finding, and open it."""
    for _ in range(5):
        if app.screen._highlighted_id() is not None:
            break
        await pilot.press("down")
    await pilot.press("enter")
    await wait_for(pilot, lambda: type(app.screen).__name__ == "FindingScreen")


def make_app(bundle_file: Path, trust: TrustStore, *, demo: bool = False, secret=None) -> BoldApp:
    from bold_tui.app import BoldApp

    return BoldApp(bundle_file, trust, demo=demo, secret=secret)

# -- the pipeline world ----------------------------------------------------------------------------------------

#: The shared pipeline world: big enough for every pack to publish, small enough to build in well under a minute.
PEOPLE = 4000
SEED = 11


@dataclass(frozen=True)
class BuiltWorld:
    world: Path
    link: Path
    bundle: Path
    trust: TrustStore


def build_world(root: Path, people: int = PEOPLE, seed: int = SEED) -> BuiltWorld:
    """Synthesise, link and build a bundle under ``root`` (the ``built_world`` fixture calls this once)."""
    from insight_packs.build import build_bundle
    from linkage_core.bundle.keys import PrivateKey, TrustStore
    from linkage_core.linkage import link_world
    from sample_db.world import synthesise

    world = synthesise(people, seed, root / "world")
    link_world(world, root / "link")
    key = PrivateKey.generate("Pipeline test publisher")
    bundle = build_bundle(world, root / "built.bold", signer=key, passphrases=[PASSPHRASE], link_dir=root / "link",
                          kdf=FAST_KDF)
    return BuiltWorld(world, root / "link", bundle, TrustStore([key.public]))
