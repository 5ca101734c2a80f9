"""Disclosure control: each rule, with tests that fail if the rule is taken out, and the attacks it stops."""

from __future__ import annotations

import math
import re
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from linkage_core.disclosure import apply as ap
from linkage_core.disclosure import cellkey, check, dominance, rules, secondary
from linkage_core.disclosure.apply import (
    RawAttritionStep,
    RawCell,
    RawSide,
    apply,
    apply_attrition,
    count_cell,
    count_side,
    mean_cell,
    mean_side,
    people_side,
    proportion_cell,
    proportion_side,
)
from linkage_core.schema import (
    AttritionStep,
    BundleContent,
    DisclosurePolicy,
    Estimate,
    Finding,
    Manifest,
    Period,
    SuppressionReason,
)

POLICY = DisclosurePolicy()
NO_SECONDARY = DisclosurePolicy(secondary_suppression=False)
CKM = DisclosurePolicy(cell_key_perturbation=True)
VALUE_FIELDS = rules._VALUE_FIELDS


def finding(fid: str = "f", attrition=()) -> Finding:
    return Finding(id=fid, pack_id="p", title="A finding", headline="h", measure="m", treated_label="t",
                   can_say=["x"], cannot_say=["y"], method="m", attrition=list(attrition))


def one(cell: RawCell, policy: DisclosurePolicy = POLICY) -> Estimate:
    return apply([cell], policy)[0]


# -- rules.py: the published-figure checks ----------------------------------------------------------------

def test_rules_flag_a_small_group():
    e = Estimate(id="e", finding_id="f", kind="mean", treated_n=5, treated_value=3.0)
    assert any("under the threshold" in p for p in rules.estimate_problems(e, POLICY))


def test_rules_flag_an_unrounded_count():
    e = Estimate(id="e", finding_id="f", kind="mean", treated_n=12, treated_value=3.0)
    assert any("not rounded" in p for p in rules.estimate_problems(e, POLICY))
    # the cell key method rounds up or down to the base, so its counts are on the grid too
    assert any("not rounded" in p for p in rules.estimate_problems(e, CKM))
    assert not rules.estimate_problems(e, DisclosurePolicy(rounding_base=1, cell_key_perturbation=True))


@pytest.mark.parametrize(("n", "events", "words"), [
    (100, 5, "people with the outcome is 5"),
    (100, 95, "without the outcome is 5"),
    (100, None, "without its count"),
])
def test_rules_flag_rates_with_small_numerator_or_difference(n, events, words):
    e = Estimate(id="e", finding_id="f", treated_n=n, treated_events=events, treated_value=0.5)
    assert any(words in p for p in rules.estimate_problems(e, POLICY))


def test_rules_flag_numbers_left_on_a_hidden_cell():
    e = Estimate(id="e", finding_id="f", suppressed=True, treated_n=100)
    assert rules.estimate_problems(e, POLICY) == ["suppressed cell still carries treated_n"]


def test_rules_flag_small_attrition_steps():
    f = finding(attrition=[AttritionStep(label="linked", count=7)])
    assert rules.finding_problems(f, POLICY)
    assert rules.audit([], [f], POLICY)[0].startswith("finding f:")


def test_tagged_problems_carry_the_same_messages():
    e = Estimate(id="e", finding_id="f", treated_n=12, treated_events=3, treated_value=0.25)
    tagged = rules.tagged_estimate_problems(e, POLICY)
    assert [m for _, m in tagged] == rules.estimate_problems(e, POLICY)
    assert {r for r, _ in tagged} == {rules.ROUNDING, rules.RATES}


# -- apply: primary suppression, rounding, blanking ----------------------------------------------------------

def test_group_under_threshold_is_hidden_and_blank():
    e = one(proportion_cell("c", "f", proportion_side(4, 9), proportion_side(40, 100)))
    assert e.suppressed and e.suppression_reason is SuppressionReason.TOO_FEW_PEOPLE
    assert all(getattr(e, name) is None for name in VALUE_FIELDS) and e.significant is None


@pytest.mark.parametrize(("events", "n"), [(9, 100), (91, 100), (10, 19)])
def test_rate_needs_numerator_and_difference_at_threshold(events, n):
    e = one(proportion_cell("c", "f", proportion_side(events, n)))
    assert e.suppressed and e.suppression_reason is SuppressionReason.TOO_FEW_PEOPLE


def test_rate_at_exactly_the_threshold_is_shown():
    e = one(proportion_cell("c", "f", proportion_side(10, 20)))
    assert not e.suppressed and (e.treated_n, e.treated_events) == (20, 10)


