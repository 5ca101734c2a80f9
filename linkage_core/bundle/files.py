"""Reading a bundle file and checking its layout and signature: no secret, and no schema import.

Kept apart from the reader so the app can refuse a bad file before its first screen without loading the
pydantic models (start-up time on a slow laptop matters).
"""

from __future__ import annotations

from pathlib import Path

from linkage_core.bundle.envelope import Envelope, parse
from linkage_core.bundle.keys import PublicKey, TrustStore
from linkage_core.errors import BoldError, NotABundle


def read_file(path: Path | str) -> bytes:
    try:
        return Path(path).read_bytes()
    except IsADirectoryError:
        raise NotABundle(f"{path} is a folder, not a BOLD bundle.") from None
    except FileNotFoundError:
        raise BoldError(f"There is no file at {path}.") from None
    except OSError as exc:
        raise BoldError(f"{path} could not be read ({exc.strerror}).") from None


def inspect(path: Path | str, trust: TrustStore) -> tuple[Envelope, PublicKey]:
    """Check layout, integrity and signature without any secret."""
    envelope = parse(read_file(path))
    return envelope, envelope.verify(trust)
