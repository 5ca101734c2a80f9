"""The estimators behind every published figure, each returning a small record that names its method.

Why these methods: findings compare a group of people who had a service with a matched comparison group,
often with modest numbers and rates near 0 or 1 in breakdowns. Wald intervals misbehave there (they can
cross 0 or 1 and have poor coverage), so proportions use Wilson score intervals and differences use
Newcombe's hybrid score interval (method 10 of Newcombe 1998), as the Justice Data Lab and most
clinical statistics guidance recommend. Means use t intervals and Welch's unequal-variance difference,
because treated and comparison groups rarely share a variance.

Every function takes true (unrounded) counts in the secure stage; disclosure control happens afterwards in
``linkage_core.disclosure.apply``. The method string travels into ``Estimate.method`` so readers know
exactly how a figure was made.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from scipy import stats as _sps

#: Balance is usually judged "good enough" when every |SMD| is under this after matching (Austin 2009).
SMD_BALANCE_LIMIT = 0.1


@dataclass(frozen=True)
class Interval:
    """A point estimate with a two-sided interval; ``method`` says how both were made."""

    estimate: float
    low: float
    high: float
    method: str
    confidence: float = 0.95

    def excludes(self, value: float = 0.0) -> bool:
        return not (self.low <= value <= self.high)


@dataclass(frozen=True)
class PValue:
    """A two-sided p-value, with the test that produced it (the choice depends on the counts)."""

    value: float
    method: str
    statistic: float | None = None


@dataclass(frozen=True)
class Smd:
    """A standardised mean difference: the gap between groups in units of their average spread."""

    value: float
    method: str

    @property
    def balanced(self) -> bool:
        return abs(self.value) < SMD_BALANCE_LIMIT


@dataclass(frozen=True)
class SampleSize:
    """People needed in each group; rounded up, because a fraction of a person cannot be recruited."""

    n_per_group: int
    method: str
    power: float = 0.8
    alpha: float = 0.05


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def _check_counts(events: int, n: int) -> None:
    if n <= 0:
        raise ValueError("a proportion needs at least one person")
    if not 0 <= events <= n:
        raise ValueError(f"events ({events}) must be between 0 and n ({n})")


def _wilson_bounds(events: int, n: int, z: float) -> tuple[float, float]:
    p = events / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # The closed form is exact at 0 and n; clamp only the float noise.
    low = 0.0 if events == 0 else max(0.0, centre - half)
    high = 1.0 if events == n else min(1.0, centre + half)
    return low, high


def wilson(events: int, n: int, confidence: float = 0.95) -> Interval:
    """Wilson score interval (no continuity correction) for ``events`` out of ``n``."""
    _check_counts(events, n)
    low, high = _wilson_bounds(events, n, _z(confidence))
    return Interval(events / n, low, high, "Wilson score interval", confidence)


def _rounding_term(events: int, n: int, rounding_var: float) -> float:
    """Variance the cell key's rounding adds to a published rate events/n.

    Both counts move by independent zero-mean adjustments of variance ``rounding_var`` (the ptable's, averaged
    over the true counts a reader cannot see), so by the delta method the rate moves with variance
    v (1 + p^2) / n^2.
    """
    if rounding_var <= 0 or n <= 0:
        return 0.0
    p = events / n
    return rounding_var * (1 + p * p) / (n * n)


def _widened_bounds(events: int, n: int, z: float, rounding_var: float) -> tuple[float, float]:
    """Wilson bounds with each half-width widened by the rounding noise (added in quadrature)."""
    low, high = _wilson_bounds(events, n, z)
    extra = z * z * _rounding_term(events, n, rounding_var)
    if extra == 0:
        return low, high
    p = events / n
    low = p - math.sqrt((p - low) ** 2 + extra)
    high = p + math.sqrt((high - p) ** 2 + extra)
    return max(0.0, low), min(1.0, high)


def wilson_rounded(events: int, n: int, rounding_var: float, confidence: float = 0.95) -> Interval:
    """A Wilson interval for a rate from published, randomly rounded counts, allowing for the rounding."""
    _check_counts(events, n)
    low, high = _widened_bounds(events, n, _z(confidence), rounding_var)
    method = "Wilson score interval" + (", widened for rounding" if rounding_var > 0 else "")
    return Interval(events / n, low, high, method, confidence)


def newcombe_difference(events1: int, n1: int, events2: int, n2: int, confidence: float = 0.95, *,
                        rounding_var: float = 0.0) -> Interval:
    """Newcombe's hybrid score interval (1998, method 10) for p1 - p2 from independent groups."""
    _check_counts(events1, n1)
    _check_counts(events2, n2)
    z = _z(confidence)
    p1, p2 = events1 / n1, events2 / n2
    l1, u1 = _widened_bounds(events1, n1, z, rounding_var)
    l2, u2 = _widened_bounds(events2, n2, z, rounding_var)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    method = "Newcombe hybrid score interval (method 10)" + (
        ", each rate's interval widened for rounding" if rounding_var > 0 else "")
    return Interval(d, max(-1.0, low), min(1.0, high), method, confidence)


