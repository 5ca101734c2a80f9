"""What each agency holds: which people, which events, and the extract's own columns.

Each builder returns ``Rows``: the true person behind every row, the date the record was made (which
address it would hold), and the extract's own data. Identifiers are added later, with errors, in one
place (``errors.identifiers``), so every extract is messy in the same, profile-driven way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from sample_db.world import postcodes
from sample_db.world.families import NEVER, SCHOOL_CENSUS
from sample_db.world.model import World
from sample_db.world.outcomes import EMPLOYMENT
from sample_db.world.people import ETHNICITIES, OFFENCE_GROUPS, PRISONS, QUALIFICATIONS, SOCIAL_TIES
from sample_db.world.treatment import COURSE_TYPES, LEVELS, VOCATIONAL_SECTORS, WORK_SECTORS
from sample_db.world.util import arrow_dates, arrow_labels

PAY_BANDS = ("under_10k", "10k_to_20k", "20k_to_30k", "30k_and_over")
DATASETS = ("prison", "probation", "dfe", "dwp", "hmrc", "local_authority", "reoffending")
PERSON_LEVEL = ("prison", "probation", "dfe", "local_authority")  # where duplicates are a problem


@dataclass
class Rows:
    who: np.ndarray                 # world index of the person each row describes
    day: np.ndarray                 # the record's date (days since 1970), to pick the address held
    columns: dict[str, pa.Array]    # the extract's own data
    parent: np.ndarray | None = None  # local_authority only: world index of the parent recorded


def _outside(rng: np.random.Generator, world: World, share: float, n_rows: int) -> np.ndarray:
    """Adults outside the cohort, for records an extract holds about them."""
    return world.other_start + rng.integers(0, world.other_n, int(round(share * n_rows)))


def _days_after(rng: np.random.Generator, start: np.ndarray, scale: float, p: float,
                cap: int) -> tuple[np.ndarray, np.ndarray]:
    """A date some days after ``start`` for a share ``p`` of rows; the mask marks the rest as null."""
    reached = rng.random(len(start)) < p
    day = start + 1 + rng.exponential(scale, len(start)).astype(np.int32)
    return np.minimum(day, cap), ~reached | (day > cap)


def prison(rng: np.random.Generator, world: World) -> Rows:
    c, k = world.cohort, world.courses
    order = np.argsort(k.person, kind="stable")
    offsets = np.concatenate([[0], np.cumsum(np.bincount(k.person, minlength=c.n))]).astype(np.int32)
    kind = k.kind[order]
    sector_labels = list(VOCATIONAL_SECTORS) + list(WORK_SECTORS)
    sector = np.where(k.sector[order] < 0, -1, k.sector[order] + np.where(kind == 4, len(VOCATIONAL_SECTORS), 0))
    course = pa.StructArray.from_arrays(
        [arrow_labels(COURSE_TYPES, kind), arrow_labels(sector_labels, sector),
         arrow_labels(LEVELS, k.level[order]), pa.array(k.completed[order])],
        names=["type", "sector", "level", "completed"])
    prison_names = [p[0] for p in PRISONS]
    cols = {
        "ethnicity": arrow_labels(ETHNICITIES, c.ethnicity),
        "age_at_release": pa.array(np.floor(c.age).astype(np.int32)),
        "prison_name": arrow_labels(prison_names, c.prison),
        "prison_type": arrow_labels(["public", "private"], c.private.astype(np.int64)),
        "region": arrow_labels(postcodes.REGION_NAMES, c.region),
        "offence_group": arrow_labels(OFFENCE_GROUPS, c.offence),
        "sentence_months": pa.array(c.sentence_months),
        "release_date": arrow_dates(c.release_day),
        "prior_offences": pa.array(c.prior_offences),
        "accommodation_need": pa.array(c.accommodation_need),
        "social_ties": arrow_labels(SOCIAL_TIES, c.social_ties),
        "substance_misuse_need": pa.array(c.substance_need),
        "employed_before_custody": pa.array(c.employed_before),
        "children_declared": pa.array(world.children_declared),
        "courses": pa.ListArray.from_arrays(pa.array(offsets), course),
    }
    # The record was opened on reception into custody, so it holds the address from before.
    return Rows(np.arange(c.n, dtype=np.int64), c.release_day - 30, cols)


def probation(rng: np.random.Generator, world: World) -> Rows:
    c, cap = world.cohort, world.rates.extract_day()
    # Nearly everyone released from custody is supervised by probation; a few records are missing.
    keep = np.flatnonzero(rng.random(c.n) < 0.98)
    outside = _outside(rng, world, world.rates.outside_share["probation"], len(keep))
    start, end = world.rates.period_days()
    who = np.concatenate([keep, outside])
    begin = np.concatenate([c.release_day[keep], rng.integers(start, end + 1, len(outside))]).astype(np.int32)
    n, m = len(who), len(keep)
    need = np.concatenate([c.substance_need[keep], rng.random(len(outside)) < 0.3])
    # People released: the dates the world model drew (they depend on early reoffending and recall).
    # Others under supervision: dates drawn here.
    cols = {}
    for service in ("accommodation", "benefits_support", "gp_registration", "substance_treatment",
                    "employment_support"):
        other, other_null = _days_after(rng, begin[m:], 40, 0.5, cap)
        own = c.release_day[keep].astype(np.int64) + world.services.day[service][keep]
        day = np.concatenate([np.minimum(own, cap), other])
        null = np.concatenate([(world.services.day[service][keep] == NEVER) | (own > cap), other_null])
        cols[f"{service}_date"] = arrow_dates(day, null)
    recall = c.release_day[keep].astype(np.int64) + world.outcomes.recall_day[keep]
    recall_null = np.concatenate([(world.outcomes.recall_day[keep] == NEVER) | (recall > cap),
                                  np.ones(n - m, bool)])
    cols["recall_date"] = arrow_dates(np.concatenate([np.minimum(recall, cap), np.zeros(n - m)]), recall_null)
    settled = np.concatenate([(world.services.day["accommodation"][keep] <= 28),
                              rng.random(len(outside)) < 0.6])
    mood = 3 + 0.5 * settled - 0.5 * need + rng.normal(0, 1, n)
    if m:
        mood[:m] += 0.3 * world.outcomes.employed["employment_6m"][keep]
    cols["self_reported_wellbeing"] = pa.array(np.clip(np.round(mood), 1, 5).astype(np.int8))
    return Rows(who.astype(np.int64), begin + 14, cols)


def dfe(rng: np.random.Generator, world: World) -> Rows:
    c = world.cohort
    outside = _outside(rng, world, world.rates.outside_share["dfe"], c.n)
    adults = np.concatenate([np.arange(c.n), outside])
    # Qualifications of other adults: fewer with none than among people released.
    other_q = rng.choice(len(QUALIFICATIONS), len(outside), p=[0.15, 0.08, 0.15, 0.25, 0.2, 0.17])
    qual = np.concatenate([c.qualification, other_q])
    pupils = np.flatnonzero(world.kids.pupil)
    a, p = len(adults), len(pupils)
    att = world.attendance
    null_a, null_p = np.r_[np.zeros(a, bool), np.ones(p, bool)], np.r_[np.ones(a, bool), np.zeros(p, bool)]

    def pupil_col(values: np.ndarray, dtype) -> pa.Array:
        full = np.concatenate([np.zeros(a, dtype=dtype), values[pupils].astype(dtype)])
        return pa.array(full, mask=null_p)

    cols = {
        "record_type": arrow_labels(["adult_attainment", "pupil"], np.r_[np.zeros(a, int), np.ones(p, int)]),
        "highest_qualification": arrow_labels(QUALIFICATIONS, np.r_[qual, np.zeros(p, int)], null_a),
        "school_year": pupil_col(world.kids.school_year, np.int8),
        # The school census records the school's region; the analysis can compare like with like.
        "region": arrow_labels(postcodes.REGION_NAMES, np.r_[np.zeros(a, int), world.kids.region[pupils]], null_p),
        "attendance_rate": pupil_col(att.rate, np.float64),
        "persistent_absence": pupil_col(att.persistent_absence, bool),
        "suspensions": pupil_col(att.suspensions, np.int32),
        "permanent_exclusion": pupil_col(att.permanent_exclusion, bool),
        "attainment_expected": pupil_col(att.attainment_expected, bool),
    }
    who = np.concatenate([adults, world.kid_start + pupils]).astype(np.int64)
    # Adult records date from school days (the old address); pupil records from the school census.
    day = np.r_[np.zeros(a, np.int32), np.full(p, SCHOOL_CENSUS, np.int32)]
    return Rows(who, day, cols)


def dwp(rng: np.random.Generator, world: World) -> Rows:
    c, cap = world.cohort, world.rates.extract_day()
    custody = c.release_day - (c.sentence_months * 30.4 / 2).astype(np.int32)
    # A Universal Credit claim around release: when the world model drew one (some start from prison).
    after = np.flatnonzero(world.services.day["benefit_claim"] != NEVER)
    before_n = rng.poisson(np.where(c.employed_before, 0.3, 0.9))
    before = np.repeat(np.arange(c.n), before_n)
    later = np.flatnonzero(rng.random(c.n) < 0.3)
    who_c = np.concatenate([after, before, later])
    claim_c = np.concatenate([
        c.release_day[after] + world.services.day["benefit_claim"][after],
        custody[before] - rng.integers(30, 1800, len(before)),
        c.release_day[later] + rng.integers(200, 700, len(later))])
    outside = _outside(rng, world, world.rates.outside_share["dwp"], len(who_c))
    start, _ = world.rates.period_days()
    claim_o = rng.integers(start - 1500, cap, len(outside))
    who = np.concatenate([who_c, outside]).astype(np.int64)
    claim = np.minimum(np.concatenate([claim_c, claim_o]), cap - 1).astype(np.int32)
    n = len(who)
    employed_6m = np.zeros(n, bool)
    employed_6m[: len(after)] = world.outcomes.employed["employment_6m"][after]
    pay = claim + 35 + rng.integers(0, 8, n)  # the five-week wait for a first payment
    pay[: len(after)] = c.release_day[after] + world.outcomes.first_payment[after]
    days = np.where(employed_6m, rng.integers(30, 200, n), rng.integers(150, 366, n))
    prog, prog_null = _days_after(rng, claim + 30, 120, 0.25, cap)
    cols = {
        "uc_claim_date": arrow_dates(claim),
        "first_payment_date": arrow_dates(np.minimum(pay, cap), (rng.random(n) < 0.1) | (pay > cap)),
        "out_of_work_benefit_days_12m": pa.array(days.astype(np.int32)),
        "employment_programme_start": arrow_dates(prog, prog_null),
    }
    return Rows(who, claim, cols)


def _spells_from_status(rng: np.random.Generator, release: np.ndarray,
                        status: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Employment spells that reproduce each person's status at 6 weeks, 6 months and 1 year exactly.

    A run of consecutive employed check dates becomes one spell starting after the previous check date
    and ending before the next one; a run reaching the last check goes on beyond it.
    """
    checks = np.array(list(EMPLOYMENT.values()))
    prev = np.concatenate([[0], checks[:-1]])
    persons, starts, ends = [], [], []
    for i in range(len(checks)):
        begins = status[:, i] if i == 0 else status[:, i] & ~status[:, i - 1]
        who = np.flatnonzero(begins)
        last = np.full(len(who), i)
        for j in range(i + 1, len(checks)):
            last = np.where((last == j - 1) & status[who, j], j, last)
        start = release[who] + prev[i] + 1 + (rng.random(len(who)) * (checks[i] - prev[i])).astype(np.int32)
        open_end = last == len(checks) - 1
        nxt = checks[np.minimum(last + 1, len(checks) - 1)]
        end_in = release[who] + checks[last] + (rng.random(len(who)) * (nxt - checks[last])).astype(np.int32)
        end_out = release[who] + checks[-1] + 1 + rng.exponential(300, len(who)).astype(np.int32)
        persons.append(who)
        starts.append(start)
        ends.append(np.where(open_end, end_out, end_in))
    return np.concatenate(persons), np.concatenate(starts), np.concatenate(ends)