def test_counts_rounded_but_rates_and_intervals_from_true_counts():
    cell = proportion_cell("c", "f", proportion_side(147, 803), proportion_side(186, 806))
    e = one(cell)
    assert (e.treated_n, e.treated_events, e.comparison_n, e.comparison_events) == (805, 145, 805, 185)
    assert e.treated_value == round(147 / 803, 3)  # from the true counts, not 145/805
    assert e.treated_low == round(ap.stats.wilson(147, 803).low, 3)
    assert e.difference_low == round(ap.stats.newcombe_difference(147, 803, 186, 806).low, 3)
    assert e.significant is True and "Newcombe" in e.method


def test_full_precision_rate_would_give_true_counts_away():
    """Why rates get three decimals: the exact float pins the true fraction."""
    from fractions import Fraction

    true = Fraction(147 / 803).limit_denominator(810)
    assert (true.numerator, true.denominator) == (147, 803)
    published = one(proportion_cell("c", "f", proportion_side(147, 803))).treated_value
    candidates = [(e, n) for n in range(801, 806) for e in range(n) if round(e / n, 3) == published]
    assert len(candidates) >= 3


def test_counts_kind_rounds_and_differences_published_counts():
    e = one(count_cell("c", "f", count_side(23), count_side(41)))
    assert (e.treated_n, e.treated_value, e.comparison_n, e.difference) == (25, 25.0, 40, -15.0)


def test_zero_count_is_hidden():
    assert one(count_cell("c", "f", count_side(0))).suppressed


def test_rounding_is_monotone_so_rate_rule_survives():
    for n in range(20, 200):
        for events in range(10, n - 9):
            pn, pe = ap.round_to_base(n, 5), ap.round_to_base(events, 5)
            assert pe >= 10 and pn - pe >= 10


def test_apply_rechecks_its_own_output():
    # threshold 7 with base 5 rounds 7 down to 5: the published figure would break the rule, so it is hidden
    policy = DisclosurePolicy(threshold=7)
    e = one(count_cell("c", "f", count_side(7)), policy)
    assert e.suppressed


def test_apply_refuses_bad_input():
    with pytest.raises(ValueError, match="unique"):
        apply([count_cell("a", "f", count_side(20))] * 2, POLICY)
    with pytest.raises(ValueError, match="not among"):
        apply([count_cell("a", "f", count_side(20), part_of="zz")], POLICY)
    with pytest.raises(ValueError, match="overlap"):
        apply([count_cell("t", "f", count_side(20)), count_cell("a", "f", count_side(15), part_of="t"),
               count_cell("b", "f", count_side(15), part_of="t")], POLICY)
    with pytest.raises(ValueError, match="cell key"):
        apply([count_cell("a", "f", count_side(20))], CKM)


def test_attrition_hidden_under_threshold_and_rounded():
    steps = apply_attrition([RawAttritionStep("cohort", 1003), RawAttritionStep("linked", 12),
                             RawAttritionStep("matched", 7)], POLICY)
    assert [s.count for s in steps] == [1005, 10, None]
    f = ap.apply_finding(finding(), [RawAttritionStep("matched", 7)], POLICY)
    assert not rules.finding_problems(f, POLICY) and f.attrition[0].count is None


# -- dominance ------------------------------------------------------------------------------------------------

def test_nk_rule():
    m = dominance.Magnitude.from_values([50_000, 45_000] + [1_000] * 10)  # top two 95,000 of 105,000
    assert dominance.nk_dominated(m, 2, 90.0)
    assert not dominance.nk_dominated(dominance.Magnitude.from_values([20_000] * 12), 2, 90.0)


def test_p_percent_rule():
    # remainder 900 < 10% of 10,000: the second-largest could estimate the largest closely
    m = dominance.Magnitude.from_values([10_000, 5_000, 300, 300, 300])
    assert dominance.p_percent_disclosive(m, 10.0)
    assert not dominance.nk_dominated(m, 2, 96.0)  # only the p% rule catches this one
    assert not dominance.p_percent_disclosive(dominance.Magnitude.from_values([10_000, 5_000] + [300] * 5), 10.0)


def test_dominated_mean_is_hidden():
    earnings = [1_000_000.0] + [5_000.0] * 11
    e = one(mean_cell("c", "f", mean_side(earnings)))
    assert e.suppressed and e.suppression_reason is SuppressionReason.DOMINANCE
    fine = one(mean_cell("c", "f", mean_side(np.linspace(10_000, 30_000, 40))))
    assert not fine.suppressed and fine.treated_value == 20_000.0


def test_p_percent_alone_hides_a_mean():
    policy = DisclosurePolicy(dominance_k=99.0)
    e = one(mean_cell("c", "f", mean_side([10_000.0, 5_000.0] + [30.0] * 10)), policy)
    assert e.suppression_reason is SuppressionReason.DOMINANCE


# -- secondary suppression in apply (a breakdown against its overall figure) -----------------------------------

def _regions(policy: DisclosurePolicy):
    sizes = [(4, 30), (30, 200), (50, 300), (60, 265)]
    cells = [proportion_cell("all", "f", proportion_side(sum(e for e, _ in sizes), sum(n for _, n in sizes)))]
    cells += [proportion_cell(f"r{i}", "f", proportion_side(e, n), breakdown="region", group=f"Region {i}",
                              part_of="all") for i, (e, n) in enumerate(sizes)]
    return cells, apply(cells, policy)


