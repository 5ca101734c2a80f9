"""What a bundle holds, as typed models.

A bundle holds aggregates only: every model here describes a group of people, never a person. There is no
field for a name, an identifier or a pseudonym, and the writer refuses unknown fields (``extra="forbid"``)
so one cannot be slipped in later by accident.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
    #: Justice Data Lab rule: no comparison for a group of fewer than 60 matched people.
    TOO_FEW_TO_COMPARE = "too_few_to_compare"
    #: The matched groups in this row were not alike enough to compare.
    NOT_BALANCED = "not_balanced"
    #: Too few people were expected to have (or not have) the outcome for a rate to be shown without bias.
    TOO_FEW_EXPECTED = "too_few_expected"

    @property
    def symbol(self) -> str:
        if self in (SuppressionReason.NOT_AVAILABLE, SuppressionReason.TOO_FEW_TO_COMPARE,
                    SuppressionReason.NOT_BALANCED):
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
    SuppressionReason.TOO_FEW_TO_COMPARE: "not compared: fewer than 60 people in this group were matched",
    SuppressionReason.NOT_BALANCED: "not compared: the matched groups were not alike enough in this group",
    SuppressionReason.TOO_FEW_EXPECTED: "hidden because too few people were expected to have the outcome "
                                        "for a fair rate",
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
            f"An average is hidden when {self.dominance_n} people make up over "
            f"{self.dominance_k:g}% of its total, or when one person's share could be worked out closely."
        )
        return lines


class Period(_Model):
    start: date
    end: date


class NotComputed(_Model):
    """A pack the bundle could not compute in full from the extracts it was given, and why (partial data)."""

    pack_id: str
    title: str
    missing: list[str] = Field(default_factory=list, description="The extracts that were not given.")
    reason: str
    computed: bool = Field(False, description="True when the pack ran without them and left some findings out.")


class Comparisons(_Model):
    """How the bundle treats chance across its many comparisons (shown with the manifest)."""

    method: str = Field(description="How 'clear' was decided, named for a statistician.")
    comparisons: int = Field(ge=0, description="Comparison rows published with a verdict.")
    clear: int = Field(ge=0, description="Of those, rows whose gap is clear.")
    false_discovery_rate: float = Field(0.05, gt=0, lt=1)
    plain: list[str] = Field(default_factory=list, description="What 'clear' means, in plain words.")


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
    not_computed: list[NotComputed] = Field(default_factory=list,
                                            description="Packs left out, or cut short, for want of an extract.")
    comparisons: Comparisons | None = Field(None, description="Chance across the bundle's comparisons.")


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
    balance_ok: bool | None = Field(None, description="The overall row's matched groups were alike on every "
                                    "covariate checked (see the caveats for the limit used).")
    order: int = 0
    unit: Unit | None = Field(None, description="The unit of the finding's figures.")


#: Units a figure can be in, each with its valid range (``high`` None: no upper limit but the population).
UNIT_RANGES: dict[str, tuple[float, float | None]] = {
    "share": (0.0, 1.0),  # a proportion of people, 0 to 1 (shown as 0-100%)
    "percent": (0.0, 100.0),  # a percentage measured per person (school sessions attended)
    "days": (0.0, None),  # days within a window; the window is the estimate's ``range_high``
    "people": (0.0, None),  # a count of people (or children)
}
Unit = Literal["share", "percent", "days", "people"]


class Estimate(_Model):
    """One cell: a group's figure, its comparison, and the difference, each with a 95% interval.

    Every figure is checked against its unit's range when the model is made, so neither the writer nor the
    reader can hold an impossible figure (a share over 100%, days outside their window, more people with
    the outcome than in the group).
    """

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
    unit: Unit | None = Field(None, description="What the values measure; sets their valid range.")
    range_high: float | None = Field(None, description="Upper end of the valid range (days: the window).")
    q_value: float | None = Field(None, ge=0, le=1, description="p-value adjusted for the bundle's comparisons "
                                  "(Benjamini-Hochberg); significant means q_value < 0.05.")
    exploratory: bool = Field(False, description="A breakdown defined by the treatment itself: no verdict.")
    treated_unmatched: int | None = Field(None, ge=0, description="Rounded count of treated people in this group "
                                          "with no similar partner (None: under the threshold or no match).")
    note: str | None = Field(None, description="Whom the row is about, or why it is not shown, in plain words.")

    @model_validator(mode="after")
    def _possible(self) -> Estimate:
        problems = impossible_figures(self)
        if problems:
            raise ValueError(f"estimate {self.id}: impossible figure: {'; '.join(problems)}")
        return self

    @property
    def symbol(self) -> str | None:
        if not self.suppressed:
            return None
        return (self.suppression_reason or SuppressionReason.TOO_FEW_PEOPLE).symbol


def impossible_figures(e: Estimate) -> list[str]:
    """Each figure of ``e`` outside its unit's range, named; empty when all are possible."""
    problems = []
    for side in ("treated", "comparison"):
        n, events = getattr(e, f"{side}_n"), getattr(e, f"{side}_events")
        if n is not None and n < 0:
            problems.append(f"{side}_n is negative ({n})")
        if events is not None and (events < 0 or (n is not None and events > n)):
            problems.append(f"{side}_events ({events}) is not between 0 and {side}_n ({n})")
    if e.unit is None:
        return problems
    low, high = UNIT_RANGES[e.unit]
    if e.range_high is not None:
        high = e.range_high if high is None else min(high, e.range_high)
    for side in ("treated", "comparison"):
        n = getattr(e, f"{side}_n")
        cap = n if e.unit == "people" and n is not None else high
        for part in ("value", "low", "high"):
            name = f"{side}_{part}"
            v = getattr(e, name)
            if v is None:
                continue
            if v < low - 1e-9 or (cap is not None and v > cap + 1e-9):
                problems.append(f"{name} = {v:g} {e.unit}, outside {low:g} to "
                                f"{'any' if cap is None else f'{cap:g}'}")
        lo, value, hi = (getattr(e, f"{side}_{p}") for p in ("low", "value", "high"))
        if None not in (lo, value, hi) and not (lo - 1e-9 <= value <= hi + 1e-9):
            problems.append(f"{side}_value {value:g} is outside its own interval {lo:g} to {hi:g}")
    if high is not None:
        span = high - low
        for name in ("difference", "difference_low", "difference_high"):
            v = getattr(e, name)
            if v is not None and abs(v) > span + 1e-9:
                problems.append(f"{name} = {v:g} {e.unit}, beyond the widest possible gap of {span:g}")
    return problems


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
