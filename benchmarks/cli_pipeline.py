"""World to bundle through the real ``bold`` command, one stage per process, each one's peak measured.

``benchmarks/pipeline.py`` runs every stage in one process, so its peak mixes the world generator's arrays
with the linkage's. This runs ``bold synth``, ``bold link`` and ``bold build --links`` as an analyst would,
each under ``/usr/bin/time -v`` (its maximum resident set is the peak of that command), so the 12 GiB
national-scale limit is checked on the stages the secure stage really runs (link and build), and the
memory guard and pre-flight check are part of what is measured.

    python benchmarks/cli_pipeline.py --people 1000000 --work /tmp/bold-1m
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from linkage_core.memory import GiB, count_records, estimated_peak, machine_memory  # noqa: E402

LIMIT_GIB = 12.0


def run(stage: str, args: list[str], env: dict[str, str]) -> dict:
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "bold_tui.cli", *args]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    result = {"stage": stage, "seconds": seconds, "exit": done.returncode,
              "peak_gib": int(peak.group(1)) * 1024 / GiB if peak else None,
              "said": [line for line in done.stderr.splitlines() if line.startswith(("bold:", "Peak memory"))]}
    print(f"{stage:<8} exit {done.returncode}  {seconds:8.1f} s  peak {result['peak_gib'] or 0:6.2f} GiB  "
          + " | ".join(result["said"]), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, required=True, help="a folder for the world, spine and bundle")
    parser.add_argument("--keep-world", action="store_true", help="reuse a world already in --work")
    args = parser.parse_args()
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "BOLD_PASSPHRASE": "benchmark"}
    machine = machine_memory()
    results = []
    if not (args.keep_world and (work / "world" / "prison.parquet").exists()):
        results.append(run("synth", ["synth", "--people", str(args.people), "--seed", str(args.seed),
                                     "--out", str(work / "world")], env))
    records = count_records(work / "world")
    if not (work / "key").exists():
        subprocess.run([sys.executable, "-m", "bold_tui.cli", "keygen", "--out", str(work / "key")], check=True,
                       capture_output=True)
    results.append(run("link", ["link", str(work / "world"), "--out", str(work / "link"), "--quality"], env))
    results.append(run("build", ["build", str(work / "world"), "--out", str(work / "out.bold"),
                                 "--publisher-key", str(work / "key"), "--links", str(work / "link")], env))
    secure = [r for r in results if r["stage"] in {"link", "build"}]
    peak = max(r["peak_gib"] or 0 for r in secure)
    print(f"\n{args.people:,} people, {records:,} records")
    print(f"link + build: {sum(r['seconds'] for r in secure):.1f} s; peak {peak:.2f} GiB "
          f"(limit {LIMIT_GIB:.0f} GiB: {peak / LIMIT_GIB:.2f}x)")
    print(f"headroom: {machine.available / GiB - peak:.1f} GiB of {machine.available / GiB:.1f} GiB free "
          f"({machine.total / GiB:.1f} GiB in all); the pre-flight estimate was {estimated_peak(records) / GiB:.1f} GiB")
    quality = work / "link" / "quality.json"
    if quality.exists():
        evaluation = json.loads(quality.read_text()).get("evaluation", {})
        f1 = {d: round(v.get("f1", 0), 4) for d, v in evaluation.get("pairwise", {}).items()}
        print(f"pairwise F1 by agency: {f1}")
    (work / "results.json").write_text(json.dumps({"people": args.people, "records": records,
                                                   "stages": results}, indent=2))


if __name__ == "__main__":
    main()
