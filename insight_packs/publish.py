"""From drafts (true counts) to published findings: disclosure control first, then the words.

Sentences are written from the *published* figures, so a headline never quotes a number the table hides.
"""

from __future__ import annotations

from collections.abc import Iterable

from insight_packs import language as L
from insight_packs.drafts import FindingDraft, Side
from linkage_core.disclosure.apply import RawAttritionStep, RawCell, RawSide, apply, apply_attrition, blank
from linkage_core.schema import DisclosurePolicy, Estimate, Finding, LinkageQuality, SuppressionReason

#: Breakdowns whose cells do not split the overall group into parts (so no subtraction links them).
NOT_PARTS = {"overall", "month", "timing"}
COHORT = "prison"
#: Justice Data Lab practice: no matched comparison for fewer than 60 people.
MIN_TREATED_FOR_COMPARISON = 60


def _raw_side(side: Side | None) -> RawSide | None:
    if side is None:
        return None
    return RawSide(n=side.n, events=side.events, value=side.value, low=side.low, high=side.high, sd=side.sd,
                   key=side.key, events_key=side.events_key)


def raw_cells(draft: FindingDraft) -> tuple[list[RawCell], dict[str, SuppressionReason]]:
    """The draft's cells as the disclosure stage takes them, and cells that are hidden whatever the counts."""
    cells, forced = [], {}
    overall_id = None
    comparison_too_small = (draft.comparison_label is not None and draft.cells
                            and draft.cells[0].treated.n < MIN_TREATED_FOR_COMPARISON)
    for i, cell in enumerate(draft.cells):
        cell_id = f"{draft.id}:{i}"
        if overall_id is None and cell.breakdown == "overall":
            overall_id = cell_id
        part_of = overall_id if cell.breakdown not in NOT_PARTS else None
        cells.append(RawCell(
            id=cell_id, finding_id=draft.id, treated=_raw_side(cell.treated), comparison=_raw_side(cell.comparison),
            kind=cell.kind, breakdown=cell.breakdown, group=cell.group, difference=cell.difference,
            difference_low=cell.difference_low, difference_high=cell.difference_high, p_value=cell.p_value,
            method=cell.method, part_of=part_of,
        ))
        if cell.treated.n == 0:
            forced[cell_id] = SuppressionReason.NOT_AVAILABLE
        elif comparison_too_small:
            forced[cell_id] = SuppressionReason.TOO_FEW_PEOPLE
    return cells, forced


def publish_estimates(draft: FindingDraft, policy: DisclosurePolicy) -> list[Estimate]:
    cells, forced = raw_cells(draft)
    open_cells = [c for c in cells if c.id not in forced]
    # A forced cell is not a part of any total the reader can use, so secondary suppression ignores it.
    published = {e.id: e for e in apply(open_cells, policy)}
    return [published[c.id] if c.id not in forced else blank(c, forced[c.id]) for c in cells]


