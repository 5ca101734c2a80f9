"""Attack harness: how often an attacker learns an exact figure about a small group or one person.

Four attacks on random tables, each run with and without protection, over many seeds. An attempt is one
hidden small cell (or one targeted person); a success is the attacker being *certain* of the exact true
value (or of the person's membership), and right.

- margins:     a breakdown's hidden groups, from the overall figure minus the shown groups (via apply());
               people and people with the outcome. Protection: rounding to 5 + secondary suppression.
- lp:          every hidden cell of a two-way table with row, column and grand totals, bounded by linear
               programming (published figures taken as exact, and cells labelled "fewer than 10" known
               to be at most 9, which favours the attacker).
               Protection: secondary suppression.
- overlap:     two shown cells whose groups differ by one person (a region, and the region plus one
               postcode): their difference gives that person's outcome. Protection: rounding, cell key.
- membership:  an attacker who knows everyone else's data sees one published count and asks whether a
               given person is in it (two datasets differing by one person). Protection: rounding, cell key.

Run: python benchmarks/attacks.py [--seeds 20]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from linkage_core.disclosure import cellkey, secondary
from linkage_core.disclosure.apply import apply, proportion_cell, proportion_side
from linkage_core.schema import DisclosurePolicy, SuppressionReason

PROTECTED = DisclosurePolicy()
UNPROTECTED = DisclosurePolicy(rounding_base=1, secondary_suppression=False)
PTABLE = cellkey.default_ptable(PROTECTED.threshold)


@dataclass(frozen=True)
class Tally:
    attack: str
    protection: str
    attempts: int
    successes: int

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.attack, self.protection, self.attempts + other.attempts, self.successes + other.successes)

    @property
    def rate(self) -> float:
        return self.successes / self.attempts if self.attempts else 0.0


def _published_range(value: int, policy: DisclosurePolicy) -> tuple[int, int]:
    """True counts that publish as ``value`` under rounding to the base (halves up)."""
    base = policy.rounding_base
    return value - base // 2, value + (base - 1) - base // 2


# -- margins: a breakdown against its overall figure, through apply() -----------------------------------------

def margins_attack(seed: int, policy: DisclosurePolicy, label: str, groups: int = 6) -> Tally:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 120, size=groups)
    sizes[rng.random(groups) < 0.3] = rng.integers(1, 10)
    events = np.array([rng.binomial(n, 0.3) for n in sizes])
    cells = [proportion_cell("all", "f", proportion_side(int(events.sum()), int(sizes.sum())))]
    cells += [proportion_cell(f"g{i}", "f", proportion_side(int(e), int(n)), breakdown="b", group=f"G{i}",
                              part_of="all") for i, (e, n) in enumerate(zip(events, sizes))]
    out = apply(cells, policy)
    overall, parts = out[0], out[1:]
    attempts = successes = 0
    small = policy.threshold - 1
    for measure, truth in (("n", sizes), ("events", events)):
        hidden = [i for i, e in enumerate(parts) if e.suppressed]
        primary = {i for i in hidden if parts[i].suppression_reason is SuppressionReason.TOO_FEW_PEOPLE}
        attempts += len(primary)
        if overall.suppressed or not hidden:
            continue
        total = overall.treated_n if measure == "n" else overall.treated_events
        t_lo, t_hi = _published_range(total, policy)
        shown = [getattr(parts[i], f"treated_{measure}") for i in range(len(parts)) if i not in hidden]
        ranges = [_published_range(v, policy) for v in shown]
        rest_lo = t_lo - sum(hi for _, hi in ranges)
        rest_hi = t_hi - sum(lo for lo, _ in ranges)
        for i in primary:
            others_cap = sum(small if j in primary else 10**9 for j in hidden if j != i)
            lo = max(0, rest_lo - others_cap)
            hi = min(small, rest_hi)
            if lo == hi and lo == truth[i]:
                successes += 1
    return Tally("margins", label, attempts, successes)


# -- lp: two-way table with margins --------------------------------------------------------------------------

def random_table(rng: np.random.Generator) -> np.ndarray:
    shape = (int(rng.integers(3, 7)), int(rng.integers(3, 6)))
    table = rng.integers(10, 80, size=shape)
    small = rng.random(shape) < 0.2
    table[small] = rng.integers(0, 10, size=int(small.sum()))
    return table


def lp_attack(seed: int, policy: DisclosurePolicy, label: str) -> Tally:
    rng = np.random.default_rng(seed)
    table = random_table(rng)
    result = secondary.suppress_table(table, policy)
    hidden = result.protection.hidden
    attempts = successes = 0
    for entry in sorted(result.protection.primary):
        attempts += 1
        known = {e: policy.threshold - 1 for e in result.protection.primary}  # labelled "fewer than 10"
        low, high = secondary.attacker_bounds(result.values, result.lines, hidden, entry, upper=known)
        if high - low < 1e-6 and round(low) == result.values[entry]:
            successes += 1
    return Tally("lp", label, attempts, successes)


# -- overlap and membership: one person's difference ------------------------------------------------------------

def _candidates_rounding(published: int, base: int) -> set[int]:
    return {c for c in range(max(0, published - base), published + base + 1)
            if c >= PROTECTED.threshold and base * int(np.floor(c / base + 0.5)) == published}


def _candidates_ckm(published: int) -> set[int]:
    return {c for c in range(max(0, published - 3), published + 3)
            if c >= PROTECTED.threshold and any(c + a == published and p > 0 for a, p in PTABLE.row(c))}


def _publish(count: int, key: float, protection: str) -> int | None:
    if count < PROTECTED.threshold:
        return None
    if protection == "rounding":
        return 5 * int(np.floor(count / 5 + 0.5))
    if protection == "cell key":
        return PTABLE.perturb(count, key)
    return count


def _candidates(published: int, protection: str) -> set[int]:
    if protection == "rounding":
        return _candidates_rounding(published, 5)
    if protection == "cell key":
        return _candidates_ckm(published)
    return {published}


def overlap_attack(seed: int, protection: str, trials: int = 25) -> Tally:
    rng = np.random.default_rng(seed)
    attempts = successes = 0
    for _ in range(trials):
        people = int(rng.integers(30, 300))
        keys = cellkey.random_record_keys(people + 1, int(rng.integers(1 << 31)))
        outcome = rng.random(people + 1) < 0.3
        a_members, b_members = np.arange(people), np.arange(people + 1)  # B is A plus the target
        a_true, b_true = int(outcome[a_members].sum()), int(outcome[b_members].sum())
        a_pub = _publish(a_true, cellkey.cell_key(keys[a_members][outcome[a_members]]), protection)
        b_pub = _publish(b_true, cellkey.cell_key(keys[b_members][outcome[b_members]]), protection)
        attempts += 1
        if a_pub is None or b_pub is None:
            continue
        possible = {b - a for a in _candidates(a_pub, protection) for b in _candidates(b_pub, protection)
                    if b - a in (0, 1)}
        if len(possible) == 1 and possible == {int(outcome[people])}:
            successes += 1
    return Tally("overlap", protection, attempts, successes)


def membership_attack(seed: int, protection: str, trials: int = 25) -> Tally:
    rng = np.random.default_rng(seed)
    attempts = successes = 0
    for _ in range(trials):
        others = int(rng.integers(10, 200))  # the attacker knows these people's count exactly
        keys = cellkey.random_record_keys(others + 1, int(rng.integers(1 << 31)))
        inside = bool(rng.random() < 0.5)
        members = np.arange(others + 1) if inside else np.arange(others)
        published = _publish(len(members), cellkey.cell_key(keys[members]), protection)
        attempts += 1
        if published is None:
            continue
        possible = {y for y in (0, 1) if others + y in _candidates(published, protection)}
        if len(possible) == 1 and possible == {int(inside)}:
            successes += 1
    return Tally("membership", protection, attempts, successes)


# -- running ---------------------------------------------------------------------------------------------------

def run(seeds: Iterable[int]) -> list[Tally]:
    seeds = list(seeds)
    totals: dict[tuple[str, str], Tally] = {}

    def add(tally: Tally) -> None:
        key = (tally.attack, tally.protection)
        totals[key] = totals[key] + tally if key in totals else tally

    for seed in seeds:
        add(margins_attack(seed, UNPROTECTED, "none"))
        add(margins_attack(seed, PROTECTED, "rounding + secondary"))
        add(lp_attack(seed, UNPROTECTED, "none"))
        add(lp_attack(seed, PROTECTED, "secondary"))
        for protection in ("none", "rounding", "cell key"):
            add(overlap_attack(seed, protection))
            add(membership_attack(seed, protection))
    return list(totals.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    start = time.perf_counter()
    tallies = run(range(args.seeds))
    print(f"{'attack':<12} {'protection':<22} {'attempts':>9} {'successes':>10} {'rate':>7}")
    for t in tallies:
        print(f"{t.attack:<12} {t.protection:<22} {t.attempts:>9} {t.successes:>10} {t.rate:>7.1%}")
    print(f"\n{args.seeds} seeds in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
