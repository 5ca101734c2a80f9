"""Linkage benchmark: synthesise a world, link it, and compare with a bare Splink run of the same model.

Prints the figures the lead reports: time and peak memory of synthesis and of linkage, pairwise F1 per
extract, the largest recall gap between groups, and the pipeline's overhead against bare Splink.

    python benchmarks/linkage.py --people 100000 --seed 1

Each phase runs in its own process so that its peak memory (maximum resident set size) is its own.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _in_child(target: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run ``target`` in a fresh process; return its result with wall time and peak memory."""
    queue: mp.Queue = mp.get_context("spawn").Queue()
    process = mp.get_context("spawn").Process(target=_child, args=(queue, target, args))
    process.start()
    result = queue.get()
    process.join()
    if "error" in result:
        raise RuntimeError(result["error"])
    return result


def _child(queue: mp.Queue, target: Callable[..., dict[str, Any]], args: tuple[Any, ...]) -> None:
    started = time.perf_counter()
    try:
        result = target(*args)
    except Exception as error:  # noqa: BLE001 - reported to the parent
        queue.put({"error": repr(error)})
        return
    result["seconds"] = time.perf_counter() - started
    result["peak_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux
    queue.put(result)


def synthesise_world(people: int, seed: int, world: str) -> dict[str, Any]:
    from sample_db.world import synthesise

    synthesise(people, seed, Path(world))
    return {}


def link(world: str, out: str, evaluate: bool) -> dict[str, Any]:
    from linkage_core.linkage import link_world

    result = link_world(Path(world), Path(out), evaluate=evaluate)
    return {"records": result.records, "people": result.people, "stages": result.seconds,
            "quality": result.quality}


def bare_splink(world: str, scratch: str, cohort: str = "prison") -> dict[str, Any]:
    """The same settings, run as a plain Splink script: one model per agency against the cohort and a
    cohort dedupe, each trained in full (prior, u by sampling, EM), predicted, then clustered once.

    Inputs are standardised before the clock starts, so the figure is Splink's own work on the same
    tables; there is no residual linkage, no family linkage, no spine writing and no evaluation.
    """
    import duckdb
    from splink import DuckDBAPI, Linker
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    from linkage_core.linkage import settings as model
    from linkage_core.linkage.link import _available
    from linkage_core.linkage.standardise import extract_paths, read_relation, standardise_table

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET temp_directory = '{scratch}'")
    tables: dict[str, tuple[str, set[str]]] = {}
    for i, (dataset, path) in enumerate(extract_paths(Path(world)).items()):
        standardise_table(con, read_relation(con, path), f"t{i}")
        tables[dataset] = (f"t{i}", _available(con, f"t{i}"))
    started = time.perf_counter()
    db = DuckDBAPI(connection=con)
    predictions: list[str] = []
    anchor, anchor_cols = tables[cohort]
    jobs = [([cohort], "dedupe_only", anchor_cols, model.DEDUPE_THRESHOLD)] + [
        ([cohort, d], "link_only", anchor_cols & cols, model.LINK_THRESHOLD) for d, (_, cols) in tables.items()
        if d != cohort]
    for k, (datasets, link_type, cols, threshold) in enumerate(jobs):
        inputs = [db.register(tables[d][0], dataset_display_name=d, table_name=f"bare_{k}_{d}") for d in datasets]
        linker = Linker(inputs if len(inputs) > 1 else inputs[0], model.settings_for(link_type, cols), log_level=None)
        try:
            linker.training.estimate_probability_two_random_records_match(model.deterministic_rules(cols), recall=0.8)
        except Exception:  # noqa: BLE001 - children against adults: no deterministic matches
            pass
        linker.training.estimate_u_using_random_sampling(max_pairs=model.U_MAX_PAIRS, seed=1, num_chunks=1)
        for rule in model.training_rules(cols):
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    rule, estimate_without_term_frequencies=True, max_pairs=model.EM_MAX_PAIRS,
                    record_sample_proportion=0.1)
            except Exception:  # noqa: BLE001 - no pairs for this rule
                pass
        prior = linker._settings_obj._probability_two_random_records_match
        linker._settings_obj._probability_two_random_records_match = min(max(prior, 1e-12), 0.5)
        preds = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
        # A dedupe-only result has no source_dataset column: its records are all the cohort's.
        side = {s: (f"'{cohort}|'" if link_type == "dedupe_only" else f"source_dataset_{s} || '|'") for s in "lr"}
        predictions.append(f"""SELECT {side['l']} || record_id_l AS node_id_l, {side['r']} || record_id_r AS node_id_r,
                                      match_probability FROM {preds.physical_name}""")
    con.execute(f"CREATE TABLE bare_edges AS {' UNION ALL '.join(predictions)}")
    con.execute("CREATE TABLE bare_nodes AS " + " UNION ALL ".join(
        f"SELECT '{d}|' || record_id AS node_id FROM {t}" for d, (t, _) in tables.items()))
    cluster_pairwise_predictions_at_threshold("bare_nodes", "bare_edges", db_api=db, node_id_column_name="node_id")
    return {"splink_seconds": time.perf_counter() - started}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-bare", action="store_true", help="skip the bare Splink comparison")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bold-bench-") as tmp:
        world, out, scratch = Path(tmp) / "world", Path(tmp) / "out", Path(tmp) / "scratch"
        scratch.mkdir()
        synth = _in_child(synthesise_world, args.people, args.seed, str(world))
        linked = _in_child(link, str(world), str(out), True)
        quality = linked["quality"]
        evaluation = quality["evaluation"]
        link_only = linked["stages"]["total_link"]
        print(f"people {args.people:,}  records {linked['records']:,}  people found {linked['people']:,}")
        print(f"synthesis   {synth['seconds']:7.1f} s   peak {synth['peak_gib']:.2f} GiB")
        print(f"linkage     {linked['seconds']:7.1f} s   peak {linked['peak_gib']:.2f} GiB "
              f"(linking {link_only:.1f} s, evaluation {linked['stages'].get('evaluate', 0.0):.1f} s)")
        print(f"end to end  {synth['seconds'] + linked['seconds']:7.1f} s")
        for stage, seconds in linked["stages"].items():
            if stage.startswith("stage: "):
                print(f"    {seconds:6.1f} s  {stage[7:]}")
        print("pairwise precision / recall / F1 (pairs touching each extract):")
        for scope, s in evaluation["pairwise"].items():
            print(f"    {scope:16s} {s['precision']:.4f} {s['recall']:.4f} {s['f1']:.4f}")
        print("largest gap between groups (all pairs):")
        for grouping, scopes in evaluation["largest_gap"].items():
            for measure, gap in scopes["overall"].items():
                if gap:
                    print(f"    {grouping:10s} {measure:9s} {gap['gap']:.4f}  ({gap['lowest']} against {gap['highest']})")
        if "families" in evaluation:
            f = evaluation["families"]
            print(f"children to parents: precision {f['precision']:.4f} recall {f['recall']:.4f}")
        if not args.no_bare:
            bare = _in_child(bare_splink, str(world), str(scratch))
            print(f"bare Splink, same settings: {bare['splink_seconds']:.1f} s   peak {bare['peak_gib']:.2f} GiB")
            print(f"overhead ratio (linking / bare Splink): {link_only / bare['splink_seconds']:.2f}")
        (Path(tmp) / "quality.json").write_text(json.dumps(quality))


if __name__ == "__main__":
    main()
