"""Dominance rules for money tables (earnings totals and means).

Why: a total or mean of earnings can describe plenty of people and still give one person away. If one
person earns most of a cell's total, the published total is close to their pay; and the second-largest
earner can subtract their own pay from the total to estimate the largest one's. Two rules (ACRO's
defaults, as UK trusted research environments use):

* (n, k) dominance: hide when the ``n`` largest contributions exceed ``k`` per cent of the total
  (n=2, k=90);
* p per cent rule: hide when the total minus the two largest contributions is under ``p`` per cent of the
  largest (p=10): then the second-largest contributor could estimate the largest to within p per cent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from linkage_core.schema import DisclosurePolicy

#: ACRO's default p for the p per cent rule. The policy model has no field for it yet.
P_PERCENT = 10.0


@dataclass(frozen=True)
class Magnitude:
    """What the dominance rules need from a money cell: its total and its largest contributions.

    Contributions are taken by size (absolute value): a large loss gives someone away as much as a
    large gain.
    """

    total: float
    largest: tuple[float, ...]
    contributors: int

    @classmethod
    def from_values(cls, values: Iterable[float], keep: int = 3) -> Magnitude:
        sizes = sorted((abs(float(v)) for v in values), reverse=True)
        return cls(total=sum(sizes), largest=tuple(sizes[:keep]), contributors=len(sizes))

    def top(self, n: int) -> float:
        if n > len(self.largest) and self.contributors > len(self.largest):
            raise ValueError(f"need the {n} largest contributions, only {len(self.largest)} kept")
        return sum(self.largest[:n])


def nk_dominated(magnitude: Magnitude, n: int = 2, k: float = 90.0) -> bool:
    """True when the ``n`` largest contributions make up more than ``k`` per cent of the total."""
    if magnitude.total <= 0:
        return False
    return magnitude.top(n) > k / 100.0 * magnitude.total


def p_percent_disclosive(magnitude: Magnitude, p: float = P_PERCENT) -> bool:
    """True when the rest of the total (after the two largest) is under ``p`` per cent of the largest."""
    if magnitude.total <= 0 or not magnitude.largest:
        return False
    first = magnitude.largest[0]
    rest = magnitude.total - magnitude.top(2)
    return rest < p / 100.0 * first


def dominance_problems(magnitude: Magnitude, policy: DisclosurePolicy, p: float = P_PERCENT) -> list[str]:
    """Each dominance rule this money cell breaks, in plain words; empty when it may be shown."""
    problems = []
    if nk_dominated(magnitude, policy.dominance_n, policy.dominance_k):
        problems.append(f"the {policy.dominance_n} largest amounts make up over {policy.dominance_k:g}% "
                        "of the total")
    if p_percent_disclosive(magnitude, p):
        problems.append(f"the second-largest could work out the largest to within {p:g}%")
    return problems
