"""Every sentence a finding shows, generated from its numbers, never typed by hand per finding.

Short sentences, everyday words, person-first ("people leaving prison"). Each says what the figure can and
cannot tell you. Tests score every sentence for reading ease and check for stigmatising words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linkage_core.glossary import chance_share

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


def amount(value: float, unit: str | None) -> str:
    """A figure with its unit, as a reader would say it."""
    if unit == "share":
        return rounded_pct(value)
    if unit == "percent":
        return f"{value:,.1f}%"
    if unit == "days":
        return f"{value:,.1f} days"
    if unit == "people":
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def gap_size(value: float, unit: str) -> str:
    """The size of a gap (no sign) in its unit: points for shares and percentages, days for days."""
    if unit == "share":
        return pts(value)
    if unit == "percent":
        return f"{abs(value):,.1f} points"
    if unit == "days":
        return f"{abs(value):,.1f} days"
    return f"{abs(value):,.1f}"


@dataclass(frozen=True)
class Comparison:
    """The numbers a comparison sentence needs (published, rounded counts)."""

    treated: str  # e.g. "people who took an English course"
    comparison: str  # e.g. "similar people who did not"
    outcome: str  # e.g. "were in work 6 months after release"; for means it holds "{value}"
    treated_n: int
    comparison_n: int
    treated_value: float
    comparison_value: float
    difference: float
    low: float
    high: float
    clear: bool
    kind: str = "proportion"
    unit: str = "share"
    higher_is_better: bool = True
    unmatched: int | None = None


def noun(group: str) -> str:
    """What a group is made of, for counts ("children" or "people")."""
    return "children" if group.startswith("children") or group.startswith("similar children") else "people"


def headline(c: Comparison) -> str:
    """The two figures and whether the gap between them is clear."""
    verdict = "The gap is clear." if c.clear else "The gap is not clear."
    if c.kind == "mean":
        outcome = c.outcome.format(value=amount(c.treated_value, c.unit).removesuffix(" days").removesuffix("%"))
        return (f"On average, {c.treated} {outcome}. For {c.comparison}, it was "
                f"{amount(c.comparison_value, c.unit)}. {verdict}")
    return (f"{rounded_pct(c.treated_value)} of {c.treated} {c.outcome}. "
            f"For {c.comparison}, it was {rounded_pct(c.comparison_value)}. {verdict}")


def for_100(c: Comparison) -> str:
    verb = "were" if c.outcome.startswith("were ") else "did"
    return (f"Out of 100 {c.treated}, about {per_100(c.treated_value)} {c.outcome}. "
            f"Out of 100 {c.comparison}, about {per_100(c.comparison_value)} {verb}.")


def about(c: Comparison) -> str:
    """Whom the estimate is about: the matched treated people, and how many found no partner."""
    who = noun(c.treated)
    text = f"These figures are about the {c.treated_n:,} {who} who had a similar partner."
    if c.unmatched:
        text += f" About {c.unmatched:,} more had none, so they are not in them."
    else:
        text += " Fewer than 10 had none."
    return text


def _range(c: Comparison) -> str:
    """The 95% interval of the gap, in words that keep its sign."""
    what = "share" if c.kind == "proportion" else "average"
    if c.low > 0 or c.high < 0:
        side = "higher" if c.low > 0 else "lower"
        near, far = sorted((abs(c.low), abs(c.high)))
        return (f"The 95% interval says the {what} was likely between {gap_size(near, c.unit)} and "
                f"{gap_size(far, c.unit)} {side} than for {c.comparison}.")
    return (f"The 95% interval runs from {gap_size(c.low, c.unit)} lower to {gap_size(c.high, c.unit)} higher, "
            "so it is likely somewhere in that range.")


def can_say(c: Comparison) -> list[str]:
    lines = [for_100(c)] if c.kind == "proportion" else []
    lines.append(_range(c))
    lines.append(about(c))
    if c.clear:
        lines.append("The gap is clear. It is unlikely to be chance, even with so many comparisons.")
    elif c.low > 0 or c.high < 0:
        lines.append("The gap is not clear. This set of figures holds many comparisons, and a gap this size can "
                     "turn up by chance among so many.")
    else:
        lines.append("We cannot tell if there is a real gap. There may be none.")
    return lines


def cannot_say(c: Comparison, linkage_note: str | None = None, covered: str | None = None,
               not_a_cause: str | None = None) -> list[str]:
    lines = [not_a_cause or "It does not prove the course or service made the difference. People may differ in "
             "ways the data does not show.", "It says nothing about any one person."]
    if covered:
        lines.append(covered)
    if linkage_note:
        lines.append(linkage_note)
    return lines


def chance_note(comparisons: int, clear: int, false_discovery_rate: float) -> list[str]:
    """What "clear" means across a bundle, in plain words (shown with the bundle's details)."""
    return [
        f"These figures hold {comparisons:,} comparisons between matched groups. {clear:,} of them are called clear.",
        "With so many, some gaps turn up by chance alone. So a gap is called clear only if it stays unlikely to "
        "be chance after allowing for all of them.",
        f"Of the gaps called clear, {chance_share(false_discovery_rate)} or fewer is expected to be down to chance.",
        "Each row also shows its 95% interval: the range the true gap is likely to lie in.",
        "Rows by course level or by finishing a course are there to explore. They are never called clear.",
    ]


def rounding_words(policy) -> str:
    """How counts are really rounded under ``policy``."""
    if policy.cell_key_perturbation and policy.rounding_base > 1:
        return (f"rounded up or down to a multiple of {policy.rounding_base}; a fixed random key decides which "
                "way")
    if policy.rounding_base > 1:
        return f"rounded to the nearest {policy.rounding_base}"
    return "shown as counted"


def share_headline(what: str, n: int, rate: float, low: float, high: float, noun: str = "people") -> str:
    count = people(n) if noun == "people" else f"{n:,} {noun}"
    return (f"{rounded_pct(rate)} of {what}, out of {count}. "
            f"The 95% interval is {rounded_pct(low)} to {rounded_pct(high)}.")


def linkage_note(dataset: str, match_rate: float | None, f1: float | None = None) -> str | None:
    if match_rate is None:
        return None
    share = "Under 1%" if match_rate < 0.005 else f"About {rounded_pct(match_rate)}"
    text = (f"{share} of {DATASET_NAMES.get(dataset, dataset)} records were joined to a person released in the "
            "period; the others are about other people, or could not be joined.")
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