def test_breakdown_hides_a_second_group_when_one_is_small():
    _, out = _regions(POLICY)
    hidden = {e.id: e.suppression_reason for e in out if e.suppressed}
    assert hidden["r0"] is SuppressionReason.TOO_FEW_PEOPLE
    assert SuppressionReason.PROTECTS_ANOTHER_CELL in hidden.values()
    assert hidden.get("r1") is SuppressionReason.PROTECTS_ANOTHER_CELL  # the smallest complement
    assert not out[0].suppressed


def test_without_secondary_the_hidden_group_is_a_subtraction_away():
    cells, out = _regions(NO_SECONDARY)
    assert [e.id for e in out if e.suppressed] == ["r0"]
    shown = {e.id: e for e in out}
    recovered = shown["all"].treated_n - sum(shown[f"r{i}"].treated_n for i in (1, 2, 3))
    assert abs(recovered - cells[1].treated.n) <= 3  # only rounding stands between the attacker and the count
    report = check.check([finding()], out, NO_SECONDARY)
    assert check.SECONDARY in {r.rule for _, r in report.failures}


def _matched_rows(unmatched: int | None) -> list[Estimate]:
    """A comparison whose region rows were matched apart, one hidden, with ``unmatched`` published overall."""
    def row(rid: str, breakdown: str, group: str, n: int | None) -> Estimate:
        if n is None:
            return Estimate(id=rid, finding_id="f", breakdown=breakdown, group=group, suppressed=True,
                            suppression_reason=SuppressionReason.TOO_FEW_PEOPLE)
        return Estimate(id=rid, finding_id="f", breakdown=breakdown, group=group, treated_n=n, treated_events=n // 2,
                        treated_value=0.5, comparison_n=n, comparison_events=n // 2, comparison_value=0.5,
                        treated_unmatched=unmatched if breakdown == "overall" else None)
    return [row("all", "overall", "All", 400), row("r0", "region", "North", None),
            row("r1", "region", "South", 200), row("r2", "region", "East", 190)]


def test_rows_matched_apart_are_not_a_subtraction_away_when_many_went_unmatched():
    """The overall minus the other rows misses a hidden row by about the unmatched count: with at least the
    threshold unmatched the check passes; with fewer (or none published) it fails as for any split."""
    many = check.check([finding()], _matched_rows(unmatched=POLICY.threshold + 5), POLICY)
    assert check.SECONDARY not in {r.rule for _, r in many.failures}
    for few in (None, POLICY.threshold - 5):
        report = check.check([finding()], _matched_rows(unmatched=few), POLICY)
        assert check.SECONDARY in {r.rule for _, r in report.failures}, few


def test_several_breakdowns_of_one_overall_are_protected_separately():
    regions = [(4, 30), (30, 200), (50, 300), (60, 265)]
    sexes = [(70, 400), (74, 395)]
    cells = [proportion_cell("all", "f", proportion_side(144, 795))]
    cells += [proportion_cell(f"r{i}", "f", proportion_side(e, n), breakdown="region", group=f"Region {i}",
                              part_of="all") for i, (e, n) in enumerate(regions)]
    cells += [proportion_cell(f"s{i}", "f", proportion_side(e, n), breakdown="sex", group=f"Sex {i}",
                              part_of="all") for i, (e, n) in enumerate(sexes)]
    out = {e.id: e for e in apply(cells, POLICY)}
    assert out["r0"].suppressed and out["r1"].suppressed
    assert not any(out[k].suppressed for k in ("all", "s0", "s1", "r2", "r3"))


def test_separately_matched_comparisons_need_not_add_up():
    # each region's comparison group was matched on its own: together they exceed the overall one
    cells = [proportion_cell("all", "f", proportion_side(100, 400), proportion_side(100, 400))]
    cells += [proportion_cell(f"r{i}", "f", proportion_side(e, n), proportion_side(60, 250), breakdown="region",
                              group=f"R{i}", part_of="all") for i, (e, n) in enumerate([(3, 20), (47, 180), (50, 200)])]
    out = {e.id: e for e in apply(cells, POLICY)}
    assert out["r0"].suppressed and out["r1"].suppressed and not out["r2"].suppressed


def test_breakdown_that_covers_some_people_only_counts_the_rest_as_unknown():
    # 60 people are in no listed region, so hiding r0 alone leaves the attacker 64 possible counts
    cells = [count_cell("all", "f", count_side(400)), count_cell("r0", "f", count_side(4), part_of="all"),
             count_cell("r1", "f", count_side(336), part_of="all")]
    out = apply(cells, POLICY)
    assert [e.suppressed for e in out] == [False, True, False]


# -- property: apply's output always passes the published-figure audit and the output check ---------------------

