"""The threshold: no figure describes fewer people than the policy's threshold (10 by default)."""

from __future__ import annotations

from typing import Any

from linkage_core.disclosure.rule import CountRule, count_problem
from linkage_core.schema import DisclosurePolicy, SuppressionReason


class Threshold(CountRule):
    name = "threshold"
    title = "No figure describes fewer people than the threshold"

    def hides(self, cell: Any, side: Any, policy: DisclosurePolicy) -> SuppressionReason | None:
        return SuppressionReason.TOO_FEW_PEOPLE if side.n < policy.threshold else None

    def test(self, label: str, count: int, policy: DisclosurePolicy) -> str | None:
        return count_problem(label, count, policy)


RULE = Threshold()
