"""The cell key method over numpy arrays: the pipeline's whole-column form of ``perturbation``.

Why two modules: the rules themselves (record keys, cell keys, the ptable, rounding) are pure Python in
``linkage_core.disclosure.perturbation`` so the reader install's anonymisation lab runs the very same code.
The pipeline holds record keys for thousands of people at once, as numpy arrays; this module is that thin
array layer and re-exports the rules, so ``cellkey.PTable``, ``cellkey.ptable_for`` and the rest keep working
for every caller. Nothing here decides a figure on its own: each function is the pure rule applied to an array.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from linkage_core.disclosure.perturbation import (
    KEY_BITS,
    SCALE,
    PTable,
    bound_key,
    default_ptable,
    ptable_for,
    random_rounding_ptable,
    record_key_hasher,
)

__all__ = [
    "KEY_BITS", "PTable", "bound_key", "cell_key", "default_ptable", "perturb_counts", "ptable_for",
    "random_record_keys", "random_rounding_ptable", "record_keys",
]

_SCALE = SCALE


def record_keys(person_ids: Iterable[object], secret: bytes | str) -> np.ndarray:
    """Fixed record keys in [0, 1) for ``person_ids``, from a secret held in the secure stage
    (``perturbation.record_key_units`` for each person)."""
    units = record_key_hasher(secret)
    return np.asarray([units(pid) for pid in person_ids], dtype=np.float64) / _SCALE


def random_record_keys(n: int, seed: int) -> np.ndarray:
    """``n`` record keys in [0, 1) from a seeded generator (for synthetic worlds and tests)."""
    draws = np.random.default_rng(seed).integers(0, _SCALE, size=n, dtype=np.uint64)
    return draws.astype(np.float64) / _SCALE


def cell_key(keys: Iterable[float] | np.ndarray) -> float:
    """The cell key of a set of people: the sum of their record keys modulo 1 (exact, order-free).

    The same sum as ``perturbation.cell_key_units``, vectorised: keys back to whole units, summed in uint64
    (which wraps modulo 2**64, a multiple of 2**32).
    """
    ints = np.rint(np.asarray(list(keys) if not isinstance(keys, np.ndarray) else keys, dtype=np.float64)
                   * _SCALE).astype(np.uint64)
    total = int(ints.sum(dtype=np.uint64)) % _SCALE
    return total / _SCALE


def perturb_counts(counts: Sequence[int], keys: Sequence[float], ptable: PTable) -> list[int]:
    """Perturb several counts with their cell keys (a convenience for whole tables)."""
    return [ptable.perturb(int(c), float(k)) for c, k in zip(counts, keys, strict=True)]
