"""Truth recovery sweep: across many seeds, how often do the education pack's 95% intervals cover the
planted effect, against the naive unmatched comparison? Target: at least 90% for the matched intervals.

Run: python benchmarks/truth_recovery.py [--seeds 20] [--people 20000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from insight_packs.build import build_bundle
from insight_packs.truth import recovery
from linkage_core.bundle.envelope import KdfParams
from linkage_core.bundle.keys import PrivateKey, TrustStore
from linkage_core.bundle.reader import open_bundle
from linkage_core.linkage import link_world
from sample_db.world import synthesise


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--people", type=int, default=20_000)
    args = parser.parse_args()
    key = PrivateKey.generate("Sweep")
    trust = TrustStore([key.public])
    matched = naive = total = published = 0
    started = time.perf_counter()
    for seed in range(1, args.seeds + 1):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            world = synthesise(args.people, seed, root / "world")
            link_world(world, root / "link")
            path = build_bundle(world, root / "b.bold", signer=key, passphrases=["x"], link_dir=root / "link",
                                kdf=KdfParams(1024, 1, 1))
            with open_bundle(path, "x", trust) as bundle:
                result = recovery(world, root / "link", bundle, seed)
        shown = [r for r in result.rows if r[2] is not None]
        hits = sum(lo <= truth <= hi for _, truth, lo, hi, _, _ in shown)
        matched += hits
        published += len(shown)
        naive += result.naive_covered
        total += result.total
        print(f"seed {seed:>3}: matched {hits}/{len(shown)} published ({result.total} pairs), "
              f"naive {result.naive_covered}/{result.total}", flush=True)
    print(f"matched intervals cover the truth in {matched}/{published} published pairs "
          f"({matched / max(published, 1):.1%}; target at least 90%)")
    print(f"naive intervals cover it in {naive}/{total} ({naive / max(total, 1):.1%})")
    print(f"{args.seeds} seeds of {args.people:,} people in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
