"""Children of people released, a comparison population of other children, and other adults.

The other adults make linkage honest: extracts hold people who were never in the cohort, some of them
siblings sharing a surname and an address with someone who was. The comparison children (with parents
outside the cohort) are what the children's analysis compares against.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from sample_db.world import postcodes
from sample_db.world.names import NameTables
from sample_db.world.people import (
    _BACKGROUND_BY_ETHNICITY, Cohort, Identities, draw_surname, make_identities,
)
from sample_db.world.profile import ErrorProfile, WorldRates
from sample_db.world.util import calibrate, categorical, expit

NEVER = np.iinfo(np.int32).max
#: School years are set by age on 31 August; 0 is Reception (age 4), 13 is Year 13 (age 17).
SCHOOL_CENSUS = (date(2022, 8, 31) - date(1970, 1, 1)).days
# Children in England by ethnic group, roughly (school census): more Asian and Mixed, fewer Black
# children than among people released.
_CHILD_ETHNICITY = np.array([0.73, 0.06, 0.12, 0.06, 0.03])


@dataclass
class Children:
    """Children of people released (``cohort_family``) and comparison children."""

    n: int
    parent: np.ndarray          # index of the parent among all people in the world
    cohort_family: np.ndarray   # the parent is in the cohort
    dob: np.ndarray
    region: np.ndarray
    school_year: np.ndarray     # -1 when not a pupil (too young, too old, or left school)
    lives_with_parent: np.ndarray
    # Set by ``council_knowledge`` once every child is in one table.
    need: np.ndarray | None = None            # unrecorded need (standard normal)
    council_known: np.ndarray | None = None   # a council knows the child (under 18 only)
    children_in_need: np.ndarray | None = None
    early_help: np.ndarray | None = None

    @property
    def pupil(self) -> np.ndarray:
        return self.school_year >= 0


def school_year(rng: np.random.Generator, dob: np.ndarray) -> np.ndarray:
    age = np.floor((SCHOOL_CENSUS - dob) / 365.25).astype(np.int32)
    year = age - 4
    # Years 12 and 13: many have left school for college or work and have no pupil record.
    stays = (year <= 11) | (rng.random(len(dob)) < 0.6)
    return np.where((year >= 0) & (year <= 13) & stays, year, -1).astype(np.int8)


def true_children(rng: np.random.Generator, cohort: Cohort, rates: WorldRates) -> np.ndarray:
    """How many children each person has (aged 0-25), calibrated to the published count."""
    p = calibrate(0.5 + 0.015 * (cohort.age - 33) + 0.1 * ~cohort.male, rates.parent_share)
    parent = rng.random(cohort.n) < p
    return np.where(parent, 1 + rng.poisson(rates.children_per_parent - 1, cohort.n), 0).astype(np.int32)


def cohort_children(rng: np.random.Generator, tables: NameTables, cohort: Cohort, ids: Identities,
                    counts: np.ndarray) -> tuple[Children, Identities]:
    """Children of people in the cohort (people occupy the first indices of the world, so a cohort
    index is also a world index)."""
    parent = np.repeat(np.arange(cohort.n), counts)
    n = len(parent)
    # A parent is at least 16 at the birth; children are 0 to 25 when the parent is released.
    oldest = np.clip(cohort.age[parent] - 16, 0.1, 25.99)
    age = rng.random(n) * oldest
    dob = cohort.release_day[parent] - np.floor(age * 365.25).astype(np.int32)
    male = rng.random(n) < 0.5
    pmale = cohort.male[parent]
    same_surname = rng.random(n) < np.where(pmale, 0.55, 0.8)
    surname = np.where(same_surname, ids.surname[parent], draw_surname(rng, tables, ids.background[parent]))
    lives = rng.random(n) < np.where(pmale, 0.5, 0.85)
    home = np.where(lives, ids.postcode_after[parent], postcodes.nearby(rng, ids.postcode_after[parent]))
    child_ids = make_identities(rng, tables, male=male, background=ids.background[parent], dob=dob,
                                postcode_before=home, postcode_after=home,
                                move_day=np.full(n, NEVER), surname=surname)
    kids = Children(n, parent.astype(np.int64), np.ones(n, bool), dob.astype(np.int32),
                    cohort.region[parent], school_year(rng, dob), lives)
    return kids, child_ids


def comparison_children(rng: np.random.Generator, tables: NameTables, n: int,
                        parent_offset: int) -> tuple[Children, Identities, Identities]:
    """Pupils whose parent is not in the cohort, and those parents (one per child)."""
    year = rng.integers(0, 14, n)
    dob = SCHOOL_CENSUS - np.floor((year + 4 + rng.random(n)) * 365.25).astype(np.int32)
    region = rng.integers(0, len(postcodes.REGION_NAMES), n)
    ethnicity = rng.choice(len(_CHILD_ETHNICITY), n, p=_CHILD_ETHNICITY)
    background = categorical(rng, _BACKGROUND_BY_ETHNICITY[ethnicity]).astype(np.int8)
    home = postcodes.draw(rng, region)
    parent_male = rng.random(n) < 0.3  # councils mostly record the mother
    parent_age = year + 4 + 20 + rng.gamma(3.0, 3.0, n)
    parent_dob = dob - np.floor((parent_age - year - 4) * 365.25).astype(np.int32)
    never = np.full(n, NEVER)
    parents = make_identities(rng, tables, male=parent_male, background=background, dob=parent_dob,
                              postcode_before=home, postcode_after=home, move_day=never)
    same = rng.random(n) < 0.8
    surname = np.where(same, parents.surname, draw_surname(rng, tables, background))
    kids_ids = make_identities(rng, tables, male=rng.random(n) < 0.5, background=background, dob=dob,
                               postcode_before=home, postcode_after=home, move_day=never, surname=surname)
    school = np.where((year <= 11) | (rng.random(n) < 0.6), year, -1).astype(np.int8)
    kids = Children(n, parent_offset + np.arange(n, dtype=np.int64), np.zeros(n, bool),
                    dob.astype(np.int32), region.astype(np.int8), school, np.ones(n, bool))
    return kids, kids_ids, parents


def other_adults(rng: np.random.Generator, tables: NameTables, cohort: Cohort, ids: Identities,
                 n: int, rates: WorldRates, profile: ErrorProfile) -> Identities:
    """Adults outside the cohort who turn up in the same extracts (some are siblings of people in it)."""
    relative = rng.random(n) < rates.outside_relatives
    sibling_of = rng.integers(0, cohort.n, n)
    male = rng.random(n) < 0.6
    age = np.clip(18 + rng.gamma(2.2, 8.0, n), 18, 85)
    start, end = rates.period_days()
    dob = rng.integers(start, end + 1, n) - np.floor(age * 365.25).astype(np.int32)
    # Siblings: same surname, same background, same family address, born a few years apart.
    gap = rng.integers(1, 9, n) * np.where(rng.random(n) < 0.5, -1, 1) * 365 + rng.integers(-200, 200, n)
    dob = np.where(relative, ids.dob[sibling_of] + gap, dob)
    background = np.where(relative, ids.background[sibling_of],
                          categorical(rng, _BACKGROUND_BY_ETHNICITY[
                              rng.choice(5, n, p=np.array([0.72, 0.12, 0.08, 0.05, 0.03]))]))
    region = rng.choice(len(postcodes.REGION_NAMES), n, p=postcodes.REGION_PROBS)
    home = np.where(relative, ids.postcode_before[sibling_of], postcodes.draw(rng, region))
    own = make_identities(rng, tables, male=male, background=background, dob=dob, postcode_before=home,
                          postcode_after=home, move_day=np.full(n, NEVER),
                          change_women=profile.surname_change_women, change_men=profile.surname_change_men)
    own.surname = np.where(relative, ids.surname[sibling_of], own.surname).astype(np.int32)
    return own


def council_knowledge(rng: np.random.Generator, kids: Children, rates: WorldRates) -> None:
    """Which children a council knows (children in need, early help), driven by each child's need.

    Need is not recorded anywhere; it makes a council more likely to know a child (``la_known_need`` on
    the log-odds) and, in ``outcomes.school_outcomes``, lowers attendance a little. A parent's
    imprisonment makes a council more likely to know a child at any level of need. Councils know children
    under 18 only. Children known for need are more often children in need or given early help.
    """
    need = rng.normal(0, 1, kids.n)
    under18 = kids.dob > SCHOOL_CENSUS - int(18 * 365.25)
    fam = kids.cohort_family
    # The intercepts are solved so the shares known stay ``la_known_cohort_child`` / ``la_known_other_child``.
    p = np.empty(kids.n)
    for mask, share in ((fam, rates.la_known_cohort_child), (~fam, rates.la_known_other_child)):
        if mask.any():
            p[mask] = calibrate(rates.la_known_need * need[mask], share, logistic=True)
    known = under18 & (rng.random(kids.n) < p)
    kids.need = need
    kids.council_known = known
    kids.children_in_need = known & (rng.random(kids.n) < expit(-1.6 + 0.8 * need + 0.9 * fam))
    kids.early_help = known & (rng.random(kids.n) < expit(-1.4 + 0.6 * need + 0.9 * fam))
