"""Shared fixtures: a fast key-derivation cost for test bundles, and a private config folder per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkage_core.bundle.envelope import KdfParams
from linkage_core.bundle.keys import PrivateKey, TrustStore

#: Argon2id at 1 MiB and one pass: the format is the same, the tests are fast.
FAST_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)
PASSPHRASE = "correct horse battery staple"


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
