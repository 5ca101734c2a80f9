"""What both kinds of ``bold`` command share: writing to stdout, and opening a bundle for one run."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from linkage_core.bundle.files import inspect

from bold_tui import secrets

if TYPE_CHECKING:
    from linkage_core.bundle.reader import Bundle


def open_bundle(*args, **kwargs) -> Bundle:
    """The reader, imported on first use: the app's first screen does not need the schema models."""
    from linkage_core.bundle.reader import open_bundle as reader_open

    return reader_open(*args, **kwargs)


def out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


@contextmanager
def opened(file: Path | None, trust_files: list[Path], key_path: Path | None) -> Iterator[Bundle]:
    path = secrets.bundle_path(file)
    trust = secrets.trust_store(trust_files)
    envelope, publisher = inspect(path, trust)
    secret = secrets.secret_for(envelope, trust, key_path, demo_default=publisher.demo)
    bundle = open_bundle(path, secret, trust)
    try:
        yield bundle
    finally:
        bundle.close()
