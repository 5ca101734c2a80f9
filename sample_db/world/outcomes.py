"""Potential outcomes with common random numbers, and the effects a world really contains.

Each person has one uniform draw per outcome; the outcome with and without a treatment is that same
draw compared with two probabilities. The models are additive on the probability scale, so the planted
risk difference is what moves the probability, and the realised effect on the treated (mean of
Y1 - Y0 over the treated) differs from it only by chance. Every (treatment, outcome) pair becomes a
``Potential``: per person, whether they are in that comparison's population, treated, Y0, Y1 and the
planted effect, so the effect on the treated people of any group can be worked out afterwards.

Reoffending comes in two parts. The first 28 days after release (a small share of the year's
reoffending, untouched by any treatment), then the 365 days after day 28, where courses and services act.
A service reached within 28 days can only change what happens after day 28 (the landmark), and people who
reoffend or are recalled in the first 28 days reach services later or not at all (``treatment``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sample_db.world.families import NEVER, Children
from sample_db.world.people import Cohort
from sample_db.world.profile import WorldRates
from sample_db.world.treatment import (
    COURSE_TYPES, Courses, Services, course_effect, first_payment_day, service_effect,
)
from sample_db.world.util import calibrate

EMPLOYMENT = {"employment_6w": 42, "employment_6m": 182, "employment_1y": 365}
REOFFENDING = "reoffending_12m"
#: The landmark for services: treated = reached by this day; outcomes counted in the 365 days after it.
LANDMARK = 28
#: Shape of the time to a first reoffence within a window: Beta(1, 1.6), so reoffences cluster early.
_TIME_SHAPE = 1.6
# Regional labour markets (index as postcodes.REGIONS): London and the South East a little better.
_REGION_EMPLOYMENT = np.array([-0.03, -0.01, -0.01, 0.0, -0.01, 0.01, 0.03, 0.02, 0.0, -0.01])
_REGION_ABSENCE = np.array([0.006, 0.004, 0.005, 0.002, 0.003, -0.002, -0.006, -0.003, 0.0, 0.006])
#: Pupils' age groups as the children pack shows them (school year 0-6, 7-11, 12-13).
AGE_GROUPS = ("Primary school age", "Secondary school age", "Sixth form age")
#: The attendance effect and the suspension effect by age group (scales on the nominal effect).
_ATTENDANCE_SCALE = np.array([0.7, 1.3, 0.85])
_SUSPENSION_SCALE = np.array([0.4, 1.0, 0.6])


@dataclass
class Effect:
    id: str
    treatment: str
    outcome: str
    scale: str
    nominal: float | None
    planted: float
    realised_att: float
    naive_difference: float
    n_treated: int
    n_untreated: int
    subgroup: dict[str, str] | None = None
    null: bool = False

    def as_json(self) -> dict:
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


@dataclass
class Potential:
    """One (treatment, outcome) comparison's truth, per unit (people released, or children).

    ``eligible`` is the comparison's population, ``treated`` the treated within it. For treated people
    ``y1`` is what happened and ``y0`` what would have without the treatment (same random draw); for
    everyone else both are what happened. ``planted`` is the person's planted effect (probability or
    mean with minus without), zero where no effect was planted. ``labels`` holds treatment-defined
    groups (a course's level, whether it was finished) as (codes, names): codes index names, -1 where
    not recorded.
    """

    treatment: str
    outcome: str
    unit: str                  # "cohort" or "children"
    scale: str                 # "risk_difference" or "mean_difference"
    nominal: float | None
    eligible: np.ndarray
    treated: np.ndarray
    y0: np.ndarray
    y1: np.ndarray
    planted: np.ndarray
    labels: dict[str, tuple[np.ndarray, tuple[str, ...]]] = field(default_factory=dict)

    def observed(self) -> np.ndarray:
        return np.where(self.treated, self.y1, self.y0)


@dataclass
class EarlyEvents:
    """What happens in the first 28 days after release, before any service can act."""

    p_year: np.ndarray          # probability of a proven reoffence within a year with no treatment
    reoffence_day: np.ndarray   # day 1-28 of an early proven reoffence, NEVER when none
    recall_day: np.ndarray      # day of a recall in the first 28 days (or soon after an early reoffence)

    @property
    def event_day(self) -> np.ndarray:
        return np.minimum(self.reoffence_day, self.recall_day)

    @property
    def at_landmark(self) -> np.ndarray:
        """At liberty with no proven reoffence on day 28: the landmark population."""
        return (self.reoffence_day > LANDMARK) & (self.recall_day > LANDMARK)


@dataclass
class Outcomes:
    """Observed outcomes of people released, and the truth of every comparison planted in them."""

    employed: dict[str, np.ndarray]   # outcome -> observed bool per person
    reoffended: np.ndarray            # proven reoffence within 365 days of release
    reoffence_day: np.ndarray         # days from release to the first proven reoffence (NEVER: none by day 393)
    recall_day: np.ndarray            # days from release to the first recall (NEVER: none)
    first_payment: np.ndarray         # days from release to a first Universal Credit payment
    potentials: list[Potential] = field(default_factory=list)


def _reoffending_score(x: Cohort) -> np.ndarray:
    age_c = (x.age - 33) / 10
    log_prior = np.log1p(x.prior_offences) - 2.0
    q = x.qualification - 1.5
    return (-0.04 * age_c + 0.07 * log_prior + 0.06 * x.substance_need + 0.04 * x.accommodation_need
            - 0.04 * x.employed_before - 0.02 * q + 0.05 * (x.social_ties == 0) - 0.08 * (x.offence == 7)
            + 0.04 * (x.offence == 1) + 0.02 * x.male)


def early_events(rng: np.random.Generator, cohort: Cohort, courses: Courses, rates: WorldRates) -> EarlyEvents:
    """Reoffences and recalls in the first 28 days (they decide who can still reach a service in time).

    The year's probability is calibrated to the published rates after the effects expected from courses
    and services, so the observed rates stay near the published ones.
    """
    x = cohort
    courses_total = course_effect(courses, cohort, rates, REOFFENDING).sum(axis=1)
    services_expected = sum(rates.service_take_up.get(s, 0.0) * v for s, v in rates.service_effects.items())
    p_year = np.empty(x.n)
    score = _reoffending_score(x)
    for mask, target in ((x.short, rates.reoffending_short), (~x.short, rates.reoffending_long)):
        p_year[mask] = calibrate(score[mask], target, extra=courses_total[mask] + services_expected,
                                 lo=0.03, hi=0.95)
    early = rng.random(x.n) < rates.early_reoffending_share * p_year
    reoffence = np.where(early, 1 + rng.integers(0, LANDMARK, x.n), NEVER)
    recalled = early & (rng.random(x.n) < rates.recall_after_reoffence)
    recall = np.where(recalled, reoffence + rng.integers(0, 22, x.n), NEVER)
    # Technical recalls (a breach of licence conditions), more likely for people at higher risk.
    risk = p_year / p_year.mean()
    technical = rng.random(x.n) < np.clip(rates.early_recall * risk, 0, 1)
    recall = np.minimum(recall, np.where(technical, 1 + rng.integers(0, LANDMARK, x.n), NEVER))
    return EarlyEvents(p_year, reoffence.astype(np.int64), recall.astype(np.int64))


def _window_day(u: np.ndarray, start: int, length: int) -> np.ndarray:
    """A day in ``start .. start + length - 1`` from a uniform draw, clustered early."""
    w = 1 - (1 - u) ** (1 / _TIME_SHAPE)
    return start + np.minimum(np.floor(w * length), length - 1).astype(np.int64)


def cohort_outcomes(rng: np.random.Generator, cohort: Cohort, courses: Courses, services: Services,
                    early: EarlyEvents, rates: WorldRates) -> Outcomes:
    x = cohort
    everyone = np.ones(x.n, bool)
    age_c = (x.age - 33) / 10
    log_prior = np.log1p(x.prior_offences) - 2.0
    log_sent = np.log(x.sentence_months) - 2.3
    q = x.qualification - 1.5
    labels = _course_labels(courses)
    # One shared draw plus one own draw per time: employment persists, marginals stay uniform.
    common = rng.random(x.n)
    employed, potentials = {}, []
    for outcome in EMPLOYMENT:
        u = np.where(rng.random(x.n) < 0.6, common, rng.random(x.n))
        score = (0.14 * x.employed_before + 0.03 * q - 0.03 * log_prior - 0.025 * log_sent
                 - 0.02 * np.abs(age_c) + 0.03 * x.male - 0.04 * x.substance_need
                 - 0.03 * x.accommodation_need + 0.02 * (x.social_ties == 2)
                 + _REGION_EMPLOYMENT[x.region])
        eff = course_effect(courses, cohort, rates, outcome)
        total = eff.sum(axis=1)
        base = calibrate(score, getattr(rates, outcome), extra=total, lo=0.01, hi=0.95)
        raw = base + total
        p = np.clip(raw, 0.0, 1.0)
        employed[outcome] = u < p
        for k, kind in enumerate(COURSE_TYPES):
            p0 = np.clip(raw - eff[:, k], 0.0, 1.0)
            potentials.append(_binary(f"course:{kind}", outcome, everyone, courses.took[:, k], u, p, p0,
                                      rates.course_effects[kind][outcome], labels[kind]))
    # Reoffending after day 28, for people with no early reoffence: courses and services act here.
    p_year = early.p_year
    p_early = rates.early_reoffending_share * p_year
    base = np.clip((p_year - p_early) / (1 - p_early), 0.0, 1.0)
    course_eff = course_effect(courses, cohort, rates, REOFFENDING)
    treated_by = {s: (d >= 0) & (d <= LANDMARK) for s, d in services.day.items()}
    first_payment = first_payment_day(rng, services.day["benefit_claim"])
    treated_by["first_payment"] = (first_payment >= 0) & (first_payment <= LANDMARK)
    service_eff = {s: treated_by[s] * service_effect(cohort, rates, s) for s in treated_by}
    raw = base + course_eff.sum(axis=1) + sum(service_eff.values())
    p_late = np.clip(raw, 0.0, 1.0)
    u, u_day = rng.random(x.n), rng.random(x.n)
    no_early = early.reoffence_day == NEVER
    late_day = _window_day(u_day, LANDMARK + 1, 365)
    late = no_early & (u < p_late)
    reoffence_day = np.where(no_early, np.where(late, late_day, NEVER), early.reoffence_day)
    reoffended = reoffence_day <= 365
    within_year = late_day <= 365
    for k, kind in enumerate(COURSE_TYPES):
        p0 = np.clip(raw - course_eff[:, k], 0.0, 1.0)
        y1 = (~no_early) | ((u < p_late) & within_year)
        y0 = (~no_early) | ((u < p0) & within_year)
        planted = no_early * (p_late - p0) * within_year
        potentials.append(Potential(
            f"course:{kind}", REOFFENDING, "cohort", "risk_difference", rates.course_effects[kind][REOFFENDING],
            everyone, courses.took[:, k].copy(), _treated_only(y0, y1, courses.took[:, k]), y1.astype(float),
            courses.took[:, k] * planted, labels[kind]))
    at_landmark = early.at_landmark
    for service, eff in service_eff.items():
        p0 = np.clip(raw - eff, 0.0, 1.0)
        treated = at_landmark & treated_by[service]
        potentials.append(_binary(f"service:{service}", REOFFENDING, at_landmark, treated, u, p_late, p0,
                                  rates.service_effects.get(service, 0.0), {}))
    # Recalls: early ones, plus recall after a later reoffence.
    recall_later = late & (rng.random(x.n) < rates.recall_after_reoffence)
    recall = np.minimum(early.recall_day, np.where(recall_later, late_day + rng.integers(0, 22, x.n), NEVER))
    return Outcomes(employed, reoffended, reoffence_day, recall, first_payment, potentials)


def _treated_only(y0: np.ndarray, y1: np.ndarray, treated: np.ndarray) -> np.ndarray:
    """Y0 for the treated; for everyone else the observed outcome (their Y1 is not needed)."""
    return np.where(treated, y0, y1).astype(float)


def _binary(treatment: str, outcome: str, eligible: np.ndarray, treated: np.ndarray, u: np.ndarray,
            p1: np.ndarray, p0: np.ndarray, nominal: float | None, labels: dict) -> Potential:
    """A yes/no outcome: ``p1`` is each person's probability as things happened, ``p0`` without the
    treatment (they differ only for the treated)."""
    treated = eligible & treated
    y1 = (u < p1).astype(float)
    y0 = _treated_only(u < p0, u < p1, treated)
    return Potential(treatment, outcome, "cohort", "risk_difference", nominal, eligible, treated, y0, y1,
                     treated * (p1 - p0), labels)


def _course_labels(courses: Courses) -> dict[str, dict[str, tuple[np.ndarray, tuple[str, ...]]]]:
    """Per course type, each person's course level and whether they finished it (-1: not recorded)."""
    from sample_db.world.treatment import LEVELS

    n = courses.took.shape[0]
    out = {}
    for k, kind in enumerate(COURSE_TYPES):
        level = np.full(n, -1, dtype=np.int64)
        rows = np.flatnonzero(courses.kind == k)
        level[courses.person[rows]] = courses.level[rows]
        done = np.where(courses.took[:, k], np.where(courses.done[:, k], 0, 1), -1)
        out[kind] = {"course_level": (level, LEVELS), "completed": (done, ("Completed", "Not completed"))}
    return out


@dataclass
class Attendance:
    """Pupils' school outcomes (rows follow ``Children`` rows; meaningful where ``pupil``)."""

    rate: np.ndarray
    persistent_absence: np.ndarray
    suspensions: np.ndarray
    permanent_exclusion: np.ndarray
    attainment_expected: np.ndarray
    potentials: list[Potential]


def age_group(school_year: np.ndarray) -> np.ndarray:
    """Index into AGE_GROUPS (-1 when not a pupil)."""
    year = np.asarray(school_year)
    return np.where(year < 0, -1, np.where(year <= 6, 0, np.where(year <= 11, 1, 2)))


def _poisson_quantile(u: np.ndarray, lam: np.ndarray, top: int = 30) -> np.ndarray:
    """The count a uniform draw gives under Poisson(lam): one draw, any rate (common random numbers)."""
    term = np.exp(-lam)
    cdf = term.copy()
    count = np.zeros(len(u), dtype=np.int32)
    for k in range(1, top):
        below = u > cdf
        if not below.any():
            break
        count += below
        term = term * lam / k
        cdf = cdf + term
    return count


def school_outcomes(rng: np.random.Generator, kids: Children, rates: WorldRates,
                    male: np.ndarray) -> Attendance:
    """School outcomes with and without a parent's imprisonment, from one draw per child and outcome.

    Absence rises with school year, differs by region and sex, and rises a little with a child's need
    (which also makes a council more likely to know them). The two groups of children differ in age and
    region, so the naive gap is not the effect. Effects differ by age group; exclusion and attainment
    carry honest nulls by default.
    """
    year = np.maximum(kids.school_year, 0)
    group = np.maximum(age_group(kids.school_year), 0)
    # About 7% of sessions missed on average in England (DfE pupil absence, 2022/23).
    base = (0.05 + 0.003 * np.maximum(year - 6, 0) + _REGION_ABSENCE[kids.region] + 0.003 * male
            + rates.need_absence * kids.need)
    absence = np.clip(base, 0.005, None) * np.exp(rng.normal(-0.3, 0.75, kids.n))
    y0 = np.round(np.clip(1 - absence, 0.3, 1.0), 4)
    effect = rates.parental_imprisonment_attendance * _ATTENDANCE_SCALE[group]
    y1 = np.round(np.clip(y0 + effect, 0.3, 1.0), 4)
    fam = kids.cohort_family
    treated = fam & kids.pupil & kids.council_known
    eligible = kids.pupil & kids.council_known
    rate = np.where(fam, y1, y0)
    secondary = kids.school_year >= 7
    lam0 = (0.04 + 0.12 * secondary + 0.05 * male) * (1 + 3 * (1 - y0))
    lam1 = lam0 + rates.parental_imprisonment_suspension * _SUSPENSION_SCALE[group]
    u = rng.random(kids.n)
    s0, s1 = _poisson_quantile(u, lam0), _poisson_quantile(u, lam1)
    suspensions = np.where(fam, s1, s0)
    u_ex = rng.random(kids.n)
    q0 = 0.0008 + 0.002 * secondary
    q1 = np.clip(q0 + rates.parental_imprisonment_exclusion * secondary, 0, 1)
    excl0, excl1 = u_ex < q0, u_ex < q1
    exclusion = np.where(fam, excl1, excl0)
    u_at = rng.random(kids.n)
    a0 = calibrate(-2.0 * (1 - y0), 0.6)
    a1 = np.clip(a0 + rates.parental_imprisonment_attainment, 0, 1)
    att0, att1 = u_at < a0, u_at < a1
    attain = np.where(fam, att1, att0)

    def potential(outcome: str, scale: str, v0, v1, planted, nominal) -> Potential:
        v0, v1 = np.asarray(v0, dtype=float), np.asarray(v1, dtype=float)
        return Potential("parental_imprisonment", outcome, "children", scale, nominal, eligible, treated,
                         np.where(treated, v0, np.where(fam, v1, v0)), np.where(fam, v1, v0),
                         treated * np.asarray(planted, dtype=float))

    r = rates
    potentials = [
        # Attendance is published as a percentage of sessions, so its truth is in points.
        potential("attendance_rate", "mean_difference", 100 * y0, 100 * y1, 100 * (y1 - y0),
                  100 * r.parental_imprisonment_attendance),
        potential("persistent_absence", "risk_difference", y0 < 0.9, y1 < 0.9,
                  (y1 < 0.9).astype(float) - (y0 < 0.9), None),
        potential("any_suspension", "risk_difference", s0 > 0, s1 > 0, np.exp(-lam0) - np.exp(-lam1),
                  r.parental_imprisonment_suspension),
        potential("permanent_exclusion", "risk_difference", excl0, excl1, q1 - q0,
                  r.parental_imprisonment_exclusion),
        potential("attainment_expected", "risk_difference", att0, att1, a1 - a0,
                  r.parental_imprisonment_attainment),
    ]
    return Attendance(rate, rate < 0.9, suspensions.astype(np.int32), exclusion, attain, potentials)
