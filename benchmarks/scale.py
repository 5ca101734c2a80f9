"""Scale benchmark: linkage wall time, peak memory and comparisons per record as the world grows, per engine.

    python benchmarks/scale.py                      # DuckDB and Spark (local) at 10k and 100k people
    python benchmarks/scale.py --million            # adds DuckDB at 1,000,000 people (about 13.5M records)
    python benchmarks/scale.py --engines duckdb --sizes 10000 30000
    python benchmarks/scale.py --count-only --sizes 100000 --million   # blocking growth alone

For each size it synthesises one world, links it on each engine in a fresh process (peak memory is the
largest resident set of that process and its children, so Spark's JVM counts), and counts the candidate
pairs Splink's blocking rules generate for every model the linkage trains (cohort duplicates, each extract
against the cohort, parents against the cohort) with Splink's own ``count_comparisons_from_blocking_rules``;
after the first engine's linkage, it counts the model for records outside the cohort too, from the spine.
It ends with a log-log fit: time and comparisons grow as N to the power printed.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and every descendant (the JVM Spark starts is a child of Python)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
        todo += children.get(pid, [])
    return total


def _in_child(target: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run ``target`` in a fresh process, sampling its memory (and its children's) every 0.2 s."""
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()
    process = ctx.Process(target=_child, args=(queue, target, args))
    started = time.perf_counter()
    process.start()
    peak, done = 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid or 0))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    result = queue.get()
    done.set()
    process.join()
    if "error" in result:
        raise RuntimeError(result["error"])
    result.setdefault("seconds", time.perf_counter() - started)
    result["peak_gib"] = peak / 2**30
    return result


def _child(queue: mp.Queue, target: Callable[..., dict[str, Any]], args: tuple[Any, ...]) -> None:
    try:
        queue.put(target(*args))
    except Exception as error:  # noqa: BLE001 - reported to the parent
        queue.put({"error": repr(error)})


def synthesise_world(people: int, seed: int, world: str) -> dict[str, Any]:
    from sample_db.world import synthesise

    synthesise(people, seed, Path(world))
    return {}


def link(world: str, out: str, engine: str) -> dict[str, Any]:
    """The whole linkage on one engine; seconds exclude starting the engine (the JVM, for Spark)."""
    from linkage_core.linkage import link_world

    if engine == "spark":
        from linkage_core.spark_session import spark_session

        spark_session()  # start the JVM before the clock: a fixed cost, not part of the growth
    started = time.perf_counter()
    result = link_world(Path(world), Path(out), engine=engine, evaluate=False)  # type: ignore[arg-type]
    return {"seconds": time.perf_counter() - started, "records": result.records,
            "stages": {k: v for k, v in result.seconds.items() if not k.startswith("stage: ")}}


def comparisons(world: str, cohort: str = "prison") -> dict[str, Any]:
    """Candidate pairs the blocking rules generate, per model, counted by Splink on DuckDB.

    The counts depend on the data and the rules, not on the engine. The residual model (records that
    matched no cohort person) is left out: its input depends on the links found.
    """
    import duckdb
    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    from linkage_core.linkage import settings as model
    from linkage_core.engines import DuckDBEngine
    from linkage_core.linkage.link import _PARENT_COLUMNS, _available
    from linkage_core.linkage.standardise import extract_paths, standardise_table

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    backend = DuckDBEngine.wrap(con)
    tables: dict[str, tuple[str, set[str]]] = {}
    records = 0
    for i, (dataset, path) in enumerate(extract_paths(Path(world)).items()):
        columns = backend.register(f"raw{i}", path, text=True)
        records += standardise_table(backend, f"raw{i}", f"t{i}", columns=columns)
        tables[dataset] = (f"t{i}", _available(backend, f"t{i}"))
        if any(c in columns for c in _PARENT_COLUMNS.values()):
            standardise_table(backend, f"raw{i}", f"p{i}", mapping=_PARENT_COLUMNS, columns=columns)
            tables[f"{dataset} parents"] = (f"p{i}", _available(backend, f"p{i}"))
    db = DuckDBAPI(connection=con)
    anchor, anchor_cols = tables[cohort]
    proportion = 1.0 if records <= 2_000_000 else 0.2
    counts: dict[str, int] = {}
    jobs = [(cohort, [anchor], "dedupe_only", anchor_cols)] + [
        (d, [anchor, t], "link_only", anchor_cols & cols) for d, (t, cols) in tables.items() if d != cohort]
    for k, (label, names, link_type, cols) in enumerate(jobs):
        inputs = [db.register(n, table_name=f"c{k}_{j}") for j, n in enumerate(names)]
        result = count_comparisons_from_blocking_rules(
            inputs if len(inputs) > 1 else inputs[0], blocking_rules=model.blocking_rules(cols),
            link_type=link_type, unique_id_column_name="record_id", record_sample_proportion=proportion)
        counts[label] = int(result[-1]["cumulative_comparison_count"]) if result else 0
    con.close()
    return {"records": records, "comparisons": counts, "total": sum(counts.values())}


