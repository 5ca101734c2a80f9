"""Blanking: a hidden figure carries no number at all, and says why it is hidden."""

from __future__ import annotations

from linkage_core.disclosure.rule import Rule, Table
from linkage_core.schema import DisclosurePolicy, Estimate, SuppressionReason

#: Every numeric field of an estimate: none may survive on a hidden one.
VALUE_FIELDS = (
    "treated_n", "treated_events", "treated_value", "treated_low", "treated_high",
    "comparison_n", "comparison_events", "comparison_value", "comparison_low", "comparison_high",
    "difference", "difference_low", "difference_high", "p_value",
)


class Blanking(Rule):
    name = "blanking"
    title = "Hidden figures carry no numbers and say why they are hidden"

    def problems(self, estimate: Estimate, policy: DisclosurePolicy) -> list[str]:
        if not estimate.suppressed:
            return []
        shown = [name for name in VALUE_FIELDS if getattr(estimate, name) is not None]
        return [f"suppressed cell still carries {', '.join(shown)}"] if shown else []

    def details(self, table: Table, policy: DisclosurePolicy) -> list[str]:
        """Also what only the report can see: a hidden figure with no reason, or one blocked when read."""
        out = []
        for e in table.estimates:
            where = f"{e.group} ({e.breakdown})"
            out += [f"{where}: {m}" for m in self.problems(e, policy)]
            if e.suppressed and e.suppression_reason is None:
                out.append(f"{where}: hidden without a reason")
            if e.suppression_reason is SuppressionReason.BLOCKED_AT_READ:
                out.append(f"{where}: was blocked when read, so the bundle holds a figure that breaks the rules")
        return out

    def checked(self, table: Table) -> int:
        return len(table.hidden)

    def applies(self, table: Table, policy: DisclosurePolicy, details: list[str]) -> bool:
        return bool(table.hidden)


RULE = Blanking()
