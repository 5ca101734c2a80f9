"""Attacks on real bundles: the whole pipeline's figures, from random synthetic worlds.

``benchmarks/attacks.py`` attacks random tables; this attacks what a bundle actually holds. For each seed
it synthesises a world, links it, and runs the four packs once (true counts, the secure stage's view).
It then removes one random person from the linked data (their rows in the spine) and runs the packs again:
two datasets that differ by exactly one person, the hardest case. Both are published under three policies:

- ``none``:      the 10-person threshold only (no rounding, no secondary suppression, no cell key);
- ``rounding``:  rounding to 5 and secondary suppression, rates from the true counts;
- ``full``:      BOLD's publishing policy (``insight_packs.build.PUBLISHING_POLICY``): rounding up or down
                 by the cell key, rates from the published counts, secondary suppression.

The attacker holds every published table, and for the two-bundle attacks both bundles, and knows which
groups the removed person belongs to (the strongest case: a neighbour, a caseworker). Attacks:

- ``differencing``: every hidden cell, bounded by linear programming over its finding's overall figure
  and each breakdown that splits it (published figures as the ranges the policy allows). A success is a
  hidden count pinned to one value, and right.
- ``outcome``: in every group the person left, how many of the group had the outcome in one bundle and not
  the other (the person's own outcome, when only they moved). A success is one answer left, and right.
- ``membership``: from the same groups' published sizes, which bundle holds the person. A success is
  being certain, and right.

    python benchmarks/bundle_attacks.py --worlds 20 --people 1500
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from insight_packs.build import PUBLISHING_POLICY  # noqa: E402
from insight_packs.drafts import FindingDraft  # noqa: E402
from insight_packs.publish import NOT_PARTS, publish_estimates, raw_cells  # noqa: E402
from linkage_core.disclosure.cellkey import ptable_for  # noqa: E402
from linkage_core.schema import DisclosurePolicy, Estimate, SuppressionReason  # noqa: E402

POLICIES: dict[str, DisclosurePolicy] = {
    "none": DisclosurePolicy(rounding_base=1, secondary_suppression=False, cell_key_perturbation=False),
    "rounding": DisclosurePolicy(cell_key_perturbation=False),
    "full": PUBLISHING_POLICY,
}
SECRET = "a1" * 16
#: Rates are published to 3 decimal places (``apply.Precision``).
RATE_DP = 3
Key = tuple[str, str, str]  # finding, breakdown, group


@dataclass(frozen=True)
class Tally:
    attack: str
    policy: str
    attempts: int
    successes: int

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.attack, self.policy, self.attempts + other.attempts, self.successes + other.successes)

    @property
    def rate(self) -> float:
        return self.successes / self.attempts if self.attempts else 0.0


# -- the secure stage: one world, and the same world without one person --------------------------------------

def drafts_for(world: Path, link: Path) -> list[FindingDraft]:
    from insight_packs.cohort import Sources, load
    from insight_packs.engine import open_engine
    from insight_packs.registry import all_packs

    engine = open_engine("duckdb")
    try:
        load(engine, Sources(world, link, SECRET))
        return [d for pack in all_packs() for d in pack.compute(engine)]
    finally:
        engine.close()


def without_one_person(link: Path, out: Path, seed: int) -> None:
    """A copy of the linkage outputs with one random released person's records taken out of the spine."""
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    for item in link.iterdir():
        if item.is_file() and item.name not in {"spine.parquet", "families.parquet"}:
            shutil.copy(item, out / item.name)
    con = duckdb.connect()
    keys = [r[0] for r in con.execute(f"SELECT DISTINCT person_key FROM '{link / 'spine.parquet'}' "
                                      "WHERE dataset = 'prison' ORDER BY person_key").fetchall()]
    target = keys[int(np.random.default_rng(seed).integers(len(keys)))]
    con.execute(f"COPY (SELECT * FROM '{link / 'spine.parquet'}' WHERE person_key <> {target}) "
                f"TO '{out / 'spine.parquet'}' (FORMAT parquet)")
    if (link / "families.parquet").exists():
        con.execute(f"COPY (SELECT * FROM '{link / 'families.parquet'}' WHERE parent_person_key <> {target} "
                    f"AND child_person_key <> {target}) TO '{out / 'families.parquet'}' (FORMAT parquet)")
    con.close()


def world_pair(seed: int, people: int, root: Path, true_links: bool = False
               ) -> tuple[list[FindingDraft], list[FindingDraft]]:
    """The four packs' drafts for a world and for the same world without one person.

    ``true_links`` takes the spine from the world's truth instead of linking: the attacks judge what is
    published, not the linkage, so the CI test uses it to spend its minutes on the attacks.
    """
    from sample_db.world import synthesise

    world = synthesise(people, seed, root / "world")
    if true_links:
        from insight_packs.truth import true_links as perfect_spine

        perfect_spine(world, root / "link")
    else:
        from linkage_core.linkage import link_world

        link_world(world, root / "link", evaluate=False)
    without_one_person(root / "link", root / "link_minus", seed)
    return drafts_for(world, root / "link"), drafts_for(world, root / "link_minus")


