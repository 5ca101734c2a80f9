"""Which model lives in which table of the bundle's SQLite database, shared by the writer and the reader."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from linkage_core.schema import (
    DatasetProvenance,
    Estimate,
    Finding,
    GlossaryEntry,
    LinkageQuality,
    Pack,
)


@dataclass(frozen=True)
class Table:
    name: str
    model: type[BaseModel]
    pk: str | None
    json_columns: tuple[str, ...] = ()
    #: Indexes, each a tuple of columns.
    index: tuple[tuple[str, ...], ...] = ()


PACKS = Table("packs", Pack, "id", ("datasets", "will", "wont"))
FINDINGS = Table("findings", Finding, "id", ("breakdowns", "can_say", "cannot_say", "caveats", "attrition"),
                 (("pack_id", "order", "id"),))  # a pack's page of findings in order, without sorting the pack
ESTIMATES = Table("estimates", Estimate, "id", (), (("finding_id",),))
DATASETS = Table("datasets", DatasetProvenance, "dataset", ("fields",))
LINKAGE_QUALITY = Table("linkage_quality", LinkageQuality, None, (), (("dataset",),))
GLOSSARY = Table("glossary", GlossaryEntry, "term")

ALL = (PACKS, FINDINGS, ESTIMATES, DATASETS, LINKAGE_QUALITY, GLOSSARY)
