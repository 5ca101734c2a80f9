"""Build the demo bundle that ships inside the package: a 20,000-person synthetic world run through the
real pipeline (link -> packs -> disclosure control), signed with a key made for this one build.

``python -m insight_packs.demo_build [--out FILE]`` runs this (in the secure stage: it needs the pipeline
extra). A test checks the shipped file holds what it produces.

Why a throwaway key: an install trusts the demo key, so nobody may hold its private half. Each build makes a
fresh key pair, signs the demo with it, writes only the public half (``demo_publisher.pub``) and the file's
SHA-256 (``demo.bold.sha256``) beside the bundle, and forgets the private half. The reader trusts that key
for that one file only (``linkage_core.bundle.keys.demo_anchor``).
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from linkage_core.bundle.keys import PrivateKey, TrustStore, demo_anchor
from linkage_core.schema import BundleContent
from sample_db import DEMO_PASSPHRASE, DEMO_PUBLISHER_NAME, demo_bundle_path

DEMO_PEOPLE = 20_000
DEMO_SEED = 2026
#: Fixed so that rebuilding gives the same bundle contents.
DEMO_CREATED = datetime(2026, 11, 25, tzinfo=timezone.utc)
DEMO_TITLE = "BOLD Insights demo (synthetic demo data)"
#: The secret behind the demo world's record keys (the cell key method). Public on purpose: the demo's people
#: are made up. Fixed (it was derived from the old demo key) so that rebuilds give the same figures.
DEMO_RECORD_KEY_SECRET = "793f35dd4793624ee4f3a304739f49dc"


def public_key_path(bundle: Path) -> Path:
    return bundle.with_name("demo_publisher.pub")


def digest_path(bundle: Path) -> Path:
    return bundle.with_name(bundle.name + ".sha256")


def demo_trust(bundle: Path | None = None) -> TrustStore:
    """A trust store holding only the demo key written beside ``bundle`` (default: the shipped demo)."""
    bundle = Path(bundle) if bundle is not None else demo_bundle_path()
    anchor = demo_anchor(public_key_path(bundle), digest_path(bundle), DEMO_PUBLISHER_NAME)
    return TrustStore([anchor] if anchor is not None else [])


def demo_content(people: int = DEMO_PEOPLE, seed: int = DEMO_SEED, progress=None) -> BundleContent:
    from insight_packs.build import build_content
    from linkage_core.linkage import link_world
    from sample_db.world import synthesise

    report = progress or (lambda _stage, _fraction: None)
    with tempfile.TemporaryDirectory(prefix="bold-demo-") as folder:
        root = Path(folder)
        world = synthesise(people, seed, root / "world", progress=report)
        link_world(world, root / "link", progress=report)
        return build_content(world, root / "link", title=DEMO_TITLE, publisher=DEMO_PUBLISHER_NAME,
                             synthetic=True, created=DEMO_CREATED, progress=report,
                             key_secret=DEMO_RECORD_KEY_SECRET)


def build_demo(out: Path | None = None, progress=None) -> Path:
    """Write the demo bundle, its public key and its SHA-256 (replacing an earlier demo: that is the point)."""
    from linkage_core.bundle.writer import write_bundle
    from linkage_core.safe_output import new_files

    out = Path(out) if out is not None else demo_bundle_path()
    signer = PrivateKey.generate(DEMO_PUBLISHER_NAME)
    content = demo_content(progress=progress)
    with new_files([out, public_key_path(out), digest_path(out)], force=True) as (bundle, public, digest):
        write_bundle(content, bundle, signer=signer, passphrases=[DEMO_PASSPHRASE])
        public.write_text(signer.public.to_json(), encoding="utf-8")
        digest.write_text(f"{hashlib.sha256(bundle.read_bytes()).hexdigest()}  {out.name}\n", encoding="ascii")
    del signer  # the private half is never written anywhere
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m insight_packs.demo_build", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="where to write it (default: the shipped file)")
    args = parser.parse_args(argv)
    print(f"Wrote {build_demo(args.out)}")


if __name__ == "__main__":
    main()
