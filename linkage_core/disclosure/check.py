"""An output-checking report: the evidence a trusted research environment's output checker asks for.

Why a report and not just ``rules.audit``: an output checker (ACRO / SACRO, UK TRE practice) signs off
table by table, rule by rule, and wants to see that each rule was applied, not only that nothing failed.
So for each finding (one table) we record every rule with pass, fail, not applicable (no figure of that
kind) or not checked (the evidence is not in the published figures, such as the money values behind a
mean), and a summary. ``bold check FILE`` prints ``render_report`` and exits non-zero when ``passed`` is false.

Everything here reads published figures only, so it runs on an opened bundle outside the secure stage.
Dominance can be checked only where the caller passes the secure-stage magnitudes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from linkage_core.disclosure.dominance import P_PERCENT, Magnitude, dominance_problems
from linkage_core.disclosure.rules import (
    BLANKING,
    RATES,
    ROUNDING,
    THRESHOLD,
    tagged_estimate_problems,
    tagged_finding_problems,
)
from linkage_core.schema import DisclosurePolicy, Estimate, Finding, SuppressionReason

if TYPE_CHECKING:
    from linkage_core.bundle.reader import Bundle

SECONDARY = "secondary"
DOMINANCE = "dominance"
POLICY = "policy"

#: The rules in the order an output checker reads them, with a plain title for each.
RULE_TITLES = {
    THRESHOLD: "No figure describes fewer people than the threshold",
    ROUNDING: "Counts are rounded to the base (or perturbed by cell key)",
    RATES: "Rates show their counts; people with and without the outcome each meet the threshold",
    BLANKING: "Hidden figures carry no numbers and say why they are hidden",
    SECONDARY: "No hidden figure can be worked out from its breakdown's overall figure",
    DOMINANCE: "Means are not dominated by one or two people ((n,k) and p% rules)",
}

#: ACRO's defaults: a bundle whose policy is weaker than these is flagged for the output checker.
ACRO_THRESHOLD = 10
ACRO_ROUNDING_BASE = 5
ACRO_DOMINANCE_N = 2
ACRO_DOMINANCE_K = 90.0


class Outcome(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not applicable"
    NOT_CHECKED = "not checked"


@dataclass(frozen=True)
class RuleResult:
    rule: str
    title: str
    outcome: Outcome
    checked: int = 0
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableReport:
    """One finding's table (its estimates and attrition), rule by rule."""

    finding_id: str
    title: str
    cells: int
    hidden: int
    rules: tuple[RuleResult, ...]

    @property
    def passed(self) -> bool:
        return all(r.outcome is not Outcome.FAIL for r in self.rules)


