"""Who takes which course in prison, and when people reach services after release.

Courses depend only on the observed covariates in ``Cohort.confounders`` (age, sex, ethnicity, offence
group, sentence length, prior offences, prior qualifications, prior employment), and those same covariates
drive the outcomes: a naive comparison is biased, a matched one can recover the truth. Course types and
services are drawn independently given the covariates, so one does not confound another.

Services also depend on the needs the prison records (accommodation, substance misuse, social ties) and on
what happens first: someone who reoffends or is recalled before the day they would have reached a service
reaches it later or never. So "reached it within 4 weeks" is partly "was still at liberty and had not
reoffended": comparing from release is biased by immortal time, a landmark at day 28 is not.

Effects differ by group (prison type, age band, sex; for services also sentence band and region), so
every breakdown row a pack publishes has its own truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sample_db.world.people import Cohort
from sample_db.world.families import NEVER
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


#: How a course's effect scales by age band (AGE_BANDS order) and for women: younger people gain most.
COURSE_AGE_SCALE = np.array([1.3, 1.0, 0.9, 0.6])
COURSE_FEMALE_SCALE = 1.3


def course_effect(courses: Courses, cohort: Cohort, rates: WorldRates, outcome: str) -> np.ndarray:
    """Each person's planted effect of each course type they took, (cohort.n, types), on ``outcome``.

    The effect is the nominal one for a completed course in a public prison, scaled down for private
    prisons (course quality) and for courses left unfinished, and by age band and sex.
    """
    nominal = np.array([rates.course_effects[k][outcome] for k in COURSE_TYPES])
    quality = np.where(cohort.private[:, None],
                       np.array([rates.private_quality[k] for k in COURSE_TYPES])[None, :], 1.0)
    finish = np.where(courses.done, 1.0, rates.not_completed_share)
    person = COURSE_AGE_SCALE[cohort.age_band] * np.where(cohort.male, 1.0, COURSE_FEMALE_SCALE)
    return courses.took * nominal[None, :] * quality * finish * person[:, None]


#: Services reached after release, as the extracts record them: probation dates, and a Universal Credit
#: claim (DWP). ``first_payment`` follows a claim by the five-week wait and is derived from it.
SERVICES = ("accommodation", "benefits_support", "gp_registration", "substance_treatment",
            "employment_support", "benefit_claim")
#: Who reaches each service: coefficients on Cohort.confounders() (age, male, log sentence, log prior
#: offences, qualification, employed before, violence, theft, drugs, sexual offences, Black, Asian), then
#: on accommodation need, substance-misuse need and strong social ties.
_SERVICE_TAKE_UP = {
    "accommodation": [0.15, -0.2, 0.25, -0.45, 0.1, 0.5, 0.0, -0.2, 0.0, -0.8, -0.1, 0.0, -0.6, 0.0, 0.5],
    "benefits_support": [-0.1, 0.0, 0.1, 0.2, -0.2, -0.8, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 0.2, -0.2],
    "gp_registration": [0.2, -0.4, 0.1, -0.2, 0.2, 0.2, 0.0, 0.0, 0.1, 0.0, 0.0, 0.0, -0.3, 0.4, 0.4],
    "substance_treatment": [-0.1, 0.0, 0.0, 0.2, -0.1, -0.3, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 3.0, 0.2],
    "employment_support": [-0.3, 0.1, 0.2, -0.2, 0.3, 0.4, 0.0, 0.0, 0.0, -0.3, 0.0, 0.0, -0.2, -0.3, 0.2],
    "benefit_claim": [0.0, 0.0, 0.1, 0.3, -0.2, -0.9, 0.0, 0.1, 0.0, 0.0, 0.0, 0.0, 0.4, 0.3, 0.0],
}
#: How the effect of a service on reoffending scales by group: sentence band (SENTENCE_BANDS order), age
#: band (AGE_BANDS order), women, and region (postcodes.REGION_NAMES order). Housing matters most after a
#: short sentence and for young people; in some regions the service is thinner.
SERVICE_SENTENCE_SCALE = np.array([1.4, 1.0, 0.5])
SERVICE_AGE_SCALE = np.array([1.2, 1.0, 0.9, 0.7])
SERVICE_FEMALE_SCALE = 1.3
SERVICE_REGION_SCALE = np.array([1.2, 1.1, 0.8, 1.0, 0.9, 1.0, 0.6, 1.1, 1.0, 1.3])


@dataclass
class Services:
    """Days from release to each service (``NEVER`` when not reached by the data cut)."""

    day: dict[str, np.ndarray]
    #: The day it would have been reached had nothing happened first (before delays for an early
    #: reoffence or recall): the truth of why a naive comparison is biased.
    planned: dict[str, np.ndarray]


def assign_services(rng: np.random.Generator, cohort: Cohort, early_event_day: np.ndarray,
                    rates: WorldRates) -> Services:
    """When each person reaches each service, given the day of their first early reoffence or recall.

    Among people with no early event, a share ``service_take_up`` reach each service within 28 days
    (days 0 to 28); 60% of the rest reach it later. Someone whose early event comes before the day they
    would have reached it reaches it 30 or more days later (60%) or never (40%, back in custody or lost).
    """
    x = np.column_stack([cohort.confounders(), cohort.accommodation_need, cohort.substance_need,
                         cohort.social_ties == 2])
    day, planned = {}, {}
    for name in SERVICES:
        score = rates.service_confounding * (x @ np.array(_SERVICE_TAKE_UP[name]))
        p = calibrate(score, rates.service_take_up[name], logistic=True)
        soon = rng.random(cohort.n) < p
        later = rng.random(cohort.n) < 0.6
        when = np.where(soon, rng.integers(0, 29, cohort.n),
                        np.where(later, 29 + rng.exponential(60, cohort.n).astype(np.int64), NEVER))
        if name == "benefit_claim":
            # Advance claims: some claims are started from prison in the 4 weeks before release.
            advance = soon & (rng.random(cohort.n) < rates.advance_claim)
            when = np.where(advance, -rng.integers(1, 29, cohort.n), when)
        blocked = (early_event_day <= when) & (when != NEVER)
        lost = rng.random(cohort.n) < 0.4
        delay = 30 + rng.exponential(60, cohort.n).astype(np.int64)
        got = np.where(blocked, np.where(lost, NEVER, when + delay), when)
        day[name], planned[name] = got.astype(np.int64), when.astype(np.int64)
    return Services(day, planned)


def first_payment_day(rng: np.random.Generator, claim_day: np.ndarray) -> np.ndarray:
    """A first Universal Credit payment after the five-week wait (NEVER when no claim)."""
    pay = claim_day + 35 + rng.integers(0, 8, len(claim_day))
    return np.where(claim_day == NEVER, NEVER, pay)


def service_effect(cohort: Cohort, rates: WorldRates, service: str) -> np.ndarray:
    """Each person's planted effect of reaching ``service`` within 28 days on reoffending after day 28."""
    nominal = rates.service_effects.get(service, 0.0)
    if service == "substance_treatment":
        return nominal * cohort.substance_need
    scale = (SERVICE_SENTENCE_SCALE[cohort.sentence_band] * SERVICE_AGE_SCALE[cohort.age_band]
             * np.where(cohort.male, 1.0, SERVICE_FEMALE_SCALE) * SERVICE_REGION_SCALE[cohort.region])
    return nominal * scale
