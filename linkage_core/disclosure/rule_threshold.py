"""The threshold: no figure describes fewer people than the policy's threshold (10 by default)."""

from __future__ import annotations

from typing import Any

from linkage_core.disclosure.rule import Rule, count_problem, sides
from linkage_core.schema import DisclosurePolicy, Estimate, Finding, SuppressionReason


class Threshold(Rule):
    name = "threshold"
    title = "No figure describes fewer people than the threshold"

    def hides(self, cell: Any, side: Any, policy: DisclosurePolicy) -> SuppressionReason | None:
        return SuppressionReason.TOO_FEW_PEOPLE if side.n < policy.threshold else None

    def problems(self, estimate: Estimate, policy: DisclosurePolicy) -> list[str]:
        if estimate.suppressed:
            return []
        found = []
        for i, (side, n, _, _) in enumerate(sides(estimate)):
            found.append(count_problem(f"{side} group size", n, policy))
            if i == 0 and estimate.kind == "count" and estimate.treated_value is not None:
                found.append(count_problem("published count", int(estimate.treated_value), policy))
        return [p for p in found if p]

    def attrition_problems(self, finding: Finding, policy: DisclosurePolicy) -> list[str]:
        found = [count_problem(f"attrition step '{s.label}'", s.count, policy) for s in finding.attrition]
        return [p for p in found if p]


RULE = Threshold()
