"""Turn true figures from the secure stage into published estimates that obey the disclosure policy.

Why this lives apart from ``rules``: deciding what to hide needs the *true* counts (a cell of 8 people
rounds to 10, and would pass a check on published figures), and secondary suppression needs to know which
cells add up to which. The reader never has either; it re-checks the published result with ``rules``.

The order matters and is fixed here:

1. Primary suppression on true counts: any group under the threshold; a rate only when the people with
   and without the outcome are each at least the threshold; money cells failing the dominance rules.
2. Each surviving cell is put in its published form and re-checked with ``rules``; a cell the
   published-figure rules reject is hidden too. With plain rounding, counts are rounded to the base and
   rates, intervals and p-values come from the true counts, given a fixed number of decimals. With the
   cell key method, counts are rounded up or down as each cell's key decides, and rates, intervals and
   p-values come from those published counts (see below).
3. Secondary suppression across cells marked as parts of a total (a breakdown and its overall figure),
   so no hidden cell can be worked out by subtraction or by a linear-programming attack.
4. Hidden cells are blanked: every number removed, the reason kept.

Why rates get fixed decimals: a rate printed to full precision next to a rounded group size gives the
true counts away (0.1807453416... is 145/805 and nothing else nearby). Three decimals (a tenth of a
percentage point) is finer than any reader needs and leaves several true counts consistent with it.

Why rates come from the published counts under the cell key method: a rate from true counts moves the
same way every time one person joins a group (down if they had the outcome, up if not). Someone holding
two bundles built from data that differ by one person would read that person's outcome from the
direction. Published counts carry a fresh random adjustment when the group changes, so their rate does not.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from linkage_core import stats
from linkage_core.disclosure.cellkey import PTable, bound_key, cell_key, ptable_for
from linkage_core.disclosure.dominance import Magnitude
from linkage_core.disclosure.rule_registry import primary_reason
from linkage_core.disclosure.rules import estimate_problems
from linkage_core.disclosure.secondary import Line, default_protection, protect
from linkage_core.schema import AttritionStep, DisclosurePolicy, Estimate, Finding, SuppressionReason

Kind = Literal["proportion", "mean", "count"]


@dataclass(frozen=True)
class RawSide:
    """One group's true figures (treated or comparison), as computed in the secure stage.

    ``key`` and ``events_key`` are the cell keys (sum of record keys modulo 1) of the group's people and of
    those with the outcome; they are needed only when the policy uses cell key perturbation.
    ``magnitude`` (total and largest contributions) is needed for money means so dominance can be checked.
    """

    n: int
    events: int | None = None
    value: float | None = None
    low: float | None = None
    high: float | None = None
    sd: float | None = None
    key: float | None = None
    events_key: float | None = None
    magnitude: Magnitude | None = None


@dataclass(frozen=True)
class RawCell:
    """One cell before disclosure control: true figures for a group and its comparison, and the gap.

    Packs build this type directly (``insight_packs.compute``), so what disclosure control checks is what the
    pack computed: the values behind each mean travel as ``RawSide.magnitude`` and the dominance rules run.
    ``forced`` hides the row whatever its counts (Justice Data Lab rules: under 60 matched people, or groups
    not alike), ``unmatched`` counts treated people in the row left without a partner, ``exploratory``
    marks a row that gets no "clear" verdict, and ``unit`` / ``range_high`` declare the valid range.

    ``part_of`` names the cell whose people this cell's are a share of (a region's cell is part of the
    overall cell). Cells with the same ``part_of`` and ``breakdown`` must not overlap; they need not cover
    everyone. Several breakdowns (region, age band, sex) can each be parts of the same overall cell. This is what
    lets apply() stop a hidden region being recovered as the overall figure minus the others.
    """

    id: str
    finding_id: str
    treated: RawSide
    comparison: RawSide | None = None
    kind: Kind = "proportion"
    breakdown: str = "overall"
    group: str = "All"
    difference: float | None = None
    difference_low: float | None = None
    difference_high: float | None = None
    p_value: float | None = None
    method: str = ""
    part_of: str | None = None
    forced: SuppressionReason | None = None
    unmatched: RawSide | None = None
    exploratory: bool = False
    unit: str | None = None
    range_high: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class Precision:
    """How finely non-count figures are published (see the module note on why rates are not exact)."""

    rate: int = 3  # decimal places for proportions, their intervals and differences
    mean: int = 1  # decimal places for means, their intervals and differences
    p_value: int = 2  # significant figures


@dataclass(frozen=True)
class RawAttritionStep:
    """One step of a finding's attrition (people at each stage), with its true count."""

    label: str
    count: int
    key: float | None = None


