"""Does `bold link` give the same spine on DuckDB and on Spark? (issue 13, item 6, the linkage half)

The pack stage already agrees cell for cell when both engines read one spine; the bundles agree only if
the linkage also gives the same people on both engines. Person keys are random by design (a shuffle, not a
hash), so spines are compared as partitions: two records are one person on one engine exactly when they are
on the other. Also compared: each record's match probability (to 9 decimals), and quality.json with its
run-dependent parts (seconds) left out. Prints, per seed, what differs.

    python -m benchmarks.link_engines --people 1500 --seeds 1 2 3
    python -m benchmarks.link_engines --world /path/to/world     # an existing world folder

One Spark job at a time: the engines run one after the other.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from linkage_core.linkage.compare_links import compare  # noqa: E402


def link_both(world: Path, root: Path) -> dict[str, Any]:
    from linkage_core.linkage import link_world

    seconds = {}
    for engine in ("duckdb", "spark"):
        start = time.time()
        link_world(world, root / engine, engine=engine)
        seconds[engine] = round(time.time() - start, 1)
    result = compare(root / "duckdb", root / "spark")
    result["seconds"] = seconds
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1500)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--profile", default="standard")
    parser.add_argument("--world", type=Path, help="link this world folder instead of synthesising")
    parser.add_argument("--keep", type=Path, help="keep the outputs here (for diagnosis)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    from sample_db.world import synthesise
    from sample_db.world.profile import profile_named

    results = {}
    with tempfile.TemporaryDirectory(prefix="bold-link-engines-") as scratch:
        root = args.keep or Path(scratch)
        runs = [("world", args.world)] if args.world else [(s, None) for s in args.seeds]
        for seed, world in runs:
            here = root / f"seed{seed}"
            here.mkdir(parents=True, exist_ok=True)
            if world is None:
                world = Path(synthesise(args.people, seed, here / "world", profile=profile_named(args.profile)))
            result = link_both(world, here)
            results[str(seed)] = result
            same = not (result["records_in_a_different_person"] or result["probabilities_differing"]
                        or result["quality_fields_differing"])
            print(f"seed {seed}: {result['records']} records, people {result['people_a']} (duckdb) / "
                  f"{result['people_b']} (spark); records in a different person: "
                  f"{result['records_in_a_different_person']}; probabilities differing: "
                  f"{result['probabilities_differing']}; quality.json fields differing: "
                  f"{result['quality_fields_differing']}; seconds {result['seconds']}"
                  + ("  SAME" if same else ""), flush=True)
            if not same:
                for key in ("first_moved", "first_probability", "first_quality"):
                    if result[key]:
                        print(f"  {key}: {result[key]}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    return 0 if all(not (r["records_in_a_different_person"] or r["probabilities_differing"]
                         or r["quality_fields_differing"]) for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
