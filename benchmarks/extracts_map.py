"""Issue 16 figures: a renamed and recoded world, given its map, builds the same bundle as the original; and
the outputs folder of a built world loads in SACRO-Viewer's own loader.

    python benchmarks/extracts_map.py --people 1500 --seed 11 --work /tmp/bench-map
    python benchmarks/extracts_map.py --outputs DIR    # load an outputs folder in SACRO-Viewer's loader

The first runs the real ``bold build`` (linkage included) on both worlds with the same publisher key and
compares every published estimate of ``bold show --all --format json``. The second needs a virtual
environment with Django (``BOLD_ACRO_VENV``, as the slow tests in tests/test_outputs.py make) and
SACRO-Viewer's source (``BOLD_SACRO_REPO``, opensafely-core/sacro).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _bold(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bold_tui.cli", *args], capture_output=True, text=True, env=env,
                          timeout=3600)


def _published(bundle: Path, pub: Path, passphrase: str) -> dict:
    """Every finding as ``bold show --all --format json`` prints it (read through the same render code)."""
    from bold_tui import render
    from bold_tui.command_io import opened

    os.environ["BOLD_PASSPHRASE"] = passphrase
    with opened(bundle, [pub], None) as opened_bundle:
        return json.loads(render.dumps({"findings": [render.finding_json(opened_bundle, f)
                                                     for f in opened_bundle.findings()]}))


def same_bundle(people: int, seed: int, work: Path) -> dict:
    from tests.test_extracts_pipeline import mapped_world

    env = {**os.environ, "PYTHONPATH": str(ROOT), "BOLD_PASSPHRASE": "benchmark-passphrase"}
    work.mkdir(parents=True, exist_ok=True)
    world = work / "world"
    if not world.exists():
        _bold("synth", "--people", str(people), "--seed", str(seed), "--out", str(world), env=env).check_returncode()
    mapped = mapped_world(world, work / "mapped")
    if not (work / "key").exists():
        _bold("keygen", "--out", str(work / "key"), env=env).check_returncode()
    shown, seconds = [], []
    for name, folder, extra in (("original", world, []), ("mapped", mapped, ["--map", str(mapped / "map.toml")])):
        bundle = work / f"{name}.bold"
        if bundle.exists() and os.environ.get("BOLD_BENCH_REUSE"):
            shown.append(_published(bundle, work / "key.pub", env["BOLD_PASSPHRASE"]))
            seconds.append(None)
            continue
        bundle.unlink(missing_ok=True)
        clock = time.perf_counter()
        run = _bold("build", str(folder), "--out", str(bundle), "--publisher-key", str(work / "key"), *extra, env=env)
        seconds.append(round(time.perf_counter() - clock, 1))
        if run.returncode:
            raise SystemExit(f"bold build on the {name} world failed: {run.stderr}")
        shown.append(_published(bundle, work / "key.pub", env["BOLD_PASSPHRASE"]))
    cells = [{e["id"]: e for f in s["findings"] for e in f["estimates"]} for s in shown]
    differ = [k for k in cells[0] if cells[0][k] != cells[1].get(k)]
    findings = [{f["id"]: f for f in s["findings"]} for s in shown]
    findings_differ = [k for k in findings[0] if findings[0][k] != findings[1].get(k)]
    return {"people": people, "seed": seed, "estimates": len(cells[0]), "estimates_mapped": len(cells[1]),
            "hidden": sum(e["suppressed"] for e in cells[0].values()), "differing": len(differ),
            "findings": len(findings[0]), "findings_differing_in_any_field": len(findings_differ),
            "build_seconds": seconds}


_LOAD = (Path(__file__).resolve().parents[1] / "tests" / "test_outputs.py").read_text().split('_LOAD = r"""')[1] \
    .split('"""')[0]


def load_in_sacro(folder: Path) -> dict:
    venv = Path(os.environ.get("BOLD_ACRO_VENV", "/tmp/bold-acro-venv"))
    source = Path(os.environ.get("BOLD_SACRO_REPO", "/tmp/bold-sacro-src"))
    run = subprocess.run([str(venv / "bin" / "python"), "-c", _LOAD, str(source), str(folder)], capture_output=True,
                         text=True, timeout=600)
    if run.returncode:
        raise SystemExit(run.stderr[-2000:])
    loaded = json.loads(run.stdout)["outputs"]
    results = json.loads((folder / "results.json").read_text())["results"]
    import csv

    hidden_rows = listed = 0
    for uid, output in results.items():
        if output["properties"].get("method") != "bold finding":
            continue
        rows = list(csv.DictReader((folder / output["files"][0]["name"]).open()))
        hidden = {i for i, r in enumerate(rows) if r["published"] == "no"}
        cells = loaded[uid]["cells"][output["files"][0]["name"]]
        shown_rules = {row: rule for rule, positions in cells.items() for row, _ in positions}
        hidden_rows += len(hidden)
        listed += sum(1 for i in hidden if shown_rules.get(i) == rows[i]["rule"])
    files = [valid for o in loaded.values() for _, valid in o["files"]]
    return {"outputs_in_results": len(results), "outputs_loaded": len(loaded), "files": len(files),
            "checksums_valid": sum(files), "hidden_cells": hidden_rows, "hidden_cells_listed_with_rule": listed,
            "statuses": {s: sum(1 for o in loaded.values() if o["status"] == s) for s in ("pass", "review", "fail")}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-map"))
    parser.add_argument("--outputs", type=Path, default=None)
    args = parser.parse_args()
    result = load_in_sacro(args.outputs) if args.outputs else same_bundle(args.people, args.seed, args.work)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