side_counts = st.integers(0, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))
keys = st.integers(0, 2**32 - 1).map(lambda k: k / 2**32)


@st.composite
def raw_tables(draw):
    kind = draw(st.sampled_from(["proportion", "count", "mean"]))
    with_comparison = draw(st.booleans())
    parts = draw(st.lists(st.tuples(side_counts, side_counts, keys, keys, keys, keys), min_size=1, max_size=6))

    def side(counts, k1, k2, rng_seed):
        events, n = counts
        if kind == "proportion":
            return RawSide(n=n, events=events, value=events / n if n else None, key=k1, events_key=k2) if n else \
                RawSide(n=0, events=0, key=k1, events_key=k2)
        if kind == "count":
            return RawSide(n=n, value=float(n), key=k1)
        values = np.random.default_rng(rng_seed).gamma(2.0, 10_000, size=max(n, 2))[:n]
        magnitude = dominance.Magnitude.from_values(values)
        mean = float(values.mean()) if n else 0.0
        return RawSide(n=n, value=mean, low=mean - 1, high=mean + 1, sd=1.0, key=k1, magnitude=magnitude)

    cells = []
    total_t = [0, 0]
    total_c = [0, 0]
    for i, (t, c, k1, k2, k3, k4) in enumerate(parts):
        total_t = [total_t[0] + t[0], total_t[1] + t[1]]
        total_c = [total_c[0] + c[0], total_c[1] + c[1]]
        cells.append(RawCell(id=f"g{i}", finding_id="f", kind=kind, breakdown="group", group=f"G{i}",
                             treated=side(t, k1, k2, i), comparison=side(c, k3, k4, i + 100) if with_comparison
                             else None, difference=0.01, difference_low=-0.02, difference_high=0.04,
                             p_value=0.5, part_of="all"))
    overall_t = side((total_t[0], total_t[1]), 0.25, 0.5, 999)
    overall_c = side((total_c[0], total_c[1]), 0.75, 0.125, 998) if with_comparison else None
    if kind == "mean":  # the overall magnitude must cover the parts' people
        overall_t = RawSide(n=total_t[1], value=1.0, low=0.0, high=2.0, sd=1.0, key=0.25,
                            magnitude=dominance.Magnitude(1e9, (1.0, 1.0), total_t[1]))
        if with_comparison:
            overall_c = RawSide(n=total_c[1], value=1.0, low=0.0, high=2.0, sd=1.0, key=0.75,
                                magnitude=dominance.Magnitude(1e9, (1.0, 1.0), total_c[1]))
    cells.insert(0, RawCell(id="all", finding_id="f", kind=kind, treated=overall_t, comparison=overall_c))
    return cells


policies = st.builds(DisclosurePolicy, threshold=st.sampled_from([5, 10, 20]),
                     rounding_base=st.sampled_from([1, 3, 5, 10]), secondary_suppression=st.booleans(),
                     cell_key_perturbation=st.booleans())


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_tables(), policies)
def test_apply_output_always_passes_audit(cells, policy):
    out = apply(cells, policy)
    assert rules.audit(out, [], policy) == []
    assert [e.id for e in out] == [c.id for c in cells]
    for estimate, cell in zip(out, cells):
        if cell.treated.n < policy.threshold:
            assert estimate.suppressed
    report = check.check([finding()], out, policy)
    failing = {r.rule for _, r in report.failures}
    if policy.secondary_suppression:
        assert not (failing - {"policy.threshold", "policy.rounding", "policy.secondary"})


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2000), keys), max_size=8), policies)
def test_apply_attrition_always_passes_audit(steps, policy):
    raw = [RawAttritionStep(f"step {i}", c, k) for i, (c, k) in enumerate(steps)]
    f = ap.apply_finding(finding(), raw, policy)
    assert rules.finding_problems(f, policy) == []


# -- secondary suppression on two-way tables: the linear-programming attacker ----------------------------------

