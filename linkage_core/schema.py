"""What a bundle holds, as typed models.

A bundle holds aggregates only: every model here describes a group of people, never a person. There is no
field for a name, an identifier or a pseudonym, and the writer refuses unknown fields (``extra="forbid"``)
so one cannot be slipped in later by accident.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: The version of the tables inside the bundle. A reader refuses a version it does not know.
SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SuppressionReason(str, Enum):
    """Why a cell is hidden. Each maps to a government statistical service symbol."""

    TOO_FEW_PEOPLE = "too_few_people"
    PROTECTS_ANOTHER_CELL = "protects_another_cell"
    DOMINANCE = "dominance"
    BLOCKED_AT_READ = "blocked_at_read"
    NOT_AVAILABLE = "not_available"
    NOT_APPLICABLE = "not_applicable"

    @property
    def symbol(self) -> str:
        if self is SuppressionReason.NOT_AVAILABLE:
            return "[x]"
        if self is SuppressionReason.NOT_APPLICABLE:
            return "[z]"
        return "[c]"

    @property
    def plain(self) -> str:
        return _REASON_TEXT[self]


_REASON_TEXT = {
    SuppressionReason.TOO_FEW_PEOPLE: "hidden because it would describe fewer than 10 people",
    SuppressionReason.PROTECTS_ANOTHER_CELL: "hidden so that another hidden figure cannot be worked out",
    SuppressionReason.DOMINANCE: "hidden because one or two people make up most of the total",
    SuppressionReason.BLOCKED_AT_READ: "hidden because it broke the disclosure rules when the app checked it",
    SuppressionReason.NOT_AVAILABLE: "not available in the linked data",
    SuppressionReason.NOT_APPLICABLE: "does not apply to this group",
}


class DisclosurePolicy(_Model):
    """The rules every published figure obeys. Recorded in the manifest so a reader re-checks the same."""

    threshold: int = Field(10, ge=1, description="No cell describes fewer people than this.")
    rounding_base: int = Field(5, ge=1, description="Published counts are rounded to this base.")
    secondary_suppression: bool = True
    cell_key_perturbation: bool = False
    dominance_n: int = 2
    dominance_k: float = 90.0

    def plain_words(self) -> list[str]:
        lines = [
            f"No figure describes fewer than {self.threshold} people.",
            f"A rate is shown only when at least {self.threshold} people had the outcome "
            f"and at least {self.threshold} did not.",
        ]
        if self.cell_key_perturbation and self.rounding_base > 1:
            lines.append(f"Counts of people are rounded up or down to a multiple of {self.rounding_base}. "
                         "A fixed random key decides which way, so the same people always round the same way.")
            lines.append("Rates are worked out from the rounded counts, so two sets of figures that differ by "
                         "one person do not show what that person did.")
        elif self.rounding_base > 1:
            lines.append(f"Counts of people are rounded to the nearest {self.rounding_base}.")
        if self.secondary_suppression:
            lines.append("Where one figure is hidden, others are hidden too, so it cannot be worked out.")
        if self.cell_key_perturbation and self.rounding_base == 1:
            lines.append("Counts get a small fixed adjustment, so comparing tables reveals nothing.")
        lines.append(
            f"Money figures are hidden when {self.dominance_n} people make up over "
            f"{self.dominance_k:g}% of the total."
        )
        return lines


class Period(_Model):
    start: date
    end: date


class Manifest(_Model):
    title: str
    publisher: str
    period: Period
    datasets_linked: list[str]
    policy: DisclosurePolicy
    software_version: str
    schema_version: int = SCHEMA_VERSION
    created: datetime
    synthetic: bool = Field(False, description="True for demo bundles built from a synthetic world.")
    notes: list[str] = Field(default_factory=list)


class DatasetUse(_Model):
    """One row of the seed research's matrix: which organisation gives which kind of data to a pack."""

    dataset: str
    organisation: str
    fields: list[str]


class Pack(_Model):
    id: str
    title: str
    question: str
    why_it_matters: str
    datasets: list[DatasetUse]
    will: list[str]
    wont: list[str]
    order: int = 0


class AttritionStep(_Model):
    label: str
    count: int | None = Field(None, description="Rounded count of people, or None when hidden.")


class Finding(_Model):
    id: str
    pack_id: str
    title: str
    headline: str
    measure: str
    treated_label: str
    comparison_label: str | None = None
    breakdowns: list[str] = Field(default_factory=lambda: ["overall"])
    can_say: list[str]
    cannot_say: list[str]
    caveats: list[str] = Field(default_factory=list)
    method: str
    attrition: list[AttritionStep] = Field(default_factory=list)
    balance_ok: bool | None = Field(None, description="All standardised mean differences under 0.1 after matching.")
    order: int = 0


class Estimate(_Model):
    """One cell: a group's figure, its comparison, and the difference, each with a 95% interval."""

    id: str
    finding_id: str
    breakdown: str = "overall"
    group: str = "All"
    kind: Literal["proportion", "mean", "count"] = "proportion"
    treated_n: int | None = None
    treated_events: int | None = None
    treated_value: float | None = None
    treated_low: float | None = None
    treated_high: float | None = None
    comparison_n: int | None = None
    comparison_events: int | None = None
    comparison_value: float | None = None
    comparison_low: float | None = None
    comparison_high: float | None = None
    difference: float | None = None
    difference_low: float | None = None
    difference_high: float | None = None
    p_value: float | None = None
    significant: bool | None = None
    suppressed: bool = False
    suppression_reason: SuppressionReason | None = None
    method: str = ""

    @property
    def symbol(self) -> str | None:
        if not self.suppressed:
            return None
        return (self.suppression_reason or SuppressionReason.TOO_FEW_PEOPLE).symbol


class DatasetProvenance(_Model):
    dataset: str
    organisation: str
    description: str
    records: int | None = Field(None, description="Rounded count of records received.")
    linked_share: float | None = Field(None, description="Share of records linked to someone in the cohort.")
    fields: list[str] = Field(default_factory=list)


class LinkageQuality(_Model):
    """How well one dataset linked, overall or for one group, measured against known truth where it exists."""

    dataset: str
    group_type: str = "overall"
    group: str = "All"
    match_rate: float | None = None
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    # The linkage's own estimate, made without truth from its match probabilities (see quality.json's
    # "estimate" for how); present on real extracts, where the three above are not.
    estimated_precision: float | None = None
    estimated_recall: float | None = None
    estimated_f1: float | None = None


class GlossaryEntry(_Model):
    term: str
    definition: str


class BundleContent(_Model):
    """Everything the writer seals into one bundle."""

    manifest: Manifest
    packs: list[Pack]
    findings: list[Finding]
    estimates: list[Estimate]
    datasets: list[DatasetProvenance] = Field(default_factory=list)
    linkage_quality: list[LinkageQuality] = Field(default_factory=list)
    glossary: list[GlossaryEntry] = Field(default_factory=list)
