"""Do the DuckDB and Spark engines publish the same bundle from the same world? (issue 13, item 6)

By default the pack stage alone is compared: both engines read the SAME spine (linked once on DuckDB), so any
differing cell comes from the packs' own order-dependent steps (matching, tie-breaks), not from linkage.
With ``--link-each`` the whole bundle is compared: each engine links the world itself and builds its own
content from its own spine, and every published estimate, every finding's words, the linkage quality rows
and the datasets' provenance are compared. Prints, per seed, the number of published cells and how many
differ.

    python -m benchmarks.engine_agreement --people 3000 --seeds 21 22 23
    python -m benchmarks.engine_agreement --link-each --people 1000 --seeds 31 32 33
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


def whole_bundles(people: int, seed: int, root: Path) -> tuple[int, list, list]:
    """Each engine links and builds on its own: (published cells, differing cells, other differing parts)."""
    from insight_packs.build import build_content
    from linkage_core.linkage import link_world
    from sample_db.world import synthesise

    world = synthesise(people, seed, root / f"world{seed}")
    built = {}
    for kind in ("duckdb", "spark"):
        start = time.time()
        link_world(world, root / f"link{seed}-{kind}", engine=kind)
        built[kind] = build_content(world, root / f"link{seed}-{kind}", engine_kind=kind, created=CREATED,
                                    key_secret=SECRET)
        print(f"  seed {seed}, {kind}: linked and built in {time.time() - start:.0f} s", flush=True)
    cells = {k: {(e.finding_id, e.breakdown, e.group): e.model_dump() for e in c.estimates} for k, c in built.items()}
    keys = cells["duckdb"].keys() | cells["spark"].keys()
    differing = sorted(k for k in keys if cells["duckdb"].get(k) != cells["spark"].get(k))
    parts = []
    for part in ("findings", "linkage_quality", "datasets", "packs", "glossary", "manifest"):
        if [_dump(x) for x in _as_list(getattr(built["duckdb"], part))] != \
                [_dump(x) for x in _as_list(getattr(built["spark"], part))]:
            parts.append(part)
    published = sum(1 for k in keys if not (cells["duckdb"].get(k) or {}).get("suppressed"))
    return published, differing, parts


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _dump(model) -> object:
    return model.model_dump(mode="json") if hasattr(model, "model_dump") else model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[21, 22, 23])
    parser.add_argument("--link-each", action="store_true", help="each engine links and builds on its own")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bold-engines-") as scratch:
        for seed in args.seeds:
            if args.link_each:
                start = time.time()
                published, differing, parts = whole_bundles(args.people, seed, Path(scratch))
                print(f"seed {seed}: {published} published cells, {len(differing)} cells differ, other parts "
                      f"differing: {parts or 'none'} ({time.time() - start:.0f} s)"
                      + (f"; first: {differing[:3]}" if differing else ""), flush=True)
                continue
            start = time.time()
            total, differing = agreement(args.people, seed, Path(scratch))
            print(f"seed {seed}: {total} cells, {len(differing)} differ ({time.time() - start:.0f} s)"
                  + (f"; first: {differing[:3]}" if differing else ""), flush=True)


if __name__ == "__main__":
    main()
