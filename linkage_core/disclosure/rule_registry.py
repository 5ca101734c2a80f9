"""Every disclosure rule, in the order the output checker reads them: the one list to add a rule to.

A rule is a module ``rule_<name>.py`` defining ``RULE``, an instance of ``rule.Rule``; import it here and add
it to ``BUILT_IN``. Ordinary imports on purpose: import-linter sees every rule, and no code is loaded by name.
``apply`` (secure stage), ``rules`` (writer and reader) and ``check`` (the output checker's report) each ask
``rules()``, so the new rule hides, is checked at write and read, and has its line in the report.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from linkage_core.disclosure import (
    rule_blanking,
    rule_dominance,
    rule_rates,
    rule_rounding,
    rule_secondary,
    rule_threshold,
)
from linkage_core.disclosure.rule import Rule, RuleResult, Table
from linkage_core.schema import DisclosurePolicy, Estimate, Finding, SuppressionReason

BUILT_IN: tuple[Rule, ...] = (
    rule_threshold.RULE,
    rule_rounding.RULE,
    rule_rates.RULE,
    rule_blanking.RULE,
    rule_secondary.RULE,
    rule_dominance.RULE,
)

_rules: list[Rule] = list(BUILT_IN)


def rules() -> tuple[Rule, ...]:
    return tuple(_rules)


@contextmanager
def registered(rule: Rule) -> Iterator[Rule]:
    """``rule`` in force for the duration (tests, and trying a rule out before it gets its module)."""
    if any(r.name == rule.name for r in _rules):
        raise ValueError(f"there is already a disclosure rule called '{rule.name}'")
    _rules.append(rule)
    try:
        yield rule
    finally:
        _rules.remove(rule)


def primary_reason(cell: Any, policy: DisclosurePolicy) -> SuppressionReason | None:
    """Why ``cell`` (a ``RawCell``, true figures) must be hidden: the first rule that hides a side of it.

    Sides in order (treated, then comparison), rules in order within each side: the same order the checks
    were written in before they became modules, so the same reason is given.
    """
    for side in (cell.treated, cell.comparison):
        if side is None:
            continue
        for rule in _rules:
            reason = rule.hides(cell, side, policy)
            if reason is not None:
                return reason
    return None


def tagged_estimate_problems(estimate: Estimate, policy: DisclosurePolicy) -> list[tuple[str, str]]:
    return [(rule.name, message) for rule in _rules for message in rule.problems(estimate, policy)]


def tagged_finding_problems(finding: Finding, policy: DisclosurePolicy) -> list[tuple[str, str]]:
    return [(rule.name, message) for rule in _rules for message in rule.attrition_problems(finding, policy)]


def reports(table: Table, policy: DisclosurePolicy) -> tuple[RuleResult, ...]:
    return tuple(rule.report(table, policy) for rule in _rules)
