"""Per-user paths come from one module on platformdirs; older folders are still found; psutil stands in for /proc."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from bold_tui import locations
from linkage_core import memory
from linkage_core.errors import NotEnoughMemory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOLD_CONFIG_DIR", raising=False)
    monkeypatch.delenv("BOLD_EXPORT_DIR", raising=False)


def test_bold_config_dir_overrides_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOLD_CONFIG_DIR", str(tmp_path / "mine"))
    assert locations.settings_file() == tmp_path / "mine" / "settings.json"
    assert locations.trust_dir() == tmp_path / "mine" / "trusted"


def test_the_platform_folder_is_asked_of_platformdirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      no_override: None) -> None:
    asked = []

    def user_config_path(app: str, **kwargs: object) -> Path:
        asked.append((app, kwargs))
        return tmp_path / "platform" / app

    monkeypatch.setattr(locations.platformdirs, "user_config_path", user_config_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert locations.config_dir() == tmp_path / "platform" / "bold"
    assert asked and asked[0][1]["appauthor"] is False and asked[0][1]["roaming"] is True


@pytest.mark.parametrize("old_content", ["settings.json", "trusted"])
def test_an_older_folder_in_use_is_still_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_override: None,
                                               old_content: str) -> None:
    """macOS moved from ~/.config/bold to Application Support: settings and keys already there are kept."""
    monkeypatch.setattr(locations, "_platform_config_dir", lambda: tmp_path / "Application Support" / "bold")
    monkeypatch.setattr(locations.os, "name", "posix")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "dotconfig"))
    legacy = tmp_path / "dotconfig" / "bold"
    assert locations.config_dir() == tmp_path / "Application Support" / "bold"  # nothing anywhere: the new place
    legacy.mkdir(parents=True)
    assert locations.config_dir() == tmp_path / "Application Support" / "bold"  # an empty old folder is not "in use"
    if old_content == "trusted":
        (legacy / "trusted").mkdir()
    else:
        (legacy / "settings.json").write_text('{"high_contrast": true}', encoding="utf-8")
        from bold_tui.settings import Settings

        assert Settings.load().high_contrast is True
    assert locations.config_dir() == legacy
    current = tmp_path / "Application Support" / "bold"
    current.mkdir(parents=True)
    (current / "settings.json").write_text("{}", encoding="utf-8")
    assert locations.config_dir() == current  # once the new place holds something, it wins


def test_linux_keeps_the_folder_it_always_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               no_override: None) -> None:
    if sys.platform != "linux":
        pytest.skip("the Linux folder is checked on Linux")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert locations.config_dir() == locations.legacy_config_dir() == tmp_path / "xdg" / "bold"


def test_exports_go_to_the_documents_folder_the_system_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             no_override: None) -> None:
    redirected = tmp_path / "OneDrive" / "Documents"
    redirected.mkdir(parents=True)
    monkeypatch.setattr(locations.platformdirs, "user_documents_path", lambda: redirected)
    assert locations.export_dir() == redirected
    from bold_tui.export import default_folder

    assert default_folder() == redirected
    monkeypatch.setattr(locations.platformdirs, "user_documents_path", lambda: tmp_path / "missing")
    monkeypatch.chdir(tmp_path)
    assert locations.export_dir() == tmp_path

    def broken() -> Path:
        raise OSError("shell folder registry entry unreadable")

    monkeypatch.setattr(locations.platformdirs, "user_documents_path", broken)
    assert locations.export_dir() == tmp_path
    monkeypatch.setenv("BOLD_EXPORT_DIR", str(tmp_path / "chosen"))
    assert locations.export_dir() == tmp_path / "chosen"


#: Ways a per-user path gets written by hand. Only locations.py may use them. (A bare "home" is a key name
#: or a search word as often as a folder; ``Path.home()`` and the ``HOME`` variable are what build a path.)
_HAND_MADE = {"APPDATA", "LOCALAPPDATA", "USERPROFILE", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "Documents",
              "HOME", "~"}


def _hand_made_paths(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "home" and ast.unparse(node.value) == "Path":
            found.append(f"line {node.lineno}: Path.home()")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in _HAND_MADE:
            found.append(f"line {node.lineno}: {node.value!r}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("~/"):
            found.append(f"line {node.lineno}: {node.value!r}")
    return found


def test_the_scan_for_hand_made_paths_can_fail() -> None:
    assert _hand_made_paths('from pathlib import Path\nx = Path.home() / "Documents"\n')
    assert _hand_made_paths('import os\nx = os.environ["APPDATA"]\n')
    assert not _hand_made_paths('from bold_tui.locations import export_dir\nx = export_dir()\n')


def test_every_per_user_path_comes_from_locations() -> None:
    offenders = {}
    for path in sorted((ROOT / "bold_tui").rglob("*.py")):
        if path.name == "locations.py":
            continue
        found = _hand_made_paths(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert not offenders, f"per-user paths written by hand outside bold_tui/locations.py: {offenders}"


def test_memory_without_proc_comes_from_psutil(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    psutil = pytest.importorskip("psutil")
    monkeypatch.setattr(memory, "PROC", tmp_path / "no-proc")
    monkeypatch.delenv("BOLD_MEMORY_AVAILABLE", raising=False)
    seen = memory.machine_memory()
    assert abs(seen.total - psutil.virtual_memory().total) < 2**20
    rss = memory._rss()
    assert rss > 10 * 2**20 and abs(rss - psutil.Process().memory_info().rss) < 64 * 2**20
    assert memory.guard_can_see()


def test_a_guard_that_cannot_see_refuses_in_a_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No /proc and no psutil: the guard would read 0 and never trip, so the run is refused instead."""
    monkeypatch.setattr(memory, "PROC", tmp_path / "no-proc")
    monkeypatch.setattr(memory, "_psutil", lambda: None)
    monkeypatch.setattr(memory.os, "sysconf", _no_sysconf, raising=False)
    with pytest.raises(NotEnoughMemory, match="cannot be read.*pip install"):
        memory.machine_memory()
    with pytest.raises(NotEnoughMemory, match="cannot be read"):
        with memory.guard(memory=memory.MachineMemory(total=8 * 2**30, available=4 * 2**30)):
            pass


def _no_sysconf(name: str) -> int:
    raise ValueError(name)