def lp_attack(table: np.ndarray, hidden_cells: np.ndarray, hidden_rows: np.ndarray, hidden_cols: np.ndarray,
              hidden_grand: bool, small: frozenset = frozenset(), threshold: int = 10
              ) -> dict[tuple, tuple[float, float]]:
    """What an attacker can learn: bounds on each hidden entry from every published cell and total.

    Written independently of secondary.py on purpose: it knows only the published table, and which hidden
    entries are labelled "fewer than 10 people" (``small``), so those are at most threshold - 1.
    """
    r, c = table.shape
    entries = [("cell", i, j) for i in range(r) for j in range(c) if hidden_cells[i, j]]
    entries += [("row", i) for i in range(r) if hidden_rows[i]] + [("col", j) for j in range(c) if hidden_cols[j]]
    entries += [("grand",)] if hidden_grand else []
    slot = {e: k for k, e in enumerate(entries)}
    row_tot, col_tot, grand = table.sum(axis=1), table.sum(axis=0), table.sum()

    def term(entry, value):
        return (slot[entry], None) if entry in slot else (None, value)

    equations = []
    for i in range(r):
        equations.append([term(("cell", i, j), table[i, j]) for j in range(c)] + [(*term(("row", i), row_tot[i]), -1)])
    for j in range(c):
        equations.append([term(("cell", i, j), table[i, j]) for i in range(r)] + [(*term(("col", j), col_tot[j]), -1)])
    equations.append([term(("row", i), row_tot[i]) for i in range(r)] + [(*term(("grand",), grand), -1)])
    equations.append([term(("col", j), col_tot[j]) for j in range(c)] + [(*term(("grand",), grand), -1)])
    a_eq, b_eq = [], []
    for eq in equations:
        row, b = np.zeros(len(entries)), 0.0
        for item in eq:
            k, value, sign = (item + (1,))[:3]
            if k is None:
                b -= sign * value
            else:
                row[k] += sign
        if row.any():
            a_eq.append(row)
            b_eq.append(b)
    bounds = {}
    for entry, k in slot.items():
        objective = np.zeros(len(entries))
        objective[k] = 1
        limits = [(0, threshold - 1 if e in small else None) for e in entries]
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=limits, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=limits, method="highs")
        assert low.status == 0
        bounds[entry] = (low.fun, math.inf if high.status == 3 else -high.fun)
    return bounds


def random_table(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(3, 7)), int(rng.integers(3, 6)))
    table = rng.integers(10, 80, size=shape)
    small = rng.random(shape) < 0.2
    table[small] = rng.integers(0, 10, size=int(small.sum()))
    if not small.any():
        table[0, 0] = 3
    return table


def labelled_small(result) -> frozenset:
    """The hidden entries whose reason says "fewer than 10 people", in lp_attack's naming."""
    cells, rows, cols, grand = result.primary
    out = {("cell", i, j) for i, j in zip(*np.nonzero(cells))}
    out |= {("row", i) for i in np.flatnonzero(rows)} | {("col", j) for j in np.flatnonzero(cols)}
    return frozenset(out | ({("grand",)} if grand else set()))


def pinned_small(table, result, policy) -> list:
    bounds = lp_attack(table, *result.hidden, small=labelled_small(result), threshold=policy.threshold)
    return [(entry, lo, hi) for entry, (lo, hi) in bounds.items() if hi - lo < 1e-6 and hi < policy.threshold]


@pytest.mark.parametrize("seed", range(25))
def test_lp_attacker_cannot_pin_any_hidden_cell(seed):
    table = random_table(seed)
    result = secondary.suppress_table(table, POLICY)
    assert not pinned_small(table, result, POLICY)
    assert not result.protection.unprotected
    # and each small cell is known no better than a rounded published count would be
    cells, rows, cols, grand = result.hidden
    primary_cells = result.primary[0]
    for (kind, *where), (lo, hi) in lp_attack(table, cells, rows, cols, grand, labelled_small(result)).items():
        if kind == "cell" and primary_cells[tuple(where)]:
            assert hi - lo >= secondary.default_protection(POLICY) - 1e-6


@pytest.mark.parametrize("seed", range(25))
def test_same_attack_recovers_cells_when_secondary_is_off(seed):
    table = random_table(seed)
    table[0] = [3] + [40] * (table.shape[1] - 1)  # a lone small cell in a row: a subtraction away
    result = secondary.suppress_table(table, NO_SECONDARY)
    leaks = pinned_small(table, result, NO_SECONDARY)
    assert (("cell", 0, 0), 3.0, 3.0) in [(e, round(lo), round(hi)) for e, lo, hi in leaks]


@pytest.mark.slow
def test_every_affected_line_hides_at_least_two():
    for seed in range(25):
        result = secondary.suppress_table(random_table(seed), POLICY)
        hidden = result.protection.hidden
        for line in result.lines:
            count = sum(m in hidden for m in line.members)
            assert count != 1


def test_secondary_is_a_fixed_point():
    table = random_table(3)
    result = secondary.suppress_table(table, POLICY)
    again = secondary.protect(result.values, result.lines, result.protection.hidden,
                              required=secondary.default_protection(POLICY))
    assert not again.secondary


def test_complement_is_the_smallest_count():
    table = np.array([[3, 50, 12, 70], [40, 60, 45, 80], [30, 20, 55, 65]])
    result = secondary.suppress_table(table, POLICY)
    cells = result.hidden[0]
    assert cells[0, 0] and cells[0, 2] and not cells[0, 1] and not cells[0, 3]


def test_two_zeros_in_a_row_get_more_protection():
    # hiding just the two zeros would pin both at zero (their row total is published); more must go
    table = np.array([[0, 0, 40, 50], [30, 45, 60, 70], [25, 35, 55, 65]])
    result = secondary.suppress_table(table, POLICY)
    assert not pinned_small(table, result, POLICY)
    assert result.hidden[0].sum() > 2


