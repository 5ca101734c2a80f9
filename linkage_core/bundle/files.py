"""Reading a bundle file and checking its layout and signature: no secret, and no schema import.

Kept apart from the reader so the app can refuse a bad file before its first screen without loading the
pydantic models (start-up time on a slow laptop matters).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from linkage_core.bundle.envelope import MAX_DATABASE, MAX_HEADER, Envelope, parse
from linkage_core.bundle.keys import PublicKey, TrustStore
from linkage_core.errors import BoldError, NotABundle

#: A bundle's body is compressed, so it is never much bigger than the database it unpacks to.
MAX_BUNDLE_FILE = MAX_DATABASE + MAX_HEADER + 1024 * 1024


def read_regular_file(path: Path | str, limit: int, what: str, error: type[BoldError] = BoldError) -> bytes:
    """At most ``limit`` bytes of an ordinary file. A device (``/dev/zero``), a FIFO (which would block
    forever) or anything bigger than ``limit`` is refused with one sentence, before it is read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise error(f"{path} is a folder, not a {what}.") from None
    except FileNotFoundError:
        raise error(f"There is no file at {path}.") from None
    except OSError as exc:
        raise error(f"{path} could not be read ({exc.strerror}).") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error(f"{path} is a folder, not a {what}.")
        if not stat.S_ISREG(info.st_mode):
            raise error(f"{path} is not an ordinary file, so it was not read as a {what}.")
        if info.st_size > limit:
            raise error(f"{path} is larger than any {what} can be, so it was not read.")
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise error(f"{path} is larger than any {what} can be, so it was not read.")
        return b"".join(chunks)
    except OSError as exc:
        raise error(f"{path} could not be read ({exc.strerror}).") from None
    finally:
        os.close(fd)


def read_file(path: Path | str) -> bytes:
    try:
        return read_regular_file(path, MAX_BUNDLE_FILE, "BOLD bundle", error=NotABundle)
    except NotABundle as error:
        if str(error).startswith("There is no file") or "could not be read (" in str(error):
            raise BoldError(str(error)) from None
        raise


def inspect(path: Path | str, trust: TrustStore) -> tuple[Envelope, PublicKey]:
    """Check layout, integrity and signature without any secret."""
    envelope = parse(read_file(path))
    return envelope, envelope.verify(trust)
