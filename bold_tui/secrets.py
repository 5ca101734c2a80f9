"""Where a secret comes from: the environment, a key file, or a prompt. Never from the command line.

A passphrase read from ``BOLD_PASSPHRASE`` is removed from the environment at once, so no child process
and no later look at ``os.environ`` (or ``/proc/<pid>/environ`` after an ``execve``) finds it there.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from linkage_core.bundle.envelope import Envelope, Secret
from linkage_core.bundle.keys import PrivateKey, TrustStore, demo_anchor, load_private_key, load_public_key
from linkage_core.errors import BoldError, UsageError
from sample_db import (
    DEMO_PASSPHRASE,
    DEMO_PUBLISHER_NAME,
    demo_bundle_path,
    demo_digest_path,
    demo_public_key_path,
)

from bold_tui.locations import trust_dir


def trust_store(extra: list[Path] | None = None, *, warn: bool = True) -> TrustStore:
    """The user's trusted keys (under the names they gave), keys given for this run, and the demo key, which
    vouches only for the shipped demo file (its SHA-256). A bad file in the store is skipped, by name."""
    store = TrustStore.from_folder(trust_dir())
    if warn:
        for warning in store.warnings:
            sys.stderr.write(f"bold: {warning}\n")
    for path in extra or []:
        store.add(load_public_key(path, f"key given with --trust ({Path(path).name})"))
    anchor = demo_anchor(demo_public_key_path(), demo_digest_path(), DEMO_PUBLISHER_NAME)
    if anchor is not None:
        store.add(anchor)
    return store


def bundle_path(file: Path | None) -> Path:
    return file if file is not None else demo_bundle_path()


def is_demo(envelope: Envelope, trust: TrustStore) -> bool:
    """True only when the demo key verified this very file (pinned by its SHA-256): never from the header's
    ``synthetic`` or ``key_id`` claims, nor a key file's own ``demo`` claim."""
    try:
        return envelope.verify(trust).demo
    except BoldError:
        return False


def keyfile(path: Path | None) -> PrivateKey | None:
    path = path or (Path(os.environ["BOLD_KEYFILE"]) if os.environ.get("BOLD_KEYFILE") else None)
    return load_private_key(path) if path else None


def take_passphrase_from_environment() -> str | None:
    """``BOLD_PASSPHRASE``, removed from the environment as it is read (once read, it is gone)."""
    value = os.environ.pop("BOLD_PASSPHRASE", None)
    try:  # os.environ is a copy: the interpreter's own table (posix.environ) still held it
        import posix

        posix.environ.pop(b"BOLD_PASSPHRASE", None)
    except (ImportError, AttributeError):  # Windows: nt.environ is keyed by str
        try:
            import nt

            nt.environ.pop("BOLD_PASSPHRASE", None)
        except (ImportError, AttributeError):
            pass
    return value or None


def secret_from_environment(key_path: Path | None) -> Secret | None:
    key = keyfile(key_path)
    if key is not None:
        return key
    return take_passphrase_from_environment()


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
