"""What a pack's ``compute`` returns: findings with TRUE counts, before disclosure control.

Drafts never leave the secure stage. Their cells are disclosure control's own input type
(``linkage_core.disclosure.apply.RawCell``), built once in ``insight_packs.compute``: there is no second
cell type to copy between, so nothing (the values behind a mean, a row's reason to be hidden) is dropped on
the way. ``insight_packs.publish`` gives each cell its id, applies the policy and only then writes the
sentences, from the published (rounded, possibly hidden) figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from linkage_core.disclosure.apply import RawCell as Cell
from linkage_core.disclosure.apply import RawSide as Side


@dataclass(frozen=True)
class Phrasing:
    """The words the generated sentences use for this finding's groups and outcome."""

    treated: str
    comparison: str | None
    outcome: str
    higher_is_better: bool = True


@dataclass
class FindingDraft:
    id: str
    pack_id: str
    title: str
    measure: str
    treated_label: str
    comparison_label: str | None
    phrasing: Phrasing
    cells: list[Cell]
    method: str
    #: (label, true count, cell key of the people counted); the key is None when no record keys were given.
    attrition: list[tuple[str, int, float | None]] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    datasets: tuple[str, ...] = ()
    balance_ok: bool | None = None
    covered: str | None = None  # who the finding covers, in plain words
    order: int = 0
    #: The unit of the finding's figures ("share", "percent", "days", "people") and, for days, the window.
    unit: str | None = None
    range_high: float | None = None
    #: The extracts whose joins to people leaving prison the finding rests on, for its linkage note; None:
    #: every extract it names but the cohort. Children are found through a council record naming a parent,
    #: so the share of school or council records joined to an adult says nothing about their figures.
    linkage_datasets: tuple[str, ...] | None = None
    #: What the finding cannot tell, in words that fit the pack (e.g. not "caused by the course" for children).
    not_a_cause: str = "It does not prove the course or service made the difference. People may differ in ways " \
                       "the data does not show."


__all__ = ["Cell", "FindingDraft", "Phrasing", "Side"]
