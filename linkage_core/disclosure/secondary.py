"""Secondary suppression: hide enough other figures that a hidden one cannot be worked out.

Why: hiding one small cell is not enough when totals are published. A region's hidden count is the
overall count minus the other regions; with rows and columns both totalled, an attacker can solve the
published sums as a linear programme and bound every hidden cell. So, on the true counts, we:

1. make sure no published sum (row, column, or a breakdown against its overall figure) has exactly one
   hidden entry (it would be a simple subtraction);
2. then play the attacker: for every primary (small) cell, solve the linear programme the attacker would
   (published entries fixed, hidden ones non-negative, every sum holding) for the smallest and largest
   values it could take. If that range is narrower than the required protection, hide one more
   complementary entry, the cheapest (smallest count) that widens it;
3. repeat until nothing changes.

The cheapest complement is the one holding the fewest people, so the least information is lost. Totals
are chosen last. The engine is generic over "lines" (one total and its parts) and several measures per
entry (people, people with the outcome, ...) because one hidden estimate hides all of its numbers at once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from linkage_core.schema import DisclosurePolicy


@dataclass(frozen=True)
class Line:
    """One published sum: the entries in ``parts`` add up to the entry ``total``."""

    parts: tuple[int, ...]
    total: int

    @property
    def members(self) -> tuple[int, ...]:
        return (*self.parts, self.total)


@dataclass(frozen=True)
class Protection:
    """What secondary suppression decided. ``unprotected`` should be empty; if not, the caller must hide more."""

    primary: frozenset[int]
    secondary: frozenset[int]
    unprotected: frozenset[int]
    rounds: int

    @property
    def hidden(self) -> frozenset[int]:
        return self.primary | self.secondary


def default_protection(policy: DisclosurePolicy) -> float:
    """A hidden count must be known no better than a published rounded one (base 5: five possible values)."""
    return float(max(1, policy.rounding_base - 1))


def attacker_bounds(values: np.ndarray, lines: Sequence[Line], hidden: Collection[int], target: int,
                    objective: Sequence[float] | None = None,
                    order: Sequence[tuple[int, int]] = (),
                    upper: Mapping[int, float] | None = None,
                    enough: float | None = None) -> tuple[float, float]:
    """The smallest and largest value of ``objective . values[target]`` consistent with what is published.

    With ``enough``, a caller that only asks "is the range at least this wide?" gets ``(true value, high)``
    when the largest value alone is ``enough`` above the true one (the true value is always in range, so the
    range is then at least that wide), and the smallest is not solved for.

    ``values`` is entries x measures. Published entries are taken as exact (the attacker's best case, and
    the cautious one: rounding only adds doubt). ``order`` lists (smaller, larger) measure pairs that hold
    for every entry, such as people with the outcome <= people. ``upper`` gives what the attacker knows of
    an entry's first measure from its label: a cell marked "fewer than 10 people" is at most 9.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    n_measures = values.shape[1]
    coef = np.zeros(n_measures) if objective is None else np.asarray(objective, dtype=float)
    if objective is None:
        coef[0] = 1.0
    hidden_list = sorted(set(hidden))
    if target not in hidden_list:
        v = float(coef @ values[target])
        return v, v
    slot = {e: i for i, e in enumerate(hidden_list)}
    n_vars = len(hidden_list) * n_measures
    rows, rhs = [], []
    for line in lines:
        if not any(m in slot for m in line.members):
            continue
        for m in range(n_measures):
            row = np.zeros(n_vars)
            b = 0.0
            for member, sign in [(p, 1.0) for p in line.parts] + [(line.total, -1.0)]:
                if member in slot:
                    row[slot[member] * n_measures + m] += sign
                else:
                    b -= sign * values[member, m]
            rows.append(row)
            rhs.append(b)
    ub_rows = []
    for small, large in order:
        for e, i in slot.items():
            row = np.zeros(n_vars)
            row[i * n_measures + small], row[i * n_measures + large] = 1.0, -1.0
            ub_rows.append(row)
    c = np.zeros(n_vars)
    c[slot[target] * n_measures: (slot[target] + 1) * n_measures] = coef
    kwargs = dict(A_eq=np.array(rows) if rows else None, b_eq=np.array(rhs) if rows else None,
                  A_ub=np.array(ub_rows) if ub_rows else None, b_ub=np.zeros(len(ub_rows)) if ub_rows else None,
                  bounds=[(0, (upper or {}).get(e) if m == 0 else None) for e in hidden_list
                          for m in range(n_measures)], method="highs")
    true = float(coef @ values[target])
    high_fit = linprog(-c, **kwargs)
    high = -high_fit.fun if high_fit.status == 0 else (np.inf if high_fit.status == 3 else true)
    if enough is not None and high - true >= enough:
        return true, float(high)  # the range is at least this wide whatever its low end: one programme, not two
    low_fit = linprog(c, **kwargs)
    low = low_fit.fun if low_fit.status == 0 else (-np.inf if low_fit.status == 3 else true)
    return float(low), float(high)


