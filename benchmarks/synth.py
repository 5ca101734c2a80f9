"""How long `bold synth` takes and how much memory it needs, at 10,000 and 100,000 people (and 1,000,000
with ``--million``). Each size runs in its own process so peak memory (ru_maxrss) is that size's alone.

    python benchmarks/synth.py [--million] [--sizes 10000 100000] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from sample_db.world import synthesise
people, seed, out = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
start = time.perf_counter()
synthesise(people, seed, out)
seconds = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
import pyarrow.parquet as pq
rows = {p.stem: pq.ParquetFile(p).metadata.num_rows for p in sorted(out.glob("*.parquet"))}
print(json.dumps({"people": people, "seconds": seconds, "peak_mib": peak_kib / 1024, "rows": rows}))
"""


def run(people: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-c", _CHILD, str(people), str(seed), tmp],
                              capture_output=True, text=True, check=True,
                              cwd=Path(__file__).resolve().parents[1])
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--million", action="store_true", help="also run 1,000,000 people")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = args.sizes + ([1_000_000] if args.million else [])
    print(f"{'people':>10} {'seconds':>8} {'peak MiB':>9} {'records':>11}")
    for people in sizes:
        r = run(people, args.seed)
        total = sum(r["rows"].values())
        print(f"{people:>10,} {r['seconds']:>8.1f} {r['peak_mib']:>9,.0f} {total:>11,}   "
              + " ".join(f"{k}={v:,}" for k, v in r["rows"].items()), flush=True)


if __name__ == "__main__":
    main()
