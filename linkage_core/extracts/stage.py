"""The secure-stage commands' one entry to extracts: validate, stage, report, and clean up afterwards."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from linkage_core.extracts.links import prepare_links
from linkage_core.extracts.mapping import load_map
from linkage_core.extracts.read import PreparedWorld, prepare_world


def _stderr(line: str) -> None:
    sys.stderr.write(line + "\n")


@dataclass
class Staged:
    """A validated world in the standard layout (and a checked spine, with ``--links``)."""

    prepared: PreparedWorld
    links: Path | None = None
    #: Sentences for the bundle's provenance: warnings that weaken linkage, and how the spine was made.
    notes: list[str] = field(default_factory=list)

    @property
    def world(self) -> Path:
        return self.prepared.world

    def record_quality(self, quality_path: Path) -> None:
        """Keep the validation's figures and warnings in ``quality.json`` (under ``extracts``)."""
        doc = json.loads(Path(quality_path).read_text(encoding="utf-8"))
        doc["extracts"] = self.prepared.quality_entry()
        Path(quality_path).write_text(json.dumps(doc, indent=2), encoding="utf-8")


@contextmanager
def staged(world: Path, map_file: Path | None, *, links: Path | None = None, cohort: str = "prison",
           say: Callable[[str], None] = _stderr) -> Iterator[Staged]:
    """Check the map, validate and stage every extract (and the spine), print the short report, yield.

    The staging folder is private and removed afterwards; it lives in the secure stage's temporary folder
    because it holds identifiers, as the extracts themselves do.
    """
    world_map = load_map(map_file)
    with tempfile.TemporaryDirectory(prefix="bold-extracts-") as scratch:
        prepared = prepare_world(Path(world), world_map, Path(scratch) / "world", linking=links is None)
        for line in prepared.notices:
            say(f"Note: {line}")
        for line in prepared.summary():
            say(f"Checked {line}")
        for line in prepared.warnings:
            say(f"Warning: {line}")
        result = Staged(prepared, notes=[f"Extract check: {w}" for w in prepared.warnings])
        if links is not None:
            result.links, notes = prepare_links(Path(links), prepared, Path(scratch) / "links", cohort)
            result.notes += notes
            for line in notes:
                say(f"Note: {line}")
        yield result