def newcombe_paired_difference(both: int, first_only: int, second_only: int, neither: int,
                               confidence: float = 0.95) -> Interval:
    """Newcombe's interval (1998b, method 10) for p1 - p2 when each person is counted twice (matched pairs).

    The four counts are the paired 2x2 table: yes/yes, yes/no, no/yes, no/no. The correlation term uses
    Newcombe's corrected phi, which is zero unless the pairs agree more than chance by over n/2.
    """
    a, b, c, d = both, first_only, second_only, neither
    if min(a, b, c, d) < 0:
        raise ValueError("paired counts cannot be negative")
    n = a + b + c + d
    _check_counts(a + b, n)
    z = _z(confidence)
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = _wilson_bounds(a + b, n, z)
    l2, u2 = _wilson_bounds(a + c, n, z)
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    phi = 0.0
    if margins > 0:
        cross = a * d - b * c
        corrected = cross - n / 2 if cross > n / 2 else (cross if cross < 0 else 0.0)
        phi = corrected / math.sqrt(margins)
    diff = p1 - p2
    low = diff - math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    high = diff + math.sqrt(max(0.0, (p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2))
    return Interval(diff, max(-1.0, low), min(1.0, high), "Newcombe paired score interval (method 10)",
                    confidence)


def _summary(values: Sequence[float]) -> tuple[int, float, float]:
    n = len(values)
    if n < 2:
        raise ValueError("a mean's interval needs at least two values")
    mean = math.fsum(values) / n
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    return n, mean, var


def mean_interval_from_summary(mean: float, sd: float, n: int, confidence: float = 0.95) -> Interval:
    """t interval for a mean, from summary figures (when only the summary crosses a boundary)."""
    if n < 2:
        raise ValueError("a mean's interval needs at least two values")
    half = _sps.t.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, "t interval", confidence)


def mean_interval(values: Sequence[float], confidence: float = 0.95) -> Interval:
    """t interval for the mean of ``values``."""
    n, mean, var = _summary(list(values))
    return mean_interval_from_summary(mean, math.sqrt(var), n, confidence)


def _welch(n1: int, m1: float, v1: float, n2: int, m2: float, v2: float) -> tuple[float, float, float]:
    """Difference, its standard error and Welch-Satterthwaite degrees of freedom."""
    a, b = v1 / n1, v2 / n2
    se = math.sqrt(a + b)
    df = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n2 - 1)) if a + b > 0 else float(n1 + n2 - 2)
    return m1 - m2, se, df


def welch_difference_from_summary(m1: float, sd1: float, n1: int, m2: float, sd2: float, n2: int,
                                  confidence: float = 0.95) -> Interval:
    """Welch interval for mean1 - mean2 from summary figures."""
    if min(n1, n2) < 2:
        raise ValueError("Welch's interval needs at least two values in each group")
    diff, se, df = _welch(n1, m1, sd1 * sd1, n2, m2, sd2 * sd2)
    half = _sps.t.ppf(0.5 + confidence / 2, df) * se
    return Interval(diff, diff - half, diff + half, "Welch t interval", confidence)


def welch_difference(treated: Sequence[float], comparison: Sequence[float], confidence: float = 0.95) -> Interval:
    """Welch (unequal variances) interval for mean(treated) - mean(comparison)."""
    n1, m1, v1 = _summary(list(treated))
    n2, m2, v2 = _summary(list(comparison))
    return welch_difference_from_summary(m1, math.sqrt(v1), n1, m2, math.sqrt(v2), n2, confidence)


def welch_p_value_from_summary(m1: float, sd1: float, n1: int, m2: float, sd2: float, n2: int) -> PValue:
    """Two-sided Welch t-test p-value from summary figures."""
    if min(n1, n2) < 2:
        raise ValueError("Welch's test needs at least two values in each group")
    diff, se, df = _welch(n1, m1, sd1 * sd1, n2, m2, sd2 * sd2)
    if se == 0:
        return PValue(1.0 if diff == 0 else 0.0, "Welch t-test", None)
    t = diff / se
    return PValue(float(2 * _sps.t.sf(abs(t), df)), "Welch t-test", t)


def welch_p_value(treated: Sequence[float], comparison: Sequence[float]) -> PValue:
    """Two-sided Welch t-test p-value for a difference in means."""
    n1, m1, v1 = _summary(list(treated))
    n2, m2, v2 = _summary(list(comparison))
    return welch_p_value_from_summary(m1, math.sqrt(v1), n1, m2, math.sqrt(v2), n2)


