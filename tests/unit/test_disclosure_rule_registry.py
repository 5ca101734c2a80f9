"""The disclosure-rule interface: each rule one module, found by the registry; a new rule is one class.

The toy rule below is the whole of what adding a rule takes (in the product it would be its own
``linkage_core/disclosure/rule_<name>.py`` listed in ``rule_registry.BUILT_IN``): once registered, the secure
stage hides by it, the writer's and reader's check reject a figure that breaks it, and the output checker's
report has its line.
"""

from __future__ import annotations

from typing import Any

import pytest

from linkage_core.disclosure import check, rule_registry, rules
from linkage_core.disclosure.apply import apply, mean_cell, mean_side
from linkage_core.disclosure.rule import Outcome, Rule
from linkage_core.schema import DisclosurePolicy, Estimate, Finding, SuppressionReason

POLICY = DisclosurePolicy(cell_key_perturbation=False)


class MeansNeedTwenty(Rule):
    """A toy rule: a mean is shown only for 20 people or more (some TREs ask more of means than of counts)."""

    name = "means need twenty"
    title = "Means describe at least 20 people"

    def hides(self, cell: Any, side: Any, policy: DisclosurePolicy) -> SuppressionReason | None:
        return SuppressionReason.TOO_FEW_PEOPLE if cell.kind == "mean" and side.n < 20 else None

    def problems(self, estimate: Estimate, policy: DisclosurePolicy) -> list[str]:
        n = estimate.treated_n
        if estimate.suppressed or estimate.kind != "mean" or n is None or n >= 20:
            return []
        return [f"a mean of {n} people, under 20"]


def _fifteen_people() -> list:
    return [mean_cell("m", "f", mean_side([float(v) for v in range(1, 16)]))]


def test_every_built_in_rule_is_one_module_with_one_rule_in_the_report_order() -> None:
    names = [rule.name for rule in rule_registry.rules()]
    assert names == ["threshold", "rounding", "rates", "blanking", "secondary", "dominance"]
    assert all(isinstance(rule, Rule) and rule.title for rule in rule_registry.rules())
    assert list(check.rule_titles()) == names  # the report's lines come from the registry


def test_a_new_rule_hides_is_checked_at_write_and_read_and_is_reported() -> None:
    shown = apply(_fifteen_people(), POLICY)[0]
    assert not shown.suppressed and shown.treated_n == 15  # 15 people pass the threshold of 10
    assert rules.estimate_problems(shown, POLICY) == []

    with rule_registry.registered(MeansNeedTwenty()):
        hidden = apply(_fifteen_people(), POLICY)[0]
        assert hidden.suppressed and hidden.suppression_reason is SuppressionReason.TOO_FEW_PEOPLE
        # a bundle that still holds the mean fails the writer's and the reader's check ...
        assert rules.estimate_problems(shown, POLICY) == ["a mean of 15 people, under 20"]
        assert rules.audit([shown], [], POLICY) == ["estimate m: a mean of 15 people, under 20"]
        # ... and the output checker's report has the rule's own line
        finding = Finding(id="f", pack_id="p", title="A mean", headline="", measure="m", treated_label="t",
                          can_say=[], cannot_say=[], method="t interval")
        table = check.check([finding], [shown], POLICY).tables[0]
        line = next(r for r in table.rules if r.rule == "means need twenty")
        assert line.outcome is Outcome.FAIL and line.title == "Means describe at least 20 people"
        assert line.details == ("All (overall): a mean of 15 people, under 20",)

    assert "means need twenty" not in [r.name for r in rule_registry.rules()]
    assert not apply(_fifteen_people(), POLICY)[0].suppressed


def test_two_rules_cannot_share_a_name() -> None:
    class Again(Rule):
        name = "threshold"

    with pytest.raises(ValueError, match="already a disclosure rule called 'threshold'"):
        with rule_registry.registered(Again()):
            pass
