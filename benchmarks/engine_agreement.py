"""Do the DuckDB and Spark engines publish the same bundle from the same linked world? (issue 13, item 6)

The pack stage alone is compared: both engines read the SAME spine (linked once on DuckDB), so any differing
cell comes from the packs' own order-dependent steps (matching, tie-breaks), not from linkage. Prints, per
seed, the number of published cells and how many differ.

    python -m benchmarks.engine_agreement --people 3000 --seeds 21 22 23
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

CREATED = datetime(2026, 1, 1, tzinfo=timezone.utc)
SECRET = "5e" * 16


def agreement(people: int, seed: int, root: Path) -> tuple[int, list]:
    from insight_packs.build import build_content
    from linkage_core.linkage import link_world
    from sample_db.world import synthesise

    world = synthesise(people, seed, root / f"world{seed}")
    link_world(world, root / f"link{seed}")
    built = {kind: build_content(world, root / f"link{seed}", engine_kind=kind, created=CREATED, key_secret=SECRET)
             for kind in ("duckdb", "spark")}
    cells = {k: {(e.finding_id, e.breakdown, e.group): e.model_dump() for e in c.estimates} for k, c in built.items()}
    keys = cells["duckdb"].keys() | cells["spark"].keys()
    differing = sorted(k for k in keys if cells["duckdb"].get(k) != cells["spark"].get(k))
    return len(keys), differing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[21, 22, 23])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bold-engines-") as scratch:
        for seed in args.seeds:
            start = time.time()
            total, differing = agreement(args.people, seed, Path(scratch))
            print(f"seed {seed}: {total} cells, {len(differing)} differ ({time.time() - start:.0f} s)"
                  + (f"; first: {differing[:3]}" if differing else ""), flush=True)


if __name__ == "__main__":
    main()
