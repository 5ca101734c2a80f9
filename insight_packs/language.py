"""Every sentence a finding shows, generated from its numbers, never typed by hand per finding.

Short sentences, everyday words, person-first ("people leaving prison"). Each says what the figure can and
cannot tell you. Tests score every sentence for reading ease and check for stigmatising words.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

#: Words the people this data describes find stigmatising. None may reach a reader.
STIGMATISING = re.compile(r"\b(ex-?offenders?|offenders?|criminals?|convicts?|inmates?|prisoners?)\b", re.I)


def rounded_pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def per_100(value: float) -> str:
    return f"{value * 100:.0f}"


def pts(value: float) -> str:
    return f"{abs(value) * 100:.1f} points"


def people(n: int) -> str:
    return f"{n:,} people" if n != 1 else "1 person"


#: Past this many people per group, a sample size stops being a useful suggestion.
MAX_NEEDED = 100_000


@dataclass(frozen=True)
class Comparison:
    """The numbers a comparison sentence needs (published, rounded counts)."""

    treated: str  # e.g. "people who took an English course"
    comparison: str  # e.g. "similar people who did not"
    outcome: str  # e.g. "were in work 6 months after release"
    treated_n: int
    comparison_n: int
    treated_rate: float
    comparison_rate: float
    difference: float
    low: float
    high: float
    significant: bool
    needed_per_group: int | None = None
    higher_is_better: bool = True


def headline(c: Comparison) -> str:
    return (f"{rounded_pct(c.treated_rate)} of {c.treated} {c.outcome}. "
            f"For {c.comparison}, it was {rounded_pct(c.comparison_rate)}.")


def for_100(c: Comparison) -> str:
    return (f"Out of 100 {c.treated}, about {per_100(c.treated_rate)} {c.outcome}. "
            f"Out of 100 {c.comparison}, about {per_100(c.comparison_rate)} did.")


def can_say(c: Comparison) -> list[str]:
    lines = [for_100(c)]
    if c.significant:
        side = "higher" if c.difference > 0 else "lower"
        lines.append(f"The share was {side} than for {c.comparison}. "
                     f"The gap is between {pts(min(abs(c.low), abs(c.high)))} and "
                     f"{pts(max(abs(c.low), abs(c.high)))}.")
        lines.append("A gap this big is unlikely to be down to chance alone.")
    else:
        lines.append(
            f"We cannot tell if there is a real gap. The share could be lower by as much as {pts(c.low)} "
            f"or higher by as much as {pts(c.high)}."
        )
        if c.needed_per_group and c.needed_per_group <= MAX_NEEDED:
            lines.append(f"To tell, about {c.needed_per_group:,} people would be needed in each group.")
        elif c.needed_per_group:
            lines.append("The two groups are so alike that far more people than exist would be needed to tell.")
        else:
            lines.append("The shares were the same. More people would need to be analysed to tell.")
    return lines


def cannot_say(c: Comparison, linkage_note: str | None = None, covered: str | None = None) -> list[str]:
    lines = [
        "It does not prove the course or service caused the gap. People may differ in ways the data does "
        "not show.",
        "It says nothing about any one person.",
    ]
    if covered:
        lines.append(covered)
    if linkage_note:
        lines.append(linkage_note)
    return lines


def share_headline(what: str, n: int, rate: float, low: float, high: float) -> str:
    return (f"{rounded_pct(rate)} of {what} (between {rounded_pct(low)} and {rounded_pct(high)}), "
            f"out of {people(n)}.")


def linkage_note(dataset: str, match_rate: float | None, f1: float | None = None) -> str | None:
    if match_rate is None:
        return None
    text = f"About {rounded_pct(match_rate)} of {DATASET_NAMES.get(dataset, dataset)} records were joined to someone."
    if f1 is not None:
        text += f" Checked against known links, joins were right {rounded_pct(f1)} of the time."
    return text


DATASET_NAMES = {"prison": "prison", "probation": "probation", "dfe": "school and education", "dwp": "benefit",
                 "hmrc": "payroll (HMRC)", "local_authority": "council", "reoffending": "reoffending"}


def reading_ease(text: str) -> float:
    import textstat

    return float(textstat.flesch_reading_ease(text))


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


def needed_sample(p1: float, p2: float) -> int | None:
    """People per group to detect this gap with 80% power at the 5% level (None when there is no gap)."""
    if math.isclose(p1, p2, abs_tol=1e-4):
        return None
    from linkage_core.stats import sample_size_proportions

    return int(sample_size_proportions(p1, p2).n_per_group)
