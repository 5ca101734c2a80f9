"""What every insight pack declares: its question in plain words, the data it links, and its limits.

A pack is one module holding one ``PACK``. The registry finds it; the pipeline calls its ``compute`` on the
linked, de-identified data. Packs never see a name or a date of birth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any

from linkage_core.schema import DatasetUse, Pack


@dataclass(frozen=True)
class PackSpec:
    id: str
    title: str
    question: str
    why_it_matters: str
    datasets: tuple[DatasetUse, ...]
    will: tuple[str, ...]
    wont: tuple[str, ...]
    order: int = 0
    breakdowns: tuple[str, ...] = field(default=("overall",))
    #: ``compute(pack, engine) -> list[FindingDraft]``, run on the de-identified tables of ``cohort``.
    computer: Callable[[PackSpec, Any], list] | None = None

    def to_model(self) -> Pack:
        return Pack(
            id=self.id, title=self.title, question=self.question, why_it_matters=self.why_it_matters,
            datasets=list(self.datasets), will=list(self.will), wont=list(self.wont), order=self.order,
        )

    def compute(self, engine: Any) -> list:
        if self.computer is None:
            raise NotImplementedError(f"pack {self.id} has no compute step")
        return self.computer(self, engine)


def use(dataset: str, organisation: str, *fields: str) -> DatasetUse:
    return DatasetUse(dataset=dataset, organisation=organisation, fields=list(fields))


#: Words every pack's will / won't notes share, from the commitments in the BOLD research.
COMMON_WONT = (
    "It will not name anyone, or show a figure about fewer than 10 people.",
    "It will not be used to make a decision about any one person.",
)
