"""The disclosure-rule interface: what one rule (threshold, rounding, dominance ...) must say, in one class.

Why an interface: a rule used to be spread over three places -- the secure stage's decision to hide a cell
(``apply.py``), the check every published figure must pass at write and again at read (``rules.py``), and
the output checker's report (``check.py``) -- so a new rule touched six to eight files. Now each rule is one
module (``rule_<name>.py``) with one ``Rule`` subclass, listed once in ``rule_registry.py``; ``apply``,
``rules`` and ``check`` ask every registered rule in turn.

A rule overrides only the parts it has:

- ``hides(cell, side, policy)``: on TRUE figures in the secure stage, whether one side (treated or comparison)
  of a cell must be hidden, and why. Only ``apply`` calls it.
- ``problems(estimate, policy)`` and ``attrition_problems(finding, policy)``: on PUBLISHED figures, each way
  one breaks the rule, in plain words. The bundle writer and the reader call them, so they must need nothing
  the reader lacks (pure Python, published figures only).
- ``report(table, policy)``: the output checker's line for one table. The default counts the shown figures
  checked and lists ``problems``; a rule with its own evidence (secondary suppression, dominance) overrides it.

Pure Python (no numpy): the reader install runs the published-figure checks.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from linkage_core.schema import DisclosurePolicy, Estimate, Finding, SuppressionReason

if TYPE_CHECKING:
    from linkage_core.disclosure.dominance import Magnitude


class Outcome(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not applicable"
    NOT_CHECKED = "not checked"


@dataclass(frozen=True)
class RuleResult:
    """One rule's verdict on one table, as the output checker reads it."""

    rule: str
    title: str
    outcome: Outcome
    checked: int = 0
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """One finding's published table, and what the checker was given beside it."""

    finding: Finding | None
    estimates: list[Estimate]
    magnitudes: Mapping[str, Magnitude] | None = None
    not_parts: Collection[str] = field(default=())

    @property
    def shown(self) -> list[Estimate]:
        return [e for e in self.estimates if not e.suppressed]

    @property
    def hidden(self) -> list[Estimate]:
        return [e for e in self.estimates if e.suppressed]

    @property
    def steps(self) -> int:
        return len(self.finding.attrition) if self.finding is not None else 0


class Rule:
    """One disclosure rule. Subclass it in a ``rule_<name>.py`` module and list it in ``rule_registry.py``."""

    #: Short name, used in reports and tests ("threshold").
    name: str = ""
    #: The output checker's line, a plain sentence of what passing means.
    title: str = ""

    def hides(self, cell: Any, side: Any, policy: DisclosurePolicy) -> SuppressionReason | None:
        """Secure stage, true figures: a reason to hide ``cell`` because of ``side`` (a ``RawSide``), or None."""
        return None

    def problems(self, estimate: Estimate, policy: DisclosurePolicy) -> list[str]:
        """Every way one published estimate breaks this rule (plain words); empty when it passes."""
        return []

    def attrition_problems(self, finding: Finding, policy: DisclosurePolicy) -> list[str]:
        """Every way a finding's published attrition steps break this rule."""
        return []

    def applies(self, table: Table, policy: DisclosurePolicy, details: list[str]) -> bool:
        """Whether the table holds anything this rule is about (else the report says not applicable)."""
        return True

    def checked(self, table: Table) -> int:
        """How many figures of the table the rule looked at (the report prints it)."""
        return len(table.shown) + table.steps

    def details(self, table: Table, policy: DisclosurePolicy) -> list[str]:
        out = [f"{e.group} ({e.breakdown}): {m}" for e in table.estimates for m in self.problems(e, policy)]
        if table.finding is not None:
            out += self.attrition_problems(table.finding, policy)
        return out

    def report(self, table: Table, policy: DisclosurePolicy) -> RuleResult:
        details = self.details(table, policy)
        if not self.applies(table, policy, details):
            return self.result(Outcome.NOT_APPLICABLE)
        return self.result(Outcome.FAIL if details else Outcome.PASS, self.checked(table), details)

    def result(self, outcome: Outcome, checked: int = 0, details: list[str] | tuple[str, ...] = ()) -> RuleResult:
        return RuleResult(self.name, self.title, outcome, checked, tuple(details))


def count_problem(label: str, count: int | None, policy: DisclosurePolicy) -> str | None:
    """The threshold's sentence for one published count, or None when it meets the threshold."""
    if count is not None and count < policy.threshold:
        return f"{label} is {count}, under the threshold of {policy.threshold}"
    return None


def sides(estimate: Estimate) -> list[tuple[str, int | None, int | None, float | None]]:
    """The published sides of an estimate: (name, people, people with the outcome, value)."""
    out = [("treated", estimate.treated_n, estimate.treated_events, estimate.treated_value)]
    if estimate.comparison_n is not None or estimate.comparison_value is not None:
        out.append(("comparison", estimate.comparison_n, estimate.comparison_events, estimate.comparison_value))
    return out


def published_counts(estimate: Estimate, *, with_events: bool) -> list[tuple[str, int]]:
    """Every count a shown estimate publishes, labelled, in reading order (treated side, the published count,
    the comparison side); the people with the outcome of a shown rate only ``with_events``."""
    found: list[tuple[str, int | None]] = []
    for i, (side, n, events, value) in enumerate(sides(estimate)):
        found.append((f"{side} group size", n))
        if with_events and estimate.kind == "proportion" and value is not None:
            found.append((f"{side} people with the outcome", events))
        if i == 0 and estimate.kind == "count" and estimate.treated_value is not None:
            found.append(("published count", int(estimate.treated_value)))
    return [(label, count) for label, count in found if count is not None]


class CountRule(Rule):
    """A rule that tests each published count on its own (the threshold, rounding): write ``test``."""

    #: Whether the people with the outcome of a rate are tested too (the rates rule holds their threshold).
    with_events: bool = False

    def test(self, label: str, count: int, policy: DisclosurePolicy) -> str | None:
        raise NotImplementedError

    def problems(self, estimate: Estimate, policy: DisclosurePolicy) -> list[str]:
        if estimate.suppressed:
            return []
        found = [self.test(label, count, policy)
                 for label, count in published_counts(estimate, with_events=self.with_events)]
        return [p for p in found if p]

    def attrition_problems(self, finding: Finding, policy: DisclosurePolicy) -> list[str]:
        found = [self.test(f"attrition step '{s.label}'", s.count, policy) for s in finding.attrition
                 if s.count is not None]
        return [p for p in found if p]