# -- building raw cells from true data -----------------------------------------------------------------------

def _keys(record_keys, mask=None) -> float | None:
    if record_keys is None:
        return None
    keys = np.asarray(record_keys, dtype=float)
    return cell_key(keys if mask is None else keys[np.asarray(mask, dtype=bool)])


def proportion_side(events: int, n: int, *, key: float | None = None, events_key: float | None = None) -> RawSide:
    """A group's rate from true counts, with its Wilson interval."""
    interval = stats.wilson(events, n)
    return RawSide(n=n, events=events, value=interval.estimate, low=interval.low, high=interval.high,
                   key=key, events_key=events_key)


def people_side(outcomes: Sequence[bool] | np.ndarray, record_keys: Sequence[float] | np.ndarray | None = None
                ) -> RawSide:
    """A group's rate from one yes/no flag per person (and, for cell key perturbation, their record keys)."""
    flags = np.asarray(outcomes, dtype=bool)
    return proportion_side(int(flags.sum()), int(flags.size), key=_keys(record_keys),
                           events_key=_keys(record_keys, flags))


def mean_side(values: Sequence[float] | np.ndarray, record_keys: Sequence[float] | np.ndarray | None = None
              ) -> RawSide:
    """A group's mean from one value per person, with its t interval and what dominance needs."""
    data = np.asarray(values, dtype=float)
    interval = stats.mean_interval(data)
    return RawSide(n=int(data.size), value=interval.estimate, low=interval.low, high=interval.high,
                   sd=float(data.std(ddof=1)), key=_keys(record_keys), magnitude=Magnitude.from_values(data))


def count_side(n: int, key: float | None = None) -> RawSide:
    return RawSide(n=n, value=float(n), key=key)


def proportion_cell(id: str, finding_id: str, treated: RawSide, comparison: RawSide | None = None, *,
                    breakdown: str = "overall", group: str = "All", part_of: str | None = None,
                    **extra) -> RawCell:
    """A rate for a group, and (with a comparison) Newcombe's interval for the gap and its p-value."""
    fields: dict = {}
    method = "Wilson score interval"
    if comparison is not None:
        gap = stats.newcombe_difference(treated.events, treated.n, comparison.events, comparison.n)
        p = stats.two_proportion_p_value(treated.events, treated.n, comparison.events, comparison.n)
        fields = dict(difference=gap.estimate, difference_low=gap.low, difference_high=gap.high, p_value=p.value)
        method = f"{method}; difference: {gap.method}; p-value: {p.method}"
    return RawCell(id=id, finding_id=finding_id, treated=treated, comparison=comparison, kind="proportion",
                   breakdown=breakdown, group=group, method=method, part_of=part_of, **fields, **extra)


def mean_cell(id: str, finding_id: str, treated: RawSide, comparison: RawSide | None = None, *,
              breakdown: str = "overall", group: str = "All", part_of: str | None = None, **extra) -> RawCell:
    """A mean for a group, and (with a comparison) Welch's interval for the gap and its p-value."""
    fields: dict = {}
    method = "t interval"
    if comparison is not None:
        gap = stats.welch_difference_from_summary(treated.value, treated.sd, treated.n,
                                                  comparison.value, comparison.sd, comparison.n)
        p = stats.welch_p_value_from_summary(treated.value, treated.sd, treated.n,
                                             comparison.value, comparison.sd, comparison.n)
        fields = dict(difference=gap.estimate, difference_low=gap.low, difference_high=gap.high, p_value=p.value)
        method = f"{method}; difference: {gap.method}; p-value: {p.method}"
    return RawCell(id=id, finding_id=finding_id, treated=treated, comparison=comparison, kind="mean",
                   breakdown=breakdown, group=group, method=method, part_of=part_of, **fields, **extra)


