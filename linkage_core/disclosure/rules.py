"""The checks a published figure must pass, applied by the bundle writer and again by the reader.

These look only at what is published (rounded counts, suppression flags), so the reader can apply them
without the secure-stage data. Deciding *what* to suppress happens earlier, on true counts, in
``linkage_core.disclosure.apply``. Each rule is its own module (``rule_<name>.py``, see ``rule.py``); this
module asks every registered rule (``rule_registry``) and keeps the names the rest of the code uses.
"""

from __future__ import annotations

from collections.abc import Iterable

from linkage_core.disclosure import rule_blanking, rule_rates, rule_rounding, rule_threshold
from linkage_core.disclosure.rule_registry import tagged_estimate_problems, tagged_finding_problems
from linkage_core.schema import DisclosurePolicy, Estimate, Finding

__all__ = ["BLANKING", "RATES", "ROUNDING", "THRESHOLD", "audit", "estimate_problems", "finding_problems",
           "tagged_estimate_problems", "tagged_finding_problems"]

#: Rule names, shared with the output-checking report (``linkage_core.disclosure.check``).
THRESHOLD = rule_threshold.RULE.name
_VALUE_FIELDS = rule_blanking.VALUE_FIELDS
ROUNDING = rule_rounding.RULE.name
RATES = rule_rates.RULE.name
BLANKING = rule_blanking.RULE.name


def estimate_problems(estimate: Estimate, policy: DisclosurePolicy) -> list[str]:
    """Every way this published cell breaks the policy; empty when it is safe to show."""
    return [message for _, message in tagged_estimate_problems(estimate, policy)]


def finding_problems(finding: Finding, policy: DisclosurePolicy) -> list[str]:
    return [message for _, message in tagged_finding_problems(finding, policy)]


def audit(estimates: Iterable[Estimate], findings: Iterable[Finding], policy: DisclosurePolicy) -> list[str]:
    """Every problem in a set of published figures, each naming the cell it is about."""
    problems = [f"finding {f.id}: {p}" for f in findings for p in finding_problems(f, policy)]
    for estimate in estimates:
        problems += [f"estimate {estimate.id}: {p}" for p in estimate_problems(estimate, policy)]
    return problems
