"""tools/package.py walks the dependency graph with the target's markers, not this machine's."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tools import package


def _wheel(folder: Path, name: str, version: str, requires: list[str], tag: str = "py3-none-any") -> Path:
    path = folder / f"{name.replace('-', '_')}-{version}-{tag}.whl"
    metadata = "".join([f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
                        *(f"Requires-Dist: {r}\n" for r in requires)])
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{name.replace('-', '_')}-{version}.dist-info/METADATA", metadata)
    return path


def _target(platform: str, python: str = "3.12") -> package.Target:
    return package.Target(package.PLATFORMS[platform], python)


@pytest.fixture
def wheelhouse(tmp_path: Path) -> Path:
    _wheel(tmp_path, "bold-insights", "0.1.0", ["textual>=8", "cryptography>=44"])
    _wheel(tmp_path, "textual", "8.2.8", ['colorama; sys_platform == "win32"', 'uvloop; sys_platform == "linux"',
                                          'typing-extensions>=4; python_version < "3.13"', "rich[jupyter]>=14"])
    _wheel(tmp_path, "rich", "15.0.0", ['ipywidgets; extra == "jupyter"', 'pygments; extra == "never"'])
    _wheel(tmp_path, "cryptography", "50.0.2", ['cffi>=2; platform_python_implementation != "PyPy"'])
    _wheel(tmp_path, "cffi", "2.1.1", [])
    _wheel(tmp_path, "colorama", "0.4.6", [])
    _wheel(tmp_path, "uvloop", "0.21.0", [])
    _wheel(tmp_path, "typing-extensions", "4.16.0", [])
    _wheel(tmp_path, "ipywidgets", "8.0.0", [])
    _wheel(tmp_path, "pygments", "2.21.0", [])
    return tmp_path


def test_windows_needs_what_windows_markers_say(wheelhouse: Path) -> None:
    needed, missing = package.closure(wheelhouse, "bold-insights", _target("win_amd64"))
    assert not missing
    assert "colorama" in needed and "uvloop" not in needed
    assert "ipywidgets" in needed and "pygments" not in needed  # extras: only the ones asked for


def test_linux_and_a_newer_python_need_what_their_markers_say(wheelhouse: Path) -> None:
    needed, _ = package.closure(wheelhouse, "bold-insights", _target("linux_x86_64", "3.13"))
    assert "uvloop" in needed and "colorama" not in needed
    assert "typing-extensions" not in needed
    needed, _ = package.closure(wheelhouse, "bold-insights", _target("linux_x86_64", "3.11"))
    assert "typing-extensions" in needed


def test_a_missing_wheel_is_named_and_a_wrong_version_stops_the_build(wheelhouse: Path) -> None:
    (wheelhouse / "colorama-0.4.6-py3-none-any.whl").unlink()
    _, missing = package.closure(wheelhouse, "bold-insights", _target("win_amd64"))
    assert [str(r.name) for r in missing] == ["colorama"]
    (wheelhouse / "cffi-2.1.1-py3-none-any.whl").unlink()
    _wheel(wheelhouse, "cffi", "1.17.0", [])
    with pytest.raises(package.PackagingError, match="cffi 1.17.0 does not meet"):
        package.closure(wheelhouse, "bold-insights", _target("win_amd64"))


def test_sums_and_pinned_hashes_cover_every_file(wheelhouse: Path) -> None:
    needed, _ = package.closure(wheelhouse, "bold-insights", _target("win_amd64"))
    requirements = package.write_requirements(wheelhouse, needed).read_text(encoding="utf-8")
    assert requirements.count("--hash=sha256:") == len(needed)
    assert "bold-insights==0.1.0 --hash=sha256:" + package.sha256(
        wheelhouse / "bold_insights-0.1.0-py3-none-any.whl") in requirements
    sums = package.write_sums(wheelhouse).read_text(encoding="utf-8").splitlines()
    assert len(sums) == len(list(wheelhouse.glob("*"))) - 1  # every file but SHA256SUMS itself
    assert all(len(line.split("  ")[0]) == 64 for line in sums)


def test_install_text_uses_a_per_user_install() -> None:
    windows = package.install_text(_target("win_amd64"))
    assert "--user --no-index" in windows and "--require-hashes" in windows
    linux = package.install_text(_target("linux_x86_64"))
    assert "-m venv ~/" in linux and "--no-index" in linux and "sudo" not in linux


def test_an_earlier_build_is_never_replaced_unasked(tmp_path: Path) -> None:
    target = _target("win_amd64")
    (tmp_path / target.name).mkdir()
    (tmp_path / target.name / "SHA256SUMS").write_text("checked and handed out\n", encoding="utf-8")
    with pytest.raises(package.PackagingError, match="already exists; .*--force"):
        package.build_target(target, tmp_path / "unused.whl", tmp_path, app=False)
    assert (tmp_path / target.name / "SHA256SUMS").read_text(encoding="utf-8") == "checked and handed out\n"
