"""Build the offline reader install for each target: a wheelhouse with hashes, and a single-file app.

Run it on a machine that can reach the package index (the secure stage's build machine, a CI runner); it
writes folders a person can copy to a laptop with no network and no admin rights::

    python tools/package.py --out dist/offline                      # Linux x86_64 and Windows amd64, 3.11-3.13
    python tools/package.py --out dist/offline --target linux_x86_64 --python 3.12 --no-app

For each target (platform and Python version) it writes ``OUT/<platform>-cp<XY>/``:

- ``wheelhouse/``: the project's wheel and the reader's dependencies (Textual, Rich, pydantic, cryptography,
  platformdirs and what they need on that platform), nothing from the pipeline extra;
- ``wheelhouse/requirements.txt``: every wheel pinned with its SHA-256, so ``pip install --require-hashes``
  checks each file while it installs (on Windows too, with no extra tool);
- ``bold.pyz``: the whole reader as one file (a shiv zipapp), run with ``python bold.pyz`` or ``py bold.pyz``;
- ``bold.pex`` (with ``--pex``): the same as a pex file; for Windows pex needs a "complete platform", written
  here from ``packaging.tags`` (see ``complete_platform``);
- ``SHA256SUMS``: every file above, in the format ``sha256sum -c`` reads;
- ``INSTALL.txt``: the commands for that target (``docs/install-offline.md`` has the full steps).

The wheels are fetched with ``pip download --platform ... --only-binary=:all:``, which picks wheels for the
target but evaluates dependency markers (``sys_platform == "win32"``, ``python_version < "3.13"``) as if on
this machine. So the script then walks the dependency graph itself with the target's markers: a wheel the
target needs but pip skipped is fetched, one only this machine needed is removed, and a version that does
not satisfy its requirement stops the build.
"""

from __future__ import annotations

import argparse
import email.parser
import hashlib
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "bold-insights"
ENTRY_POINT = "bold_tui.cli:main"

#: Linux wheels are taken for glibc 2.28 or older (RHEL 8, Debian 10, Ubuntu 18.10 and later): the newest
#: tag a laptop is likely to support first, then every older one pip would also accept on such a system.
_LINUX_TAGS = ([f"manylinux_2_{minor}_x86_64" for minor in range(28, 4, -1)]
               + ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"])


@dataclass(frozen=True)
class Platform:
    name: str
    pip_platforms: tuple[str, ...]
    markers: dict[str, str]


PLATFORMS = {
    "linux_x86_64": Platform("linux_x86_64", tuple(_LINUX_TAGS), {
        "os_name": "posix", "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"}),
    "win_amd64": Platform("win_amd64", ("win_amd64",), {
        "os_name": "nt", "sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64"}),
}
PYTHONS = ("3.11", "3.12", "3.13")


@dataclass(frozen=True)
class Target:
    platform: Platform
    python: str

    @property
    def name(self) -> str:
        return f"{self.platform.name}-cp{self.python.replace('.', '')}"

    def marker_environment(self) -> dict[str, str]:
        return {"implementation_name": "cpython", "platform_python_implementation": "CPython",
                "python_version": self.python, "python_full_version": f"{self.python}.0",
                "implementation_version": f"{self.python}.0", "platform_release": "", "platform_version": "",
                **self.platform.markers}

    def pip_target_args(self) -> list[str]:
        args = ["--only-binary=:all:", "--implementation", "cp", "--python-version", self.python]
        for tag in self.platform.pip_platforms:
            args += ["--platform", tag]
        return args


class PackagingError(Exception):
    """A build that cannot give a complete, consistent wheelhouse: said in one sentence."""


def run(command: list[str]) -> None:
    """Run a build step quietly; if it fails, its last lines of output become the one sentence."""
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout or "").strip().splitlines()[-3:]
        raise PackagingError(f"{' '.join(command[:4])} ... failed: {' / '.join(detail)}")