def count_cell(id: str, finding_id: str, treated: RawSide, comparison: RawSide | None = None, *,
               breakdown: str = "overall", group: str = "All", part_of: str | None = None, **extra) -> RawCell:
    """A count of people (the gap, if any, is taken from the published counts, not the true ones)."""
    extra.setdefault("method", "count of people")
    return RawCell(id=id, finding_id=finding_id, treated=treated, comparison=comparison, kind="count",
                   breakdown=breakdown, group=group, part_of=part_of, **extra)


# -- publishing -------------------------------------------------------------------------------------------

def round_to_base(count: int, base: int) -> int:
    """Nearest multiple of ``base``, halves up (so rounding is monotone: a bigger count never shows smaller)."""
    return base * math.floor(count / base + 0.5)


def _sig(value: float | None, digits: int) -> float | None:
    if value is None or value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{digits}g}")


def _dp(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


class _Publisher:
    def __init__(self, policy: DisclosurePolicy, ptable: PTable | None, precision: Precision) -> None:
        self.policy = policy
        self.ptable = (ptable or ptable_for(policy.rounding_base, policy.threshold)) \
            if policy.cell_key_perturbation else None
        self.precision = precision
        self.rounding_var = rounding_variance(self.ptable) if self.ptable is not None else 0.0

    def count(self, true: int, key: float | None, what: str) -> int:
        if self.ptable is None:
            return round_to_base(true, self.policy.rounding_base)
        if key is None:
            raise ValueError(f"cell key perturbation needs the cell key of {what}")
        return self.ptable.perturb(true, key)

    def primary_reason(self, cell: RawCell) -> SuppressionReason | None:
        return primary_reason(cell, self.policy)  # each registered rule in turn (rule_registry.py)

    def _side(self, cell: RawCell, side: RawSide, label: str) -> dict:
        n = self.count(side.n, side.key, f"the {label} group in cell {cell.id}")
        out: dict = {"n": n, "events": None, "value": None, "low": None, "high": None}
        if cell.kind == "count":
            out["value"] = float(n)
        elif cell.kind == "proportion":
            events_key = None
            if self.ptable is not None:
                if side.key is None or side.events_key is None:
                    raise ValueError(f"cell key perturbation needs both cell keys of cell {cell.id}")
                events_key = bound_key(side.key, side.events_key)
            out["events"] = self.count(side.events, events_key, f"people with the outcome in cell {cell.id}")
            low, high = side.low, side.high
            value = side.value if side.value is not None else side.events / side.n
            if self.ptable is not None and n > 0:  # from the published counts (module note)
                low = high = None
                value = out["events"] / n
            if low is None or high is None:
                events, people = (out["events"], n) if self.ptable is not None else (side.events, side.n)
                wilson = stats.wilson_rounded(events, people, self.rounding_var)
                low, high = wilson.low, wilson.high
            out.update(value=_dp(value, self.precision.rate), low=_dp(low, self.precision.rate),
                       high=_dp(high, self.precision.rate))
        else:
            digits = self.precision.mean
            low, high = side.low, side.high
            if cell.range_high is not None and low is not None and high is not None:
                # A mean of values inside a window lies inside it; so does its interval.
                low, high = max(0.0, low), min(cell.range_high, high)
            elif cell.unit in ("days", "people", "percent") and low is not None:
                low = max(0.0, low)
            if cell.unit == "percent" and high is not None:
                high = min(100.0, high)
            out.update(value=_dp(side.value, digits), low=_dp(low, digits), high=_dp(high, digits))
        return out

    def publish(self, cell: RawCell) -> Estimate:
        t = self._side(cell, cell.treated, "treated")
        c = self._side(cell, cell.comparison, "comparison") if cell.comparison is not None else None
        if self.ptable is not None and c is not None and cell.kind == "proportion" and t["n"] and c["n"]:
            cell = _from_published(cell, t, c, self.rounding_var)
        digits = {"proportion": self.precision.rate, "mean": self.precision.mean}.get(cell.kind)
        if cell.kind == "count":
            difference = None if c is None else float(t["n"] - c["n"])
            low = high = None
        else:
            difference, low, high = (_dp(v, digits) for v in (cell.difference, cell.difference_low,
                                                               cell.difference_high))
        if low is not None and high is not None:
            # From the interval as published, so a reader checking "does it cross zero?" gets the same answer.
            significant = not (low <= 0.0 <= high)
        elif cell.p_value is not None:
            significant = cell.p_value < 0.05
        else:
            significant = None
        return Estimate(
            id=cell.id, finding_id=cell.finding_id, breakdown=cell.breakdown, group=cell.group, kind=cell.kind,
            treated_n=t["n"], treated_events=t["events"], treated_value=t["value"], treated_low=t["low"],
            treated_high=t["high"],
            comparison_n=c["n"] if c else None, comparison_events=c["events"] if c else None,
            comparison_value=c["value"] if c else None, comparison_low=c["low"] if c else None,
            comparison_high=c["high"] if c else None,
            difference=difference, difference_low=low, difference_high=high,
            p_value=_sig(cell.p_value, self.precision.p_value), significant=significant, method=cell.method,
            unit=cell.unit, range_high=cell.range_high, exploratory=cell.exploratory,
            treated_unmatched=self._unmatched(cell), note=cell.note,
        )

    def _unmatched(self, cell: RawCell) -> int | None:
        side = cell.unmatched
        if side is None or side.n < self.policy.threshold:
            return None
        shown = self.count(side.n, side.key, f"unmatched people in cell {cell.id}")
        return shown if shown >= self.policy.threshold else None


def rounding_variance(ptable: PTable, span: int = 200) -> float:
    """The variance a ptable's adjustment adds to a count, averaged over true counts past the threshold.

    A reader sees only published counts, so it cannot know a count's own row; the average over a full
    period of rows is what it can allow for (4 for random rounding to base 5: (25 - 1) / 6).
    """
    start = ptable.threshold
    rows = [ptable.row(count) for count in range(start, start + max(span, ptable.period))]
    per_row = [sum(chance * adjust * adjust for adjust, chance in row)
               - sum(chance * adjust for adjust, chance in row) ** 2 for row in rows]
    return float(sum(per_row) / len(per_row))


def _from_published(cell: RawCell, t: dict, c: dict, rounding_var: float = 0.0) -> RawCell:
    """The cell's gap, interval and p-value worked out again from its published counts, allowing for the
    noise the cell key's rounding adds to them (see ``rounding_variance``)."""
    gap = stats.newcombe_difference(t["events"], t["n"], c["events"], c["n"], rounding_var=rounding_var)
    p = stats.two_proportion_p_value_rounded(t["events"], t["n"], c["events"], c["n"], rounding_var)
    method = cell.method.replace("Newcombe hybrid score interval (method 10)", gap.method)
    method = method.replace("two-proportion z-test (pooled)", p.method).replace("Fisher's exact test", p.method)
    return replace(cell, difference=gap.estimate, difference_low=gap.low, difference_high=gap.high,
                   p_value=p.value, method=method)


def blank(cell: RawCell, reason: SuppressionReason) -> Estimate:
    """A hidden cell: its labels and reason, and no number at all."""
    return Estimate(id=cell.id, finding_id=cell.finding_id, breakdown=cell.breakdown, group=cell.group,
                    kind=cell.kind, suppressed=True, suppression_reason=reason, method=cell.method,
                    unit=cell.unit, range_high=cell.range_high, exploratory=cell.exploratory,
                    note=cell.note if reason in _EXPLAINED else None)


#: Reasons whose row note (why the row is not compared) is safe to show: it says nothing about counts.
_EXPLAINED = {SuppressionReason.TOO_FEW_TO_COMPARE, SuppressionReason.NOT_BALANCED}


def apply(cells: Iterable[RawCell], policy: DisclosurePolicy, *, ptable: PTable | None = None,
          precision: Precision = Precision()) -> list[Estimate]:
    """Published estimates for ``cells``, in the same order, each safe under ``policy``.

    Raises ``ValueError`` for input that cannot be made safe reliably (duplicate ids, a ``part_of`` naming
    no cell, parts adding up to more people than their total, or missing cell keys when the policy asks
    for perturbation).
    """
    cells = list(cells)
    by_id = {cell.id: cell for cell in cells}
    if len(by_id) != len(cells):
        raise ValueError("cell ids must be unique")
    publisher = _Publisher(policy, ptable, precision)
    reasons: dict[str, SuppressionReason] = {}
    published: dict[str, Estimate] = {}
    for cell in cells:
        reason = cell.forced or publisher.primary_reason(cell)
        if reason is None:
            estimate = publisher.publish(cell)
            if estimate_problems(estimate, policy):
                reason = SuppressionReason.TOO_FEW_PEOPLE
            else:
                published[cell.id] = estimate
        if reason is not None:
            reasons[cell.id] = reason
    for cell_id in _secondary(cells, by_id, set(reasons), policy):
        reasons.setdefault(cell_id, SuppressionReason.PROTECTS_ANOTHER_CELL)
    for cell_id in _matched_rows_secondary(cells, set(reasons), policy):
        reasons.setdefault(cell_id, SuppressionReason.PROTECTS_ANOTHER_CELL)
    return [blank(cell, reasons[cell.id]) if cell.id in reasons else published[cell.id] for cell in cells]


# -- secondary suppression across a breakdown and its total ---------------------------------------------------

def _measures(group: list[RawCell], comparison: bool = True
              ) -> tuple[list[tuple[str, str]], list[tuple[int, int]], list[list[float]]]:
    """Which numbers the cells of one connected group all publish, how they are ordered, and what to protect."""
    sides = ["treated"] + (["comparison"] if comparison and all(c.comparison is not None for c in group) else [])
    with_events = all(c.kind == "proportion" for c in group)
    measures = [(s, f) for s in sides for f in (("n", "events") if with_events else ("n",))]
    order, objectives = [], []
    for i in range(len(measures)):
        objectives.append([1.0 if j == i else 0.0 for j in range(len(measures))])
    if with_events:
        for s in sides:
            n_at, e_at = measures.index((s, "n")), measures.index((s, "events"))
            order.append((e_at, n_at))
            objectives.append([1.0 if j == n_at else -1.0 if j == e_at else 0.0 for j in range(len(measures))])
    return measures, order, objectives


def _secondary(cells: list[RawCell], by_id: dict[str, RawCell], hidden: set[str],
               policy: DisclosurePolicy) -> set[str]:
    """Cells to hide so hidden ones cannot be worked out (checks that parts fit their totals either way)."""
    parts: dict[tuple[str, str], list[str]] = {}  # (total, breakdown) -> the breakdown's cells
    for cell in cells:
        if cell.part_of is not None:
            if cell.part_of not in by_id:
                raise ValueError(f"cell {cell.id} is part of {cell.part_of}, which is not among the cells")
            parts.setdefault((cell.part_of, cell.breakdown), []).append(cell.id)
    # connected groups of cells linked through totals
    parent = {cell_id: cell_id for cell_id in by_id}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (total, _), members in parts.items():
        for member in members:
            parent[find(member)] = find(total)
    groups: dict[str, list[str]] = {}
    for (total, _), members in parts.items():
        groups.setdefault(find(total), [])
        for cell_id in (total, *members):
            if cell_id not in groups[find(total)]:
                groups[find(total)].append(cell_id)
    extra: set[str] = set()
    for members in groups.values():
        extra |= _protect_group([by_id[m] for m in members], parts, hidden, policy)
    return extra


def _matched_rows_secondary(cells: list[RawCell], hidden: set[str], policy: DisclosurePolicy) -> set[str]:
    """Separately matched breakdown rows of one comparison that would give a hidden row away by subtraction.

    Each breakdown row is matched on its own, so its treated people are not a slice of the overall row's and
    no published sum links them (they are not ``part_of`` the overall row). But when almost every treated
    person found a partner overall (fewer unmatched than the threshold), the overall row's treated people
    are nearly all the groups' treated people, and the overall count and outcome count minus the other rows'
    come within a few of a hidden row's. Then the hidden row must not be the only one hidden in its
    breakdown: the published row with the fewest treated people is hidden with it (measured in issue 13: in
    two 3,000-person worlds one such row came out at 20 people with 0 outcomes against a true 22 with 2).
    """
    if not policy.secondary_suppression:
        return set()
    overall = next((c for c in cells if c.breakdown == "overall" and c.comparison is not None), None)
    if overall is None or overall.id in hidden or overall.unmatched is None:
        return set()
    if overall.unmatched.n >= policy.threshold:
        return set()
    rows: dict[str, list[RawCell]] = {}
    for cell in cells:
        if cell.comparison is not None and cell.breakdown != "overall" and cell.part_of is None:
            rows.setdefault(cell.breakdown, []).append(cell)
    extra: set[str] = set()
    for members in rows.values():
        shut = [c for c in members if c.id in hidden]
        shown = [c for c in members if c.id not in hidden]
        if len(shut) == 1 and shown and _small(shut[0].treated, policy.threshold):
            extra.add(min(shown, key=lambda c: (c.treated.n, c.id)).id)
    return extra


def _small(side: RawSide, threshold: int) -> bool:
    """Whether a side holds a count disclosure control protects: some people, but fewer than the threshold
    in all, with the outcome or without it."""
    if side.n <= 0:
        return False
    counts = [side.n] + ([side.events, side.n - side.events] if side.events is not None else [])
    return min(counts) < threshold


def _layout(group: list[RawCell], parts: dict[tuple[str, str], list[str]], measures: list[tuple[str, str]]):
    """Rows of true values and the lines they must satisfy; people in no listed group become an unknown entry."""
    index = {cell.id: i for i, cell in enumerate(group)}
    rows = [[float(getattr(getattr(cell, s), f)) for s, f in measures] for cell in group]
    lines, unpublished, misfit = [], [], set()
    for (total, breakdown), members in parts.items():
        if total not in index:
            continue
        leftover = np.array(rows[index[total]]) - np.sum([rows[index[m]] for m in members], axis=0)
        for m in np.flatnonzero(leftover < 0):
            if measures[m][0] == "treated":
                raise ValueError(f"the '{breakdown}' cells marked as part of {total} add up to more than it: "
                                 "they must not overlap")
            misfit.add(measures[m])
        line_parts = [index[m] for m in members]
        if np.any(leftover > 0):  # people in none of the listed groups: unknown to anyone outside
            rows.append(list(leftover))
            unpublished.append(len(rows) - 1)
            line_parts.append(len(rows) - 1)
        lines.append(Line(tuple(line_parts), index[total]))
    return index, rows, lines, unpublished, misfit


def _protect_group(group: list[RawCell], parts: dict[tuple[str, str], list[str]], hidden: set[str],
                   policy: DisclosurePolicy) -> set[str]:
    measures, order, objectives = _measures(group)
    index, rows, lines, unpublished, misfit = _layout(group, parts, measures)
    if misfit:
        # Comparison groups matched separately within each group need not add up to the overall comparison
        # group; then no subtraction links them either, and only the treated side is protected by sums.
        measures, order, objectives = _measures(group, comparison=False)
        index, rows, lines, unpublished, _ = _layout(group, parts, measures)
    primary = [index[cell.id] for cell in group if cell.id in hidden]
    if not primary or not policy.secondary_suppression:
        return set()
    result = protect(np.array(rows), lines, primary, required=default_protection(policy),
                     objectives=objectives, order=order, unpublished=unpublished)
    chosen = set(result.secondary)
    if result.unprotected:  # could not be protected by hiding some: hide the whole group
        chosen = set(range(len(group)))
    return {group[i].id for i in chosen if i < len(group)}


# -- attrition ------------------------------------------------------------------------------------------------

def apply_attrition(steps: Iterable[RawAttritionStep], policy: DisclosurePolicy, *,
                    ptable: PTable | None = None) -> list[AttritionStep]:
    """Published attrition steps: hidden (``None``) under the threshold, otherwise rounded or perturbed."""
    publisher = _Publisher(policy, ptable, Precision())
    out = []
    for step in steps:
        count = None
        if step.count >= policy.threshold:
            shown = publisher.count(step.count, step.key, f"attrition step '{step.label}'")
            count = shown if shown >= policy.threshold else None
        out.append(AttritionStep(label=step.label, count=count))
    return out


def apply_finding(finding: Finding, steps: Iterable[RawAttritionStep], policy: DisclosurePolicy, *,
                  ptable: PTable | None = None) -> Finding:
    """``finding`` with its attrition replaced by the published form of ``steps``."""
    return finding.model_copy(update={"attrition": apply_attrition(steps, policy, ptable=ptable)})
