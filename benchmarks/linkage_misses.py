"""Why true pairs were missed: never a candidate pair (blocking) or scored and refused (model, threshold).

Links one benchmark of ``benchmarks/linkage.py`` into a folder that is kept, keeping every pair the models
scored, the probe's pairs and the standardised extracts beside the spine, then sorts the true pairs the spine
does not put together:

* ``never scored``: no model's blocking rules generated the pair;
* ``scored below threshold`` / ``scored, lost to a better match``: the model saw the pair and did not link it.

For each, a sample of the records is printed side by side (names, dates, postcodes), so the error patterns
that blocking or the comparisons miss can be read. A development tool: it reads ``_truth/`` on purpose.

    python benchmarks/linkage_misses.py febrl4 --keep /tmp/febrl4
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def link_keeping_pairs(world: Path, out: Path, cohort: str) -> dict[str, Any]:
    """``link_world``, with the scored pairs, probes and standardised tables written to ``out`` on the way."""
    from linkage_core.linkage import accuracy
    from linkage_core.linkage import link as link_mod

    original = accuracy.estimate

    def keeping(backend: Any, scored: str, *args: Any, **kwargs: Any) -> Any:
        backend.write_parquet(f"SELECT * FROM {scored}", out / "scored.parquet")
        if kwargs.get("probes"):
            backend.write_parquet(f"SELECT * FROM {kwargs['probes']}", out / "probes.parquet")
        names = [r[0] for r in backend.rows("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_name LIKE 'std_%'")]
        for name in names:
            backend.write_parquet(f"SELECT * FROM {name}", out / f"{name}.parquet")
        return original(backend, scored, *args, **kwargs)

    link_mod.accuracy.estimate = keeping  # type: ignore[assignment]
    try:
        result = link_mod.link_world(world, out, cohort=cohort, evaluate=True)
    finally:
        link_mod.accuracy.estimate = original  # type: ignore[assignment]
    return result.quality


def missed_pairs(world: Path, out: Path, show: int) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE TABLE truth AS SELECT dataset, CAST(record_id AS VARCHAR) AS record_id, "
                f"CAST(person_id AS VARCHAR) AS person_id FROM '{world}/_truth/truth.parquet'")
    con.execute(f"CREATE TABLE spine AS SELECT dataset, CAST(record_id AS VARCHAR) AS record_id, person_key "
                f"FROM '{out}/spine.parquet'")
    con.execute(f"CREATE TABLE scored AS SELECT * FROM '{out}/scored.parquet'")
    stds = sorted(out.glob("std_*.parquet"))
    con.execute("CREATE TABLE std AS " + " UNION ALL ".join(
        f"SELECT '{p.stem}' AS tbl, * FROM '{p}'" for p in stds))
    con.execute("""
        CREATE TABLE missed AS
        SELECT a.dataset AS ds_a, a.record_id AS id_a, b.dataset AS ds_b, b.record_id AS id_b
        FROM truth a JOIN truth b ON a.person_id = b.person_id
             AND (a.dataset, a.record_id) < (b.dataset, b.record_id)
        JOIN spine sa ON sa.dataset = a.dataset AND sa.record_id = a.record_id
        JOIN spine sb ON sb.dataset = b.dataset AND sb.record_id = b.record_id
        WHERE sa.person_key <> sb.person_key""")
    con.execute("""
        CREATE TABLE missed_p AS
        SELECT m.*, max(s.match_probability) AS p FROM missed m LEFT JOIN scored s
          ON (s.ds_l = m.ds_a AND s.id_l = m.id_a AND s.ds_r = m.ds_b AND s.id_r = m.id_b)
          OR (s.ds_l = m.ds_b AND s.id_l = m.id_b AND s.ds_r = m.ds_a AND s.id_r = m.id_a)
        GROUP BY ALL""")
    total = con.execute("SELECT count(*) FROM missed").fetchone()[0]
    print(f"missed true pairs: {total}")
    print(con.execute("""SELECT CASE WHEN p IS NULL THEN 'never scored' WHEN p < 0.5 THEN 'scored < 0.5'
                         ELSE 'scored >= 0.5' END AS kind, count(*) FROM missed_p GROUP BY 1 ORDER BY 1""").fetchall())
    cols = "first_name, surname, dob, postcode"
    for kind, cond in (("never scored", "p IS NULL"), ("scored", "p IS NOT NULL")):
        rows = con.execute(f"""
            SELECT m.p, a.{cols.replace(', ', ', a.')}, b.{cols.replace(', ', ', b.')}
            FROM missed_p m
            JOIN std a ON a.record_id = m.id_a JOIN std b ON b.record_id = m.id_b
            WHERE {cond} ORDER BY hash(m.id_a) LIMIT {show}""").fetchall()
        print(f"\n-- {kind} (sample)")
        for r in rows:
            p = "   -  " if r[0] is None else f"{r[0]:.4f}"
            print(f"{p}  {r[1:5]!s:60.60s} | {r[5:9]!s:60.60s}")


def main() -> None:
    from benchmarks.linkage import write_febrl, write_world

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benchmark")
    parser.add_argument("--keep", type=Path, required=True)
    parser.add_argument("--show", type=int, default=40)
    parser.add_argument("--reuse", action="store_true", help="only analyse an earlier run in --keep")
    args = parser.parse_args()
    world, out = args.keep / "world", args.keep / "out"
    if not args.reuse:
        name = args.benchmark
        cohort = write_world(name, world) if name.startswith("world:") else write_febrl(name, world)
        quality = link_keeping_pairs(world, out, cohort)
        print(json.dumps(quality["evaluation"]["pairwise"].get("overall"), indent=None))
        print("estimate", json.dumps(quality["estimate"]["overall"]))
    missed_pairs(world, out, args.show)


if __name__ == "__main__":
    main()
