"""Offline install figures for issue 18: time and size of a per-user install from a built wheelhouse.

    python tools/package.py --out /tmp/offline --target linux_x86_64
    python benchmarks/offline_install.py /tmp/offline --python 3.12=/usr/bin/python3.12

For each Linux target with an interpreter given: a fresh venv (with its own pip, as docs/install-offline.md
says), then ``pip install --no-index --find-links wheelhouse --require-hashes -r requirements.txt``, timed
(wall and CPU), and the venv's size as ``du -sh`` counts it, with and without the venv's own pip and
setuptools. Also times the first ``bold list`` from the installed copy.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


def du(path: Path) -> int:
    return int(subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True, check=True).stdout.split()[0])


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(folder: Path, python: str, compile_now: bool = True) -> dict[str, object]:
    wheelhouse = folder / "wheelhouse"
    with tempfile.TemporaryDirectory(prefix="bold-install-") as scratch:
        venv = Path(scratch) / "bold-venv"
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        before = du(venv)
        cpu, start = children_cpu(), time.perf_counter()
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", "--no-index",
                        "--find-links", str(wheelhouse), "--require-hashes", "-r",
                        str(wheelhouse / "requirements.txt"), *([] if compile_now else ["--no-compile"])],
                       check=True)
        wall, cpu = time.perf_counter() - start, children_cpu() - cpu
        # As on a user's laptop: this machine sets PYTHONDONTWRITEBYTECODE, which a person's Python does not.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONPATH", "PYTHONDONTWRITEBYTECODE"))}
        env["BOLD_CONFIG_DIR"] = str(Path(scratch) / "config")
        start = time.perf_counter()
        subprocess.run([str(venv / "bin" / "bold"), "list"], check=True, env=env, cwd=scratch,
                       capture_output=True)
        first_list = time.perf_counter() - start
        start = time.perf_counter()
        subprocess.run([str(venv / "bin" / "bold"), "list"], check=True, env=env, cwd=scratch,
                       capture_output=True)
        second_list = time.perf_counter() - start
        site = next((venv / "lib").glob("python3*/site-packages"))
        tooling = sum(du(p) for p in site.iterdir() if p.name.split("-")[0] in ("pip", "setuptools", "_distutils_hack",
                                                                                  "distutils-precedence.pth"))
        after = du(venv)
    return {"target": folder.name, "python": python, "wheelhouse_mb": round(du(wheelhouse) / 1e6, 1),
            "install_wall_s": round(wall, 1), "install_cpu_s": round(cpu, 1),
            "venv_mb": round(after / 1e6, 1), "empty_venv_mb": round(before / 1e6, 1),
            "installed_without_pip_mb": round((after - tooling) / 1e6, 1), "first_bold_list_s": round(first_list, 1),
            "second_bold_list_s": round(second_list, 1), "byte_compiled_at_install": compile_now,
            "load_average": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--python", action="append", default=[], metavar="X.Y=PATH")
    parser.add_argument("--no-compile", action="store_true",
                        help="pip's --no-compile: modules are compiled when first imported instead")
    args = parser.parse_args()
    for item in args.python:
        version, _, python = item.partition("=")
        folder = args.out / f"linux_x86_64-cp{version.replace('.', '')}"
        print(json.dumps(measure(folder, python or shutil.which(f"python{version}") or "python3",
                                compile_now=not args.no_compile)))


if __name__ == "__main__":
    main()
