"""Who takes which course in prison, and who reaches settled accommodation after release.

Assignment depends only on the observed covariates in ``Cohort.confounders`` (age, sex, ethnicity,
offence group, sentence length, prior offences, prior qualifications, prior employment), and those same
covariates drive the outcomes: a naive comparison is biased, a matched one can recover the truth.
Course types are drawn independently given the covariates, so taking one course does not confound
another.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sample_db.world.people import Cohort
from sample_db.world.profile import WorldRates
from sample_db.world.util import calibrate, expit

COURSE_TYPES = ("english", "maths", "vocational", "higher_education", "work_in_prison")
LEVELS = ("entry", "level1", "level2", "level3")
VOCATIONAL_SECTORS = ("construction", "hospitality", "catering", "cleaning", "warehousing")
WORK_SECTORS = ("kitchens", "laundry", "workshops", "gardens", "cleaning")

# Coefficients on the columns of Cohort.confounders(): age, male, log sentence, log prior offences,
# qualification, employed before, violence, theft, drugs, sexual offences, Black, Asian.
_TAKE_UP = {
    "english": [-0.1, 0.0, 0.7, -0.1, -0.7, -0.2, 0.0, 0.0, 0.0, 0.0, 0.1, 0.2],
    "maths": [-0.1, 0.1, 0.6, -0.1, -0.6, -0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    "vocational": [-0.3, 0.3, 0.8, -0.2, 0.1, 0.3, 0.0, -0.1, 0.0, -0.3, 0.0, 0.0],
    "higher_education": [0.1, 0.0, 1.2, -0.4, 1.3, 0.2, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    "work_in_prison": [0.1, 0.0, 0.9, -0.3, 0.1, 0.5, 0.0, 0.0, 0.0, 0.3, 0.0, 0.0],
}
_ACCOMMODATION = [0.15, -0.2, 0.25, -0.45, 0.1, 0.5, 0.0, -0.2, 0.0, -0.8, -0.1, 0.0]


@dataclass
class Courses:
    """One row per course taken: ``person`` indexes the cohort."""

    person: np.ndarray
    kind: np.ndarray        # index into COURSE_TYPES
    sector: np.ndarray      # index into VOCATIONAL_SECTORS or WORK_SECTORS by kind, -1 when none
    level: np.ndarray       # index into LEVELS, -1 when none
    completed: np.ndarray
    took: np.ndarray        # (cohort.n, len(COURSE_TYPES)) bool
    done: np.ndarray        # (cohort.n, len(COURSE_TYPES)) bool: completed


def assign_courses(rng: np.random.Generator, cohort: Cohort, rates: WorldRates) -> Courses:
    x = cohort.confounders()
    took = np.zeros((cohort.n, len(COURSE_TYPES)), dtype=bool)
    for k, kind in enumerate(COURSE_TYPES):
        p = calibrate(x @ np.array(_TAKE_UP[kind]), rates.course_take_up[kind], logistic=True)
        took[:, k] = rng.random(cohort.n) < p
    # Finishing needs time: short sentences cut courses off. Depends on observed sentence length only.
    finish = expit(0.6 + 0.6 * (np.log(cohort.sentence_months) - 2.3))
    done = took & (rng.random(took.shape) < finish[:, None])
    person, kind = np.nonzero(took)
    n = len(person)
    q = cohort.qualification[person].astype(np.int64)
    level = np.full(n, -1, dtype=np.int64)
    basic = (kind == 0) | (kind == 1)
    level[basic] = np.clip(q[basic] - 1 + rng.integers(0, 2, int(basic.sum())), 0, 2)
    voc = kind == 2
    level[voc] = np.clip(q[voc] - 1 + rng.integers(0, 2, int(voc.sum())), 1, 3)
    # Higher education (Open University and the like) is above level 3 and work has no level: null.
    sector = np.full(n, -1, dtype=np.int64)
    work = kind == 4
    sector[voc] = rng.integers(0, len(VOCATIONAL_SECTORS), int(voc.sum()))
    sector[work] = rng.integers(0, len(WORK_SECTORS), int(work.sum()))
    return Courses(person, kind, sector, level, done[person, kind], took, done)


def course_effect(courses: Courses, cohort: Cohort, rates: WorldRates, outcome: str) -> np.ndarray:
    """Each person's planted effect of each course type they took, (cohort.n, types), on ``outcome``.

    The effect is the nominal one for a completed course in a public prison, scaled down for private
    prisons (course quality) and for courses left unfinished.
    """
    nominal = np.array([rates.course_effects[k][outcome] for k in COURSE_TYPES])
    quality = np.where(cohort.private[:, None],
                       np.array([rates.private_quality[k] for k in COURSE_TYPES])[None, :], 1.0)
    finish = np.where(courses.done, 1.0, rates.not_completed_share)
    return courses.took * nominal[None, :] * quality * finish


def assign_accommodation(rng: np.random.Generator, cohort: Cohort, rates: WorldRates) -> np.ndarray:
    """Settled accommodation within 4 weeks of release (what probation's accommodation_date shows)."""
    p = calibrate(cohort.confounders() @ np.array(_ACCOMMODATION), rates.settled_accommodation,
                  logistic=True)
    return rng.random(cohort.n) < p
