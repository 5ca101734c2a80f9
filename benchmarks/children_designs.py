"""Children's comparison designs against the planted truth, many worlds, no bundle (issue 13, sixth session).

Why: the children pack's bias ratio (matched against naive) is the one pack figure issue 13 still misses, and a
full ``truth_recovery.py`` world takes minutes. This builds each world's children table once (the pipeline's
own ``cohort.load`` on a perfect or a real spine), caches it, and scores several designs on true counts with
the sweep's figure: the mean over rows (outcome x age group, overall included) of |mean over worlds of
(estimate - truth)|, against the same for the naive gap. Rows are those the pack would show (at least 60
matched treated; for shares, 20 or more expected with and without the outcome at the finding's overall rate).

The truth columns (``oracle_*``) are read from ``_truth/`` only to *diagnose* (how many comparison children
really have a parent in the cohort); no design reads them.

Run: python benchmarks/children_designs.py --seeds 10 --first-seed 1801 --people 6000 [--true-links]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

OUTCOMES = {"attendance_rate": "mean", "persistent_absence": "proportion", "any_suspension": "proportion",
            "permanent_exclusion": "proportion", "attainment_expected": "proportion"}
CACHE = Path("/tmp/s6rows/cache")


def children_frame(seed: int, people: int, true_links: bool, kept: Path | None = None) -> pd.DataFrame:
    """The pack's school frame for one world (cached), with oracle columns for diagnosis only. ``kept``: a
    folder of worlds and links kept by ``truth_recovery.py --keep`` (``<kept>/<seed>/world`` and ``link``)."""
    tag = "true" if true_links else "real"
    path = CACHE / f"{tag}_{seed}_{people}.parquet"
    if path.exists():
        return pd.read_parquet(path)
    if kept is not None:
        return _frame_from(seed, Path(kept) / str(seed) / "world", Path(kept) / str(seed) / "link", path)
    from insight_packs.truth import true_links as perfect
    from linkage_core.linkage import link_world
    from sample_db.world import synthesise

    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bold-cd-") as folder:
        root = Path(folder)
        world = synthesise(people, seed, root / "world")
        if true_links:
            perfect(world, root / "link")
        else:
            link_world(world, root / "link")
            near = root / "link" / "families_possible.parquet"
            try:
                from linkage_core.linkage.near_families import write_possible_families
                write_possible_families(world, root / "link", near)
            except ImportError:
                pass
        return _frame_from(seed, world, root / "link", path)


def _frame_from(seed: int, world: Path, link: Path, path: Path) -> pd.DataFrame:
    from insight_packs.children import _age_group
    from insight_packs.cohort import Sources, load
    from insight_packs.engine import open_engine
    from insight_packs.evaluate import Truth

    CACHE.mkdir(parents=True, exist_ok=True)
    engine = open_engine("duckdb")
    try:
        load(engine, Sources(world, link))
        frame = engine.arrow("SELECT * FROM children ORDER BY row_order").to_pandas()
    finally:
        engine.close()
    spine = pd.read_parquet(link / "spine.parquet")
    truth = pd.read_parquet(world / "_truth" / "truth.parquet")
    fam = pd.read_parquet(world / "_truth" / "families.parquet")
    who = spine.merge(truth, on=["dataset", "record_id"])
    who = who[who.dataset.isin(["dfe", "local_authority"])].groupby("person_key").person_id.first()
    frame["oracle_person"] = frame.person_key.map(who)
    frame["oracle_fam"] = frame.oracle_person.isin(set(fam.child_person_id)).astype(int)
    # Each row's truth, from the evaluator (the judge's own numbers).
    t = Truth(world)
    rows = []
    for outcome in OUTCOMES:
        for breakdown, group in [("overall", "All")] + [("age_group", g) for g in
                                                       ("Primary school age", "Secondary school age",
                                                        "Sixth form age")]:
            known = t.row("parental_imprisonment", outcome, breakdown, group)
            if known:
                rows.append({"outcome": outcome, "group": group, **known})
    path.with_suffix(".truth.json").write_text(json.dumps(rows))
    frame = frame[frame.in_school_data == 1].reset_index(drop=True)
    frame["any_suspension"] = (frame.suspensions.fillna(0) > 0).astype(int)
    frame["age_group"] = frame.school_year.map(_age_group)
    frame.to_parquet(path)
    return frame


def truths(seed: int, people: int, true_links: bool) -> list[dict]:
    tag = "true" if true_links else "real"
    return json.loads((CACHE / f"{tag}_{seed}_{people}.parquet").with_suffix(".truth.json").read_text())


# --- designs: each returns {group: (treated rows, comparison rows, weights or None)} -------------------------

def _groups(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    out = {"All": np.ones(len(frame), bool)}
    for g in ("Primary school age", "Secondary school age", "Sixth form age"):
        out[g] = (frame.age_group == g).to_numpy()
    return out


def _masks(frame: pd.DataFrame, exclude: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    known = (frame.in_council_data == 1).to_numpy()
    treated = known & (frame.parent_in_cohort == 1).to_numpy()
    pool = known & ~treated
    if exclude is not None:
        pool &= ~exclude
    return treated, pool


def design_current(frame, exclude=None, exact=("age_group", "school_year", "sex"), categorical=("region",),
                   numeric=()):
    """The pack as it stands: exact on school year and sex, propensity on region, 1:1 without replacement."""
    from insight_packs.matching import Matcher

    treated, pool = _masks(frame, exclude)
    m = Matcher(frame, treated, pool, numeric=numeric, categorical=categorical, exact=exact,
                balance_on=("school_year", "sex", "region", "age_group"))
    out = {}
    for g, pick in _groups(frame).items():
        r = m.match() if g == "All" else m.match(within=pick)
        out[g] = (r.treated_index, r.comparison_index, None)
    return out


def design_strata(frame, exclude=None, cells=("school_year", "sex", "region")):
    """Exact stratification: every treated child in a cell with a comparison child, comparison children
    weighted to the treated children's numbers in their cell (the ATT by subclassification)."""
    treated, pool = _masks(frame, exclude)
    key = np.array(["|".join(map(str, t)) for t in zip(*(frame[c].astype(object).where(frame[c].notna(), "NA")
                                                          for c in cells))], dtype=object)
    out = {}
    for g, pick in _groups(frame).items():
        t = np.flatnonzero(treated & pick)
        c = np.flatnonzero(pool & pick)
        tc = pd.Series(key[t]).value_counts()
        cc = pd.Series(key[c]).value_counts()
        both = set(tc.index) & set(cc.index)
        t = t[np.isin(key[t], list(both))]
        c = c[np.isin(key[c], list(both))]
        w = (tc.reindex(key[c]).to_numpy() / cc.reindex(key[c]).to_numpy()).astype(float)
        out[g] = (t, c, w)
    return out


