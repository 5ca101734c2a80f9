"""A small synthesised, linked and built world, made once per test session and shared by pipeline tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from linkage_core.bundle.keys import PrivateKey, TrustStore
from tests.conftest import FAST_KDF, PASSPHRASE

PEOPLE = 4000
SEED = 11


@dataclass(frozen=True)
class BuiltWorld:
    world: Path
    link: Path
    bundle: Path
    trust: TrustStore


@pytest.fixture(scope="session")
def built_world(tmp_path_factory: pytest.TempPathFactory) -> BuiltWorld:
    from insight_packs.build import build_bundle
    from linkage_core.linkage import link_world
    from sample_db.world import synthesise

    root = tmp_path_factory.mktemp("pipeline")
    world = synthesise(PEOPLE, SEED, root / "world")
    link_world(world, root / "link")
    key = PrivateKey.generate("Pipeline test publisher")
    bundle = build_bundle(world, root / "built.bold", signer=key, passphrases=[PASSPHRASE], link_dir=root / "link",
                          kdf=FAST_KDF)
    return BuiltWorld(world, root / "link", bundle, TrustStore([key.public]))
