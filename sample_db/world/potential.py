"""The per-person truth behind every comparison, as a table, and the effects it sums to.

``_truth/potential.parquet`` holds, for each (treatment, outcome) comparison, one row per person in its
population: treated or not, Y0 and Y1 (same random draw), the planted effect, and the person's group in
every breakdown a pack may publish, labelled exactly as the packs label them. ``bold evaluate`` works out
the realised effect on the treated people of any published row from it; ``effects.json`` carries the
same sums for the overall row and every group. No pipeline step reads either.

Groups are held as integer codes into label tuples (-1: not recorded) and written as dictionary columns,
so a world of a million people costs seconds, not millions of Python strings.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from sample_db.world import postcodes
from sample_db.world.model import World
from sample_db.world.outcomes import AGE_GROUPS, Effect, Potential, age_group
from sample_db.world.people import AGE_BANDS, OFFENCE_GROUPS, QUALIFICATIONS, SENTENCE_BANDS

Labels = tuple[np.ndarray, tuple[str, ...]]
#: Breakdown columns of the truth table (null where a breakdown does not apply to the person).
BREAKDOWNS = ("region", "age_band", "sex", "sentence_length", "prison_type", "offence_group",
              "prior_qualification", "course_level", "completed", "age_group")
#: Breakdowns summarised in effects.json, by the kind of treatment (every one with planted variation).
SUMMARISED = {
    "course": ("prison_type", "age_band", "sex", "course_level", "completed"),
    "service": ("sentence_length", "age_band", "sex", "region"),
    "parental_imprisonment": ("age_group",),
}


def cohort_groups(world: World) -> dict[str, Labels]:
    c = world.cohort
    return {
        "region": (c.region.astype(np.int64), tuple(postcodes.REGION_NAMES)),
        "age_band": (c.age_band.astype(np.int64), AGE_BANDS),
        "sex": (c.male.astype(np.int64), ("F", "M")),
        "sentence_length": (c.sentence_band.astype(np.int64), SENTENCE_BANDS),
        "prison_type": (c.private.astype(np.int64), ("public", "private")),
        "offence_group": (c.offence.astype(np.int64), OFFENCE_GROUPS),
        "prior_qualification": (c.qualification.astype(np.int64), QUALIFICATIONS),
    }


def children_groups(world: World) -> dict[str, Labels]:
    k = world.kids
    return {
        "region": (k.region.astype(np.int64), tuple(postcodes.REGION_NAMES)),
        "sex": (world.ids.male[world.kid_start:].astype(np.int64), ("F", "M")),
        "age_group": (age_group(k.school_year).astype(np.int64), AGE_GROUPS),
    }


def potentials(world: World) -> list[Potential]:
    return world.outcomes.potentials + world.attendance.potentials


def _column(labels: Labels | None, rows: np.ndarray) -> pa.Array:
    if labels is None:
        labels = (np.full(len(rows), -1, np.int64), ())
        rows = np.arange(len(rows))
    codes, names = labels
    picked = codes[rows]
    null = picked < 0
    indices = pa.array(np.where(null, 0, picked).astype(np.int32), mask=null)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(names) or [""], pa.string()))


def _constant(value: str, n: int) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), pa.array([value], pa.string()))


def table(world: World, cohort_ids: pa.Array, child_ids: pa.Array) -> pa.Table:
    """The truth table: one row per person in each comparison's population (ids are ``_truth`` ids)."""
    groups = {"cohort": cohort_groups(world), "children": children_groups(world)}
    ids = {"cohort": cohort_ids, "children": child_ids}
    parts = []
    for p in potentials(world):
        rows = np.flatnonzero(p.eligible)
        cols = {
            "person_id": ids[p.unit].take(pa.array(rows)),
            "treatment": _constant(p.treatment, len(rows)), "outcome": _constant(p.outcome, len(rows)),
            "eligible": pa.array(p.eligible[rows]), "treated": pa.array(p.treated[rows]),
            "y0": pa.array(p.y0[rows]), "y1": pa.array(p.y1[rows]), "planted": pa.array(p.planted[rows]),
        }
        for name in BREAKDOWNS:
            cols[name] = _column(p.labels.get(name, groups[p.unit].get(name)), rows)
        parts.append(pa.table(cols))
    return pa.concat_tables(parts, promote_options="permissive").unify_dictionaries()


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
            codes, names = labels[name]
            for code in np.unique(codes[p.treated]):
                if code >= 0:
                    subsets.append(({name: names[code]}, codes == code))
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
