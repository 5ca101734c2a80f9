"""Rates: a rate shows its counts, and the people with and without the outcome each meet the threshold
(else the rate gives away how many had it)."""

from __future__ import annotations

from typing import Any

from linkage_core.disclosure.rule import Rule, Table, count_problem, sides
from linkage_core.schema import DisclosurePolicy, Estimate, SuppressionReason


class Rates(Rule):
    name = "rates"
    title = "Rates show their counts; people with and without the outcome each meet the threshold"

    def hides(self, cell: Any, side: Any, policy: DisclosurePolicy) -> SuppressionReason | None:
        if cell.kind != "proportion":
            return None
        if side.events is None:
            raise ValueError(f"cell {cell.id}: a rate needs its count of people with the outcome")
        if side.events < policy.threshold or side.n - side.events < policy.threshold:
            return SuppressionReason.TOO_FEW_PEOPLE
        return None

    def problems(self, estimate: Estimate, policy: DisclosurePolicy) -> list[str]:
        if estimate.suppressed:
            return []
        found: list[str | None] = []
        for side, n, events, value in sides(estimate):
            if value is not None and n is None and estimate.kind != "count":
                found.append(f"{side} figure is shown without its group size")
            if estimate.kind == "proportion" and value is not None:
                if events is None:
                    found.append(f"{side} rate is shown without its count of people with the outcome")
                else:
                    found.append(count_problem(f"{side} people with the outcome", events, policy))
                    if n is not None and n - events < policy.threshold:
                        found.append(f"{side} people without the outcome is {n - events}, under the threshold")
        return [p for p in found if p]

    def checked(self, table: Table) -> int:
        return sum(1 for e in table.shown if e.kind == "proportion")

    def applies(self, table: Table, policy: DisclosurePolicy, details: list[str]) -> bool:
        return bool(self.checked(table)) or bool(details)


RULE = Rates()