def _width(values, lines, hidden, target, objective, order, upper=None) -> float:
    low, high = attacker_bounds(values, lines, hidden, target, objective, order, upper)
    return high - low


def protect(values: np.ndarray, lines: Sequence[Line], primary: Iterable[int], *,
            required: float | Callable[[int, int], float] = 4.0,
            objectives: Sequence[Sequence[float]] | None = None,
            order: Sequence[tuple[int, int]] = (),
            cost: Sequence[float] | None = None,
            unpublished: Collection[int] = (),
            upper: Mapping[int, float] | None = None,
            max_rounds: int = 10_000) -> Protection:
    """Choose complementary entries to hide so every primary entry keeps at least ``required`` doubt.

    ``required`` may depend on (entry, objective index). ``objectives`` are the quantities the attacker
    must not pin (default: each measure on its own). ``cost`` is the information lost by hiding an entry
    (default: its first measure, the number of people). ``unpublished`` entries are never shown (such as
    the people in no listed group when a breakdown does not cover everyone): the attacker must treat them
    as unknown, and they are not counted as hidden figures. ``upper`` is what the attacker knows from the
    labels of hidden entries (see :func:`attacker_bounds`).
    """
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    n_entries, n_measures = values.shape
    if objectives is None:
        objectives = [tuple(1.0 if i == m else 0.0 for i in range(n_measures)) for m in range(n_measures)]
    need = required if callable(required) else (lambda _e, _o, r=float(required): r)
    costs = values[:, 0] if cost is None else np.asarray(cost, dtype=float)
    totals = {line.total for line in lines}

    lines_of: dict[int, list[Line]] = {}
    for line in lines:
        for member in line.members:
            lines_of.setdefault(member, []).append(line)

    def price(entry: int) -> tuple:
        # parts before totals, then fewest people, then a fixed order so results are reproducible
        return (entry in totals, costs[entry], entry)

    def lookahead(line: Line) -> Callable[[int], tuple]:
        """Price of hiding ``entry`` for ``line``: its own people plus the cheapest complement each of its
        other lines will then need (a line with nothing hidden yet would be left with a lone hidden entry).
        Without this, always taking the smallest count can start a long chain of further suppressions."""
        def price_for(entry: int) -> tuple:
            extra = 0.0
            for other in lines_of.get(entry, []):
                if other is line or any(m in hidden for m in other.members):
                    continue
                rest = [costs[m] for m in other.members if m != entry and m not in totals]
                extra += min(rest) if rest else 0.0
            return (entry in totals, costs[entry] + extra, entry)
        return price_for

    primary_set = frozenset(primary) - set(unpublished)
    hidden = set(primary_set) | set(unpublished)
    unprotected: set[int] = set()
    rounds = 0
    while rounds < max_rounds:
        rounds += 1
        changed = False
        for line in lines:
            members = line.members
            shown = [m for m in members if m not in hidden]
            lone = [m for m in members if m in hidden]
            if len(lone) == 1 and lone[0] not in unpublished and shown:
                hidden.add(min(shown, key=lookahead(line)))
                changed = True
        if changed:
            continue
        weak = _first_weak(values, lines, hidden, primary_set - unprotected, objectives, order, need, upper)
        if weak is None:
            break
        entry, o = weak
        pick = _best_complement(values, lines, hidden, entry, objectives[o], order, need(entry, o), price,
                                n_entries, upper)
        if pick is None:
            unprotected.add(entry)
        else:
            hidden.add(pick)
    return Protection(primary_set, frozenset(hidden - primary_set - set(unpublished)), frozenset(unprotected),
                      rounds)


def _first_weak(values, lines, hidden, targets, objectives, order, need, upper) -> tuple[int, int] | None:
    """The first (entry, objective) the attacker could pin too closely, in a fixed order. Only "wide enough?"
    is asked, so :func:`attacker_bounds` may stop after the largest value (one programme, not two)."""
    for entry in sorted(targets):
        for o, objective in enumerate(objectives):
            required = need(entry, o) - 1e-9
            low, high = attacker_bounds(values, lines, hidden, entry, objective, order, upper, enough=required)
            if high - low < required:
                return entry, o
    return None


