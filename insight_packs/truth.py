"""Truth recovery: do the education pack's intervals cover the effects planted in a synthetic world?

Shared by the test (a few seeds, in CI) and the benchmark sweep (20+ seeds). It also computes the naive,
unmatched difference for each (course, outcome), to show that without matching the truth is missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from insight_packs.evaluate import checks
from linkage_core import stats


@dataclass(frozen=True)
class Recovery:
    seed: int
    matched_covered: int
    naive_covered: int
    total: int
    rows: list[tuple[str, float, float | None, float | None, float, float]]


def naive_intervals(world: Path, link: Path) -> dict[str, tuple[float, float]]:
    """Unmatched difference (took the course vs did not) for each education effect, with Newcombe intervals."""
    from insight_packs.cohort import Sources, load
    from insight_packs.education_work import COURSES, OUTCOMES
    from insight_packs.engine import open_engine

    engine = open_engine()
    try:
        load(engine, Sources(world, link))
        out = {}
        for course in COURSES:
            for outcome, (column, kind, *_rest) in OUTCOMES.items():
                if kind != "proportion":
                    continue
                row = engine.rows(f"""
                    SELECT SUM(CASE WHEN t THEN y END) AS te, SUM(CASE WHEN t THEN 1 END) AS tn,
                           SUM(CASE WHEN NOT t THEN y END) AS ce, SUM(CASE WHEN NOT t THEN 1 END) AS cn
                    FROM (SELECT p.{column} AS y, p.person_key IN
                          (SELECT person_key FROM courses WHERE course_type = '{course}') AS t FROM people p)""")[0]
                if row["tn"] and row["cn"]:
                    gap = stats.newcombe_difference(int(row["te"]), int(row["tn"]), int(row["ce"]), int(row["cn"]))
                    out[f"course:{course}.{outcome}"] = (gap.low, gap.high)
        return out
    finally:
        engine.close()


def recovery(world: Path, link: Path, bundle, seed: int) -> Recovery:
    naive = naive_intervals(world, link)
    rows, matched, naive_hits, total = [], 0, 0, 0
    for check in checks(world, bundle):
        if not check.finding_id.startswith("education_work.") or "[" in check.effect_id:
            continue  # the sweep scores (course, outcome) pairs overall; subgroups are reported by evaluate
        key = check.finding_id.removeprefix("education_work.")
        if key not in naive:
            continue
        total += 1
        low, high = naive[key]
        matched += check.covered
        naive_hits += low <= check.truth <= high
        rows.append((check.effect_id, check.truth, check.low, check.high, low, high))
    return Recovery(seed, matched, naive_hits, total, rows)
