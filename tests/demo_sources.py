"""A digest of the code the demo bundle is built from, so the demo is rebuilt in tests only when it changed.

Why: rebuilding the 20,000-person demo to compare it with the shipped one took minutes of every CI run,
although almost no change touches the world generator or the pipeline. ``sample_db/data/demo.sources.sha256``
records the digest of those sources and the SHA-256 of the shipped ``demo.bold``. ``tests/test_repo.py``
rebuilds and compares only when the digest differs; otherwise it checks the recorded hashes.

After rebuilding the demo (the lead, after a merge): ``python -m tests.demo_sources`` writes the record.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from tests.helpers import ROOT

RECORD = ROOT / "sample_db" / "data" / "demo.sources.sha256"
DEMO = ROOT / "sample_db" / "data" / "demo.bold"
#: What the demo's figures depend on: the world generator, the linkage and disclosure methods, the bundle
#: format, the packs, and the demo build itself (wherever issue 12 puts it, it is under one of these).
SOURCE_GLOBS = ("sample_db/world/**/*.py", "linkage_core/**/*.py", "insight_packs/**/*.py")


def source_files() -> list[Path]:
    files = {p for pattern in SOURCE_GLOBS for p in ROOT.glob(pattern) if "__pycache__" not in p.parts}
    return sorted(files, key=lambda p: p.relative_to(ROOT).as_posix())


def sources_digest() -> str:
    """SHA-256 over each source's path and text (line endings normalised, so a Windows checkout agrees)."""
    digest = hashlib.sha256()
    for path in source_files():
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def recorded() -> dict[str, str]:
    """``{"sources": ..., "demo.bold": ...}`` from the record, or empty if there is none."""
    if not RECORD.is_file():
        return {}
    pairs = (line.split() for line in RECORD.read_text(encoding="utf-8").splitlines() if line.strip())
    return {name: value for value, name in pairs}


def record() -> str:
    text = f"{sources_digest()}  sources\n{file_digest(DEMO)}  demo.bold\n"
    RECORD.write_text(text, encoding="utf-8")
    return text


if __name__ == "__main__":
    sys.stdout.write(record())
