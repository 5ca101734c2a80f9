"""Find every pack: a new use case is one new module in this folder that defines ``PACK = PackSpec(...)``.

How, without a skip list: each module's source is read (not run) and only a module that assigns ``PACK`` at
its top level is a pack. Helper modules (``base``, ``engine``, ``compute``, ``build`` ...) are never
imported by the registry, so adding a helper can never make the registry run it, and adding a pack never
means editing a list here, in ``cohort.py`` or anywhere else.

The one dynamic import of our own code in the project is here (``importlib.import_module`` of a module
whose source declares a pack): that is what lets a pack be one file. It hides nothing from the layers
contract: every pack sits in ``insight_packs`` and its own imports are ordinary statements import-linter
reads. ``tests/test_layering.py`` checks no other module imports our code dynamically.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

import insight_packs
from insight_packs.base import PackSpec

#: The name a pack module binds its ``PackSpec`` to: the marker the registry looks for.
MARKER = "PACK"


def declares_pack(source: str) -> bool:
    """Whether a module's source assigns ``PACK`` at its top level (read, never run)."""
    if MARKER not in source:  # most helpers: no need to parse them
        return False
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == MARKER for t in targets):
            return True
    return False


def pack_modules(package: ModuleType = insight_packs) -> list[str]:
    """Full names of the modules in ``package``'s folder(s) that declare a pack, in name order."""
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.ispkg or info.name.startswith("_"):
            continue
        path = Path(getattr(info.module_finder, "path", "")) / f"{info.name}.py"
        if path.is_file() and declares_pack(path.read_text(encoding="utf-8")):
            found.append(f"{package.__name__}.{info.name}")
    return sorted(found)


def _load(names: Iterable[str]) -> list[PackSpec]:
    packs = []
    for name in names:
        pack = getattr(importlib.import_module(name), MARKER)
        if not isinstance(pack, PackSpec):
            raise TypeError(f"{name}.{MARKER} is not a PackSpec")
        packs.append(pack)
    ids = [p.id for p in packs]
    if len(set(ids)) != len(ids):
        raise ValueError(f"two packs share an id: {sorted(i for i in ids if ids.count(i) > 1)}")
    return sorted(packs, key=lambda p: (p.order, p.id))


def all_packs(package: ModuleType = insight_packs) -> list[PackSpec]:
    """Every pack in ``package`` (``insight_packs``), in reading order (``order``, then id).

    Read afresh on each call (parsing a dozen small files takes milliseconds), so a pack module added while
    the process runs, as ``tests/test_fifth_pack.py`` does, is found.
    """
    return _load(pack_modules(package))


def get_pack(pack_id: str) -> PackSpec:
    for pack in all_packs():
        if pack.id == pack_id:
            return pack
    raise KeyError(pack_id)