def two_proportion_p_value_rounded(events1: int, n1: int, events2: int, n2: int, rounding_var: float) -> PValue:
    """Two-sided z-test for p1 = p2 from published, randomly rounded counts: the pooled variance plus the
    variance the rounding adds to each rate (see ``_rounding_term``)."""
    _check_counts(events1, n1)
    _check_counts(events2, n2)
    pooled = (events1 + events2) / (n1 + n2)
    var = (pooled * (1 - pooled) * (1 / n1 + 1 / n2) + _rounding_term(events1, n1, rounding_var)
           + _rounding_term(events2, n2, rounding_var))
    diff = events1 / n1 - events2 / n2
    if var <= 0:
        return PValue(1.0 if diff == 0 else 0.0, "two-proportion z-test, allowing for rounding")
    z = diff / math.sqrt(var)
    return PValue(float(2 * NormalDist().cdf(-abs(z))), "two-proportion z-test (pooled), allowing for rounding", z)


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q-values), in the input order.

    Why: a bundle holds hundreds of comparisons; calling each "clear" at p < 0.05 would call about one in
    twenty true nulls clear. Calling a gap clear when its q-value is under 0.05 keeps the expected share of
    false "clear" verdicts among all clear verdicts at or under 5% (Benjamini and Hochberg 1995; valid for
    independent or positively dependent tests, as overlapping breakdowns of the same question are).
    """
    m = len(p_values)
    if m == 0:
        return []
    order = sorted(range(m), key=lambda i: (p_values[i], i))
    q = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        q[i] = min(1.0, running)
    return q


def two_proportion_p_value(events1: int, n1: int, events2: int, n2: int, *, min_expected: float = 5.0) -> PValue:
    """Two-sided p-value for p1 = p2: pooled z-test, or Fisher's exact test when any expected count is small.

    The z-test's normal approximation is poor when an expected cell count is under about 5 (Cochran's rule),
    which happens in small breakdowns; Fisher's test is exact there.
    """
    _check_counts(events1, n1)
    _check_counts(events2, n2)
    total_events, total = events1 + events2, n1 + n2
    expected = [n * e / total for n in (n1, n2) for e in (total_events, total - total_events)]
    if min(expected) < min_expected:
        table = [[events1, n1 - events1], [events2, n2 - events2]]
        return PValue(float(_sps.fisher_exact(table).pvalue), "Fisher's exact test")
    pooled = total_events / total
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (events1 / n1 - events2 / n2) / se
    return PValue(float(2 * NormalDist().cdf(-abs(z))), "two-proportion z-test (pooled)", z)


def smd_binary(p_treated: float, p_comparison: float) -> Smd:
    """SMD for a yes/no covariate: difference in shares over the root of their average variance."""
    spread = math.sqrt((p_treated * (1 - p_treated) + p_comparison * (1 - p_comparison)) / 2)
    value = 0.0 if spread == 0 else (p_treated - p_comparison) / spread
    return Smd(value, "standardised mean difference (binary, pooled SD)")


def smd_continuous(mean_treated: float, sd_treated: float, mean_comparison: float, sd_comparison: float) -> Smd:
    """SMD for a numeric covariate: difference in means over the root of the average variance."""
    spread = math.sqrt((sd_treated ** 2 + sd_comparison ** 2) / 2)
    value = 0.0 if spread == 0 else (mean_treated - mean_comparison) / spread
    return Smd(value, "standardised mean difference (continuous, pooled SD)")


def smd(treated: Sequence[float], comparison: Sequence[float]) -> Smd:
    """SMD from raw values; 0/1 (or bool) covariates get the binary form, which uses p(1-p) as variance."""
    t, c = [float(v) for v in treated], [float(v) for v in comparison]
    if not t or not c:
        raise ValueError("both groups need values")
    if set(t) | set(c) <= {0.0, 1.0}:
        return smd_binary(sum(t) / len(t), sum(c) / len(c))
    _, m1, v1 = _summary(t)
    _, m2, v2 = _summary(c)
    return smd_continuous(m1, math.sqrt(v1), m2, math.sqrt(v2))


def sample_size_proportions(p1: float, p2: float, *, power: float = 0.8, alpha: float = 0.05) -> SampleSize:
    """People per group to detect p1 vs p2 with a two-sided z-test (Fleiss, no continuity correction)."""
    if p1 == p2:
        raise ValueError("the two rates must differ")
    za, zb = NormalDist().inv_cdf(1 - alpha / 2), NormalDist().inv_cdf(power)
    pbar = (p1 + p2) / 2
    root = za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    n = root ** 2 / (p1 - p2) ** 2
    return SampleSize(math.ceil(n - 1e-9), "two-proportion z-test, normal approximation (Fleiss)", power, alpha)


def sample_size_means(difference: float, sd: float, *, power: float = 0.8, alpha: float = 0.05) -> SampleSize:
    """People per group to detect a difference in means with common SD (normal approximation)."""
    if difference == 0 or sd <= 0:
        raise ValueError("need a non-zero difference and a positive SD")
    za, zb = NormalDist().inv_cdf(1 - alpha / 2), NormalDist().inv_cdf(power)
    n = 2 * (za + zb) ** 2 * sd ** 2 / difference ** 2
    return SampleSize(math.ceil(n - 1e-9), "two-sample z-test for means, normal approximation", power, alpha)
