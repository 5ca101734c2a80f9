"""The per-person truth behind every comparison, as a table, and the effects it sums to.

``_truth/potential.parquet`` holds, for each (treatment, outcome) comparison, one row per person in its
population: treated or not, Y0 and Y1 (same random draw), the planted effect, and the person's group in
every breakdown a pack may publish, labelled exactly as the packs label them. ``bold evaluate`` works out
the realised effect on the treated people of any published row from it; ``effects.json`` carries the
same sums for the overall row and every group. No pipeline step reads either.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from sample_db.world import postcodes
from sample_db.world.model import World
from sample_db.world.outcomes import AGE_GROUPS, Effect, Potential, age_group
from sample_db.world.people import AGE_BANDS, OFFENCE_GROUPS, QUALIFICATIONS, SENTENCE_BANDS

#: Breakdown columns of the truth table (None where a breakdown does not apply to the person).
BREAKDOWNS = ("region", "age_band", "sex", "sentence_length", "prison_type", "offence_group",
              "prior_qualification", "course_level", "completed", "age_group")
#: Breakdowns summarised in effects.json, by the kind of treatment (every one with planted variation).
SUMMARISED = {
    "course": ("prison_type", "age_band", "sex", "course_level", "completed"),
    "service": ("sentence_length", "age_band", "sex", "region"),
    "parental_imprisonment": ("age_group",),
}


def _labels(names, codes: np.ndarray) -> np.ndarray:
    return np.asarray(names, dtype=object)[np.asarray(codes)]


def cohort_groups(world: World) -> dict[str, np.ndarray]:
    c = world.cohort
    return {
        "region": _labels(postcodes.REGION_NAMES, c.region),
        "age_band": _labels(AGE_BANDS, c.age_band),
        "sex": np.where(c.male, "M", "F").astype(object),
        "sentence_length": _labels(SENTENCE_BANDS, c.sentence_band),
        "prison_type": np.where(c.private, "private", "public").astype(object),
        "offence_group": _labels(OFFENCE_GROUPS, c.offence),
        "prior_qualification": _labels(QUALIFICATIONS, c.qualification),
    }


def children_groups(world: World) -> dict[str, np.ndarray]:
    k = world.kids
    group = age_group(k.school_year)
    labels = np.full(k.n, None, dtype=object)
    labels[group >= 0] = _labels(AGE_GROUPS, group[group >= 0])
    return {
        "region": _labels(postcodes.REGION_NAMES, k.region),
        "sex": np.where(world.ids.male[world.kid_start:], "M", "F").astype(object),
        "age_group": labels,
    }


def potentials(world: World) -> list[Potential]:
    return world.outcomes.potentials + world.attendance.potentials


def table(world: World, cohort_ids: np.ndarray, child_ids: np.ndarray) -> pa.Table:
    """The truth table: one row per person in each comparison's population (ids are ``_truth`` ids)."""
    groups = {"cohort": cohort_groups(world), "children": children_groups(world)}
    ids = {"cohort": np.asarray(cohort_ids, dtype=object), "children": np.asarray(child_ids, dtype=object)}
    parts = []
    for p in potentials(world):
        rows = np.flatnonzero(p.eligible)
        cols = {
            "person_id": ids[p.unit][rows], "treatment": np.full(len(rows), p.treatment, dtype=object),
            "outcome": np.full(len(rows), p.outcome, dtype=object), "eligible": p.eligible[rows],
            "treated": p.treated[rows], "y0": p.y0[rows], "y1": p.y1[rows], "planted": p.planted[rows],
        }
        for name in BREAKDOWNS:
            source = p.labels.get(name, groups[p.unit].get(name))
            cols[name] = source[rows] if source is not None else np.full(len(rows), None, dtype=object)
        parts.append(pa.table({k: pa.array(v.tolist() if v.dtype == object else v,
                                          type=pa.string() if v.dtype == object else None)
                               for k, v in cols.items()}))
    return pa.concat_tables(parts)


def _kind(treatment: str) -> str:
    return treatment.split(":", 1)[0]


def effects(world: World) -> list[Effect]:
    """Every planted comparison, overall and in each group of each breakdown that varies."""
    groups = {"cohort": cohort_groups(world), "children": children_groups(world)}
    out = []
    for p in potentials(world):
        labels = {**groups[p.unit], **p.labels}
        obs = p.observed()
        base = f"{p.treatment}->{p.outcome}"
        subsets: list[tuple[dict | None, np.ndarray]] = [(None, np.ones(len(obs), bool))]
        for name in SUMMARISED.get(_kind(p.treatment), ()):
            values = labels[name]
            for group in sorted({v for v in values[p.treated] if v is not None}):
                subsets.append(({name: group}, values == group))
        for sub, keep in subsets:
            t, c = p.treated & keep, p.eligible & ~p.treated & keep
            if not t.any():
                continue
            suffix = "" if sub is None else "[{}={}]".format(*next(iter(sub.items())))
            out.append(Effect(
                id=base + suffix, treatment=p.treatment, outcome=p.outcome, scale=p.scale, nominal=p.nominal,
                planted=float(p.planted[t].mean()), realised_att=float((p.y1[t] - p.y0[t]).mean()),
                naive_difference=float(obs[t].mean() - obs[c].mean()) if c.any() else float("nan"),
                n_treated=int(t.sum()), n_untreated=int(c.sum()), subgroup=sub,
                null=bool(np.all(p.planted[t] == 0))))
    return out