def _best_complement(values, lines, hidden, entry, objective, order, need, price, n_entries,
                     upper) -> int | None:
    """The cheapest entry whose hiding gives ``entry`` enough doubt, else the one that adds the most doubt."""
    near = {m for line in lines if any(x in hidden for x in line.members) for m in line.members} - set(hidden)
    far = set(range(n_entries)) - near - set(hidden)
    current = _width(values, lines, hidden, entry, objective, order, upper)
    for pool in (near, far):
        best, best_width = None, current
        for candidate in sorted(pool, key=price):
            width = _width(values, lines, hidden | {candidate}, entry, objective, order, upper)
            if width >= need - 1e-9:
                return candidate
            if width > best_width + 1e-9:
                best, best_width = candidate, width
        if best is not None:
            return best
    # No single entry helps (two zeros in one row need a third cell *and* its column's complement): hide the
    # cheapest entry sharing a line with the weak one, and let the next rounds complete the pattern.
    beside = {m for line in lines if entry in line.members for m in line.members} - set(hidden)
    for pool in (beside, near, far):
        if pool:
            return min(pool, key=price)
    return None


# -- two-way tables with margins ----------------------------------------------------------------------------

@dataclass(frozen=True)
class TableLayout:
    """Where each entry of an r x c table with row totals, column totals and a grand total sits."""

    rows: int
    cols: int

    def cell(self, i: int, j: int) -> int:
        return i * self.cols + j

    def row_total(self, i: int) -> int:
        return self.rows * self.cols + i

    def col_total(self, j: int) -> int:
        return self.rows * self.cols + self.rows + j

    @property
    def grand(self) -> int:
        return self.rows * self.cols + self.rows + self.cols

    @property
    def size(self) -> int:
        return self.grand + 1

    def lines(self) -> list[Line]:
        r, c = self.rows, self.cols
        out = [Line(tuple(self.cell(i, j) for j in range(c)), self.row_total(i)) for i in range(r)]
        out += [Line(tuple(self.cell(i, j) for i in range(r)), self.col_total(j)) for j in range(c)]
        out.append(Line(tuple(self.row_total(i) for i in range(r)), self.grand))
        out.append(Line(tuple(self.col_total(j) for j in range(c)), self.grand))
        return out

    def flatten(self, counts: np.ndarray) -> np.ndarray:
        counts = np.asarray(counts, dtype=float)
        return np.concatenate([counts.ravel(), counts.sum(axis=1), counts.sum(axis=0), [counts.sum()]])


@dataclass(frozen=True)
class TableSuppression:
    """Masks over a two-way table and its margins: which entries are hidden, and why."""

    layout: TableLayout
    values: np.ndarray
    protection: Protection

    def _mask(self, entries: frozenset[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        flat = np.zeros(self.layout.size, dtype=bool)
        flat[list(entries)] = True
        r, c = self.layout.rows, self.layout.cols
        return flat[: r * c].reshape(r, c), flat[r * c: r * c + r], flat[r * c + r: r * c + r + c], bool(flat[-1])

    @property
    def hidden(self):
        """(cells, row totals, column totals, grand total) hidden masks."""
        return self._mask(self.protection.hidden)

    @property
    def primary(self):
        return self._mask(self.protection.primary)

    @property
    def lines(self) -> list[Line]:
        return self.layout.lines()


def primary_entries(values: np.ndarray, threshold: int, zeros_disclosive: bool = True) -> set[int]:
    """Entries describing fewer people than the threshold (zeros too, as ACRO does by default)."""
    return {i for i, v in enumerate(values) if v < threshold and (v > 0 or zeros_disclosive)}


def suppress_table(counts: np.ndarray, policy: DisclosurePolicy, *, zeros_disclosive: bool = True,
                   required: float | None = None) -> TableSuppression:
    """Primary and (if the policy asks) secondary suppression for a table published with its margins."""
    counts = np.asarray(counts)
    if counts.ndim != 2:
        raise ValueError("suppress_table takes a two-way table; use protect() for other shapes")
    layout = TableLayout(*counts.shape)
    values = layout.flatten(counts)
    primary = primary_entries(values, policy.threshold, zeros_disclosive)
    if not policy.secondary_suppression:
        return TableSuppression(layout, values, Protection(frozenset(primary), frozenset(), frozenset(), 0))
    need = default_protection(policy) if required is None else required
    # A hidden cell's reason says it is under the threshold, so the attacker knows that much.
    known = {e: policy.threshold - 1 for e in primary}
    return TableSuppression(layout, values, protect(values, layout.lines(), primary, required=need, upper=known))
