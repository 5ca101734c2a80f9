"""Turning the true world into files: extracts with messy identifiers, and the truth beside them.

Each extract gets its own random stream (spawned from the seed), so the same seed always gives the same
bytes, and changing one extract's builder does not reshuffle the others. Record ids are a dataset prefix
and a scrambled number, and rows are written in record-id order, so neither reveals who is who.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sample_db.world import errors, potential
from sample_db.world.extracts import BUILDERS, DATASETS, PERSON_LEVEL, Rows
from sample_db.world.model import World
from sample_db.world.outcomes import EMPLOYMENT
from sample_db.world.util import prefixed_numbers

PREFIX = {"prison": "PRI", "probation": "PRB", "dfe": "DFE", "dwp": "DWP", "hmrc": "HMR",
          "local_authority": "LAC", "reoffending": "ROF"}
IDENTIFIERS = ("first_name", "middle_names", "surname", "date_of_birth", "sex", "postcode")
_ID_SPACE = 10**9
Progress = Callable[[str, float], None]


def person_ids(world: World, who: np.ndarray) -> np.ndarray:
    """Truth person ids: ``P`` people released, ``Q`` other adults, ``C`` children (never reused)."""
    kind = world.person_kind()[who]
    number = who - np.array([0, world.other_start, world.kid_start])[kind]
    out = np.empty(len(who), dtype="S9")
    for k, prefix in enumerate("PQC"):
        sel = kind == k
        out[sel] = prefixed_numbers(prefix, number[sel], 8)
    return out


def _record_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distinct 9-digit numbers in random order: a shuffle scrambled by a unit of the modulus."""
    step = int(rng.integers(1, _ID_SPACE // 10)) * 10 + int(rng.choice([1, 3, 7, 9]))
    offset = int(rng.integers(0, _ID_SPACE))
    return (rng.permutation(n).astype(np.int64) * step + offset) % _ID_SPACE


def _duplicate(rng: np.random.Generator, rows: Rows, rate: float) -> tuple[Rows, pa.Table]:
    n = len(rows.who)
    # A rate above 1 (the "duplicates" profile) means that many extra records per record on average.
    extra = np.flatnonzero(rng.random(n) < rate) if rate <= 1 else np.repeat(np.arange(n), rng.poisson(rate, n))
    take = np.concatenate([np.arange(n), extra])
    table = pa.table(rows.columns).take(pa.array(take)) if rows.columns else None
    parent = None if rows.parent is None else rows.parent[take]
    return Rows(rows.who[take], rows.day[take], {}, parent), table


def write_extract(world: World, dataset: str, seed: np.random.SeedSequence,
                  out: Path) -> tuple[pa.Table, np.ndarray]:
    """Writes ``<dataset>.parquet``; returns its truth rows (dataset, record_id, person_id) and the
    world index of the person behind each record."""
    build_rng, error_rng, id_rng = (np.random.default_rng(s) for s in seed.spawn(3))
    rows = BUILDERS[dataset](build_rng, world)
    rate = world.profile.duplicate if dataset in PERSON_LEVEL else 0.0
    rows, own = _duplicate(build_rng, rows, rate)
    cols = errors.identifiers(error_rng, world.tables, world.ids, rows.who, rows.day, world.profile, dataset)
    if rows.parent is not None:
        parent = errors.identifiers(error_rng, world.tables, world.ids, rows.parent,
                                    np.full(len(rows.parent), world.rates.extract_day()), world.profile,
                                    dataset)
        for i, name in enumerate(("first_name", "surname", "date_of_birth", "postcode")):
            own = own.add_column(i, f"parent_{name}", parent[name])
    numbers = _record_numbers(id_rng, len(rows.who))
    record_id = _text(PREFIX[dataset] + "-", numbers)
    table = pa.table({"record_id": record_id, **{k: cols[k] for k in IDENTIFIERS}})
    for name in own.column_names:
        table = table.append_column(name, own[name])
    order = pa.array(np.argsort(numbers, kind="stable"))
    table = table.take(order)
    pq.write_table(table, out / f"{dataset}.parquet", compression="zstd")
    truth = pa.table({
        "dataset": pa.array([dataset] * len(numbers), type=pa.string()),
        "record_id": record_id,
        "person_id": _bytes_text(person_ids(world, rows.who)),
    }).take(order)
    return truth, rows.who


def _text(prefix: str, numbers: np.ndarray) -> pa.Array:
    return _bytes_text(prefixed_numbers(prefix, numbers, 9))


def _bytes_text(values: np.ndarray) -> pa.Array:
    width = values.dtype.itemsize
    return pa.array(values, type=pa.binary(width)).cast(pa.binary()).cast(pa.string())


def write_world(world: World, seed: int, out: Path, progress: Progress | None = None) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    truth_dir = out / "_truth"
    truth_dir.mkdir(exist_ok=True)
    seeds = np.random.SeedSequence([seed, 7]).spawn(len(DATASETS))
    truth = []
    seen = np.zeros(len(world.ids), dtype=bool)
    for i, (dataset, s) in enumerate(zip(DATASETS, seeds)):
        if progress:
            progress(f"writing {dataset}", 0.3 + 0.6 * i / len(DATASETS))
        table, who = write_extract(world, dataset, s, out)
        truth.append(table)
        seen[who] = True
    if progress:
        progress("writing the truth", 0.95)
    pq.write_table(pa.concat_tables(truth), truth_dir / "truth.parquet", compression="zstd")
    _write_families(world, seen, truth_dir)
    _write_potential(world, truth_dir)
    (truth_dir / "effects.json").write_text(json.dumps(effects_document(world, seed), indent=2) + "\n")
    if progress:
        progress("done", 1.0)
    return out


def _write_families(world: World, seen: np.ndarray, truth_dir: Path) -> None:
    """Children with a parent in the cohort who appear in at least one record (others cannot be found)."""
    kids = world.kids
    rows = np.flatnonzero(kids.cohort_family & seen[world.kid_start:])
    pq.write_table(pa.table({
        "child_person_id": _bytes_text(person_ids(world, world.kid_start + rows)),
        "parent_person_id": _bytes_text(person_ids(world, kids.parent[rows])),
    }), truth_dir / "families.parquet", compression="zstd")


def _write_potential(world: World, truth_dir: Path) -> None:
    """Per-person truth of every comparison (``potential.table``), for ``bold evaluate``."""
    cohort_ids = _bytes_text(person_ids(world, np.arange(world.n)))
    child_ids = _bytes_text(person_ids(world, world.kid_start + np.arange(world.kids.n)))
    pq.write_table(potential.table(world, cohort_ids, child_ids), truth_dir / "potential.parquet",
                   compression="zstd")


def effects_document(world: World, seed: int) -> dict:
    c, o, r = world.cohort, world.outcomes, world.rates
    effects = potential.effects(world)
    return {
        "seed": seed,
        "people": c.n,
        "period": {"release_start": r.release_start.isoformat(), "release_end": r.release_end.isoformat(),
                   "extract_date": r.extract_date.isoformat()},
        "definitions": {
            "employment_6w": "an HMRC spell covering release_date + 42 days",
            "employment_6m": "an HMRC spell covering release_date + 182 days",
            "employment_1y": "an HMRC spell covering release_date + 365 days",
            "reoffending_12m": ("for courses: a proven reoffence dated 1 to 365 days after release_date; for "
                                "services: a proven reoffence dated 29 to 393 days after release_date (the "
                                "365 days after the day-28 landmark)"),
            "course:<type>": "at least one course of that type in prison.courses (completed or not)",
            "service:<name>": ("reached it 0 to 28 days after release_date (probation <name>_date; "
                               "benefit_claim: dwp uc_claim_date; first_payment: dwp first_payment_date), "
                               "among people with no proven reoffence on days 1 to 28 and no recall_date "
                               "on days 0 to 28 (the landmark population)"),
            "parental_imprisonment": ("a pupil known to a council (local_authority) whose parent is in the "
                                      "cohort; compared with pupils known to a council whose parent is not"),
            "attendance_rate": "dfe pupil attendance_rate, in percent of sessions (differences in points)",
            "any_suspension": "dfe suspensions > 0",
            "planted": "mean over the treated of the probability (or value) with minus without treatment",
            "nominal": "the model parameter (for courses: a completed course in a public prison)",
            "realised_att": "mean over the treated of Y1 - Y0 from the same random draw",
            "naive_difference": "treated mean minus untreated mean in the same population, no adjustment",
            "null": "no effect planted for anyone treated in this row",
            "potential.parquet": ("one row per person in each comparison's population: treated, y0, y1, "
                                  "planted and the person's breakdown groups; bold evaluate reads it"),
        },
        "adjust_for": ["age_at_release", "sex", "ethnicity", "offence_group", "sentence_months",
                       "prior_offences", "highest_qualification", "employed_before_custody"],
        "adjust_for_services": ["accommodation_need", "substance_misuse_need", "social_ties"],
        "adjust_for_children": ["school_year", "sex", "region (from postcode)"],
        "base_rates": {
            "reoffending_12m": float(o.reoffended.mean()),
            "reoffending_12m_sentence_under_12m": float(o.reoffended[c.short].mean()),
            "reoffending_12m_sentence_12m_plus": float(o.reoffended[~c.short].mean()),
            "reoffended_by_day_28": float((o.reoffence_day <= 28).mean()),
            "recalled_by_day_28": float((o.recall_day <= 28).mean()),
            **{k: float(o.employed[k].mean()) for k in EMPLOYMENT},
            "children_per_person": float(world.children_true.mean()),
            "share_with_children": float((world.children_true > 0).mean()),
            "children_declared_per_person": float(world.children_declared.mean()),
        },
        "effects": [e.as_json() for e in effects],
    }
