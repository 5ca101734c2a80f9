"""Each estimator against a published worked example or an established library's value."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
    samplesize_proportions_2indep_onetail,
)
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from linkage_core import stats

# Newcombe (1998) "Interval estimation for the difference between independent proportions", Stat Med 17:873,
# Table II, method 10 (hybrid score), examples (a)-(h): (events1, n1, events2, n2) -> (low, high).
NEWCOMBE_1998 = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]

# Newcombe (1998) "Two-sided confidence intervals for the single proportion", Stat Med 17:857, Table I,
# method 3 (Wilson score, no continuity correction).
WILSON_1998 = [
    ((81, 263), (0.2553, 0.3662)),
    ((15, 148), (0.0624, 0.1605)),
    ((0, 20), (0.0000, 0.1611)),
    ((1, 29), (0.0061, 0.1718)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_1998)
def test_newcombe_matches_published_examples(counts, expected):
    interval = stats.newcombe_difference(*counts)
    assert (round(interval.low, 4), round(interval.high, 4)) == pytest.approx(expected, abs=1e-4)
    assert "Newcombe" in interval.method and "method 10" in interval.method


@pytest.mark.parametrize(("counts", "expected"), WILSON_1998)
def test_wilson_matches_published_examples(counts, expected):
    interval = stats.wilson(*counts)
    assert (round(interval.low, 4), round(interval.high, 4)) == pytest.approx(expected, abs=1e-4)
    assert interval.method == "Wilson score interval"


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_matches_statsmodels(counts):
    events, n = counts
    low, high = proportion_confint(events, n, alpha=0.05, method="wilson")
    interval = stats.wilson(events, n)
    assert interval.low == pytest.approx(low, abs=1e-9)
    assert interval.high == pytest.approx(high, abs=1e-9)
    assert interval.low <= interval.estimate <= interval.high


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 3000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.integers(1, 3000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_newcombe_matches_statsmodels(first, second):
    (e1, n1), (e2, n2) = first, second
    low, high = confint_proportions_2indep(e1, n1, e2, n2, method="newcomb", compare="diff")
    interval = stats.newcombe_difference(e1, n1, e2, n2)
    assert interval.low == pytest.approx(max(-1.0, low), abs=1e-9)
    assert interval.high == pytest.approx(min(1.0, high), abs=1e-9)


def test_other_confidence_levels_follow_statsmodels():
    low, high = proportion_confint(30, 90, alpha=0.1, method="wilson")
    interval = stats.wilson(30, 90, confidence=0.9)
    assert (interval.low, interval.high) == pytest.approx((low, high))


def test_paired_without_correlation_is_the_square_and_add_of_two_wilson_intervals():
    # a*d - b*c = 14*22 - 5*0 = 308 > n/2, so phi > 0; with a*d = b*c the phi term vanishes.
    independent_like = stats.newcombe_paired_difference(4, 6, 2, 3)  # 4*3 - 6*2 = 0 -> phi = 0
    n = 15
    p1, p2 = 10 / n, 6 / n
    w1, w2 = stats.wilson(10, n), stats.wilson(6, n)
    assert independent_like.low == pytest.approx(p1 - p2 - math.hypot(p1 - w1.low, w2.high - p2))
    assert independent_like.high == pytest.approx(p1 - p2 + math.hypot(w1.high - p1, p2 - w2.low))


def test_paired_interval_narrows_when_pairs_agree():
    agreeing = stats.newcombe_paired_difference(40, 10, 2, 48)
    unmatched = stats.newcombe_difference(50, 100, 42, 100)
    assert agreeing.estimate == pytest.approx(unmatched.estimate)
    assert agreeing.high - agreeing.low < unmatched.high - unmatched.low
    assert agreeing.low <= agreeing.estimate <= agreeing.high
    assert "paired" in agreeing.method


def test_mean_interval_matches_statsmodels():
    rng = np.random.default_rng(1)
    values = rng.normal(20000, 6000, size=57)
    low, high = DescrStatsW(values).tconfint_mean(alpha=0.05)
    interval = stats.mean_interval(values)
    assert (interval.low, interval.high) == pytest.approx((low, high))
    assert interval.estimate == pytest.approx(values.mean())


def test_welch_matches_statsmodels_and_scipy():
    rng = np.random.default_rng(2)
    treated, comparison = rng.normal(10, 2, size=40), rng.normal(9, 5, size=95)
    low, high = CompareMeans(DescrStatsW(treated), DescrStatsW(comparison)).tconfint_diff(usevar="unequal")
    interval = stats.welch_difference(treated, comparison)
    assert (interval.low, interval.high) == pytest.approx((low, high))
    result = sps.ttest_ind(treated, comparison, equal_var=False)
    p = stats.welch_p_value(treated, comparison)
    assert p.value == pytest.approx(result.pvalue)
    assert p.statistic == pytest.approx(result.statistic)


def test_z_test_matches_statsmodels_for_large_counts():
    z, p = proportions_ztest([145, 185], [805, 805])
    result = stats.two_proportion_p_value(145, 805, 185, 805)
    assert result.value == pytest.approx(p)
    assert result.statistic == pytest.approx(z)
    assert "z-test" in result.method


def test_fisher_for_small_counts():
    result = stats.two_proportion_p_value(1, 12, 6, 11)
    assert result.method == "Fisher's exact test"
    assert result.value == pytest.approx(sps.fisher_exact([[1, 11], [6, 5]]).pvalue)


def test_smd_binary_and_continuous():
    # Austin (2009): binary SMD = (p1 - p2) / sqrt((p1 q1 + p2 q2) / 2).
    binary = stats.smd_binary(0.4, 0.3)
    assert binary.value == pytest.approx(0.1 / math.sqrt((0.24 + 0.21) / 2))
    assert not binary.balanced
    assert stats.smd([1, 0, 1, 1], [1, 0, 0, 1]).value == pytest.approx(stats.smd_binary(0.75, 0.5).value)
    rng = np.random.default_rng(3)
    t, c = rng.normal(35, 8, 200), rng.normal(34, 10, 300)
    expected = (t.mean() - c.mean()) / math.sqrt((t.var(ddof=1) + c.var(ddof=1)) / 2)
    result = stats.smd(t, c)
    assert result.value == pytest.approx(expected)
    assert "continuous" in result.method


def test_sample_size_for_proportions_matches_statsmodels():
    # 23% vs 18% (the size of the Justice Data Lab's typical reduction)
    expected = samplesize_proportions_2indep_onetail(diff=0.05, prop2=0.18, power=0.8, alpha=0.05,
                                                     alternative="two-sided")
    result = stats.sample_size_proportions(0.23, 0.18)
    assert result.n_per_group == math.ceil(expected)
    assert result.power == 0.8 and result.alpha == 0.05


def test_sample_size_for_means_matches_statsmodels():
    expected = NormalIndPower().solve_power(effect_size=0.5, alpha=0.05, power=0.8, ratio=1)
    assert stats.sample_size_means(0.5, 1.0).n_per_group == math.ceil(expected) == 63


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        stats.wilson(5, 0)
    with pytest.raises(ValueError):
        stats.wilson(6, 5)
    with pytest.raises(ValueError):
        stats.mean_interval([1.0])
    with pytest.raises(ValueError):
        stats.sample_size_proportions(0.2, 0.2)


# -- issue 13: chance, rounding, matching, timing -------------------------------------------------------------

def test_benjamini_hochberg_matches_the_textbook_example() -> None:
    from linkage_core.stats import benjamini_hochberg

    p = [0.01, 0.04, 0.03, 0.005, 0.5]
    q = benjamini_hochberg(p)
    # sorted p: 0.005, 0.01, 0.03, 0.04, 0.5 -> 0.025, 0.025, 0.05, 0.05, 0.5 (monotone from the top)
    assert q == pytest.approx([0.025, 0.05, 0.05, 0.025, 0.5])
    assert benjamini_hochberg([]) == []


def test_rounding_variance_of_random_rounding_to_five_is_four() -> None:
    from linkage_core.disclosure.apply import rounding_variance
    from linkage_core.disclosure.cellkey import random_rounding_ptable

    assert rounding_variance(random_rounding_ptable(5, 10)) == pytest.approx(4.0)


def test_intervals_from_rounded_counts_cover_as_promised() -> None:
    """Published counts rounded up or down at random: the widened interval keeps its 95% coverage."""
    import numpy as np

    from linkage_core.disclosure.cellkey import random_rounding_ptable

    rng = np.random.default_rng(3)
    table = random_rounding_ptable(5, 10)
    hits_plain = hits_wide = trials = 0
    for _ in range(4000):
        n1, n2 = rng.integers(60, 66, 2)  # group sizes are rounded too
        e1, e2 = rng.binomial(n1, 0.3), rng.binomial(n2, 0.3)
        shown = [table.perturb(int(v), float(rng.random())) for v in (e1, n1, e2, n2)]
        if min(shown[0], shown[2]) == 0:
            continue
        trials += 1
        plain = stats.newcombe_difference(shown[0], shown[1], shown[2], shown[3])
        wide = stats.newcombe_difference(shown[0], shown[1], shown[2], shown[3], rounding_var=4.0)
        hits_plain += plain.low <= 0 <= plain.high
        hits_wide += wide.low <= 0 <= wide.high
    assert trials > 3000
    assert hits_wide / trials >= 0.945  # widened intervals keep their promise
    assert hits_wide > hits_plain


def _people(n: int, seed: int):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "record_key": [f"{k:08x}" for k in rng.integers(0, 16**8, n)],
        "age_at_release": rng.integers(18, 70, n), "sentence_months": rng.integers(1, 80, n),
        "prior_offences": rng.poisson(4, n), "sex": rng.choice(["F", "M"], n, p=[0.2, 0.8]),
        "region": rng.choice(["North", "South"], n),
    })
    frame["sentence_length"] = np.where(frame.sentence_months < 12, "Under 12 months", "12 months or more")
    frame["treated"] = rng.random(n) < 1 / (1 + np.exp(-(frame.prior_offences - 4) / 2 - (frame.sex == "F")))
    return frame


def test_every_row_is_matched_inside_its_own_group() -> None:
    from insight_packs.matching import Matcher

    frame = _people(3000, 1)
    treated = frame.treated.to_numpy()
    m = Matcher(frame, treated, ~treated, numeric=("age_at_release", "prior_offences"), categorical=("sex",),
                exact=("sentence_length",), balance_on=("region", "sentence_months"))
    for group in ("North", "South"):
        result = m.match(within=(frame.region == group).to_numpy())
        assert result.matched > 100
        assert (frame.region.to_numpy()[result.comparison_index] == group).all()
        assert (frame.region.to_numpy()[result.treated_index] == group).all()
        bands = frame.sentence_length.to_numpy()
        assert (bands[result.treated_index] == bands[result.comparison_index]).all()
        assert {b.covariate for b in result.balance} >= {"region: North", "sentence under 12 months"}


def test_matching_does_not_depend_on_the_order_rows_arrive_in() -> None:
    from insight_packs.matching import Matcher

    frame = _people(2000, 2)
    shuffled = frame.sample(frac=1.0, random_state=5).reset_index(drop=True)

    def pairs(f):
        t = f.treated.to_numpy()
        r = Matcher(f, t, ~t, numeric=("age_at_release", "prior_offences"), categorical=("sex",)).match()
        keys = f.record_key.to_numpy()
        return sorted(zip(keys[r.treated_index], keys[r.comparison_index]))

    assert pairs(frame) == pairs(shuffled)


def test_landmark_design_removes_the_immortal_time_bias() -> None:
    """Service dates that depend on reoffending: the old design credits the service; the landmark does not."""
    import numpy as np
    import pandas as pd

    from insight_packs.leaving_prison import _at_landmark

    rng = np.random.default_rng(7)
    n = 20000
    reoffence = np.where(rng.random(n) < 0.45, np.ceil(rng.exponential(150, n)), np.nan)  # no service has an effect
    service = rng.integers(0, 60, n).astype(float)
    service[(reoffence < service)] = np.nan  # nobody reaches a service after reoffending (back in custody)
    frame = pd.DataFrame({"days_to_reoffence": reoffence, "days_to_service": service})
    reached = ((frame.days_to_service >= 0) & (frame.days_to_service <= 28)).to_numpy()
    old = (reoffence <= 365)
    naive_gap = old[reached].mean() - old[~reached].mean()
    keep = _at_landmark(frame)
    y = frame.reoffended_after_landmark.to_numpy()
    landmark_gap = y[keep & reached].mean() - y[keep & ~reached].mean()
    assert naive_gap < -0.03  # immortal time: the service looks protective
    assert abs(landmark_gap) < 0.02
