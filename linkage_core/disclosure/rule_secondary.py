"""Secondary suppression, as the output checker sees it: no hidden figure can be worked out from its
breakdown's overall figure minus the groups shown beside it.

Deciding which further cells to hide happens on true counts in the secure stage, across a whole table
(``apply._secondary`` with ``secondary.protect``'s linear programmes), so this rule has no per-cell ``hides``;
it reports, from the published figures alone, any breakdown that still gives a hidden group away.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from linkage_core.disclosure.rule import Outcome, Rule, RuleResult, Table
from linkage_core.schema import DisclosurePolicy, Estimate, SuppressionReason

_NOTHING_HIDDEN = {SuppressionReason.NOT_AVAILABLE, SuppressionReason.NOT_APPLICABLE}


def secondary_problems(estimates: list[Estimate], policy: DisclosurePolicy,
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
    if rows_matched_apart(overall, policy):
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


def rows_matched_apart(overall: list[Estimate], policy: DisclosurePolicy) -> bool:
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


class Secondary(Rule):
    name = "secondary"
    title = "No hidden figure can be worked out from its breakdown's overall figure"

    def report(self, table: Table, policy: DisclosurePolicy) -> RuleResult:
        breakdowns, problems = secondary_problems(table.estimates, policy, table.not_parts)
        if not (breakdowns > 0 and table.hidden):
            return self.result(Outcome.NOT_APPLICABLE)
        return self.result(Outcome.FAIL if problems else Outcome.PASS, breakdowns, problems)


RULE = Secondary()
