"""The offline install, end to end: build the wheelhouse, install it with no index, open the demo.

Built fresh in a temporary folder every run (nothing is kept between runs); needs the package index to build,
and is skipped, with the reason, where it cannot be reached. Sizes are checked here because they are what
fits on the stick; install time is a figure (docs/figures.md), not a test.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from tools import package

pytestmark = pytest.mark.slow

#: The figure the issue sets for one target's wheelhouse.
WHEELHOUSE_LIMIT = 15 * 10**6
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


def _index_serves(target: package.Target, folder: Path) -> str | None:
    """None if pip can fetch the target's own wheels of the reader's direct dependencies here (the native
    ones are the particular ones), else why not: the reason the test is skipped for. A failure after this
    passes is a real one."""
    result = subprocess.run(package.pip("download", "--no-deps", "--dest", str(folder), "--timeout", "15",
                                        *target.pip_target_args(), "pydantic-core", "cryptography>=44",
                                        "textual>=8.2,<8.3", "cffi"),
                            capture_output=True, text=True, timeout=180, check=False)
    if result.returncode == 0:
        return None
    last = (result.stderr.strip().splitlines() or ["no output"])[-1]
    return f"the package index cannot be reached from here for {target.name} ({last[:160]})"


@pytest.fixture(scope="module")
def project_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return package.build_project_wheel(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def linux_build(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (sys.platform == "linux" and platform.machine() in ("x86_64", "AMD64")):
        pytest.skip("the Linux x86_64 install is checked on Linux x86_64")
    if PYTHON not in package.PYTHONS:
        pytest.skip(f"Python {PYTHON} is not a packaged target")
    target = package.Target(package.PLATFORMS["linux_x86_64"], PYTHON)
    reason = _index_serves(target, tmp_path_factory.mktemp("probe"))
    if reason:
        pytest.skip(reason)
    # No bold.pyz here: building and unpacking it would double the test's time (it is checked by hand and in
    # docs/figures.md); the wheelhouse is what every install goes through.
    project_wheel = request.getfixturevalue("project_wheel")  # only once the index is known to serve
    return package.build_target(target, project_wheel, tmp_path_factory.mktemp("offline"), app=False)


def _clean_environment(home: Path) -> dict[str, str]:
    """No PYTHONPATH (the source tree must not stand in for the install), a private config folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "BOLD_", "VIRTUAL_ENV"))}
    env.update(BOLD_CONFIG_DIR=str(home / "config"), HOME=str(home), PYTHONDONTWRITEBYTECODE="1",
               SHIV_ROOT=str(home / "shiv"))
    return env


def _run(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False)


def test_linux_wheelhouse_installs_offline_and_reads_the_demo(linux_build: Path, tmp_path: Path) -> None:
    wheelhouse = linux_build / "wheelhouse"
    size = sum(p.stat().st_size for p in wheelhouse.iterdir())
    assert size <= WHEELHOUSE_LIMIT, f"wheelhouse is {size / 1e6:.1f} MB"
    names = {p.name.split("-")[0].lower() for p in wheelhouse.glob("*.whl")}
    assert {"bold_insights", "textual", "rich", "pydantic", "cryptography", "platformdirs"} <= names
    assert not names & {"duckdb", "splink", "pandas", "pyarrow", "psutil", "numpy"}  # nothing of the pipeline

    env = _clean_environment(tmp_path)
    venv = tmp_path / "bold-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # --no-compile: byte-compiling every module is most of an install's time and proves nothing here.
    install = _run(package.pip("--python", str(python), "install", "--no-compile", "--no-index",
                               "--find-links", str(wheelhouse),
                               "--require-hashes", "-r", str(wheelhouse / "requirements.txt")), env, tmp_path)
    assert install.returncode == 0, install.stderr[-2000:]

    where = _run([str(python), "-c", "import bold_tui, sample_db; print(bold_tui.__file__); "
                  "print(sample_db.demo_bundle_path())"], env, tmp_path)
    module, demo = where.stdout.split()
    assert module.startswith(str(venv)), "the installed copy, not the source tree, must be what runs"

    bold = str(venv / "bin" / "bold")
    verify = _run([bold, "verify", demo], env, tmp_path)
    assert verify.returncode == 0 and "good" in verify.stdout, verify.stderr
    listed = _run([bold, "list", "--format", "json"], env, tmp_path)
    assert listed.returncode == 0, listed.stderr
    finding_ids = [f["id"] for pack in json.loads(listed.stdout)["packs"] for f in pack["findings"]]
    assert finding_ids
    shown = _run([bold, "show", finding_ids[0]], env, tmp_path)
    assert shown.returncode == 0 and shown.stdout.strip(), shown.stderr
    assert "Traceback" not in verify.stderr + listed.stderr + shown.stderr

    sums = _run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], env, linux_build)
    assert sums.returncode == 0, sums.stdout + sums.stderr


def test_windows_wheelhouse_resolves_from_here(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """pip download --platform win_amd64 --only-binary=:all: --python-version 3.12, then Windows' own markers."""
    target = package.Target(package.PLATFORMS["win_amd64"], "3.12")
    reason = _index_serves(target, tmp_path / "probe")
    if reason:
        pytest.skip(reason)
    wheelhouse = tmp_path / "wheelhouse"
    wheels = package.fetch_wheelhouse(target, request.getfixturevalue("project_wheel"), wheelhouse)
    requirements = package.write_requirements(wheelhouse, wheels)
    files = sorted(wheelhouse.glob("*.whl"))
    assert sum(p.stat().st_size for p in files) <= WHEELHOUSE_LIMIT
    native = [p.name for p in files if not p.name.endswith("-none-any.whl")]
    assert native and all(name.endswith("win_amd64.whl") for name in native), native
    assert any(p.name.startswith("pydantic_core-") and "-cp312-" in p.name for p in files)
    # pip itself agrees every pinned file is a Windows 3.12 wheel with the hash written down.
    check = subprocess.run(package.pip("install", "--dry-run", "--no-deps", "--no-index", "--find-links",
                                       str(wheelhouse), "--target", str(tmp_path / "target"),
                                       *target.pip_target_args(), "--require-hashes", "-r", str(requirements)),
                           capture_output=True, text=True, timeout=120, check=False)
    assert check.returncode == 0, check.stderr[-2000:]