# -- cell key perturbation ------------------------------------------------------------------------------------

def test_cell_key_is_exact_and_order_free():
    keys = cellkey.random_record_keys(5000, seed=1)
    assert cellkey.cell_key(keys) == cellkey.cell_key(keys[::-1]) == cellkey.cell_key(np.random.default_rng(0)
                                                                                      .permutation(keys))
    assert 0 <= cellkey.cell_key(keys) < 1
    assert cellkey.cell_key([0.75, 0.5]) == 0.25


def test_record_keys_are_fixed_per_person():
    a = cellkey.record_keys(["p1", "p2", "p3"], "a secret of enough length")
    b = cellkey.record_keys(["p3", "p1"], "a secret of enough length")
    assert a[0] == b[1] and a[2] == b[0]
    assert not np.array_equal(a, cellkey.record_keys(["p1", "p2", "p3"], "another secret, just as long"))
    with pytest.raises(ValueError):
        cellkey.record_keys(["p1"], "short")


def test_default_ptable_is_sound():
    table = cellkey.default_ptable(10)
    assert table.problems() == []
    for count in range(0, 60):
        row = table.row(count)
        assert abs(sum(a * p for a, p in row)) < 1e-12 or count < 10  # unbiased from the threshold up
        for key in np.linspace(0, 1, 97, endpoint=False):
            out = table.perturb(count, key)
            assert out == 0 or out >= 10
            assert abs(out - count) <= 2 or count < 10
    assert table.perturb(0, 0.9) == 0
    assert len(table.lines()) == len(table.rows) + 1


def test_ptable_problems_are_found():
    bad = cellkey.PTable(10, (((0, 1.0),), ((0, 0.5), (1, 0.4))))
    assert any("add up" in p for p in bad.problems())
    bad = cellkey.PTable(10, (((0, 1.0),), ((-3, 1.0),)))
    assert any("under the threshold" in p for p in bad.problems())


def test_ptable_gives_each_adjustment_its_chance():
    table = cellkey.default_ptable(10)
    keys = cellkey.random_record_keys(40_000, seed=2)
    adjustments = np.array([table.adjustment(50, k) for k in keys])
    for adjust, chance in table.row(50):
        assert abs((adjustments == adjust).mean() - chance) < 0.01


def test_same_people_same_adjustment_in_every_table():
    keys = cellkey.random_record_keys(300, seed=3)
    people = np.arange(120, 180)
    e1 = one(count_cell("a", "f", count_side(len(people), cellkey.cell_key(keys[people]))), CKM)
    e2 = one(count_cell("b", "g", count_side(len(people), cellkey.cell_key(keys[people[::-1]]))), CKM)
    assert e1.treated_n == e2.treated_n


def test_perturbed_rates_keep_the_rate_rule():
    keys = cellkey.random_record_keys(100, seed=4)
    outcome = np.zeros(100, bool)
    outcome[:88] = True
    e = one(proportion_cell("c", "f", people_side(outcome, keys)), CKM)
    assert e.suppressed or (e.treated_events >= 10 and e.treated_n - e.treated_events >= 10)
    assert rules.estimate_problems(e, CKM) == []


def differencing_trials(perturb: bool, trials: int = 400, seed: int = 5) -> tuple[int, int]:
    """Attacker compares a cell with the same cell plus one person, to learn that person's outcome.

    Returns (trials in which the attacker is certain, trials in which that certainty is right).
    """
    rng = np.random.default_rng(seed)
    table = cellkey.default_ptable(10)
    row_support = {c: {a for a, p in table.row(c) if p > 0} for c in range(0, 200)}
    certain = right = 0
    for _ in range(trials):
        keys = cellkey.random_record_keys(400, seed=int(rng.integers(1 << 30)))
        outcome = rng.random(400) < 0.3
        size = int(rng.integers(40, 300))
        base, target = np.arange(size), size  # table B is table A plus the target person
        a_true = int(outcome[base].sum())
        b_true = a_true + int(outcome[target])
        if perturb:
            a_pub = table.perturb(a_true, cellkey.cell_key(keys[base][outcome[base]]))
            with_target = np.append(base, target)
            b_pub = table.perturb(b_true, cellkey.cell_key(keys[with_target][outcome[with_target]]))
        else:
            a_pub, b_pub = a_true, b_true
        # every (true A, target's outcome) the attacker cannot rule out, given the published ptable
        possible = set()
        for a in range(max(0, a_pub - 2), a_pub + 3):
            if perturb and a_pub - a not in row_support[a]:
                continue
            if not perturb and a != a_pub:
                continue
            for y in (0, 1):
                if (perturb and b_pub - (a + y) in row_support[a + y]) or (not perturb and b_pub == a + y):
                    possible.add(y)
        if len(possible) == 1:
            certain += 1
            right += possible == {int(outcome[target])}
    return certain, right