@dataclass(frozen=True)
class CheckReport:
    policy: DisclosurePolicy
    policy_rules: tuple[RuleResult, ...]
    tables: tuple[TableReport, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def failures(self) -> list[tuple[str, RuleResult]]:
        out = [("policy", r) for r in self.policy_rules if r.outcome is Outcome.FAIL]
        return out + [(t.finding_id, r) for t in self.tables for r in t.rules if r.outcome is Outcome.FAIL]

    @property
    def passed(self) -> bool:
        return not self.failures


def _result(rule: str, checked: int, problems: list[str], applicable: bool = True) -> RuleResult:
    if not applicable:
        return RuleResult(rule, RULE_TITLES[rule], Outcome.NOT_APPLICABLE, 0, ())
    return RuleResult(rule, RULE_TITLES[rule], Outcome.FAIL if problems else Outcome.PASS, checked,
                      tuple(problems))


def _policy_rules(policy: DisclosurePolicy) -> tuple[RuleResult, ...]:
    def rule(name: str, title: str, problems: list[str]) -> RuleResult:
        return RuleResult(name, title, Outcome.FAIL if problems else Outcome.PASS, 1, tuple(problems))

    threshold = [] if policy.threshold >= ACRO_THRESHOLD else [
        f"the threshold is {policy.threshold}, under the usual {ACRO_THRESHOLD}"]
    rounding = [] if policy.cell_key_perturbation or policy.rounding_base >= ACRO_ROUNDING_BASE else [
        f"counts are rounded to {policy.rounding_base}, finer than the usual {ACRO_ROUNDING_BASE}, "
        "and not perturbed"]
    dominance = [] if (policy.dominance_n >= ACRO_DOMINANCE_N and policy.dominance_k <= ACRO_DOMINANCE_K) else [
        f"dominance is ({policy.dominance_n}, {policy.dominance_k:g}%), weaker than the usual "
        f"({ACRO_DOMINANCE_N}, {ACRO_DOMINANCE_K:g}%)"]
    secondary = [] if policy.secondary_suppression else ["secondary suppression is switched off"]
    return (
        rule(POLICY + ".threshold", "The threshold is at least the usual 10 people", threshold),
        rule(POLICY + ".rounding", "Counts are rounded to at least 5, or perturbed", rounding),
        rule(POLICY + ".dominance", "Dominance rule at least as strict as (2, 90%)", dominance),
        rule(POLICY + ".secondary", "Secondary suppression is on", secondary),
    )


_NOTHING_HIDDEN = {SuppressionReason.NOT_AVAILABLE, SuppressionReason.NOT_APPLICABLE}


def _secondary_problems(estimates: list[Estimate], policy: DisclosurePolicy,
                        not_parts: Collection[str] = ()) -> tuple[int, list[str]]:
    """A breakdown with exactly one hidden group, next to a shown overall figure, gives the hidden one away.

    The bundle does not record which breakdowns split the overall group, so a breakdown counts as a split
    unless it is named in ``not_parts`` or its shown groups hold more people than the overall (each month
    of a follow-up describes the whole group again, for instance), and it has at least two groups.
    """
    overall = [e for e in estimates if e.breakdown == "overall" and not e.suppressed]
    overall_n = max((e.treated_n or 0 for e in overall), default=None)
    by_breakdown: dict[str, list[Estimate]] = defaultdict(list)
    for e in estimates:
        if e.breakdown != "overall" and e.breakdown not in not_parts:
            by_breakdown[e.breakdown].append(e)
    if _rows_matched_apart(overall, policy):
        return len(by_breakdown), []
    problems = []
    # How far a published count can sit from the true one: half the base when rounding to nearest, up to
    # a whole base (less one) when the cell key rounds up or down.
    slack = policy.rounding_base - 1 if policy.cell_key_perturbation else policy.rounding_base // 2
    for breakdown, group in sorted(by_breakdown.items()):
        # A figure that does not exist ([x] not available, [z] not applicable) hides no one.
        group = [e for e in group if e.suppression_reason not in _NOTHING_HIDDEN]
        hidden = [e for e in group if e.suppressed]
        shown_n = sum(e.treated_n or 0 for e in group if not e.suppressed)
        is_split = len(group) >= 2 and overall_n is not None and shown_n <= overall_n + slack * len(group) + 2
        if is_split and len(hidden) == 1:
            problems.append(f"breakdown '{breakdown}' hides only '{hidden[0].group}', which the overall figure "
                            "minus the other groups gives away")
    return len(by_breakdown), problems


def _rows_matched_apart(overall: list[Estimate], policy: DisclosurePolicy) -> bool:
    """Whether a comparison's breakdown rows cannot give a hidden row away by subtraction.

    Each breakdown row of a comparison is matched again inside its group, so its treated people are not a
    slice of the overall row's: the overall figure minus the other rows misses a hidden row by about the
    number of treated people left without a partner. When the overall row publishes at least the threshold
    of them unmatched, that miss is wider than any count the threshold protects (the writer hides a
    partner row in the other case, and measured on two worlds no lone hidden row's people came within 4).
    A comparison with fewer unmatched, or none published, is checked as a split like any other table.
    """
    return any(e.comparison_n is not None and e.treated_unmatched is not None
               and e.treated_unmatched >= policy.threshold for e in overall)


def check_table(finding: Finding | None, estimates: list[Estimate], policy: DisclosurePolicy, *,
                magnitudes: Mapping[str, Magnitude] | None = None, finding_id: str | None = None,
                not_parts: Collection[str] = ()) -> TableReport:
    """Every rule over one finding's estimates and attrition."""
    tagged: dict[str, list[str]] = defaultdict(list)
    for estimate in estimates:
        for rule, message in tagged_estimate_problems(estimate, policy):
            tagged[rule].append(f"{estimate.group} ({estimate.breakdown}): {message}")
        if estimate.suppressed and estimate.suppression_reason is None:
            tagged[BLANKING].append(f"{estimate.group} ({estimate.breakdown}): hidden without a reason")
        if estimate.suppression_reason is SuppressionReason.BLOCKED_AT_READ:
            tagged[BLANKING].append(f"{estimate.group} ({estimate.breakdown}): was blocked when read, so the "
                                    "bundle holds a figure that breaks the rules")
    if finding is not None:
        for rule, message in tagged_finding_problems(finding, policy):
            tagged[rule].append(message)
    shown = [e for e in estimates if not e.suppressed]
    hidden = [e for e in estimates if e.suppressed]
    steps = len(finding.attrition) if finding is not None else 0
    rates = [e for e in shown if e.kind == "proportion"]
    rules = [
        _result(THRESHOLD, len(shown) + steps, tagged[THRESHOLD]),
        _result(ROUNDING, len(shown) + steps, tagged[ROUNDING], applicable=policy.rounding_base > 1),
        _result(RATES, len(rates), tagged[RATES], applicable=bool(rates) or bool(tagged[RATES])),
        _result(BLANKING, len(hidden), tagged[BLANKING], applicable=bool(hidden)),
    ]
    breakdowns, secondary = _secondary_problems(estimates, policy, not_parts)
    rules.append(_result(SECONDARY, breakdowns, secondary, applicable=breakdowns > 0 and bool(hidden)))
    rules.append(_dominance(shown, policy, magnitudes))
    fid = finding.id if finding is not None else (finding_id or "(no finding)")
    title = finding.title if finding is not None else "(estimates with no finding)"
    return TableReport(fid, title, len(estimates), len(hidden), tuple(rules))


def _dominance(shown: list[Estimate], policy: DisclosurePolicy,
               magnitudes: Mapping[str, Magnitude] | None) -> RuleResult:
    means = [e for e in shown if e.kind == "mean"]
    if not means:
        return _result(DOMINANCE, 0, [], applicable=False)
    known = [e for e in means if magnitudes and e.id in magnitudes]
    if not known:
        return RuleResult(DOMINANCE, RULE_TITLES[DOMINANCE], Outcome.NOT_CHECKED, 0,
                          ("the values behind these means stay in the secure stage, where disclosure control "
                           "applied the (n,k) and p% rules to each; they cannot be checked from the bundle",))
    problems = [f"{e.group} ({e.breakdown}): {p}" for e in known for p in dominance_problems(magnitudes[e.id], policy,
                                                                                          P_PERCENT)]
    result = _result(DOMINANCE, len(known), problems)
    if len(known) < len(means) and not problems:
        return RuleResult(DOMINANCE, result.title, Outcome.NOT_CHECKED, len(known),
                          (f"{len(means) - len(known)} means had no values to check",))
    return result


def check(findings: Iterable[Finding], estimates: Iterable[Estimate], policy: DisclosurePolicy, *,
          magnitudes: Mapping[str, Magnitude] | None = None, not_parts: Collection[str] = ()) -> CheckReport:
    """The full report over a set of published findings and estimates.

    ``not_parts`` names breakdowns that do not split the overall group (see ``_secondary_problems``).
    """
    findings = list(findings)
    by_finding: dict[str, list[Estimate]] = defaultdict(list)
    for estimate in estimates:
        by_finding[estimate.finding_id].append(estimate)
    known = {f.id for f in findings}
    tables = [check_table(f, by_finding.get(f.id, []), policy, magnitudes=magnitudes, not_parts=not_parts)
              for f in findings]
    tables += [check_table(None, by_finding[fid], policy, magnitudes=magnitudes, finding_id=fid,
                           not_parts=not_parts) for fid in sorted(set(by_finding) - known)]
    return CheckReport(policy, _policy_rules(policy), tuple(tables))


def check_bundle(bundle: Bundle, *, magnitudes: Mapping[str, Magnitude] | None = None,
                 not_parts: Collection[str] = ()) -> CheckReport:
    """The report over an opened bundle, read as stored (before the reader blocks any figure), so a figure
    that breaks the rules is reported as a failure rather than seen already blanked."""
    findings, estimates = bundle.stored_figures()
    return check(findings, estimates, bundle.policy, magnitudes=magnitudes, not_parts=not_parts)


_MARK = {Outcome.PASS: "PASS", Outcome.FAIL: "FAIL", Outcome.NOT_APPLICABLE: "n/a ", Outcome.NOT_CHECKED: "----"}


def render_report(report: CheckReport) -> list[str]:
    """The report as plain text lines, for a terminal or an output checker's file."""
    policy = report.policy
    lines = ["Output check", "", "Policy:"]
    lines += [f"  {line}" for line in policy.plain_words()]
    lines += [f"  [{_MARK[r.outcome]}] {r.title}" + (f": {'; '.join(r.details)}" if r.details else "")
              for r in report.policy_rules]
    for table in report.tables:
        lines += ["", f"{table.finding_id}: {table.title} ({table.cells} figures, {table.hidden} hidden)"]
        for r in table.rules:
            count = f" ({r.checked} checked)" if r.outcome in (Outcome.PASS, Outcome.FAIL) else ""
            lines.append(f"  [{_MARK[r.outcome]}] {r.title}{count}")
            lines += [f"      - {d}" for d in r.details]
    failures = report.failures
    lines += ["", f"Summary: {len(report.tables)} tables checked, "
              f"{sum(t.passed for t in report.tables)} passed, {sum(not t.passed for t in report.tables)} failed; "
              f"{len(failures)} rule failures."]
    lines.append("Result: PASS" if report.passed else "Result: FAIL")
    return lines


#: Short alias.
render = render_report