def pip(*args: str) -> list[str]:
    return [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", *args]


def build_project_wheel(out: Path) -> Path:
    """The project's own wheel, built once and shared by every target (it is pure Python)."""
    for stale in out.glob("bold_insights-*.whl"):
        stale.unlink()  # the build's own scratch copy, remade from the source every run
    out.mkdir(parents=True, exist_ok=True)
    # With hatchling already here, build in place; otherwise pip fetches it into an isolated build.
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    run(pip("wheel", "--no-deps", *isolation, "--wheel-dir", str(out), str(ROOT)))
    wheels = sorted(out.glob("bold_insights-*.whl"))
    if not wheels:
        raise PackagingError(f"no bold_insights wheel was built in {out}")
    return wheels[-1]


# -- the dependency graph, with the target's markers ---------------------------------------------------------

@dataclass(frozen=True)
class Wheel:
    path: Path
    name: str
    version: str
    requires: tuple[Requirement, ...]


def read_wheel(path: Path) -> Wheel:
    name, version, _build, _tags = parse_wheel_filename(path.name)
    with zipfile.ZipFile(path) as archive:
        metadata_name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(archive.read(metadata_name).decode("utf-8"))
    requires = tuple(Requirement(line) for line in metadata.get_all("Requires-Dist") or [])
    return Wheel(path, str(name), str(version), requires)


def _applies(requirement: Requirement, environment: dict[str, str], extras: frozenset[str]) -> bool:
    if requirement.marker is None:
        return True
    marker: Marker = requirement.marker
    return any(marker.evaluate({**environment, "extra": extra}) for extra in (extras or {""}))


def closure(wheelhouse: Path, root: str, target: Target) -> tuple[dict[str, Wheel], list[Requirement]]:
    """The wheels ``root`` needs on ``target`` (by name), and the requirements no wheel here meets."""
    available = {canonicalize_name(w.name): w for w in map(read_wheel, sorted(wheelhouse.glob("*.whl")))}
    environment = target.marker_environment()
    needed: dict[str, Wheel] = {}
    missing: list[Requirement] = []
    queue: list[tuple[str, frozenset[str]]] = [(canonicalize_name(root), frozenset())]
    seen: set[tuple[str, frozenset[str]]] = set()
    while queue:
        name, extras = queue.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        wheel = available[name]
        needed[name] = wheel
        for requirement in wheel.requires:
            if not _applies(requirement, environment, extras):
                continue
            dependency = canonicalize_name(requirement.name)
            found = available.get(dependency)
            if found is None:
                missing.append(requirement)
                continue
            if not requirement.specifier.contains(found.version, prereleases=True):
                raise PackagingError(f"{target.name}: {found.name} {found.version} does not meet {requirement} "
                                     f"(needed by {wheel.name}).")
            queue.append((dependency, frozenset(requirement.extras)))
    return needed, missing


def fetch_wheelhouse(target: Target, project_wheel: Path, wheelhouse: Path) -> dict[str, Wheel]:
    """Download, then make the folder exactly the target's closure: add what pip's markers missed, drop extras."""
    wheelhouse.mkdir(parents=True, exist_ok=True)
    shutil.copy2(project_wheel, wheelhouse / project_wheel.name)
    run(pip("download", "--dest", str(wheelhouse), *target.pip_target_args(), str(project_wheel)))
    for _round in range(5):
        needed, missing = closure(wheelhouse, PROJECT, target)
        if not missing:
            break
        for requirement in missing:
            bare = Requirement(str(requirement))
            bare.marker = None
            run(pip("download", "--no-deps", "--dest", str(wheelhouse), *target.pip_target_args(), str(bare)))
    else:
        raise PackagingError(f"{target.name}: still missing {', '.join(map(str, missing))} after five rounds.")
    for path in wheelhouse.glob("*.whl"):
        if canonicalize_name(parse_wheel_filename(path.name)[0]) not in needed:
            path.unlink()  # needed only under this machine's markers
    return needed


# -- what goes next to the wheels ---------------------------------------------------------------------------

def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_requirements(wheelhouse: Path, wheels: dict[str, Wheel]) -> Path:
    """Every wheel pinned with its hash, for ``pip install --require-hashes -r``."""
    lines = ["# Every wheel in this folder, pinned with its SHA-256: pip refuses a file that differs.\n"]
    for name in sorted(wheels):
        wheel = wheels[name]
        lines.append(f"{name}=={wheel.version} --hash=sha256:{sha256(wheelhouse / wheel.path.name)}\n")
    path = wheelhouse / "requirements.txt"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def write_sums(folder: Path) -> Path:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "SHA256SUMS")
    text = "".join(f"{sha256(p)}  {p.relative_to(folder).as_posix()}\n" for p in files)
    path = folder / "SHA256SUMS"
    path.write_text(text, encoding="utf-8")
    return path


def install_text(target: Target) -> str:
    if target.platform.name.startswith("win"):
        return (f"BOLD Insights reader for Windows (64-bit), Python {target.python}. No admin rights needed.\n\n"
                "In this folder, in a Command Prompt or PowerShell:\n\n"
                f"  py -{target.python} -m pip install --user --no-index --find-links wheelhouse "
                "--require-hashes -r wheelhouse\\requirements.txt\n"
                f"  py -{target.python} -m bold_tui.cli list\n\n"
                f"Or, without installing: py -{target.python} bold.pyz\n"
                "Full steps, including trusting a publisher's key: docs/install-offline.md\n")
    return (f"BOLD Insights reader for Linux (x86_64), Python {target.python}. No admin rights needed.\n\n"
            "In this folder:\n\n"
            f"  python{target.python} -m venv ~/.local/share/bold-venv\n"
            "  ~/.local/share/bold-venv/bin/pip install --no-index --find-links wheelhouse "
            "--require-hashes -r wheelhouse/requirements.txt\n"
            "  ~/.local/share/bold-venv/bin/bold\n\n"
            f"Or, without installing: python{target.python} bold.pyz\n"
            "Full steps, including trusting a publisher's key: docs/install-offline.md\n")