def hmrc(rng: np.random.Generator, world: World) -> Rows:
    c, cap = world.cohort, world.rates.extract_day()
    status = np.column_stack([world.outcomes.employed[k] for k in EMPLOYMENT])
    p_who, p_start, p_end = _spells_from_status(rng, c.release_day, status)
    # Short jobs between check dates (they cover none of them, so the outcomes stay as drawn).
    checks = np.array([0] + list(EMPLOYMENT.values()))
    casual = np.repeat(np.arange(c.n), rng.poisson(0.35, c.n))
    gap = rng.integers(0, len(checks) - 1, len(casual))
    lo, hi = checks[gap] + 1, checks[gap + 1] - 1
    s_off = lo + (rng.random(len(casual)) * (hi - lo - 7)).astype(np.int32)
    e_off = np.minimum(s_off + 7 + rng.exponential(30, len(casual)).astype(np.int32), hi)
    # Work before custody: most people employed before have a spell ending at custody, some older ones.
    custody = c.release_day - (c.sentence_months * 30.4 / 2).astype(np.int32)
    last_job = np.flatnonzero(c.employed_before)
    older = np.repeat(np.arange(c.n), rng.poisson(np.where(c.employed_before, 1.2, 0.6)))
    o_end = custody[older] - rng.integers(60, 2500, len(older))
    later = np.flatnonzero(rng.random(c.n) < 0.3)
    l_start = c.release_day[later] + 366 + rng.integers(0, 300, len(later))
    who_c = np.concatenate([p_who, casual, last_job, older, later])
    start_c = np.concatenate([
        p_start, c.release_day[casual] + s_off,
        custody[last_job] - 30 - rng.exponential(500, len(last_job)).astype(np.int32),
        o_end - 20 - rng.exponential(300, len(older)).astype(np.int32), l_start])
    end_c = np.concatenate([
        p_end, c.release_day[casual] + e_off, custody[last_job] - rng.integers(0, 30, len(last_job)),
        o_end, l_start + rng.exponential(400, len(later)).astype(np.int32)])
    outside = _outside(rng, world, world.rates.outside_share["hmrc"], len(who_c))
    start, _ = world.rates.period_days()
    start_o = rng.integers(start - 2000, cap - 10, len(outside))
    end_o = start_o + 10 + rng.exponential(500, len(outside)).astype(np.int32)
    who = np.concatenate([who_c, outside]).astype(np.int64)
    begin = np.concatenate([start_c, start_o]).astype(np.int32)
    end = np.concatenate([end_c, end_o]).astype(np.int32)
    keep = begin < cap
    who, begin, end = who[keep], begin[keep], end[keep]
    band = np.minimum(rng.poisson(0.8, len(who)), len(PAY_BANDS) - 1)
    cols = {
        "start_date": arrow_dates(begin),
        "end_date": arrow_dates(np.minimum(end, cap), end >= cap),
        "pay_band": arrow_labels(PAY_BANDS, band),
    }
    return Rows(who, begin, cols)