# -- what the attacker may believe about a true count, given what is published --------------------------------

def count_candidates(published: int, policy: DisclosurePolicy) -> range:
    """Every true count that could have been published as ``published`` under ``policy``."""
    if policy.cell_key_perturbation:
        ptable = ptable_for(policy.rounding_base, policy.threshold)
        reach = 2 * policy.rounding_base + 2
        return _as_range([t for t in range(max(policy.threshold, published - reach), published + reach + 1)
                          if any(t + a == published and p > 0 for a, p in ptable.row(t))])
    base = policy.rounding_base
    return range(max(policy.threshold, published - base // 2), published + (base - 1) - base // 2 + 1)


def _as_range(values: list[int]) -> range:
    return range(min(values), max(values) + 1) if values else range(0)


def side_candidates(e: Estimate, policy: DisclosurePolicy) -> set[tuple[int, int]]:
    """True (people, people with the outcome) of a published treated side, using the rate when it is exact."""
    ns = count_candidates(e.treated_n, policy)
    es = count_candidates(e.treated_events, policy)
    pairs = {(n, k) for n in ns for k in es if k <= n}
    if not policy.cell_key_perturbation and e.treated_value is not None:
        # rates from true counts: the three decimals narrow the true counts down
        pairs = {(n, k) for n, k in pairs if round(k / n, RATE_DP) == e.treated_value}
    return pairs


# -- attacks -------------------------------------------------------------------------------------------------

def _truth(drafts: list[FindingDraft]) -> dict[Key, tuple[int, int | None]]:
    out = {}
    for draft in drafts:
        cells, _ = raw_cells(draft)
        for cell in cells:
            out[(cell.finding_id, cell.breakdown, cell.group)] = (cell.treated.n, cell.treated.events)
    return out


def publish(drafts: list[FindingDraft], policy: DisclosurePolicy) -> dict[Key, Estimate]:
    return {(e.finding_id, e.breakdown, e.group): e for d in drafts for e in publish_estimates(d, policy)}


def _shown_range(e: Estimate, measure: str, policy: DisclosurePolicy) -> tuple[float, float]:
    value = getattr(e, f"treated_{measure}")
    if measure == "events" and not policy.cell_key_perturbation and e.treated_value is not None:
        pairs = side_candidates(e, policy)
        ks = [k for _, k in pairs] or list(count_candidates(value, policy))
        return float(min(ks)), float(max(ks))
    if measure == "n" and not policy.cell_key_perturbation and e.treated_value is not None:
        ns = [n for n, _ in side_candidates(e, policy)] or list(count_candidates(value, policy))
        return float(min(ns)), float(max(ns))
    cands = count_candidates(value, policy)
    return float(cands.start), float(cands.stop - 1)


def differencing(drafts: list[FindingDraft], published: dict[Key, Estimate], policy: DisclosurePolicy,
                 label: str) -> Tally:
    """Hidden cells of each finding, bounded by linear programming over the overall figure and its splits."""
    from scipy.optimize import linprog

    truth = _truth(drafts)
    attempts = successes = 0
    by_finding: dict[str, list[Key]] = {}
    for key in published:
        by_finding.setdefault(key[0], []).append(key)
    for finding, keys in by_finding.items():
        overall = [k for k in keys if k[1] == "overall"][:1]
        if not overall:
            continue
        splits: dict[str, list[Key]] = {}
        for k in keys:
            if k[1] not in NOT_PARTS and published[k].kind == "proportion":
                splits.setdefault(k[1], []).append(k)
        hidden = [k for k in keys if published[k].suppressed and published[k].suppression_reason in (
            SuppressionReason.TOO_FEW_PEOPLE, SuppressionReason.PROTECTS_ANOTHER_CELL)]
        if not hidden or published[overall[0]].kind != "proportion":
            continue
        for measure, index in (("n", 0), ("events", 1)):
            cells = overall + [k for members in splits.values() for k in members]
            slot = {k: i for i, k in enumerate(cells)}
            bounds = []
            for k in cells:
                e = published[k]
                bounds.append((0.0, None) if e.suppressed else _shown_range(e, measure, policy))
            a_eq, b_eq, a_ub, b_ub = [], [], [], []
            for members in splits.values():
                row = np.zeros(len(cells))
                row[slot[overall[0]]] = -1.0
                for k in members:
                    row[slot[k]] = 1.0
                covers = sum(truth[k][index] or 0 for k in members) == (truth[overall[0]][index] or 0)
                # the attacker knows the categories, so knows whether a breakdown covers everyone
                (a_eq if covers else a_ub).append(row)
                (b_eq if covers else b_ub).append(0.0)
            for k in (c for c in cells if c in hidden):
                attempts += 1
                ends = []
                for sign in (1.0, -1.0):
                    c = np.zeros(len(cells))
                    c[slot[k]] = sign
                    res = linprog(c, A_ub=np.array(a_ub) if a_ub else None, b_ub=b_ub or None,
                                  A_eq=np.array(a_eq) if a_eq else None, b_eq=b_eq or None, bounds=bounds,
                                  method="highs")
                    ends.append(sign * res.fun if res.status == 0 else None)
                low, high = ends[0], ends[1]
                if low is not None and high is not None and high - low < 0.5 and \
                        round(low) == truth[k][index]:
                    successes += 1
    return Tally("differencing", label, attempts, successes)


def _moved_groups(before: dict[Key, Estimate], after: dict[Key, Estimate], truth_before, truth_after
                  ) -> list[Key]:
    """Groups the person left: one fewer person in truth, and shown in both bundles."""
    return [k for k in before if k in after and k in truth_after
            and truth_before[k][0] - truth_after[k][0] == 1
            and before[k].kind == "proportion" and not before[k].suppressed and not after[k].suppressed]


def two_bundles(pair: tuple[list[FindingDraft], list[FindingDraft]],
                published: tuple[dict[Key, Estimate], dict[Key, Estimate]], policy: DisclosurePolicy, label: str
                ) -> tuple[Tally, Tally]:
    full, minus = pair
    t_full, t_minus = _truth(full), _truth(minus)
    p_full, p_minus = published
    outcome_attempts = outcome_hits = member_attempts = member_hits = 0
    for k in _moved_groups(p_full, p_minus, t_full, t_minus):
        a, b = side_candidates(p_full[k], policy), side_candidates(p_minus[k], policy)
        true_gap = (t_full[k][1] or 0) - (t_minus[k][1] or 0)
        outcome_attempts += 1
        gaps = {ka - kb for na, ka in a for nb, kb in b if na - nb == 1 and ka - kb in (0, 1)}
        if gaps == {true_gap}:
            outcome_hits += 1
        member_attempts += 1
        # which bundle holds the person: the one whose true group is larger by one
        sizes = {na - nb for na, _ in a for nb, _ in b if abs(na - nb) == 1}
        if sizes == {1}:
            member_hits += 1
    return (Tally("outcome", label, outcome_attempts, outcome_hits),
            Tally("membership", label, member_attempts, member_hits))


# -- running -------------------------------------------------------------------------------------------------

def attack_world(seed: int, people: int, policies: tuple[str, ...], true_links: bool = False) -> list[Tally]:
    """Every attack on one world (and the same world without one person), under each policy."""
    with tempfile.TemporaryDirectory(prefix="bold-attack-") as folder:
        pair = world_pair(seed, people, Path(folder), true_links)
    tallies = []
    for name in policies:
        policy = POLICIES[name]
        published = (publish(pair[0], policy), publish(pair[1], policy))
        tallies.append(differencing(pair[0], published[0], policy, name))
        tallies += two_bundles(pair, published, policy, name)
    return tallies


def _attack_world(args: tuple[int, int, tuple[str, ...], bool]) -> list[Tally]:
    return attack_world(*args)


def run(seeds: Iterable[int], people: int, policies: Iterable[str] = tuple(POLICIES), processes: int = 2,
        true_links: bool = False) -> list[Tally]:
    """Totals over the worlds; worlds are independent, so they run ``processes`` at a time."""
    import multiprocessing as mp

    jobs = [(seed, people, tuple(policies), true_links) for seed in seeds]
    if processes > 1:
        with mp.get_context("spawn").Pool(processes) as pool:
            per_world = pool.map(_attack_world, jobs, chunksize=1)
    else:
        per_world = [_attack_world(job) for job in jobs]
    totals: dict[tuple[str, str], Tally] = {}
    for tally in (t for world in per_world for t in world):
        key = (tally.attack, tally.policy)
        totals[key] = totals[key] + tally if key in totals else tally
    return list(totals.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, default=20)
    parser.add_argument("--people", type=int, default=1500)
    parser.add_argument("--first-seed", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--true-links", action="store_true",
                        help="take the spine from the world's truth instead of linking (the attacks judge publishing)")
    args = parser.parse_args()
    start = time.perf_counter()
    tallies = run(range(args.first_seed, args.first_seed + args.worlds), args.people, processes=args.processes,
                  true_links=args.true_links)
    print(f"{'attack':<14} {'policy':<10} {'attempts':>9} {'successes':>10} {'rate':>7}")
    for t in sorted(tallies, key=lambda t: (t.attack, list(POLICIES).index(t.policy))):
        print(f"{t.attack:<14} {t.policy:<10} {t.attempts:>9} {t.successes:>10} {t.rate:>7.1%}")
    print(f"\n{args.worlds} worlds of {args.people:,} people in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
