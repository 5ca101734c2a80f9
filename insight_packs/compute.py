"""Cell builders the packs share: shares by group, and matched comparisons by group.

Aggregation is done on data already reduced to the columns a pack needs; group-by logic lives here once so
each pack reads as its question, not as loops.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from insight_packs.drafts import Cell, Side
from insight_packs.matching import MatchResult


def share_cells(frame: pd.DataFrame, outcome: str, breakdowns: Iterable[str], *, overall_label: str = "All",
                groups_order: dict[str, list[str]] | None = None) -> list[Cell]:
    """A share with its Wilson interval, overall and for each group of each breakdown."""
    values = frame[outcome].astype(float)
    cells = [Cell.share("overall", overall_label, int(values.sum()), len(values))] if len(values) else []
    for breakdown in breakdowns:
        if breakdown == "overall" or breakdown not in frame:
            continue
        for group, part in _groups(frame, breakdown, groups_order):
            vals = part[outcome].astype(float)
            if len(vals):
                cells.append(Cell.share(breakdown, str(group), int(vals.sum()), len(vals)))
    return cells


def _groups(frame: pd.DataFrame, breakdown: str, order: dict[str, list[str]] | None):
    keys = frame[breakdown].astype("string").fillna("Not recorded")
    wanted = (order or {}).get(breakdown) or sorted(keys.unique())
    for group in wanted:
        part = frame[keys == group]
        yield group, part


def _compare(outcome_t: np.ndarray, outcome_c: np.ndarray, kind: str, breakdown: str, group: str) -> Cell | None:
    if len(outcome_t) == 0 or len(outcome_c) == 0:
        return None
    if kind == "proportion":
        t = Side.proportion(int(outcome_t.sum()), len(outcome_t))
        c = Side.proportion(int(outcome_c.sum()), len(outcome_c))
        return Cell.compare_proportions(breakdown, group, t, c)
    t = Side.mean(float(outcome_t.mean()), float(outcome_t.std(ddof=1)) if len(outcome_t) > 1 else 0.0,
                  len(outcome_t))
    c = Side.mean(float(outcome_c.mean()), float(outcome_c.std(ddof=1)) if len(outcome_c) > 1 else 0.0,
                  len(outcome_c))
    if t.n < 2 or c.n < 2:
        return Cell(breakdown, group, "mean", t, c, method="too few people for an interval")
    return Cell.compare_means(breakdown, group, t, c)


def matched_cells(frame: pd.DataFrame, result: MatchResult, outcome: str, kind: str,
                  breakdowns: Iterable[str], groups_order: dict[str, list[str]] | None = None) -> list[Cell]:
    """Treated against matched comparison, overall and by the treated person's group in each breakdown."""
    y = frame[outcome].to_numpy(dtype=float)
    t_rows, c_rows = result.treated_index, result.comparison_index
    cells = []
    overall = _compare(y[t_rows], y[c_rows], kind, "overall", "All")
    if overall:
        cells.append(overall)
    for breakdown in breakdowns:
        if breakdown == "overall" or breakdown not in frame:
            continue
        keys = frame[breakdown].astype("string").fillna("Not recorded").to_numpy()
        wanted = (groups_order or {}).get(breakdown) or sorted(set(keys[t_rows]))
        for group in wanted:
            pick = keys[t_rows] == group
            cell = _compare(y[t_rows[pick]], y[c_rows[pick]], kind, breakdown, str(group))
            if cell:
                cells.append(cell)
    return cells


AGE_BANDS = ["18 to 24", "25 to 34", "35 to 49", "50 and over"]
SENTENCE_LENGTHS = ["Under 12 months", "12 months to 4 years", "4 years or more"]
ORDER = {"age_band": AGE_BANDS, "sentence_length": SENTENCE_LENGTHS}