def reoffending(rng: np.random.Generator, world: World) -> Rows:
    c, cap = world.cohort, world.rates.extract_day()
    # The first proven reoffence is the world model's (within 393 days of release: a year after day 28).
    yes = np.flatnonzero(world.outcomes.reoffence_day != NEVER)
    first = c.release_day[yes] + world.outcomes.reoffence_day[yes]
    more = np.repeat(np.arange(len(yes)), rng.poisson(1.6, len(yes)))
    more_day = first[more] + (rng.random(len(more)) * (cap - first[more])).astype(np.int32)
    late = np.flatnonzero((world.outcomes.reoffence_day == NEVER) & (rng.random(c.n) < 0.15))
    late_day = c.release_day[late] + 394 + (rng.random(len(late)) * (cap - c.release_day[late] - 394)).astype(np.int32)
    who_c = np.concatenate([yes, yes[more], late])
    day_c = np.concatenate([first, more_day, late_day])
    index = c.offence[who_c]
    same = rng.random(len(who_c)) < 0.5
    group_c = np.where(same, index, rng.choice(len(OFFENCE_GROUPS), len(who_c)))
    outside = _outside(rng, world, world.rates.outside_share["reoffending"], len(who_c))
    start, _ = world.rates.period_days()
    day_o = rng.integers(start, cap, len(outside))
    who = np.concatenate([who_c, outside]).astype(np.int64)
    day = np.minimum(np.concatenate([day_c, day_o]), cap - 1).astype(np.int32)
    group = np.concatenate([group_c, rng.choice(len(OFFENCE_GROUPS), len(outside))])
    cols = {"offence_date": arrow_dates(day), "offence_group": arrow_labels(OFFENCE_GROUPS, group)}
    return Rows(who, day, cols)


def local_authority(rng: np.random.Generator, world: World) -> Rows:
    k, r = world.kids, world.rates
    # Who a council knows, and why, is the world model's (``families.council_knowledge``).
    rows = np.flatnonzero(k.council_known)
    n = len(rows)
    cols = {
        "children_in_need": pa.array(k.children_in_need[rows]),
        "early_help": pa.array(k.early_help[rows]),
    }
    return Rows(world.kid_start + rows.astype(np.int64), np.full(n, SCHOOL_CENSUS, np.int32), cols,
                parent=k.parent[rows])


BUILDERS = {"prison": prison, "probation": probation, "dfe": dfe, "dwp": dwp, "hmrc": hmrc,
            "local_authority": local_authority, "reoffending": reoffending}