def residual_comparisons(world: str, link_dir: str, cohort: str = "prison") -> dict[str, Any]:
    """Pairs the model for records outside the cohort generates, from a finished linkage's spine.

    Its input is every record that joined no cohort person (children, people never in custody), so it
    can only be counted after linking. It is the model whose blocks crowd first: most of its records are
    children born within a few years of each other.
    """
    import duckdb
    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    from linkage_core.linkage import settings as model
    from linkage_core.engines import DuckDBEngine
    from linkage_core.linkage.link import _available
    from linkage_core.linkage.standardise import STANDARD_COLUMNS, extract_paths, standardise_table

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    backend = DuckDBEngine.wrap(con)
    con.execute(f"CREATE TABLE spine AS SELECT * FROM read_parquet('{Path(link_dir) / 'spine.parquet'}')")
    con.execute(f"CREATE TABLE cohort_keys AS SELECT DISTINCT person_key FROM spine WHERE dataset = '{cohort}'")
    own = ", ".join(f"s.{c}" for c in STANDARD_COLUMNS if c != "record_id")
    parts = []
    for i, (dataset, path) in enumerate(extract_paths(Path(world)).items()):
        if dataset == cohort:
            continue
        columns = backend.register(f"raw{i}", path, text=True)
        standardise_table(backend, f"raw{i}", f"t{i}", columns=columns)
        parts.append(f"SELECT '{dataset}' || chr(31) || s.record_id AS record_id, {own} FROM t{i} s "
                     f"JOIN spine k ON k.dataset = '{dataset}' AND k.record_id = s.record_id "
                     "WHERE k.person_key NOT IN (SELECT person_key FROM cohort_keys)")
    con.execute("CREATE TABLE outsiders AS " + " UNION ALL ".join(parts))
    rows = int(con.execute("SELECT count(*) FROM outsiders").fetchone()[0])
    table = DuckDBAPI(connection=con).register("outsiders", table_name="c_outsiders")
    result = count_comparisons_from_blocking_rules(
        table, blocking_rules=model.blocking_rules(_available(backend, "outsiders"), outsiders=True),
        link_type="dedupe_only", unique_id_column_name="record_id",
        record_sample_proportion=1.0 if rows <= 2_000_000 else 0.2)
    con.close()
    return {"rows": rows, "comparisons": int(result[-1]["cumulative_comparison_count"]) if result else 0}


def _slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(y) against log(x): y grows as x to this power."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx, my = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx if sxx else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--engines", nargs="+", choices=["duckdb", "spark"], default=["duckdb", "spark"])
    parser.add_argument("--million", action="store_true", help="also DuckDB at 1,000,000 people")
    parser.add_argument("--spark-max", type=int, default=100_000, help="largest size run on Spark local")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count-only", action="store_true",
                        help="only count the comparisons blocking generates (no linkage runs)")
    args = parser.parse_args(argv)
    if args.count_only:
        args.engines = []
    sizes = sorted(set(args.sizes + ([1_000_000] if args.million else [])))
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bold-scale-") as tmp:
        for people in sizes:
            world = Path(tmp) / f"world_{people}"
            _in_child(synthesise_world, people, args.seed, str(world))
            counted = _in_child(comparisons, str(world))
            print(f"{people:>9,} people  {counted['records']:>11,} records  comparisons "
                  f"{counted['total']:>13,} ({counted['total'] / counted['records']:.1f} per record)", flush=True)
            for dataset, n in counted["comparisons"].items():
                print(f"{'':>14}{dataset:<24}{n:>13,}", flush=True)
            total = counted["total"]
            for engine in args.engines:
                if engine == "spark" and people > args.spark_max:
                    continue
                out = str(Path(tmp) / f"out_{engine}_{people}")
                result = _in_child(link, str(world), out, engine)
                if engine == args.engines[0]:
                    outsiders = _in_child(residual_comparisons, str(world), out)
                    total = counted["total"] + outsiders["comparisons"]
                    print(f"{'':>14}{'outsiders (after linking)':<24}{outsiders['comparisons']:>13,}  "
                          f"({outsiders['rows']:,} records)", flush=True)
                    print(f"{'':>14}{'all models':<24}{total:>13,}  "
                          f"({total / counted['records']:.2f} per record)", flush=True)
                rows.append({"people": people, "engine": engine, "records": counted["records"],
                             "comparisons": total, **result})
                stages = "  ".join(f"{k} {v:.1f}s" for k, v in result["stages"].items())
                print(f"{'':>14}{engine:<7} {result['seconds']:8.1f} s  peak {result['peak_gib']:5.2f} GiB  "
                      f"({stages})", flush=True)
    print("\ngrowth (log-log slope against records; 1.0 is linear):")
    by_size = {r["people"]: r for r in rows}
    slope = _slope([(r["records"], r["comparisons"]) for r in by_size.values()])
    print(f"    comparisons         N^{slope:.2f}" if slope is not None else "    comparisons         -")
    for engine in args.engines:
        mine = [r for r in rows if r["engine"] == engine]
        slope = _slope([(r["records"], r["seconds"]) for r in mine])
        print(f"    {engine:<8} wall time   N^{slope:.2f}" if slope is not None else f"    {engine:<8} -")
    for people in sizes:
        pair = {r["engine"]: r for r in rows if r["people"] == people}
        if {"duckdb", "spark"} <= set(pair):
            print(f"    Spark / DuckDB time at {people:,} people: "
                  f"{pair['spark']['seconds'] / pair['duckdb']['seconds']:.1f}x")


if __name__ == "__main__":
    main()
