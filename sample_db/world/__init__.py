"""The synthetic world: a cohort of people released from prison, their families, and the agency
extracts that describe them with realistic errors, plus the truth needed to score linkage and analysis.

Needs numpy and pyarrow (the pipeline install); ``sample_db`` itself never imports this package, so the
reader install stays light.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sample_db.world.extracts import DATASETS
from sample_db.world.profile import ErrorProfile, WorldRates

__all__ = ["DATASETS", "ErrorProfile", "WorldRates", "build_world", "synthesise"]

if TYPE_CHECKING:
    from sample_db.world.model import World


def build_world(people: int, seed: int, profile: ErrorProfile | None = None,
                rates: WorldRates | None = None) -> World:
    """The true world behind ``synthesise(people, seed, ...)``, without writing anything.

    Tests and quality checks use it to compare what the extracts say with what is true.
    """
    import numpy as np

    from sample_db.world.model import build

    if people < 1:
        raise ValueError("a world needs at least one person released")
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    return build(rng, people, rates or WorldRates(), profile or ErrorProfile())


def synthesise(people: int, seed: int, out: Path, profile: ErrorProfile | None = None,
               progress: Callable[[str, float], None] | None = None,
               rates: WorldRates | None = None) -> Path:
    """Writes a world of ``people`` people released into ``out`` and returns ``out``.

    The same ``people``, ``seed``, profile and rates always give byte-identical files, so a linkage or
    analysis result can be reproduced from three numbers. ``progress`` gets a stage name and a fraction.
    """
    from sample_db.world.write import write_world

    if progress:
        progress("building people", 0.0)
    world = build_world(people, seed, profile, rates)
    return write_world(world, seed, Path(out), progress)