def _sentences(draft: FindingDraft, top: Estimate | None, quality: dict[str, LinkageQuality]
               ) -> tuple[str, list[str], list[str]]:
    p = draft.phrasing
    # The cohort is what others are joined to, so its own "match rate" says nothing; note the others.
    notes = [L.linkage_note(d, q.match_rate, q.f1) for d in draft.datasets
             if d != COHORT and (q := quality.get(d))]
    linkage = " ".join(n for n in notes[:2] if n) or None
    base_cannot = ["It says nothing about any one person.", draft.covered] if draft.covered else \
        ["It says nothing about any one person."]
    if top is None or top.suppressed:
        return ("There are too few people in this group to show this figure safely.",
                ["Nothing can be said from this figure: too few people were in the group."],
                base_cannot + ([linkage] if linkage else []))
    if top.kind == "count":
        return (f"{top.treated_value:,.0f} {p.treated} {p.outcome} ({top.group.lower()}).",
                [f"About {top.treated_value:,.0f} {p.treated} {p.outcome}, rounded to the nearest 5."],
                base_cannot + ([linkage] if linkage else []))
    if top.comparison_value is not None and top.difference is not None and top.kind == "proportion":
        c = L.Comparison(
            treated=p.treated, comparison=p.comparison or "the comparison group", outcome=p.outcome,
            treated_n=top.treated_n or 0, comparison_n=top.comparison_n or 0, treated_rate=top.treated_value,
            comparison_rate=top.comparison_value, difference=top.difference, low=top.difference_low,
            high=top.difference_high, significant=bool(top.significant),
            needed_per_group=None if top.significant else L.needed_sample(top.treated_value, top.comparison_value),
            higher_is_better=p.higher_is_better,
        )
        return L.headline(c), L.can_say(c), L.cannot_say(c, linkage, draft.covered)
    if top.comparison_value is not None and top.difference is not None:
        return _mean_sentences(draft, top, base_cannot)
    if top.kind == "proportion":
        head = L.share_headline(f"{p.treated} {p.outcome}", top.treated_n or 0, top.treated_value,
                                top.treated_low, top.treated_high)
        return (f"Of {p.treated}, {L.rounded_pct(top.treated_value)} {p.outcome}.",
                [head, f"Out of 100 {p.treated}, about {L.per_100(top.treated_value)} {p.outcome}."],
                base_cannot + ([linkage] if linkage else []))
    return (f"On average: {top.treated_value:,.1f}.", [], base_cannot)


def _mean_sentences(draft: FindingDraft, top: Estimate, base_cannot: list[str]
                    ) -> tuple[str, list[str], list[str]]:
    p = draft.phrasing
    outcome = p.outcome.format(value=f"{top.treated_value:,.1f}")
    head = f"On average, {p.treated} {outcome}. For {p.comparison}, it was {top.comparison_value:,.1f}."
    ends = sorted((abs(top.difference_low), abs(top.difference_high)))
    gap = (f"{abs(top.difference_low):,.1f}", f"{abs(top.difference_high):,.1f}")
    if top.significant:
        side = "higher" if top.difference > 0 else "lower"
        can = [f"The average was {side} than for {p.comparison}.",
               f"The gap is between {ends[0]:,.1f} and {ends[1]:,.1f}.",
               "A gap this big is unlikely to be down to chance alone."]
    else:
        can = ["We cannot tell if there is a real gap.",
               f"The average could be lower by as much as {gap[0]} or higher by as much as {gap[1]}.",
               "More people would need to be analysed to tell."]
    cannot = ["It does not prove a cause. People may differ in ways the data does not show."] + base_cannot
    return head, can, cannot


def publish_finding(draft: FindingDraft, policy: DisclosurePolicy, quality: dict[str, LinkageQuality]
                    ) -> tuple[Finding, list[Estimate]]:
    estimates = publish_estimates(draft, policy)
    top = next((e for e in estimates if e.breakdown == "overall"), estimates[0] if estimates else None)
    headline, can, cannot = _sentences(draft, top, quality)
    attrition = apply_attrition([RawAttritionStep(*item) for item in draft.attrition], policy)
    breakdowns = list(dict.fromkeys(e.breakdown for e in estimates)) or ["overall"]
    finding = Finding(
        id=draft.id, pack_id=draft.pack_id, title=draft.title, headline=headline, measure=draft.measure,
        treated_label=draft.treated_label, comparison_label=draft.comparison_label, breakdowns=breakdowns,
        can_say=[s for s in can if s], cannot_say=[s for s in cannot if s], caveats=draft.caveats,
        method=draft.method, attrition=attrition, balance_ok=draft.balance_ok, order=draft.order,
    )
    return finding, estimates


def publish_all(drafts: Iterable[FindingDraft], policy: DisclosurePolicy, quality: Iterable[LinkageQuality]
                ) -> tuple[list[Finding], list[Estimate]]:
    overall_quality = {q.dataset: q for q in quality if q.group_type == "overall"}
    findings, estimates = [], []
    for draft in drafts:
        finding, cells = publish_finding(draft, policy, overall_quality)
        findings.append(finding)
        estimates += cells
    return findings, estimates


__all__ = ["publish_all", "publish_finding"]
