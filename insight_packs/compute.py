"""Cell builders the packs share: shares by group, and matched comparisons by group.

Aggregation is done on data already reduced to the columns a pack needs; group-by logic lives here once so
each pack reads as its question, not as loops.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np
import pandas as pd

from insight_packs.drafts import Cell, Side
from insight_packs.matching import MatchResult
from linkage_core.disclosure.cellkey import bound_key, cell_key
from linkage_core.disclosure.dominance import Magnitude

#: Hex digits of ``record_key`` in the analysis tables (see ``cohort._linked_view``).
_KEY_SCALE = float(16**8)


def record_keys(frame: pd.DataFrame) -> np.ndarray | None:
    """Each row's record key in [0, 1), or None when the table has none."""
    if "record_key" not in frame:
        return None
    return np.array([int(h, 16) for h in frame["record_key"].astype(str)], dtype=np.float64) / _KEY_SCALE


def key_of(keys: np.ndarray | None, rows: np.ndarray | None = None) -> float | None:
    """The cell key of the rows picked by ``rows`` (a mask or index; all rows when None)."""
    if keys is None:
        return None
    return cell_key(keys if rows is None else keys[rows])


def step(label: str, keys: np.ndarray | None, rows: np.ndarray | None = None, count: int | None = None,
         *, outcome_of_all: bool = False) -> tuple[str, int, float | None]:
    """One attrition step: the people picked by ``rows`` (everyone when None).

    ``outcome_of_all``: the step counts the people with an outcome that a share shows as its events (of
    everyone), so it takes that share's key and shows the same number the share does.
    """
    if count is None:
        count = (len(keys) if keys is not None else 0) if rows is None else int(
            rows.sum() if rows.dtype == bool else len(rows))
    key = key_of(keys, rows)
    if outcome_of_all and key is not None:
        key = bound_key(key_of(keys), key)
    return label, count, key


def share_side(flags: np.ndarray, keys: np.ndarray | None) -> Side:
    """A share from one yes/no per person, with the cell keys of the group and of the yeses."""
    flags = np.asarray(flags, dtype=bool)
    return Side.proportion(int(flags.sum()), len(flags), key=key_of(keys),
                           events_key=key_of(keys, flags))


def mean_side(values: np.ndarray, keys: np.ndarray | None) -> Side:
    values = np.asarray(values, dtype=float)
    sd = float(values.std(ddof=1)) if len(values) > 1 else 0.0
    side = Side.mean(float(values.mean()), sd, len(values), key=key_of(keys))
    return replace(side, magnitude=Magnitude.from_values(values)) if len(values) else side


def share_cells(frame: pd.DataFrame, outcome: str, breakdowns: Iterable[str], *, overall_label: str = "All",
                groups_order: dict[str, list[str]] | None = None) -> list[Cell]:
    """A share with its Wilson interval, overall and for each group of each breakdown."""
    flags = frame[outcome].astype(float).to_numpy() > 0
    keys = record_keys(frame)
    method = "Wilson score interval"
    cells = [Cell("overall", overall_label, "proportion", share_side(flags, keys), method=method)] if len(flags) else []
    for breakdown in breakdowns:
        if breakdown == "overall" or breakdown not in frame:
            continue
        labels = frame[breakdown].astype("string").fillna("Not recorded").to_numpy()
        wanted = (groups_order or {}).get(breakdown) or sorted(set(labels))
        for group in wanted:
            pick = labels == group
            if pick.any():
                cells.append(Cell(breakdown, str(group), "proportion",
                                  share_side(flags[pick], None if keys is None else keys[pick]), method=method))
    return cells


def _compare(outcome_t: np.ndarray, outcome_c: np.ndarray, kind: str, breakdown: str, group: str,
             keys_t: np.ndarray | None = None, keys_c: np.ndarray | None = None) -> Cell | None:
    if len(outcome_t) == 0 or len(outcome_c) == 0:
        return None
    if kind == "proportion":
        t = share_side(outcome_t > 0, keys_t)
        c = share_side(outcome_c > 0, keys_c)
        return Cell.compare_proportions(breakdown, group, t, c)
    t, c = mean_side(outcome_t, keys_t), mean_side(outcome_c, keys_c)
    if t.n < 2 or c.n < 2:
        return Cell(breakdown, group, "mean", t, c, method="too few people for an interval")
    return Cell.compare_means(breakdown, group, t, c)


def matched_cells(frame: pd.DataFrame, result: MatchResult, outcome: str, kind: str,
                  breakdowns: Iterable[str], groups_order: dict[str, list[str]] | None = None) -> list[Cell]:
    """Treated against matched comparison, overall and by the treated person's group in each breakdown."""
    y = frame[outcome].to_numpy(dtype=float)
    keys = record_keys(frame)
    t_rows, c_rows = result.treated_index, result.comparison_index

    def k(rows: np.ndarray) -> np.ndarray | None:
        return None if keys is None else keys[rows]

    cells = []
    overall = _compare(y[t_rows], y[c_rows], kind, "overall", "All", k(t_rows), k(c_rows))
    if overall:
        cells.append(overall)
    for breakdown in breakdowns:
        if breakdown == "overall" or breakdown not in frame:
            continue
        labels = frame[breakdown].astype("string").fillna("Not recorded").to_numpy()
        wanted = (groups_order or {}).get(breakdown) or sorted(set(labels[t_rows]))
        for group in wanted:
            pick = labels[t_rows] == group
            cell = _compare(y[t_rows[pick]], y[c_rows[pick]], kind, breakdown, str(group), k(t_rows[pick]),
                            k(c_rows[pick]))
            if cell:
                cells.append(cell)
    return cells


AGE_BANDS = ["18 to 24", "25 to 34", "35 to 49", "50 and over"]
SENTENCE_LENGTHS = ["Under 12 months", "12 months to 4 years", "4 years or more"]
ORDER = {"age_band": AGE_BANDS, "sentence_length": SENTENCE_LENGTHS}
