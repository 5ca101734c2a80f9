"""World to bundle, end to end: synthesise → link → packs → disclosure control → sealed bundle.

Targets: 100,000 people synthesised and linked in at most 5 minutes with peak memory under 6 GiB (linkage
issue); world to bundle for 100,000 people under 8 minutes (packs issue); 1,000,000 people world to bundle
with peak memory under 12 GiB (national-scale issue). Peak memory is the largest resident set of this
process and its children (ru_maxrss), taken after each stage so the stage that sets it is known; the
headroom is what the machine had free at the start less that peak.

Run: python benchmarks/pipeline.py [--people 100000] [--seed 1]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from insight_packs.build import build_bundle
from linkage_core.bundle.keys import PrivateKey
from linkage_core.linkage import link_world
from linkage_core.memory import estimated_peak, machine_memory
from sample_db.world import synthesise


def peak_gib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    machine = machine_memory()
    peaks = {}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        t0 = time.perf_counter()
        world = synthesise(args.people, args.seed, root / "world")
        t1 = time.perf_counter()
        peaks["synthesise"] = peak_gib()
        records = sum(__import__("pyarrow.parquet", fromlist=["x"]).read_metadata(p).num_rows
                      for p in world.glob("*.parquet"))
        result = link_world(world, root / "link")
        t2 = time.perf_counter()
        peaks["link"] = peak_gib()
        build_bundle(world, root / "out.bold", signer=PrivateKey.generate("bench"), passphrases=["x"],
                     link_dir=root / "link")
        t3 = time.perf_counter()
        peaks["packs and bundle"] = peak_gib()
    f1 = {d: v.get("f1") for d, v in result.quality.get("evaluation", {}).get("pairwise", {}).items()}
    print(f"{args.people:,} people, {records:,} records")
    print(f"synthesise {t1 - t0:.1f} s · link {t2 - t1:.1f} s · packs and bundle {t3 - t2:.1f} s")
    print(f"synthesise + link: {t2 - t0:.1f} s (target at most 300 s: {(t2 - t0) / 300:.2f}x of the limit)")
    print(f"world to bundle:   {t3 - t0:.1f} s (target under 480 s: {(t3 - t0) / 480:.2f}x of the limit)")
    peak = peak_gib()
    print(f"peak memory {peak:.2f} GiB (under 6 GiB: {peak / 6:.2f}x; under 12 GiB: {peak / 12:.2f}x of the limit)")
    print("peak so far after each stage: " + ", ".join(f"{k} {v:.2f} GiB" for k, v in peaks.items()))
    print(f"headroom: {machine.available / 2**30 - peak:.1f} GiB of the {machine.available / 2**30:.1f} GiB free "
          f"at the start ({machine.total / 2**30:.1f} GiB in all); the estimate the CLI checks against was "
          f"{estimated_peak(records) / 2**30:.1f} GiB")
    print(f"pairwise F1 by agency: {f1}")


if __name__ == "__main__":
    main()
