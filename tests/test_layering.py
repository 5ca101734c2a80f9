"""The domain never needs the UI, and the reader install never needs the pipeline."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _modules_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(out.stdout.split())


@pytest.mark.parametrize("module", [
    "linkage_core", "linkage_core.bundle", "linkage_core.bundle.writer", "linkage_core.schema",
    "linkage_core.disclosure.rules", "insight_packs.registry", "sample_db",
])
def test_domain_modules_never_load_the_ui(module: str) -> None:
    loaded = _modules_after_import(module)
    assert not {m for m in loaded if m.split(".")[0] in {"textual", "bold_tui"}}


@pytest.mark.parametrize("module", ["sample_db", "linkage_core.bundle", "bold_tui.cli", "bold_tui.reader_commands"])
def test_reader_side_never_loads_pipeline_libraries(module: str) -> None:
    heavy = {"numpy", "pandas", "duckdb", "splink", "pyarrow", "sqlite_utils", "statsmodels", "sklearn"}
    assert not {m for m in _modules_after_import(module) if m.split(".")[0] in heavy}


def test_import_linter_contract_holds() -> None:
    result = subprocess.run(["lint-imports"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_base_install_is_light() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {dep.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip() for dep in project["dependencies"]}
    assert names == {"textual", "rich", "pydantic", "cryptography", "platformdirs"}  # platformdirs: issue 18
    assert any(dep.startswith("textual>=8.2,<8.3") for dep in project["dependencies"])  # pinned minor