DESIGNS = {
    "current": design_current,
    "current_plus_flags_exact": lambda f, exclude=None: design_current(
        f, exclude, exact=("age_group", "school_year", "sex", "children_in_need", "early_help")),
    "current_plus_flags_score": lambda f, exclude=None: design_current(
        f, exclude, categorical=("region", "children_in_need", "early_help")),
    "strata_year_sex_region": design_strata,
    "strata_year_sex": lambda f, exclude=None: design_strata(f, exclude, ("school_year", "sex")),
}


def estimate(frame, outcome, t, c, w) -> float:
    y = pd.to_numeric(frame[outcome], errors="coerce").to_numpy(float)
    if outcome != "attendance_rate":
        y = (y > 0).astype(float)
    wc = np.ones(len(c)) if w is None else w
    return float(y[t].mean() - np.average(y[c], weights=wc))


def shown(frame, outcome, n_treated, overall_rate) -> bool:
    if n_treated < 60:
        return False
    if OUTCOMES[outcome] == "proportion":
        return overall_rate * n_treated >= 20 and (1 - overall_rate) * n_treated >= 20
    return True


def score(seeds, people, true_links, designs, exclusions) -> dict:
    per = defaultdict(lambda: defaultdict(list))  # (design, exclusion) -> row -> [(est - truth, naive - truth)]
    diag = defaultdict(list)
    for seed in seeds:
        frame = children_frame(seed, people, true_links)
        rows = {(r["outcome"], r["group"]): r for r in truths(seed, people, true_links)}
        treated, pool = _masks(frame)
        diag["pool"].append(int(pool.sum()))
        diag["pool_really_cohort"].append(int((pool & (frame.oracle_fam == 1).to_numpy()).sum()))
        for ex_name, ex_fn in exclusions.items():
            exclude = ex_fn(frame)
            if exclude is not None:
                diag[f"excluded:{ex_name}"].append(int((pool & exclude).sum()))
                diag[f"excluded_really_cohort:{ex_name}"].append(
                    int((pool & exclude & (frame.oracle_fam == 1).to_numpy()).sum()))
            for d_name in designs:
                groups = DESIGNS[d_name](frame, exclude)
                for outcome in OUTCOMES:
                    y = pd.to_numeric(frame[outcome], errors="coerce").to_numpy(float)
                    t_all = groups["All"][0]
                    rate = float(np.nanmean((y[t_all] > 0) if outcome != "attendance_rate" else y[t_all]))
                    for g, (t, c, w) in groups.items():
                        truth = rows.get((outcome, g))
                        if truth is None or not shown(frame, outcome, len(t), rate) or truth["naive"] is None:
                            continue
                        e = estimate(frame, outcome, t, c, w)
                        per[(d_name, ex_name)][(outcome, g)].append(
                            (e - truth["truth"], truth["naive"] - truth["truth"]))
    return per, diag