def build_app(target: Target, wheelhouse: Path, out: Path) -> Path:
    """One file holding the reader and its dependencies for this target (shiv unpacks it to ~/.shiv once)."""
    with tempfile.TemporaryDirectory(prefix="bold-app-") as scratch:
        site = Path(scratch) / "site-packages"
        wheels = [str(p) for p in sorted(wheelhouse.glob("*.whl"))]
        # --no-deps: the wheelhouse already is the target's exact closure, so pip's host markers cannot matter.
        run(pip("install", "--no-deps", "--no-index", "--no-compile", "--target", str(site),
                *target.pip_target_args(), *wheels))
        shutil.rmtree(site / "bin", ignore_errors=True)  # console scripts made for this machine, not the target
        run([sys.executable, "-m", "shiv", "--site-packages", str(site), "--entry-point", ENTRY_POINT,
             "--output-file", str(out), "--python", "/usr/bin/env python3", "--reproducible"])
    return out


def complete_platform(target: Target) -> dict[str, object]:
    """pex's description of a target it cannot run: its marker environment and every wheel tag it accepts.

    Written from ``packaging.tags`` here, not captured on the target; for a release, capture the real one on a
    machine of the target kind with ``pex3 interpreter inspect --markers --tags`` and pass it instead.
    """
    from packaging import tags

    version = tuple(int(part) for part in target.python.split("."))
    platforms = list(target.platform.pip_platforms)
    interpreter = f"cp{target.python.replace('.', '')}"
    compatible = [*tags.cpython_tags(python_version=version, abis=[interpreter], platforms=platforms),
                  *tags.compatible_tags(python_version=version, interpreter=interpreter, platforms=platforms)]
    return {"marker_environment": target.marker_environment(), "compatible_tags": [str(t) for t in compatible]}


def build_pex(target: Target, wheelhouse: Path, out: Path) -> Path:
    """The reader as one pex file, resolved only from the wheelhouse, for a target described to pex in full."""
    import json

    with tempfile.TemporaryDirectory(prefix="bold-pex-") as scratch:
        description = Path(scratch) / f"{target.name}.json"
        description.write_text(json.dumps(complete_platform(target)), encoding="utf-8")
        # Every wheel pinned and --intransitive: the wheelhouse already is the target's closure, extras included
        # (pex's own resolve for a foreign platform dropped markdown-it-py's linkify extra).
        pinned = [f"{w.name}=={w.version}" for w in map(read_wheel, sorted(wheelhouse.glob("*.whl")))]
        run([sys.executable, "-m", "pex", *pinned, "--intransitive", "--no-pypi", "--find-links", str(wheelhouse),
             "--no-build", "--complete-platform", str(description), "--console-script", "bold",
             "--python-shebang", "/usr/bin/env python3", "--output-file", str(out)])
    return out


def build_target(target: Target, project_wheel: Path, out: Path, app: bool, pex: bool = False,
                 force: bool = False) -> Path:
    folder = out / target.name
    if folder.exists():
        if not force:  # an earlier build may already have been checked and handed out: never replace it unasked
            raise PackagingError(f"{folder} already exists; choose another --out, or pass --force to replace it.")
        shutil.rmtree(folder)
    wheelhouse = folder / "wheelhouse"
    wheels = fetch_wheelhouse(target, project_wheel, wheelhouse)
    write_requirements(wheelhouse, wheels)
    if app:
        build_app(target, wheelhouse, folder / "bold.pyz")
    if pex:
        build_pex(target, wheelhouse, folder / "bold.pex")
    (folder / "INSTALL.txt").write_text(install_text(target), encoding="utf-8")
    write_sums(folder)
    return folder


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "offline")
    parser.add_argument("--target", action="append", choices=sorted(PLATFORMS), default=[],
                        help="a platform to build for (repeatable; default: all)")
    parser.add_argument("--python", action="append", choices=PYTHONS, default=[],
                        help="a Python version to build for (repeatable; default: all)")
    parser.add_argument("--wheel", type=Path, default=None, help="use this project wheel instead of building one")
    parser.add_argument("--no-app", dest="app", action="store_false", help="wheelhouses only, no bold.pyz")
    parser.add_argument("--force", action="store_true", help="replace target folders an earlier build left")
    parser.add_argument("--pex", action="store_true",
                        help="also a bold.pex (needs pex; for Windows from a complete platform written here)")
    args = parser.parse_args(argv)
    try:
        project_wheel = args.wheel or build_project_wheel(args.out / "_project")
        for platform in args.target or sorted(PLATFORMS):
            for python in args.python or PYTHONS:
                target = Target(PLATFORMS[platform], python)
                folder = build_target(target, project_wheel, args.out, args.app, args.pex, args.force)
                wheelhouse = folder / "wheelhouse"
                app = folder / "bold.pyz"
                app_size = f", bold.pyz {app.stat().st_size / 1e6:.1f} MB" if app.exists() else ""
                pex_file = folder / "bold.pex"
                app_size += f", bold.pex {pex_file.stat().st_size / 1e6:.1f} MB" if pex_file.exists() else ""
                print(f"{target.name}: {len(list(wheelhouse.glob('*.whl')))} wheels, "
                      f"{folder_bytes(wheelhouse) / 1e6:.1f} MB{app_size} -> {folder}")
    except PackagingError as error:
        sys.stderr.write(f"package: {error}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
