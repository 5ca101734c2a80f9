"""Build the demo bundle that ships inside the package: a 20,000-person synthetic world run through the
real pipeline (link → packs → disclosure control), signed with the demo key.

``python -m sample_db build`` runs this; a test checks the shipped file holds what it produces.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timezone
from pathlib import Path

from linkage_core.bundle.keys import load_private_key
from linkage_core.bundle.writer import write_bundle
from linkage_core.schema import BundleContent
from sample_db import DEMO_PASSPHRASE, DEMO_PUBLISHER_NAME, demo_bundle_path, demo_private_key_path

DEMO_PEOPLE = 20_000
DEMO_SEED = 2026
#: Fixed so that rebuilding gives the same bundle contents.
DEMO_CREATED = datetime(2026, 11, 25, tzinfo=timezone.utc)
DEMO_TITLE = "BOLD Insights demo (synthetic demo data)"


def demo_content(people: int = DEMO_PEOPLE, seed: int = DEMO_SEED, progress=None) -> BundleContent:
    from insight_packs.build import build_content
    from linkage_core.linkage import link_world
    from sample_db.world import synthesise

    report = progress or (lambda _stage, _fraction: None)
    with tempfile.TemporaryDirectory(prefix="bold-demo-") as folder:
        root = Path(folder)
        world = synthesise(people, seed, root / "world", progress=report)
        link_world(world, root / "link", progress=report)
        secret = load_private_key(demo_private_key_path()).record_key_secret()
        return build_content(world, root / "link", title=DEMO_TITLE, publisher=DEMO_PUBLISHER_NAME,
                             synthetic=True, created=DEMO_CREATED, progress=report, key_secret=secret)


def build_demo(out: Path | None = None, progress=None) -> Path:
    signer = load_private_key(demo_private_key_path())
    return write_bundle(demo_content(progress=progress), out or demo_bundle_path(), signer=signer,
                        passphrases=[DEMO_PASSPHRASE])
