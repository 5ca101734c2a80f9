"""Find every pack: a new use case is one new module in this package that defines ``PACK``."""

from __future__ import annotations

import importlib
import pkgutil

import insight_packs
from insight_packs.base import PackSpec

_SKIP = {"base", "registry", "engine", "language", "matching", "build"}


def all_packs() -> list[PackSpec]:
    packs = []
    for info in pkgutil.iter_modules(insight_packs.__path__):
        if info.name in _SKIP or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"insight_packs.{info.name}")
        pack = getattr(module, "PACK", None)
        if isinstance(pack, PackSpec):
            packs.append(pack)
    return sorted(packs, key=lambda p: (p.order, p.id))


def get_pack(pack_id: str) -> PackSpec:
    for pack in all_packs():
        if pack.id == pack_id:
            return pack
    raise KeyError(pack_id)
