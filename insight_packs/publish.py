"""From drafts (true counts) to published findings: disclosure control first, then chance, then the words.

Sentences are written from the *published* figures, so a headline never quotes a number the table hides.

Chance across the bundle: a bundle holds hundreds of comparison rows. Each row's 95% interval is shown as it
is, but the verdict "clear" (``Estimate.significant``) is given only when the row's p-value, adjusted by
Benjamini and Hochberg's method across every comparison row in the bundle that gets a verdict, is under
0.05 (``Estimate.q_value``). Rows defined by the treatment itself (a course's level, its completion) are
exploratory: shown, never called clear, and not counted. The manifest says how many comparisons there are
and what "clear" means (``Manifest.comparisons``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from insight_packs import language as L
from insight_packs.drafts import FindingDraft
from linkage_core import stats
from linkage_core.disclosure.apply import RawAttritionStep, RawCell, apply, apply_attrition
from linkage_core.schema import (
    Comparisons,
    DisclosurePolicy,
    Estimate,
    Finding,
    LinkageQuality,
    SuppressionReason,
)

#: Breakdowns whose cells do not split the overall group into parts (so no subtraction links them).
NOT_PARTS = {"overall", "month", "timing"}
COHORT = "prison"
#: Justice Data Lab practice: no matched comparison for fewer than 60 people (applied to every row).
MIN_TREATED_FOR_COMPARISON = 60
#: The false discovery rate that "clear" keeps to across a bundle's comparisons.
FALSE_DISCOVERY_RATE = 0.05
#: A rate is shown only when at least this many times the threshold are *expected* to have the outcome (and
#: not to have it), from the finding's overall rate. The threshold rule on the row's own counts still applies,
#: but is then rarely what hides a row, so hiding does not pick rows by their outcome: small published rates
#: are not pushed upwards by the rows that were hidden for having few events.
EXPECTED_MARGIN = 2.0


def _expected_rate(cell: RawCell | None) -> float | None:
    """A row's pooled rate (treated and comparison together)."""
    if cell is None or cell.kind != "proportion":
        return None
    sides = [s for s in (cell.treated, cell.comparison) if s is not None and s.n]
    n = sum(s.n for s in sides)
    return sum(s.events or 0 for s in sides) / n if n else None


def raw_cells(draft: FindingDraft, policy: DisclosurePolicy | None = None
              ) -> tuple[list[RawCell], dict[str, SuppressionReason]]:
    """The draft's cells with their ids, and the cells hidden whatever their own counts, with why."""
    threshold = (policy.threshold if policy else 10) * EXPECTED_MARGIN
    # Breakdown rows expect the finding's first overall rate; an overall row its own (pooled, so large).
    rate = _expected_rate(next((c for c in draft.cells if c.breakdown == "overall"), None))
    cells, forced = [], {}
    overall_id = None
    for i, cell in enumerate(draft.cells):
        cell_id = f"{draft.id}:{i}"
        if overall_id is None and cell.breakdown == "overall":
            overall_id = cell_id
        # Separately matched comparison rows are not parts of the overall comparison: their people differ.
        part_of = (overall_id if cell.breakdown not in NOT_PARTS and cell.comparison is None and cell.treated.n > 0
                   else None)
        reason = cell.forced
        if reason is None and cell.treated.n == 0:
            reason = SuppressionReason.NOT_AVAILABLE
        expected = _expected_rate(cell) if cell.breakdown == "overall" else rate
        if reason is None and cell.kind == "proportion" and expected is not None:
            for side in (cell.treated, cell.comparison):
                if side is not None and min(side.n * expected, side.n * (1 - expected)) < threshold:
                    reason = SuppressionReason.TOO_FEW_EXPECTED
        cell = replace(cell, id=cell_id, finding_id=draft.id, part_of=part_of, forced=reason,
                       unit=cell.unit or draft.unit, range_high=cell.range_high or draft.range_high)
        cells.append(cell)
        if reason is not None:
            forced[cell_id] = reason
    return cells, forced


def publish_estimates(draft: FindingDraft, policy: DisclosurePolicy) -> list[Estimate]:
    cells, _ = raw_cells(draft, policy)
    return apply(cells, policy)


def _verdict_rows(estimates: Iterable[Estimate]) -> list[Estimate]:
    return [e for e in estimates if not e.suppressed and not e.exploratory and e.comparison_value is not None
            and e.p_value is not None]


def adjust_for_chance(estimates: list[Estimate]) -> tuple[list[Estimate], Comparisons]:
    """Every comparison row's q-value (Benjamini-Hochberg across the bundle) and its "clear" verdict."""
    rows = _verdict_rows(estimates)
    q = dict(zip((e.id for e in rows), stats.benjamini_hochberg([e.p_value for e in rows]), strict=True))
    out = []
    for e in estimates:
        if e.id in q:
            e = e.model_copy(update={"q_value": round(q[e.id], 4),
                                     "significant": q[e.id] < FALSE_DISCOVERY_RATE})
        elif e.comparison_value is not None or e.exploratory:
            e = e.model_copy(update={"significant": None})
        out.append(e)
    clear = sum(1 for e in out if e.significant)
    note = Comparisons(
        method=("Benjamini-Hochberg false discovery rate of 5% across every comparison row with a verdict; "
                "95% intervals unadjusted; treatment-defined breakdowns exploratory"),
        comparisons=len(q), clear=clear, false_discovery_rate=FALSE_DISCOVERY_RATE,
        plain=L.chance_note(len(q), clear, FALSE_DISCOVERY_RATE),
    )
    return out, note


