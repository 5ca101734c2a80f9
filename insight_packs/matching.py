"""Matched comparison groups, the way the Justice Data Lab builds them.

A logistic model gives each person a propensity score (how likely someone like them was to take the course
or reach the service). Each person who did is paired with the nearest person who did not, within a caliper
of 0.2 standard deviations of the logit score, without replacement. Balance is shown as standardised mean
differences before and after matching.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from linkage_core import stats

#: Covariates the education pack matches on, named as the issue names them.
COVARIATES_NUMERIC = ("age_at_release", "sentence_months", "prior_offences")
COVARIATES_CATEGORICAL = ("sex", "ethnicity", "offence_group", "prior_qualification", "employed_before_custody")

#: Austin (2011): a caliper of 0.2 standard deviations of the logit of the propensity score.
CALIPER_SD = 0.2
BALANCE_LIMIT = 0.1


@dataclass
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

    @property
    def matched(self) -> int:
        return len(self.treated_index)

    @property
    def balanced(self) -> bool:
        return all(abs(b.after) < BALANCE_LIMIT for b in self.balance)

    @property
    def worst_after(self) -> Balance | None:
        return max(self.balance, key=lambda b: abs(b.after), default=None)


def design_matrix(frame: pd.DataFrame, numeric: tuple[str, ...], categorical: tuple[str, ...]) -> pd.DataFrame:
    parts = []
    for column in numeric:
        if column in frame:
            values = frame[column].astype(float)
            values = values.fillna(values.median())
            scaled = (values - values.mean()) / (values.std() or 1.0)
            parts += [scaled.rename(column), (scaled**2).rename(f"{column}^2")]
    for column in categorical:
        if column in frame:
            dummies = pd.get_dummies(frame[column].astype("string").fillna("unknown"), prefix=column,
                                     drop_first=True, dtype=float)
            parts.append(dummies)
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=frame.index)


def propensity(x: pd.DataFrame, treated: np.ndarray) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(max_iter=2000, C=1e4)
    model.fit(x.to_numpy(), treated)
    return model.predict_proba(x.to_numpy())[:, 1]


class _Available:
    """Sorted comparison pool with O(α(n)) "nearest unused neighbour" look-ups (union-find over gaps)."""

    def __init__(self, n: int) -> None:
        self.left = np.arange(n + 1)  # left[i]: largest unused index <= i-1, shifted by one (0 = none)
        self.right = np.arange(n + 1)  # right[i]: smallest unused index >= i (n = none)

    def _find(self, parent: np.ndarray, i: int) -> int:
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def nearest_left(self, i: int) -> int:
        return self._find(self.left, i + 1) - 1  # -1 when none

    def nearest_right(self, i: int) -> int:
        return self._find(self.right, i)

    def take(self, i: int) -> None:
        self.left[i + 1] = i
        self.right[i] = i + 1


def greedy_match(treated_logit: np.ndarray, comparison_logit: np.ndarray, caliper: float,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(comparison_logit, kind="stable")
    pool = comparison_logit[order]
    available = _Available(len(pool))
    pairs_t, pairs_c = [], []
    for t in rng.permutation(len(treated_logit)):
        value = treated_logit[t]
        pos = int(np.searchsorted(pool, value))
        best, best_gap = -1, caliper
        for candidate in (available.nearest_left(pos - 1) if pos > 0 else -1, available.nearest_right(pos)):
            if 0 <= candidate < len(pool):
                gap = abs(pool[candidate] - value)
                if gap <= best_gap:
                    best, best_gap = candidate, gap
        if best >= 0:
            available.take(best)
            pairs_t.append(t)
            pairs_c.append(order[best])
    return np.asarray(pairs_t, dtype=int), np.asarray(pairs_c, dtype=int)


def _balance(x: pd.DataFrame, t_rows: np.ndarray, c_rows: np.ndarray, t_all: np.ndarray,
             c_all: np.ndarray) -> list[Balance]:
    out = []
    for column in x.columns:
        if column.endswith("^2"):
            continue
        values = x[column].to_numpy(dtype=float)
        before = stats.smd(values[t_all], values[c_all]).value
        after = stats.smd(values[t_rows], values[c_rows]).value if len(t_rows) > 1 else float("nan")
        out.append(Balance(column, before, after))
    return out


def match(frame: pd.DataFrame, treated: np.ndarray, eligible_comparison: np.ndarray | None = None, *,
          numeric: tuple[str, ...] = COVARIATES_NUMERIC, categorical: tuple[str, ...] = COVARIATES_CATEGORICAL,
          seed: int = 0) -> MatchResult:
    """Pair each treated row with one comparison row. ``eligible_comparison`` limits the pool."""
    treated = np.asarray(treated, dtype=bool)
    pool = ~treated if eligible_comparison is None else (np.asarray(eligible_comparison, dtype=bool) & ~treated)
    x = design_matrix(frame, numeric, categorical)
    keep = treated | pool
    t_all, c_all = np.flatnonzero(treated), np.flatnonzero(pool)
    if len(t_all) < 2 or len(c_all) < 2:
        return MatchResult(np.array([], int), np.array([], int), len(t_all), len(c_all))
    score = np.full(len(frame), np.nan)
    score[keep] = propensity(x[keep], treated[keep])
    score = np.clip(score, 1e-6, 1 - 1e-6)
    logit = np.log(score / (1 - score))
    caliper = CALIPER_SD * float(np.nanstd(logit[keep]))
    pt, pc = greedy_match(logit[t_all], logit[c_all], caliper, np.random.default_rng(seed))
    t_rows, c_rows = t_all[pt], c_all[pc]
    return MatchResult(t_rows, c_rows, len(t_all), len(c_all), _balance(x, t_rows, c_rows, t_all, c_all))
