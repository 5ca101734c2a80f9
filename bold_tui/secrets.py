"""Where a secret comes from: the environment, a key file, or a prompt. Never from the command line."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from linkage_core.bundle.envelope import Envelope, Secret
from linkage_core.bundle.keys import PrivateKey, TrustStore, load_private_key, load_public_key
from linkage_core.errors import UsageError
from sample_db import DEMO_PASSPHRASE, demo_bundle_path, demo_public_key_path

from bold_tui.locations import trust_dir


def trust_store(extra: list[Path] | None = None) -> TrustStore:
    """The user's trusted keys, the demo key (always known, labelled demo), and keys given for this run."""
    store = TrustStore.from_folder(trust_dir())
    store.add(load_public_key(demo_public_key_path()))
    for path in extra or []:
        store.add(load_public_key(path))
    return store


def bundle_path(file: Path | None) -> Path:
    return file if file is not None else demo_bundle_path()


def is_demo(envelope: Envelope, trust: TrustStore) -> bool:
    """The demo passphrase is offered only for a bundle signed with the demo key and marked synthetic."""
    publisher = envelope.publisher_doc or {}
    key = trust.get(str(publisher.get("key_id", "")))
    return bool(key and key.demo and envelope.synthetic)


def keyfile(path: Path | None) -> PrivateKey | None:
    path = path or (Path(os.environ["BOLD_KEYFILE"]) if os.environ.get("BOLD_KEYFILE") else None)
    return load_private_key(path) if path else None


def secret_from_environment(key_path: Path | None) -> Secret | None:
    key = keyfile(key_path)
    if key is not None:
        return key
    return os.environ.get("BOLD_PASSPHRASE") or None


def secret_for(envelope: Envelope, trust: TrustStore, key_path: Path | None, *, demo_default: bool) -> Secret:
    """A secret for a command that must decrypt: environment, key file, prompt, or (demo only) the demo's."""
    secret = secret_from_environment(key_path)
    if secret is not None:
        return secret
    if demo_default and is_demo(envelope, trust):
        return DEMO_PASSPHRASE
    if sys.stdin.isatty():
        entered = getpass.getpass("Passphrase: ")
        if entered:
            return entered
    raise UsageError("This needs a passphrase: set BOLD_PASSPHRASE, or give a key file with --keyfile.")
