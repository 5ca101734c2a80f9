"""Shared fixtures, each built once per session: test keys, a sample bundle, and the pipeline world.

Every fixture more than one test file needs lives here, never in a test module: a session fixture imported
into a module is re-created for that module. Plain helpers live in ``tests/helpers.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linkage_core.bundle.keys import PrivateKey, TrustStore
from tests.helpers import FAST_KDF, PASSPHRASE, BuiltWorld, build_world



@pytest.fixture(autouse=True)
def _private_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's trust store or settings, or inherits a secret."""
    monkeypatch.setenv("BOLD_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
    monkeypatch.delenv("BOLD_PASSPHRASE", raising=False)
    monkeypatch.delenv("BOLD_KEYFILE", raising=False)


@pytest.fixture(scope="session")
def publisher() -> PrivateKey:
    return PrivateKey.generate("Test publisher")


@pytest.fixture(scope="session")
def trust(publisher: PrivateKey) -> TrustStore:
    return TrustStore([publisher.public])


@pytest.fixture(scope="session")
def content():
    from tests.sample_content import build_demo_content

    return build_demo_content()


@pytest.fixture(scope="session")
def bundle_file(tmp_path_factory: pytest.TempPathFactory, publisher: PrivateKey, content) -> Path:
    from linkage_core.bundle.writer import write_bundle

    path = tmp_path_factory.mktemp("bundles") / "test.bold"
    return write_bundle(content, path, signer=publisher, passphrases=[PASSPHRASE], kdf=FAST_KDF)


@pytest.fixture(scope="session")
def built_world(tmp_path_factory: pytest.TempPathFactory) -> BuiltWorld:
    """A 4,000-person world synthesised, linked and built into a bundle: once per session, for every file."""
    return build_world(tmp_path_factory.mktemp("pipeline"))
