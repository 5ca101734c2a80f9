"""Matched comparison groups, the way the Justice Data Lab builds them, made the same on every engine.

A propensity score (how likely someone like them was to take the course or reach the service) comes from
the confounders the question implies: age, sentence length (with its own step at 12 months, because a
sentence under 12 months changes both supervision and reoffending), prior offences (on a log scale) and the
person's profile. Each treated person is paired with the nearest person who was not treated, within a caliper
of 0.2 standard deviations of the logit score, without replacement, and *exactly* within strata: the strong
confounders the pack names (sentence band, work before custody) and, for a breakdown row, the row's own
group. So every row compares like with like inside the row.

Why the order is fixed: greedy matching without replacement depends on the order treated people are taken
and on how ties break. Both come from a stable key here (each person's record key, then their row), never
from the order an engine happens to return rows, and scores are rounded before they are compared so a last
bit of floating-point difference between engines cannot swap two partners.

Balance is checked on every covariate the frame holds (not only the model's), inside each row, as
standardised mean differences of every category and number.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


#: Covariates the adult packs model, as the issue and the Justice Data Lab name them.
COVARIATES_NUMERIC = ("age_at_release", "sentence_months", "prior_offences")
COVARIATES_CATEGORICAL = ("sex", "ethnicity", "offence_group", "prior_qualification", "employed_before_custody")
#: Strata matched exactly for adults: the strongest drivers of reoffending and of work in the world data and
#: in the Justice Data Lab's own models (a sentence under 12 months; being in work before custody).
EXACT_ADULT = ("sentence_length", "employed_before_custody")

#: Austin (2011): a caliper of 0.2 standard deviations of the logit of the propensity score.
CALIPER_SD = 0.2
#: A standardised mean difference under this is "alike" (Austin 2009), in a large group.
BALANCE_LIMIT = 0.1
#: In a small group, chance alone moves a standardised difference by about sqrt(2/n); a gap beyond this many
#: of those is more than chance, so a row's limit is max(BALANCE_LIMIT, CHANCE_SE * sqrt(2 / pairs)).
CHANCE_SE = 3.0
#: Scores are compared after rounding to this many decimals, so engines agree to the last bit.
SCORE_DECIMALS = 7


def balance_limit(pairs: int) -> float:
    """The largest standardised difference a row of ``pairs`` matched pairs may keep and still be published."""
    if pairs < 2:
        return BALANCE_LIMIT
    return max(BALANCE_LIMIT, CHANCE_SE * math.sqrt(2.0 / pairs))


@dataclass(frozen=True)
class Balance:
    covariate: str
    before: float
    after: float


@dataclass
class MatchResult:
    treated_index: np.ndarray  # row positions in the input frame
    comparison_index: np.ndarray
    eligible_treated: int
    eligible_comparison: int
    balance: list[Balance] = field(default_factory=list)
    #: The covariates the propensity model used (the rest were only checked for balance).
    modelled: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    #: Row positions of every eligible treated person (matched or not).
    eligible_index: np.ndarray | None = None

    @property
    def matched(self) -> int:
        return len(self.treated_index)

    @property
    def unmatched(self) -> int:
        return self.eligible_treated - self.matched

    @property
    def limit(self) -> float:
        return balance_limit(self.matched)

    @property
    def balanced(self) -> bool:
        return all(abs(b.after) < self.limit for b in self.balance if not math.isnan(b.after))

    @property
    def worst_after(self) -> Balance | None:
        checked = [b for b in self.balance if not math.isnan(b.after)]
        return max(checked, key=lambda b: abs(b.after), default=None)

    def subset(self, keep: np.ndarray) -> MatchResult:
        """The pairs whose treated person is picked by the boolean ``keep`` (same order)."""
        return MatchResult(self.treated_index[keep], self.comparison_index[keep], int(keep.sum()),
                           self.eligible_comparison, [], self.modelled, self.exact)


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return values.fillna(values.median() if values.notna().any() else 0.0)


def _category(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].astype("string").fillna("unknown")


def design_matrix(frame: pd.DataFrame, numeric: Sequence[str], categorical: Sequence[str]) -> pd.DataFrame:
    """The propensity model's inputs: each number with a flexible shape, each category as indicators.

    Numbers get a cubic B-spline basis (4 inner knots at quantiles), so the score can follow a curve such as
    reoffending's steep fall with age; sentence length also gets its 12-month step and prior offences a log
    scale, the shapes the Justice Data Lab's models use.

    It runs on every propensity fit, so it builds one float array and one frame at the end; the indicators
    are written from ``pd.factorize`` codes. The result is the same, value for value and name for name, as
    ``pd.get_dummies(..., drop_first=True)`` per column joined with ``pd.concat`` and rounded (checked
    byte for byte on a built world's every call).
    """
    from sklearn.preprocessing import SplineTransformer

    blocks: list[np.ndarray] = []
    names: list[str] = []
    for column in numeric:
        if column not in frame:
            continue
        values = _numeric(frame, column).to_numpy()
        if column == "prior_offences":
            values = np.log1p(np.where(values < 0, 0.0, values))
        if column == "sentence_months":
            blocks.append((values < 12).astype(float).reshape(-1, 1))
            names.append("sentence_under_12m")
        if len(pd.unique(values)) > 5:
            basis = SplineTransformer(n_knots=4, degree=3, knots="quantile", include_bias=False)
            spline = basis.fit_transform(values.reshape(-1, 1))
            blocks.append(spline)
            names += [f"{column}~{i}" for i in range(spline.shape[1])]
        else:
            series = pd.Series(values)  # pandas' mean and std, as before
            blocks.append(((values - series.mean()) / (series.std() or 1.0)).reshape(-1, 1))
            names.append(column)
    for column in categorical:
        if column in frame:
            codes, levels = _category_codes(frame, column)
            indicators = np.zeros((len(codes), max(len(levels) - 1, 0)))
            rows = np.flatnonzero(codes > 0)
            indicators[rows, codes[rows] - 1] = 1.0  # the first level is the reference (drop_first)
            blocks.append(indicators)
            names += [f"{column}_{level}" for level in levels[1:]]
    if not blocks:
        return pd.DataFrame(index=frame.index)
    return pd.DataFrame(np.hstack(blocks).round(9), index=frame.index, columns=names)


def _category_codes(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, list[str]]:
    """``_category``'s labels as codes into its sorted levels (the order ``pd.get_dummies`` uses)."""
    raw = frame[column]
    if pd.api.types.infer_dtype(raw, skipna=True) not in ("string", "empty"):
        codes, levels = pd.factorize(_category(frame, column).to_numpy(dtype=object), sort=True)
        return codes, [str(level) for level in levels]
    # Already text: factorize it as it is (no string-dtype copy), then give the missing their 'unknown' level.
    codes, found = pd.factorize(raw, sort=True)
    levels = [str(level) for level in found]
    missing = codes < 0
    if missing.any():
        at = bisect_left(levels, "unknown")
        if at == len(levels) or levels[at] != "unknown":
            codes = np.where(codes >= at, codes + 1, codes)
            levels.insert(at, "unknown")
        codes[missing] = at
    return codes, levels


def balance_matrix(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Every covariate as the reader would compare it: each number as is, each category level as a share."""
    parts = []
    for column in dict.fromkeys(columns):
        if column not in frame:
            continue
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) and series.nunique(dropna=True) > 2:
            parts.append(_numeric(frame, column).rename(column))
            if column == "sentence_months":
                parts.append((_numeric(frame, column) < 12).astype(float).rename("sentence under 12 months"))
        else:
            levels = pd.get_dummies(_category(frame, column), prefix=column, prefix_sep=": ", dtype=float)
            parts.append(levels)
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=frame.index)


def propensity(x: pd.DataFrame, treated: np.ndarray) -> np.ndarray:
    """Logistic regression, lightly penalised so separated categories do not send scores to 0 or 1."""
    from sklearn.linear_model import LogisticRegression

    if x.shape[1] == 0 or treated.all() or not treated.any():
        return np.full(len(treated), max(min(treated.mean(), 1 - 1e-6), 1e-6))
    from threadpoolctl import threadpool_limits

    model = LogisticRegression(max_iter=2000, C=10.0)
    # One BLAS thread, always. The same data must give the same matches on every machine: OpenBLAS splits a
    # fit's sums across however many threads the machine has, which moves the last bits of the scores and
    # so, at ties within the caliper, which partner is taken (the demo's figures moved with the thread
    # count). The vectors are small, and on busy cores the threads spun against each other: one thread was
    # also ten times faster.
    with threadpool_limits(limits=1, user_api="blas"):
        model.fit(x.to_numpy(), treated)
        return model.predict_proba(x.to_numpy())[:, 1]


def order_keys(frame: pd.DataFrame) -> np.ndarray:
    """A stable order for people: their record key (a keyed hash, the same on every engine), then their row."""
    from insight_packs.compute import record_keys

    keys = record_keys(frame)
    if keys is None:
        return np.arange(len(frame), dtype=float)
    return keys


def greedy_match(treated_logit: np.ndarray, comparison_logit: np.ndarray, caliper: float,
                 treated_order: np.ndarray, comparison_order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest unused comparison within ``caliper`` for each treated person, taken in ``treated_order``.

    The pool is sorted by (score, stable key); on an exact tie in distance the lower score wins. Returns
    positions into the two input arrays.
    """
    order = np.lexsort((comparison_order, comparison_logit))
    # Plain Python floats and lists in the loop (the same float64 values, so the same comparisons): indexing
    # numpy arrays one element at a time costs more than the matching itself.
    pool = comparison_logit[order].tolist()
    size = len(pool)
    values = treated_logit.tolist()
    available = _Available(size)
    pairs_t, pairs_c = [], []
    for t in np.lexsort((np.arange(len(treated_logit)), treated_order)).tolist():
        value = values[t]
        pos = bisect_left(pool, value)  # as np.searchsorted(pool, value), side "left"
        best, best_gap = -1, caliper
        for candidate in (available.nearest_left(pos - 1) if pos > 0 else -1, available.nearest_right(pos)):
            if 0 <= candidate < size:
                gap = abs(pool[candidate] - value)
                if gap < best_gap or (gap == best_gap and best < 0):
                    best, best_gap = candidate, gap
        if best >= 0:
            available.take(best)
            pairs_t.append(t)
            pairs_c.append(best)
    return np.asarray(pairs_t, dtype=int), order[np.asarray(pairs_c, dtype=int)]


class _Available:
    """Sorted comparison pool with near-constant "nearest unused neighbour" look-ups (union-find over gaps)."""

    def __init__(self, n: int) -> None:
        self.left = list(range(n + 1))
        self.right = list(range(n + 1))

    def _find(self, parent: list[int], i: int) -> int:
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def nearest_left(self, i: int) -> int:
        return self._find(self.left, i + 1) - 1

    def nearest_right(self, i: int) -> int:
        return self._find(self.right, i)

    def take(self, i: int) -> None:
        self.left[i + 1] = i
        self.right[i] = i + 1


def _zero_one(values: np.ndarray) -> bool:
    """Every value is 0 or 1 (as ``np.isin(values, (0.0, 1.0)).all()``, without its sort)."""
    return bool(((values == 0.0) | (values == 1.0)).all())


def smd(a: np.ndarray, b: np.ndarray) -> float:
    """Standardised mean difference (as ``linkage_core.stats.smd``, vectorised); NaN with under 2 in a group."""
    if len(a) < 2 or len(b) < 2:
        return float("nan")
    if _zero_one(a) and _zero_one(b):
        p, q = a.mean(), b.mean()
        spread = math.sqrt((p * (1 - p) + q * (1 - q)) / 2)
    else:
        p, q = a.mean(), b.mean()
        spread = math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    return 0.0 if spread == 0 else float((p - q) / spread)


def _balance(b: pd.DataFrame, t_rows: np.ndarray, c_rows: np.ndarray, t_all: np.ndarray,
             c_all: np.ndarray) -> list[Balance]:
    # Each group's rows taken once, column-major, so every column is a contiguous copy of the same values
    # ``smd`` always saw (the same sums, so the same figures), without indexing the frame once per column.
    values = b.to_numpy(dtype=float)
    ta, ca, tr, cr = (np.asfortranarray(values[rows]) for rows in (t_all, c_all, t_rows, c_rows))
    return [Balance(str(column), before, after)
            for column, before, after in zip(b.columns, smd_columns(ta, ca), smd_columns(tr, cr))]


def smd_columns(a: np.ndarray, b: np.ndarray) -> list[float]:
    """``smd`` of every column of two column-major tables, each column's sums taken along its own contiguous
    values exactly as ``smd`` takes them on one column (so the same figures), for all columns at once."""
    width = a.shape[1]
    if len(a) < 2 or len(b) < 2:
        return [float("nan")] * width
    binary = (((a == 0.0) | (a == 1.0)).all(axis=0) & ((b == 0.0) | (b == 1.0)).all(axis=0)).tolist()
    p_all, q_all = a.mean(axis=0), b.mean(axis=0)
    va, vb = a.var(axis=0, ddof=1), b.var(axis=0, ddof=1)
    out = []
    for j in range(width):
        p, q = p_all[j], q_all[j]
        if binary[j]:
            spread = math.sqrt((p * (1 - p) + q * (1 - q)) / 2)
        else:
            spread = math.sqrt((va[j] + vb[j]) / 2)
        out.append(0.0 if spread == 0 else float((p - q) / spread))
    return out


@dataclass
class Matcher:
    """One propensity model for a question, used to match overall and again inside each group.

    ``frame`` rows are people; ``treated`` and ``pool`` (the eligible comparison people) are masks over them.
    """

    frame: pd.DataFrame
    treated: np.ndarray
    pool: np.ndarray
    numeric: tuple[str, ...] = COVARIATES_NUMERIC
    categorical: tuple[str, ...] = COVARIATES_CATEGORICAL
    exact: tuple[str, ...] = ()
    #: Further columns to check balance on (everything the data holds about people).
    balance_on: tuple[str, ...] = ()
    #: A matcher on the same frame, with the same columns, whose balance table, order and strata this one
    #: takes instead of building them again (they depend on the frame, never on who is treated).
    like: Matcher | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.treated = np.asarray(self.treated, dtype=bool)
        self.pool = np.asarray(self.pool, dtype=bool) & ~self.treated
        keep = self.treated | self.pool
        self.logit = np.full(len(self.frame), np.nan)
        self.caliper = 0.0
        if keep.sum() >= 2 and self.treated.any() and self.pool.any():
            x = design_matrix(self.frame[keep], self.numeric, self.categorical)
            score = np.clip(propensity(x, self.treated[keep]), 1e-6, 1 - 1e-6)
            self.logit[keep] = np.round(np.log(score / (1 - score)), SCORE_DECIMALS)
            self.caliper = round(CALIPER_SD * float(np.std(self.logit[keep])), SCORE_DECIMALS)
        columns = tuple(self.numeric) + tuple(self.categorical) + tuple(self.exact) + tuple(self.balance_on)
        like = self.like
        if like is not None and like.frame is self.frame and like.exact == self.exact and like.columns == columns:
            self.order, self.balance_frame, self.strata = like.order, like.balance_frame, like.strata
        else:
            self.order = order_keys(self.frame)
            self.balance_frame = balance_matrix(self.frame, columns)
            # Strata as whole numbers: the codes of each exact column's sorted labels, combined.
            self.strata = np.zeros(len(self.frame), dtype=np.int64)
            for column in self.exact:
                if column in self.frame:
                    codes, labels = pd.factorize(_category(self.frame, column).to_numpy(dtype=object), sort=True)
                    self.strata = self.strata * (len(labels) + 1) + codes
        self.columns = columns
        self.like = None  # nothing kept alive through it

    def match(self, within: np.ndarray | None = None, treated: np.ndarray | None = None) -> MatchResult:
        """Pairs among the rows picked by ``within`` (everyone when None), exact on the strata.

        ``treated`` narrows the treated people (a subgroup defined by the treatment itself, such as a
        course's level); their partners still come from the whole eligible pool inside ``within``.
        """
        everyone = np.ones(len(self.frame), dtype=bool)
        inside = everyone if within is None else np.asarray(within, dtype=bool)
        t_mask = self.treated & inside & (everyone if treated is None else np.asarray(treated, dtype=bool))
        c_mask = self.pool & inside
        t_all, c_all = np.flatnonzero(t_mask), np.flatnonzero(c_mask)
        pairs_t, pairs_c = [], []
        if len(t_all) and len(c_all) and self.caliper > 0:
            for stratum in sorted(set(self.strata[t_all])):
                ts = t_all[self.strata[t_all] == stratum]
                cs = c_all[self.strata[c_all] == stratum]
                if not len(cs):
                    continue
                pt, pc = greedy_match(self.logit[ts], self.logit[cs], self.caliper, self.order[ts], self.order[cs])
                pairs_t.append(ts[pt])
                pairs_c.append(cs[pc])
        t_rows = np.concatenate(pairs_t) if pairs_t else np.array([], dtype=int)
        c_rows = np.concatenate(pairs_c) if pairs_c else np.array([], dtype=int)
        # Report pairs in a stable order (by the treated person's row).
        sort = np.argsort(t_rows, kind="stable")
        t_rows, c_rows = t_rows[sort], c_rows[sort]
        balance = _balance(self.balance_frame, t_rows, c_rows, t_all, c_all)
        return MatchResult(t_rows, c_rows, len(t_all), len(c_all), balance,
                           tuple(self.numeric) + tuple(self.categorical), tuple(self.exact), t_all)


def match(frame: pd.DataFrame, treated: np.ndarray, eligible_comparison: np.ndarray | None = None, *,
          numeric: tuple[str, ...] = COVARIATES_NUMERIC, categorical: tuple[str, ...] = COVARIATES_CATEGORICAL,
          exact: tuple[str, ...] = (), seed: int = 0) -> MatchResult:
    """Pair each treated row with one comparison row (overall). ``seed`` is kept for callers; unused."""
    treated = np.asarray(treated, dtype=bool)
    pool = ~treated if eligible_comparison is None else np.asarray(eligible_comparison, dtype=bool)
    return Matcher(frame, treated, pool, numeric, categorical, exact).match()
