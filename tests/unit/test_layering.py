"""The layers hold: the domain never needs the UI, the reader install never needs the pipeline, the world
imports nothing of ours, and no module imports our own code in a way import-linter cannot see."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.helpers import ROOT

OURS = ("linkage_core", "insight_packs", "sample_db", "bold_tui")


def _modules_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(out.stdout.split())


@pytest.mark.parametrize("module", [
    "linkage_core", "linkage_core.bundle", "linkage_core.bundle.writer", "linkage_core.schema",
    "linkage_core.disclosure.rules", "linkage_core.disclosure.perturbation", "linkage_core.disclosure.lab",
    "linkage_core.sql", "linkage_core.engines", "insight_packs.registry", "sample_db",
])
def test_domain_modules_never_load_the_ui(module: str) -> None:
    loaded = _modules_after_import(module)
    assert not {m for m in loaded if m.split(".")[0] in {"textual", "bold_tui"}}


@pytest.mark.parametrize("module", [
    "sample_db", "linkage_core.bundle", "linkage_core.disclosure.perturbation", "linkage_core.disclosure.lab",
    "bold_tui.cli", "bold_tui.reader_commands", "bold_tui.app", "bold_tui.screens.lab", "bold_tui.lab_story",
])
def test_reader_side_never_loads_pipeline_libraries(module: str) -> None:
    """A static graph cannot see a deferred import, so import each in a fresh interpreter and look."""
    heavy = {"numpy", "pandas", "duckdb", "splink", "pyarrow", "sqlite_utils", "statsmodels", "sklearn", "scipy"}
    assert not {m for m in _modules_after_import(module) if m.split(".")[0] in heavy}


@pytest.mark.parametrize("module", ["sample_db", "sample_db.world"])
def test_the_synthetic_world_loads_nothing_of_ours(module: str) -> None:
    assert not {m for m in _modules_after_import(module) if m.split(".")[0] in set(OURS) - {"sample_db"}}


def test_import_linter_contract_holds() -> None:
    result = subprocess.run(["lint-imports"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_layers_contract_runs_from_the_cli_down_to_the_world() -> None:
    """The order is the data's journey; a contract reordered by accident would still pass lint-imports."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    heads = [layer.split(":")[0].split("|")[0].strip() for layer in layers]
    assert heads == ["bold_tui.cli", "bold_tui.pipeline_commands", "insight_packs", "linkage_core.linkage",
                     "linkage_core.bundle", "sample_db"]


#: The only module allowed to import our own code by name at run time: pack discovery (see its docstring).
DYNAMIC_BY_DESIGN = {"insight_packs/registry.py"}


def _dynamic_imports(path: Path) -> list[int]:
    """Lines calling ``__import__``, ``import_module`` or ``spec_from_file_location``."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in {"__import__", "import_module", "spec_from_file_location"}:
                lines.append(node.lineno)
    return lines


def test_no_module_imports_our_own_code_dynamically() -> None:
    found = {str(p.relative_to(ROOT)): _dynamic_imports(p) for pkg in OURS for p in (ROOT / pkg).rglob("*.py")}
    found = {path: lines for path, lines in found.items() if lines}
    unexpected = set(found) - DYNAMIC_BY_DESIGN
    assert not unexpected, f"dynamic imports import-linter cannot see: { {p: found[p] for p in unexpected} }"
    assert len(found.get("insight_packs/registry.py", [])) == 1


def test_base_install_is_light() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {dep.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip() for dep in project["dependencies"]}
    assert names == {"textual", "rich", "pydantic", "cryptography", "platformdirs"}  # platformdirs: issue 18
    assert any(dep.startswith("textual>=8.2,<8.3") for dep in project["dependencies"])  # pinned minor
