"""Build the demo bundle that ships inside the package, signed with the demo key."""

from __future__ import annotations

from pathlib import Path

from linkage_core.bundle.keys import load_private_key
from linkage_core.bundle.writer import write_bundle
from linkage_core.schema import BundleContent
from sample_db import DEMO_PASSPHRASE, demo_bundle_path, demo_private_key_path


def demo_content() -> BundleContent:
    from sample_db.placeholder import build_demo_content

    return build_demo_content()


def build_demo(out: Path | None = None) -> Path:
    signer = load_private_key(demo_private_key_path())
    return write_bundle(demo_content(), out or demo_bundle_path(), signer=signer, passphrases=[DEMO_PASSPHRASE])
