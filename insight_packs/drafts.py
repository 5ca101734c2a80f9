"""What a pack's ``compute`` returns: findings with TRUE counts, before disclosure control.

Drafts never leave the secure stage. ``insight_packs.publish`` applies the disclosure policy to them and
only then writes the sentences, from the published (rounded, possibly hidden) figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from linkage_core import stats
from linkage_core.disclosure.dominance import Magnitude


@dataclass(frozen=True)
class Side:
    """One group's figure from true counts.

    ``key`` and ``events_key`` are the cell keys of the group's people and of those with the outcome (the
    sum of their record keys, modulo 1), for the cell key method; ``None`` when no record keys were given.
    """

    n: int
    events: int | None = None  # people with the outcome (proportions)
    value: float | None = None
    low: float | None = None
    high: float | None = None
    sd: float | None = None  # for means
    key: float | None = None
    events_key: float | None = None
    #: A mean's total and largest contributions: evidence for an output checker's dominance rules.
    magnitude: Magnitude | None = None

    @classmethod
    def proportion(cls, events: int, n: int, *, key: float | None = None,
                   events_key: float | None = None) -> Side:
        interval = stats.wilson(events, n)
        return cls(n=n, events=events, value=events / n, low=interval.low, high=interval.high, key=key,
                   events_key=events_key)

    @classmethod
    def mean(cls, mean: float, sd: float, n: int, *, key: float | None = None) -> Side:
        if n < 2:
            return cls(n=n, value=mean, sd=sd, key=key)
        interval = stats.mean_interval_from_summary(mean, sd, n)
        return cls(n=n, value=mean, low=interval.low, high=interval.high, sd=sd, key=key)


@dataclass(frozen=True)
class Cell:
    breakdown: str
    group: str
    kind: str  # proportion | mean | count
    treated: Side
    comparison: Side | None = None
    difference: float | None = None
    difference_low: float | None = None
    difference_high: float | None = None
    p_value: float | None = None
    method: str = ""
    values: tuple[float, ...] = ()  # magnitudes behind a mean, for the dominance rule

    @classmethod
    def compare_proportions(cls, breakdown: str, group: str, treated: Side, comparison: Side) -> Cell:
        interval = stats.newcombe_difference(treated.events, treated.n, comparison.events, comparison.n)
        p = stats.two_proportion_p_value(treated.events, treated.n, comparison.events, comparison.n)
        return cls(breakdown, group, "proportion", treated, comparison, interval.estimate, interval.low,
                   interval.high, p.value, f"Wilson score intervals; {interval.method}; {p.method}")

    @classmethod
    def compare_means(cls, breakdown: str, group: str, treated: Side, comparison: Side) -> Cell:
        args = (treated.value, treated.sd or 0.0, treated.n, comparison.value, comparison.sd or 0.0, comparison.n)
        interval = stats.welch_difference_from_summary(*args)
        p = stats.welch_p_value_from_summary(*args)
        return cls(breakdown, group, "mean", treated, comparison, interval.estimate, interval.low,
                   interval.high, p.value, f"t intervals; {interval.method}; {p.method}")


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
