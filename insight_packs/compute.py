"""Cell builders the packs share: shares by group, and matched comparisons matched again inside each group.

Cells are disclosure control's own input type (``RawCell``), built here once. Group-by logic lives here so
each pack reads as its question, not as loops.

Why every comparison row is matched inside its own group: a row such as "sentences under 12 months" must
compare treated people in that group with similar people *in that group*. Taking the overall match and
splitting it by the treated person's group lets partners come from any group, and the row then mixes the
group's effect with the gap between groups (issue 13). So each row is matched again, exactly on the row's
group (and the pack's strong strata), and its balance is checked on its own pairs.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from insight_packs.matching import MatchResult, Matcher
from linkage_core.disclosure.apply import RawCell, RawSide, mean_cell, proportion_cell, proportion_side
from linkage_core.disclosure.cellkey import bound_key, cell_key
from linkage_core.disclosure.dominance import Magnitude
from linkage_core.schema import SuppressionReason

#: Hex digits of ``record_key`` in the analysis tables (see ``cohort._linked_view``).
_KEY_SCALE = float(16**8)
#: Justice Data Lab practice: no comparison is reported for fewer than 60 (matched) treated people.
MIN_TREATED_FOR_COMPARISON = 60


def record_keys(frame: pd.DataFrame) -> np.ndarray | None:
    """Each row's record key in [0, 1), or None when the table has none."""
    if "record_key" not in frame:
        return None
    texts = frame["record_key"].astype(str).to_numpy(dtype=str)
    digits = _hex_digits(texts)
    if digits is None:  # not all eight hex digits: read one by one (as ever), so a bad key still fails loudly
        return np.array([int(h, 16) for h in texts], dtype=np.float64) / _KEY_SCALE
    return (digits @ _HEX_PLACES).astype(np.float64) / _KEY_SCALE


#: Each hex digit's value by its ASCII code (-1 for anything else), and the place values of eight digits.
_HEX_VALUE = np.full(256, -1, dtype=np.int64)
for _i, _c in enumerate("0123456789abcdef"):
    _HEX_VALUE[ord(_c)] = _HEX_VALUE[ord(_c.upper())] = _i
_HEX_PLACES = 16 ** np.arange(7, -1, -1, dtype=np.int64)


def _hex_digits(texts: np.ndarray) -> np.ndarray | None:
    """Eight hex digits per key as a (rows, 8) array of their values (whole numbers, so the same keys as
    ``int(h, 16)``, read for every row at once); None when any key is not exactly eight hex digits."""
    if not len(texts):
        return np.zeros((0, 8), dtype=np.int64)
    if texts.dtype.itemsize != 8 * 4 or not (np.char.str_len(texts) == 8).all():
        return None
    try:
        codes = np.frombuffer(texts.astype("S8").tobytes(), dtype=np.uint8).reshape(len(texts), 8)
    except UnicodeEncodeError:
        return None
    values = _HEX_VALUE[codes]
    return None if (values < 0).any() else values


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


def share_side(flags: np.ndarray, keys: np.ndarray | None) -> RawSide:
    """A share from one yes/no per person, with the cell keys of the group and of the yeses."""
    flags = np.asarray(flags, dtype=bool)
    return proportion_side(int(flags.sum()), len(flags), key=key_of(keys), events_key=key_of(keys, flags))


def mean_side(values: np.ndarray, keys: np.ndarray | None) -> RawSide:
    """A mean with its t interval and the values' magnitudes, so the dominance rules can run on it."""
    from linkage_core import stats

    values = np.asarray(values, dtype=float)
    n = len(values)
    sd = float(values.std(ddof=1)) if n > 1 else 0.0
    mean = float(values.mean()) if n else 0.0
    low = high = None
    if n > 1:
        interval = stats.mean_interval_from_summary(mean, sd, n)
        low, high = interval.low, interval.high
    return RawSide(n=n, value=mean, low=low, high=high, sd=sd, key=key_of(keys),
                   magnitude=Magnitude.from_values(values))


def share_cells(frame: pd.DataFrame, outcome: str, breakdowns: Iterable[str], *, overall_label: str = "All",
                groups_order: dict[str, list[str]] | None = None) -> list[RawCell]:
    """A share with its Wilson interval, overall and for each group of each breakdown."""
    flags = frame[outcome].astype(float).to_numpy() > 0
    keys = record_keys(frame)
    cells = [proportion_cell("", "", share_side(flags, keys), group=overall_label, unit="share")] if len(flags) else []
    for breakdown in breakdowns:
        if breakdown == "overall" or breakdown not in frame:
            continue
        labels = labels_of(frame, breakdown)
        wanted = (groups_order or {}).get(breakdown) or sorted(set(labels))
        for group in wanted:
            pick = labels == group
            if pick.any():
                cells.append(proportion_cell("", "", share_side(flags[pick], None if keys is None else keys[pick]),
                                             breakdown=breakdown, group=str(group), unit="share"))
    return cells


def labels_of(frame: pd.DataFrame, breakdown: str) -> np.ndarray:
    return frame[breakdown].astype("string").fillna("Not recorded").to_numpy().astype(str)


def _covariate_words(name: str) -> str:
    return name.replace("_", " ").replace(": ", " ")


