"""Dominance, for means of money: the (n, k) rule and the p per cent rule (``dominance.py`` holds both).

In the secure stage a mean whose largest contributions dominate its total is hidden. The bundle holds no
contributions, so the output checker can check it only where the caller passes the secure-stage magnitudes.
"""

from __future__ import annotations

from typing import Any

from linkage_core.disclosure.dominance import P_PERCENT, dominance_problems
from linkage_core.disclosure.rule import Outcome, Rule, RuleResult, Table
from linkage_core.schema import DisclosurePolicy, SuppressionReason


class Dominance(Rule):
    name = "dominance"
    title = "Means are not dominated by one or two people ((n,k) and p% rules)"

    def hides(self, cell: Any, side: Any, policy: DisclosurePolicy) -> SuppressionReason | None:
        if cell.kind == "mean" and side.magnitude is not None and dominance_problems(side.magnitude, policy,
                                                                                    P_PERCENT):
            return SuppressionReason.DOMINANCE
        return None

    def report(self, table: Table, policy: DisclosurePolicy) -> RuleResult:
        means = [e for e in table.shown if e.kind == "mean"]
        if not means:
            return self.result(Outcome.NOT_APPLICABLE)
        magnitudes = table.magnitudes
        known = [e for e in means if magnitudes and e.id in magnitudes]
        if not known:
            return self.result(Outcome.NOT_CHECKED, 0, (
                "the values behind these means stay in the secure stage, where disclosure control applied the "
                "(n,k) and p% rules to each; they cannot be checked from the bundle",))
        problems = [f"{e.group} ({e.breakdown}): {p}" for e in known
                    for p in dominance_problems(magnitudes[e.id], policy, P_PERCENT)]
        if len(known) < len(means) and not problems:
            return self.result(Outcome.NOT_CHECKED, len(known), (f"{len(means) - len(known)} means had no values to check",))
        return self.result(Outcome.FAIL if problems else Outcome.PASS, len(known), problems)


RULE = Dominance()
