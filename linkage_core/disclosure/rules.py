"""The checks a published figure must pass, applied by the bundle writer and again by the reader.

These look only at what is published (rounded counts, suppression flags), so the reader can apply them
without the secure-stage data. Deciding *what* to suppress happens earlier, on true counts, in
``linkage_core.disclosure.apply``.
"""

from __future__ import annotations

from collections.abc import Iterable

from linkage_core.schema import DisclosurePolicy, Estimate, Finding

_VALUE_FIELDS = (
    "treated_n", "treated_events", "treated_value", "treated_low", "treated_high",
    "comparison_n", "comparison_events", "comparison_value", "comparison_low", "comparison_high",
    "difference", "difference_low", "difference_high", "p_value",
)


#: Rule names, shared with the output-checking report (``linkage_core.disclosure.check``).
THRESHOLD = "threshold"
ROUNDING = "rounding"
RATES = "rates"
BLANKING = "blanking"


def _tagged_counts(label: str, count: int | None, policy: DisclosurePolicy,
                   threshold_rule: str = THRESHOLD) -> list[tuple[str, str]]:
    if count is None:
        return []
    problems = []
    if count < policy.threshold:
        problems.append((threshold_rule, f"{label} is {count}, under the threshold of {policy.threshold}"))
    if count % policy.rounding_base:  # the cell key method rounds too, up or down by the key
        problems.append((ROUNDING, f"{label} is {count}, not rounded to base {policy.rounding_base}"))
    return problems


def _count_problems(label: str, count: int | None, policy: DisclosurePolicy) -> list[str]:
    return [message for _, message in _tagged_counts(label, count, policy)]


def _side_problems(side: str, n: int | None, events: int | None, value: float | None, kind: str,
                   policy: DisclosurePolicy) -> list[tuple[str, str]]:
    problems = _tagged_counts(f"{side} group size", n, policy)
    if value is not None and n is None and kind != "count":
        problems.append((RATES, f"{side} figure is shown without its group size"))
    if kind == "proportion" and value is not None:
        if events is None:
            problems.append((RATES, f"{side} rate is shown without its count of people with the outcome"))
        else:
            problems += _tagged_counts(f"{side} people with the outcome", events, policy, RATES)
            if n is not None and n - events < policy.threshold:
                problems.append((RATES, f"{side} people without the outcome is {n - events}, under the threshold"))
    return problems


def tagged_estimate_problems(estimate: Estimate, policy: DisclosurePolicy) -> list[tuple[str, str]]:
    """Like :func:`estimate_problems`, each problem paired with the name of the rule it breaks."""
    if estimate.suppressed:
        shown = [name for name in _VALUE_FIELDS if getattr(estimate, name) is not None]
        return [(BLANKING, f"suppressed cell still carries {', '.join(shown)}")] if shown else []
    problems = _side_problems("treated", estimate.treated_n, estimate.treated_events, estimate.treated_value,
                              estimate.kind, policy)
    if estimate.kind == "count" and estimate.treated_value is not None:
        problems += _tagged_counts("published count", int(estimate.treated_value), policy)
    if estimate.comparison_n is not None or estimate.comparison_value is not None:
        problems += _side_problems("comparison", estimate.comparison_n, estimate.comparison_events,
                                   estimate.comparison_value, estimate.kind, policy)
    return problems


def estimate_problems(estimate: Estimate, policy: DisclosurePolicy) -> list[str]:
    """Every way this published cell breaks the policy; empty when it is safe to show."""
    return [message for _, message in tagged_estimate_problems(estimate, policy)]


def tagged_finding_problems(finding: Finding, policy: DisclosurePolicy) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for step in finding.attrition:
        problems += _tagged_counts(f"attrition step '{step.label}'", step.count, policy)
    return problems


def finding_problems(finding: Finding, policy: DisclosurePolicy) -> list[str]:
    return [message for _, message in tagged_finding_problems(finding, policy)]


def audit(estimates: Iterable[Estimate], findings: Iterable[Finding], policy: DisclosurePolicy) -> list[str]:
    """Every problem in a set of published figures, each naming the cell it is about."""
    problems = [f"finding {f.id}: {p}" for f in findings for p in finding_problems(f, policy)]
    for estimate in estimates:
        problems += [f"estimate {estimate.id}: {p}" for p in estimate_problems(estimate, policy)]
    return problems