def comparison_cell(frame: pd.DataFrame, result: MatchResult, y: np.ndarray, kind: str, breakdown: str,
                    group: str, keys: np.ndarray | None, *, unit: str, range_high: float | None = None,
                    exploratory: bool = False) -> RawCell:
    """One comparison row from its own matched pairs, hidden ([x]) when the Justice Data Lab would not
    report it: fewer than 60 matched treated people, or matched groups that are not alike."""
    t_rows, c_rows = result.treated_index, result.comparison_index
    k = (lambda rows: None) if keys is None else (lambda rows: keys[rows])
    unmatched = None
    if result.eligible_index is not None and keys is not None:
        left = np.setdiff1d(result.eligible_index, t_rows)
        unmatched = RawSide(n=len(left), value=float(len(left)), key=key_of(keys, left))
    forced, note = None, None
    worst = result.worst_after
    if result.matched < MIN_TREATED_FOR_COMPARISON:
        forced = SuppressionReason.TOO_FEW_TO_COMPARE if result.matched else SuppressionReason.NOT_AVAILABLE
        note = (f"Not compared: fewer than {MIN_TREATED_FOR_COMPARISON} people in this group had a similar "
                "partner (the Justice Data Lab's minimum).")
    elif not result.balanced and worst is not None:
        forced = SuppressionReason.NOT_BALANCED
        note = (f"Not compared: after matching, the groups still differed on {_covariate_words(worst.covariate)} "
                f"(standardised gap {abs(worst.after):.2f}, limit {result.limit:.2f}).")
    else:
        note = "About the matched people in this group, compared with their similar partners."
    extra = dict(breakdown=breakdown, group=group, unit=unit, range_high=range_high, forced=forced,
                 unmatched=unmatched, exploratory=exploratory, note=note)
    if result.matched == 0:
        return RawCell("", "", RawSide(n=0, events=0), RawSide(n=0, events=0), kind=kind, **extra)
    if kind == "proportion":
        return proportion_cell("", "", share_side(y[t_rows] > 0, k(t_rows)), share_side(y[c_rows] > 0, k(c_rows)),
                               **extra)
    t, c = mean_side(y[t_rows], k(t_rows)), mean_side(y[c_rows], k(c_rows))
    if t.n < 2 or c.n < 2:
        return RawCell("", "", t, c, kind="mean", method="too few people for an interval", **extra)
    return mean_cell("", "", t, c, **extra)


def matched_cells(matcher: Matcher, outcome: str, kind: str, breakdowns: Iterable[str],
                  groups_order: dict[str, list[str]] | None = None, *, unit: str,
                  range_high: float | None = None, by_treatment: Iterable[str] = (),
                  results: dict | None = None) -> list[RawCell]:
    """Treated against matched comparison, overall and for each group, each row matched inside its group.

    ``by_treatment`` names breakdowns defined by the treatment itself (a course's level): their treated people
    are matched against the whole eligible pool, and the rows are exploratory (no "clear" verdict).
    ``results`` caches matches across outcomes of the same question (matching does not see the outcome).
    """
    frame = matcher.frame
    y = pd.to_numeric(frame[outcome], errors="coerce").to_numpy(dtype=float)
    keys = record_keys(frame)
    cache = results if results is not None else {}
    by_treatment = set(by_treatment)

    def result_for(breakdown: str, group: str, pick: np.ndarray | None) -> MatchResult:
        if (breakdown, group) not in cache:
            if pick is None:
                cache[(breakdown, group)] = matcher.match()
            elif breakdown in by_treatment:
                # Its own propensity model: who reaches a level differs from who takes the course at all.
                own = Matcher(frame, matcher.treated & pick, matcher.pool, matcher.numeric, matcher.categorical,
                              matcher.exact, matcher.balance_on, like=matcher)
                cache[(breakdown, group)] = own.match()
            else:
                cache[(breakdown, group)] = matcher.match(within=pick)
        return cache[(breakdown, group)]

    cells = [comparison_cell(frame, result_for("overall", "All", None), y, kind, "overall", "All", keys,
                             unit=unit, range_high=range_high)]
    for breakdown in breakdowns:
        if breakdown == "overall" or breakdown not in frame:
            continue
        labels = labels_of(frame, breakdown)
        present = set(labels[matcher.treated])
        wanted = [g for g in ((groups_order or {}).get(breakdown) or sorted(present)) if g in present]
        for group in wanted:
            result = result_for(breakdown, group, labels == group)
            cells.append(comparison_cell(frame, result, y, kind, breakdown, str(group), keys, unit=unit,
                                         range_high=range_high, exploratory=breakdown in by_treatment))
    return cells


def balance_caveats(result: MatchResult) -> list[str]:
    """What was and was not balanced, for the overall row, in plain words."""
    checked = [b for b in result.balance if not np.isnan(b.after)]
    if not checked:
        return []
    worst = result.worst_after
    lines = []
    if result.balanced:
        lines.append(f"After matching, the two groups were alike on all {len(checked)} measures checked: every "
                     f"standardised gap was under {result.limit:.2f} (the largest, "
                     f"{_covariate_words(worst.covariate)}, was {abs(worst.after):.2f}).")
    else:
        lines.append(f"After matching, the groups still differed on {_covariate_words(worst.covariate)} "
                     f"(standardised gap {abs(worst.after):.2f}, above {result.limit:.2f}), so this comparison is "
                     "not reported.")
    if result.exact:
        lines.append("Matched exactly on " + ", ".join(_covariate_words(c) for c in result.exact) + ".")
    lines.append("The groups could not be checked on anything the records do not hold, such as motivation or "
                 "family support.")
    return lines


AGE_BANDS = ["18 to 24", "25 to 34", "35 to 49", "50 and over"]
SENTENCE_LENGTHS = ["Under 12 months", "12 months to 4 years", "4 years or more"]
ORDER = {"age_band": AGE_BANDS, "sentence_length": SENTENCE_LENGTHS}
#: Everything the adult analysis tables hold about a person before release: balance is checked on all of it.
ADULT_PROFILE = ("age_at_release", "sentence_months", "prior_offences", "sex", "ethnicity", "offence_group",
                 "prior_qualification", "employed_before_custody", "region", "prison_type", "accommodation_need",
                 "social_ties", "substance_misuse_need", "age_band", "sentence_length")
