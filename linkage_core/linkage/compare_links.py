"""Two link outputs of one world, compared: do they hold the same people? (issue 13: the same spine on every engine)

Person keys are random by design (a shuffle, not a hash), so spines are compared as partitions: two records
are one person in one output exactly when they are in the other. Also compared: each record's match
probability (to 9 decimals) and quality.json with its run-dependent parts (seconds) left out. Used by
``benchmarks/link_engines.py`` and the Spark test; reads only the files ``link_world`` writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def partition(spine: Path) -> dict[tuple[str, str], frozenset[tuple[str, str]]]:
    """Each record's fellow records (its person), independent of the random person keys."""
    import pyarrow.parquet as pq

    table = pq.read_table(spine).to_pylist()
    people: dict[Any, set[tuple[str, str]]] = {}
    for row in table:
        people.setdefault(row["person_key"], set()).add((row["dataset"], row["record_id"]))
    return {rec: frozenset(members) for members in people.values() for rec in members}


def probabilities(spine: Path) -> dict[tuple[str, str], float | None]:
    import pyarrow.parquet as pq

    return {(r["dataset"], r["record_id"]): (None if r["match_probability"] is None
                                             else round(r["match_probability"], 9))
            for r in pq.read_table(spine).to_pylist()}


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list):
        out = {}
        for i, v in enumerate(value):
            out.update(_flat(v, f"{prefix}[{i}]"))
        return out
    if isinstance(value, float):
        return {prefix: round(value, 9)}
    return {prefix: value}


def compare(a: Path, b: Path) -> dict[str, Any]:
    """What differs between two link outputs (folders holding spine.parquet and quality.json)."""
    pa_, pb = partition(a / "spine.parquet"), partition(b / "spine.parquet")
    records = pa_.keys() | pb.keys()
    moved = sorted(r for r in records if pa_.get(r) != pb.get(r))
    qa_, qb = probabilities(a / "spine.parquet"), probabilities(b / "spine.parquet")
    prob = sorted(r for r in records if qa_.get(r) != qb.get(r))
    fa, fb = (_flat(json.loads((p / "quality.json").read_text())) for p in (a, b))
    keys = sorted(k for k in fa.keys() | fb.keys() if "second" not in k)
    quality = [(k, fa.get(k), fb.get(k)) for k in keys if fa.get(k) != fb.get(k)]
    return {"records": len(records), "people_a": len(set(pa_.values())), "people_b": len(set(pb.values())),
            "records_in_a_different_person": len(moved), "first_moved": [list(r) for r in moved[:5]],
            "probabilities_differing": len(prob), "first_probability": [(list(r), qa_.get(r), qb.get(r))
                                                                        for r in prob[:5]],
            "quality_fields_differing": len(quality), "first_quality": quality[:12]}
