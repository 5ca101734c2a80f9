"""Rounding: every published count is a multiple of the rounding base (plain rounding, or the cell key's
random rounding up or down, which also lands on the base)."""

from __future__ import annotations

from linkage_core.disclosure.rule import CountRule, Table
from linkage_core.schema import DisclosurePolicy


class Rounding(CountRule):
    name = "rounding"
    title = "Counts are rounded to the base (or perturbed by cell key)"
    with_events = True

    def test(self, label: str, count: int, policy: DisclosurePolicy) -> str | None:
        if count % policy.rounding_base:
            return f"{label} is {count}, not rounded to base {policy.rounding_base}"
        return None

    def applies(self, table: Table, policy: DisclosurePolicy, details: list[str]) -> bool:
        return policy.rounding_base > 1


RULE = Rounding()
