"""Rounding: every published count is a multiple of the rounding base (plain rounding, or the cell key's
random rounding up or down, which also lands on the base)."""

from __future__ import annotations

from linkage_core.disclosure.rule import Rule, Table, sides
from linkage_core.schema import DisclosurePolicy, Estimate, Finding


def _unrounded(label: str, count: int | None, policy: DisclosurePolicy) -> str | None:
    if count is not None and count % policy.rounding_base:
        return f"{label} is {count}, not rounded to base {policy.rounding_base}"
    return None


class Rounding(Rule):
    name = "rounding"
    title = "Counts are rounded to the base (or perturbed by cell key)"

    def problems(self, estimate: Estimate, policy: DisclosurePolicy) -> list[str]:
        if estimate.suppressed:
            return []
        found = []
        for i, (side, n, events, value) in enumerate(sides(estimate)):
            found.append(_unrounded(f"{side} group size", n, policy))
            if estimate.kind == "proportion" and value is not None:
                found.append(_unrounded(f"{side} people with the outcome", events, policy))
            if i == 0 and estimate.kind == "count" and estimate.treated_value is not None:
                found.append(_unrounded("published count", int(estimate.treated_value), policy))
        return [p for p in found if p]

    def attrition_problems(self, finding: Finding, policy: DisclosurePolicy) -> list[str]:
        found = [_unrounded(f"attrition step '{s.label}'", s.count, policy) for s in finding.attrition]
        return [p for p in found if p]

    def applies(self, table: Table, policy: DisclosurePolicy, details: list[str]) -> bool:
        return policy.rounding_base > 1


RULE = Rounding()