def test_differencing_recovers_a_person_without_perturbation():
    certain, right = differencing_trials(perturb=False)
    assert certain == right == 400


def test_differencing_recovers_almost_nothing_with_cell_key_perturbation():
    certain, right = differencing_trials(perturb=True)
    assert certain <= 400 * 0.02  # only the rare +-4 extremes of the ptable give anything away


# -- the output-checking report --------------------------------------------------------------------------------

def test_report_passes_apply_output_and_renders():
    cells, out = _regions(POLICY)
    out += apply([mean_cell("m", "f", mean_side(np.linspace(10_000, 30_000, 40)))], POLICY)
    f = ap.apply_finding(finding(), [RawAttritionStep("cohort", 1003)], POLICY)
    report = check.check([f], out, POLICY)
    assert report.passed
    outcomes = {r.rule: r.outcome for r in report.tables[0].rules}
    assert outcomes[check.SECONDARY] is check.Outcome.PASS
    assert outcomes[check.DOMINANCE] is check.Outcome.NOT_CHECKED
    lines = check.render(report)
    assert lines[-1] == "Result: PASS" and any("PASS" in line for line in lines)


@pytest.mark.parametrize(("estimate", "rule"), [
    (Estimate(id="x", finding_id="f", kind="mean", treated_n=5, treated_value=1.0), rules.THRESHOLD),
    (Estimate(id="x", finding_id="f", kind="mean", treated_n=12, treated_value=1.0), rules.ROUNDING),
    (Estimate(id="x", finding_id="f", treated_n=100, treated_events=95, treated_value=0.95), rules.RATES),
    (Estimate(id="x", finding_id="f", suppressed=True, treated_n=100), rules.BLANKING),
    (Estimate(id="x", finding_id="f", suppressed=True), rules.BLANKING),
])
def test_report_fails_each_rule(estimate, rule):
    report = check.check([finding()], [estimate], POLICY)
    assert not report.passed
    assert rule in {r.rule for _, r in report.failures}
    assert check.render(report)[-1] == "Result: FAIL"


def test_report_does_not_treat_repeated_measures_as_a_split():
    # each month describes the whole group again: one hidden month is not a subtraction away
    overall = Estimate(id="o", finding_id="f", treated_n=100, treated_events=40, treated_value=0.4)
    months = [Estimate(id=f"m{i}", finding_id="f", breakdown="month", group=f"Month {i}", treated_n=100,
                       treated_events=30, treated_value=0.3) for i in range(3)]
    months.append(Estimate(id="m9", finding_id="f", breakdown="month", group="Month 9", suppressed=True,
                           suppression_reason=SuppressionReason.TOO_FEW_PEOPLE))
    assert check.check([finding()], [overall, *months], POLICY).passed
    regions = [Estimate(id=f"r{i}", finding_id="f", breakdown="region", group=f"R{i}", treated_n=45,
                        treated_events=20, treated_value=0.4) for i in range(2)]
    regions.append(Estimate(id="r9", finding_id="f", breakdown="region", group="R9", suppressed=True,
                            suppression_reason=SuppressionReason.TOO_FEW_PEOPLE))
    report = check.check([finding()], [overall, *regions], POLICY)
    assert check.SECONDARY in {r.rule for _, r in report.failures}
    assert check.check([finding()], [overall, *regions], POLICY, not_parts={"region"}).passed


def test_report_checks_dominance_when_given_values():
    values = [1_000_000.0] + [5_000.0] * 11
    published = Estimate(id="m", finding_id="f", kind="mean", treated_n=10, treated_value=1.0)
    report = check.check([finding()], [published], POLICY,
                         magnitudes={"m": dominance.Magnitude.from_values(values)})
    assert check.DOMINANCE in {r.rule for _, r in report.failures}


def test_report_flags_a_weak_policy():
    report = check.check([], [], DisclosurePolicy(threshold=5, rounding_base=1, secondary_suppression=False))
    assert {r.rule for _, r in report.failures} == {"policy.threshold", "policy.rounding", "policy.secondary"}


def test_check_bundle_reads_the_stored_figures():
    from linkage_core.bundle.reader import Bundle
    from linkage_core.bundle.writer import to_sqlite_bytes

    good = apply([count_cell("ok", "f", count_side(40))], POLICY)
    bad = Estimate(id="bad", finding_id="f", kind="count", treated_n=7, treated_value=7.0)
    manifest = Manifest(title="t", publisher="p", period=Period(start="2024-01-01", end="2024-12-31"),
                        datasets_linked=["a"], policy=POLICY, software_version="0", created=datetime(2025, 1, 1))
    content = BundleContent(manifest=manifest, packs=[], findings=[finding()], estimates=good + [bad])
    bundle = Bundle(Path("x"), SimpleNamespace(header={}), None, bytearray(to_sqlite_bytes(content)))
    report = check.check_bundle(bundle)
    assert not report.passed and report.tables[0].cells == 2
    assert bundle.estimates("f")[1].suppression_reason is SuppressionReason.BLOCKED_AT_READ
    # the check reads the figure as stored, not as the reader shows it (blanked)
    _, stored = bundle.stored_figures()
    assert [e.treated_n for e in stored if e.id == "bad"] == [7]


