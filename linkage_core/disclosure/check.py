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
from typing import TYPE_CHECKING

from linkage_core.disclosure import rule_dominance, rule_secondary
from linkage_core.disclosure.dominance import Magnitude
from linkage_core.disclosure.rule import Outcome, RuleResult, Table
from linkage_core.disclosure.rule_registry import reports, rules
from linkage_core.disclosure.rules import BLANKING, RATES, ROUNDING, THRESHOLD
from linkage_core.schema import DisclosurePolicy, Estimate, Finding

if TYPE_CHECKING:
    from linkage_core.bundle.reader import Bundle

__all__ = ["BLANKING", "DOMINANCE", "POLICY", "RATES", "ROUNDING", "SECONDARY", "THRESHOLD", "CheckReport",
           "Outcome", "RuleResult", "TableReport", "check", "check_bundle", "check_table", "render",
           "render_report", "rule_titles"]

SECONDARY = rule_secondary.RULE.name
DOMINANCE = rule_dominance.RULE.name
POLICY = "policy"


def rule_titles() -> dict[str, str]:
    """The rules in the order an output checker reads them, with a plain title for each (the registry's)."""
    return {rule.name: rule.title for rule in rules()}


#: ACRO's defaults: a bundle whose policy is weaker than these is flagged for the output checker.
ACRO_THRESHOLD = 10
ACRO_ROUNDING_BASE = 5
ACRO_DOMINANCE_N = 2
ACRO_DOMINANCE_K = 90.0


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


def check_table(finding: Finding | None, estimates: list[Estimate], policy: DisclosurePolicy, *,
                magnitudes: Mapping[str, Magnitude] | None = None, finding_id: str | None = None,
                not_parts: Collection[str] = ()) -> TableReport:
    """Every registered rule's line over one finding's estimates and attrition."""
    table = Table(finding, estimates, magnitudes, not_parts)
    fid = finding.id if finding is not None else (finding_id or "(no finding)")
    title = finding.title if finding is not None else "(estimates with no finding)"
    return TableReport(fid, title, len(estimates), len(table.hidden), reports(table, policy))


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