def figures(per_row: dict) -> tuple[float, float, float, dict]:
    matched, naive, floor, by = [], [], [], {}
    for row, v in per_row.items():
        a = np.array(v)
        matched.append(abs(a[:, 0].mean()))
        naive.append(abs(a[:, 1].mean()))
        if len(a) > 1:
            floor.append(a[:, 0].std(ddof=1) / np.sqrt(len(a)) * np.sqrt(2 / np.pi))
        by[row] = (a[:, 0].mean(), a[:, 1].mean(), len(a),
                   a[:, 0].std(ddof=1) / np.sqrt(len(a)) if len(a) > 1 else float("nan"))
    return float(np.mean(matched)), float(np.mean(naive)), float(np.mean(floor)), by


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=1801)
    parser.add_argument("--people", type=int, default=6000)
    parser.add_argument("--true-links", action="store_true")
    parser.add_argument("--design", action="append")
    parser.add_argument("--rows", action="store_true", help="print each row's mean error")
    parser.add_argument("--kept", type=Path, help="worlds and links kept by truth_recovery.py --keep")
    args = parser.parse_args()
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    t0 = time.perf_counter()
    if args.kept:
        seeds = [s for s in seeds if (args.kept / str(s) / "link").exists()]
    for s in seeds:
        children_frame(s, args.people, args.true_links, args.kept)
    print(f"frames ready in {time.perf_counter() - t0:.0f} s", flush=True)
    exclusions = {"none": lambda f: None}
    if "possible_parent_in_cohort" in children_frame(seeds[0], args.people, args.true_links):
        exclusions["near_link"] = lambda f: (f.possible_parent_in_cohort.fillna(0) == 1).to_numpy()
    exclusions["ORACLE_missed_links"] = lambda f: (f.oracle_fam == 1).to_numpy()
    per, diag = score(seeds, args.people, args.true_links, args.design or list(DESIGNS), exclusions)
    print(f"{len(seeds)} worlds x {args.people} people, seeds {seeds[0]}-{seeds[-1]}, "
          f"{'perfect' if args.true_links else 'real'} links")
    for k, v in diag.items():
        print(f"  {k}: mean {np.mean(v):.1f} per world")
    for (d, ex), rows in per.items():
        m, n, fl, by = figures(rows)
        print(f"{d:<26} exclude={ex:<22} matched {m:.4f} naive {n:.4f} ratio {m / n:.3f} "
              f"(chance floor {fl:.4f}; {len(rows)} rows)")
        if args.rows:
            for row, (e, nv, k, se) in sorted(by.items()):
                print(f"    {row[0]:<20} {row[1]:<22} {e:+.4f} (SE {se:.4f}) naive {nv:+.4f} ({k} worlds)")


if __name__ == "__main__":
    main()