# -- house rules ---------------------------------------------------------------------------------------------

SOURCES = [Path(p) for p in Path(__file__).parents[2].joinpath("linkage_core").rglob("*.py")]


def test_no_textual_import_under_linkage_core():
    for path in SOURCES:
        assert not re.search(r"^\s*(from|import)\s+textual\b", path.read_text(), re.M), path


def test_person_first_language():
    words = re.compile(r"\b(offenders?|ex-offenders?|criminals?|convicts?)\b", re.I)
    for path in SOURCES + [Path(ap.__file__).parent / "check.py"]:
        assert not words.search(path.read_text()), path


def test_a_not_available_cell_alone_in_a_breakdown_is_not_a_leak() -> None:
    """'[x] not available' hides no one, so it needs no complementary suppression (children over 18)."""
    from linkage_core.disclosure.check import check
    from linkage_core.schema import DisclosurePolicy, Estimate, Finding, SuppressionReason

    policy = DisclosurePolicy()
    finding = Finding(id="f", pack_id="p", title="t", headline="h", measure="m", treated_label="t",
                      can_say=[], cannot_say=[], method="m")
    cells = [Estimate(id="a", finding_id="f", treated_n=100, treated_events=40, treated_value=0.4),
             Estimate(id="b", finding_id="f", breakdown="age", group="Under 18", treated_n=100, treated_events=40,
                      treated_value=0.4),
             Estimate(id="c", finding_id="f", breakdown="age", group="Over 18", suppressed=True,
                      suppression_reason=SuppressionReason.NOT_AVAILABLE)]
    assert check([finding], cells, policy).passed
    under = cells[1].model_copy(update={"treated_n": 60, "treated_events": 25, "treated_value": 25 / 60})
    leaky = [cells[0], under, cells[2].model_copy(update={"suppression_reason": SuppressionReason.TOO_FEW_PEOPLE}),
             Estimate(id="d", finding_id="f", breakdown="age", group="Other", treated_n=35, treated_events=15,
                      treated_value=15 / 35)]
    assert not check([finding], leaky, policy).passed


# -- issue 13: one cell type, forced rows, dominance on means, impossible figures ------------------------------

def test_a_pack_mean_carries_its_values_so_dominance_really_runs() -> None:
    from insight_packs.compute import mean_side as pack_mean

    side = pack_mean(np.array([5000.0, 4000.0] + [1.0] * 20), None)
    assert side.magnitude is not None and side.magnitude.contributors == 22
    e = one(mean_cell("c", "f", side))
    assert e.suppressed and e.suppression_reason is SuppressionReason.DOMINANCE


def test_rows_the_justice_data_lab_would_not_report_are_shown_as_x_with_their_reason() -> None:
    from dataclasses import replace

    cell = proportion_cell("c", "f", proportion_side(30, 100), proportion_side(40, 100))
    for reason in (SuppressionReason.TOO_FEW_TO_COMPARE, SuppressionReason.NOT_BALANCED):
        e = one(replace(cell, forced=reason, note="Not compared: why."))
        assert e.suppressed and e.symbol == "[x]" and e.note == "Not compared: why." and e.treated_n is None


def test_an_impossible_figure_cannot_be_made_and_names_itself() -> None:
    with pytest.raises(ValueError, match="treated_value"):
        Estimate(id="x:0", finding_id="x", kind="mean", unit="days", range_high=365.0, treated_n=100,
                 treated_value=400.0)
    with pytest.raises(ValueError, match="treated_events"):
        Estimate(id="x:1", finding_id="x", treated_n=20, treated_events=25, treated_value=0.5, unit="share")
    with pytest.raises(ValueError, match="treated_value"):
        Estimate(id="x:2", finding_id="x", treated_n=20, treated_events=10, treated_value=1.5, unit="share")
    fine = Estimate(id="x:3", finding_id="x", kind="mean", unit="days", range_high=365.0, treated_n=100,
                    treated_value=120.0, treated_low=110.0, treated_high=130.0)
    assert fine.unit == "days"


def test_rates_from_rounded_counts_get_wider_intervals_under_the_cell_key_method() -> None:
    cells = [proportion_cell("c", "f", people_side(np.arange(200) % 3 == 0, np.linspace(0, 0.99, 200)),
                             people_side(np.arange(200) % 4 == 0, np.linspace(0.001, 0.995, 200)))]
    e = apply(cells, CKM)[0]
    plain = __import__("linkage_core.stats", fromlist=["x"]).newcombe_difference(
        e.treated_events, e.treated_n, e.comparison_events, e.comparison_n)
    assert e.difference_high - e.difference_low > plain.high - plain.low
    assert "rounding" in e.method