def _linkage(draft: FindingDraft, quality: dict[str, LinkageQuality]) -> str | None:
    # The cohort is what others are joined to, so its own "match rate" says nothing; note the others.
    named = draft.datasets if draft.linkage_datasets is None else draft.linkage_datasets
    notes = [L.linkage_note(d, q.match_rate, q.f1) for d in named if d != COHORT and (q := quality.get(d))]
    return " ".join(n for n in notes[:2] if n) or None


def _sentences(draft: FindingDraft, estimates: list[Estimate], quality: dict[str, LinkageQuality],
               rounding: str) -> tuple[str, list[str], list[str]]:
    p = draft.phrasing
    linkage = _linkage(draft, quality)
    base_cannot = ["It says nothing about any one person."] + ([draft.covered] if draft.covered else [])
    tail = base_cannot + ([linkage] if linkage else [])
    lead = [draft.not_a_cause] if draft.comparison_label is None and draft.not_a_cause else []
    top = next((e for e in estimates if e.breakdown == "overall"), estimates[0] if estimates else None)
    if top is None or top.suppressed:
        reason = top.note if top is not None and top.note else (
            top.suppression_reason.plain if top is not None and top.suppression_reason else "too few people")
        reason = reason.removeprefix("Not compared: ")
        return ("This figure is not shown.", [f"Nothing can be said from it: {reason[0].lower() + reason[1:]}"
                                              .rstrip(".") + "."], tail)
    if top.kind == "count":
        shown = [e for e in estimates if e.kind == "count" and not e.suppressed]
        head = " ".join(f"{e.group}: about {e.treated_value:,.0f} {p.treated}." for e in shown)
        return head, [f"Counts are {rounding}."], tail
    if top.comparison_value is not None and top.difference is not None:
        c = L.Comparison(
            treated=p.treated, comparison=p.comparison or "the comparison group", outcome=p.outcome,
            treated_n=top.treated_n or 0, comparison_n=top.comparison_n or 0, treated_value=top.treated_value,
            comparison_value=top.comparison_value, difference=top.difference, low=top.difference_low,
            high=top.difference_high, clear=bool(top.significant), kind=top.kind, unit=top.unit or "share",
            higher_is_better=p.higher_is_better, unmatched=top.treated_unmatched,
        )
        return L.headline(c), L.can_say(c), [draft.not_a_cause] + tail
    if top.kind == "proportion":
        head = L.share_headline(f"{p.treated} {p.outcome}", top.treated_n or 0, top.treated_value,
                                top.treated_low, top.treated_high, noun=L.noun(p.treated))
        return (f"Of {p.treated}, {L.rounded_pct(top.treated_value)} {p.outcome}.",
                [head, f"Out of 100 {p.treated}, about {L.per_100(top.treated_value)} {p.outcome}."], lead + tail)
    return (f"On average: {L.amount(top.treated_value, top.unit)}.", [], tail)


def publish_finding(draft: FindingDraft, policy: DisclosurePolicy, quality: dict[str, LinkageQuality]
                    ) -> tuple[Finding, list[Estimate]]:
    estimates = publish_estimates(draft, policy)
    attrition = apply_attrition([RawAttritionStep(*item) for item in draft.attrition], policy)
    breakdowns = list(dict.fromkeys(e.breakdown for e in estimates)) or ["overall"]
    finding = Finding(
        id=draft.id, pack_id=draft.pack_id, title=draft.title, headline="", measure=draft.measure,
        treated_label=draft.treated_label, comparison_label=draft.comparison_label, breakdowns=breakdowns,
        can_say=[], cannot_say=[], caveats=draft.caveats, method=draft.method, attrition=attrition,
        balance_ok=draft.balance_ok, order=draft.order, unit=draft.unit,
    )
    return finding, estimates


def _worded(finding: Finding, draft: FindingDraft, estimates: list[Estimate], quality: dict[str, LinkageQuality],
            policy: DisclosurePolicy) -> Finding:
    headline, can, cannot = _sentences(draft, estimates, quality, L.rounding_words(policy))
    return finding.model_copy(update={"headline": headline, "can_say": [s for s in can if s],
                                      "cannot_say": [s for s in cannot if s]})


def publish_bundle(drafts: Iterable[FindingDraft], policy: DisclosurePolicy, quality: Iterable[LinkageQuality]
                   ) -> tuple[list[Finding], list[Estimate], Comparisons]:
    """Every finding and estimate, with "clear" decided across the whole bundle, and the note saying how."""
    overall_quality = {q.dataset: q for q in quality if q.group_type == "overall"}
    drafts = list(drafts)
    pairs = [publish_finding(d, policy, overall_quality) for d in drafts]
    estimates, note = adjust_for_chance([e for _, cells in pairs for e in cells])
    by_finding: dict[str, list[Estimate]] = {}
    for e in estimates:
        by_finding.setdefault(e.finding_id, []).append(e)
    findings = [_worded(f, d, by_finding.get(d.id, []), overall_quality, policy) for (f, _), d in zip(pairs, drafts)]
    return findings, estimates, note


def publish_all(drafts: Iterable[FindingDraft], policy: DisclosurePolicy, quality: Iterable[LinkageQuality]
                ) -> tuple[list[Finding], list[Estimate]]:
    findings, estimates, _ = publish_bundle(drafts, policy, quality)
    return findings, estimates


__all__ = ["adjust_for_chance", "publish_all", "publish_bundle", "publish_finding"]
