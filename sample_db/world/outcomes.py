"""Potential outcomes with common random numbers, and the effects a world really contains.

Each person has one uniform draw per outcome; the outcome with and without a treatment is that same
draw compared with two probabilities. The models are additive on the probability scale, so the planted
risk difference is what moves the probability, and the realised effect on the treated (mean of
Y1 - Y0 over the treated) differs from it only by chance. Both go into ``effects.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sample_db.world.families import Children
from sample_db.world.people import Cohort
from sample_db.world.profile import WorldRates
from sample_db.world.treatment import COURSE_TYPES, Courses, course_effect
from sample_db.world.util import calibrate

EMPLOYMENT = {"employment_6w": 42, "employment_6m": 182, "employment_1y": 365}
REOFFENDING = "reoffending_12m"
# Regional labour markets (index as postcodes.REGIONS): London and the South East a little better.
_REGION_EMPLOYMENT = np.array([-0.03, -0.01, -0.01, 0.0, -0.01, 0.01, 0.03, 0.02, 0.0, -0.01])
_REGION_ABSENCE = np.array([0.006, 0.004, 0.005, 0.002, 0.003, -0.002, -0.006, -0.003, 0.0, 0.006])


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

    def as_json(self) -> dict:
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


@dataclass
class Outcomes:
    """Observed outcomes of people released, and the effects planted in them."""

    employed: dict[str, np.ndarray]   # outcome -> observed bool per person
    reoffended: np.ndarray            # proven reoffending within 12 months
    effects: list[Effect] = field(default_factory=list)


def _effects_for(treatment: str, outcome: str, treated: np.ndarray, u: np.ndarray, p1: np.ndarray,
                 p0: np.ndarray, observed: np.ndarray, nominal: float | None,
                 private: np.ndarray | None) -> list[Effect]:
    """Effects overall and, for courses, by prison type (public and private differ in quality)."""
    out = []
    groups = [(None, np.ones(len(u), bool))]
    if private is not None:
        groups += [({"prison_type": "public"}, ~private), ({"prison_type": "private"}, private)]
    for sub, keep in groups:
        t, c = treated & keep, ~treated & keep
        if not t.any() or not c.any():
            continue
        y1, y0 = u[t] < p1[t], u[t] < p0[t]
        suffix = "" if sub is None else f"[prison_type={sub['prison_type']}]"
        out.append(Effect(
            id=f"{treatment}->{outcome}{suffix}", treatment=treatment, outcome=outcome,
            scale="risk_difference", nominal=nominal, planted=float(np.mean(p1[t] - p0[t])),
            realised_att=float(np.mean(y1.astype(float) - y0)),
            naive_difference=float(observed[t].mean() - observed[c].mean()),
            n_treated=int(t.sum()), n_untreated=int(c.sum()), subgroup=sub))
    return out


def cohort_outcomes(rng: np.random.Generator, cohort: Cohort, courses: Courses, settled: np.ndarray,
                    rates: WorldRates) -> Outcomes:
    x = cohort
    age_c = (x.age - 33) / 10
    log_prior = np.log1p(x.prior_offences) - 2.0
    log_sent = np.log(x.sentence_months) - 2.3
    q = x.qualification - 1.5
    # One shared draw plus one own draw per time: employment persists, marginals stay uniform.
    common = rng.random(x.n)
    employed, effects = {}, []
    for outcome in EMPLOYMENT:
        u = np.where(rng.random(x.n) < 0.6, common, rng.random(x.n))
        score = (0.14 * x.employed_before + 0.03 * q - 0.03 * log_prior - 0.025 * log_sent
                 - 0.02 * np.abs(age_c) + 0.03 * x.male - 0.04 * x.substance_need
                 - 0.03 * x.accommodation_need + 0.02 * (x.social_ties == 2)
                 + _REGION_EMPLOYMENT[x.region])
        eff = course_effect(courses, cohort, rates, outcome)
        total = eff.sum(axis=1)
        target = getattr(rates, outcome)
        base = calibrate(score, target, extra=total, lo=0.01, hi=0.95)
        p = np.clip(base + total, 0.0, 1.0)
        employed[outcome] = u < p
        for k, kind in enumerate(COURSE_TYPES):
            p0 = np.clip(p - eff[:, k], 0.0, 1.0)
            effects += _effects_for(f"course:{kind}", outcome, courses.took[:, k], u, p, p0,
                                    employed[outcome], rates.course_effects[kind][outcome], x.private)
    u = rng.random(x.n)
    score = (-0.04 * age_c + 0.07 * log_prior + 0.06 * x.substance_need + 0.04 * x.accommodation_need
             - 0.04 * x.employed_before - 0.02 * q + 0.05 * (x.social_ties == 0) - 0.08 * (x.offence == 7)
             + 0.04 * (x.offence == 1) + 0.02 * x.male)
    eff = course_effect(courses, cohort, rates, REOFFENDING)
    acc = settled * rates.accommodation_reoffending
    total = eff.sum(axis=1) + acc
    base = np.empty(x.n)
    for mask, target in ((x.short, rates.reoffending_short), (~x.short, rates.reoffending_long)):
        base[mask] = calibrate(score[mask], target, extra=total[mask], lo=0.02, hi=0.95)
    p = np.clip(base + total, 0.0, 1.0)
    reoffended = u < p
    for k, kind in enumerate(COURSE_TYPES):
        p0 = np.clip(p - eff[:, k], 0.0, 1.0)
        effects += _effects_for(f"course:{kind}", REOFFENDING, courses.took[:, k], u, p, p0, reoffended,
                                rates.course_effects[kind][REOFFENDING], x.private)
    p0 = np.clip(p - acc, 0.0, 1.0)
    effects += _effects_for("settled_accommodation", REOFFENDING, settled, u, p, p0, reoffended,
                            rates.accommodation_reoffending, None)
    return Outcomes(employed, reoffended, effects)


@dataclass
class Attendance:
    """Pupils' school outcomes (rows follow ``Children`` rows; meaningful where ``pupil``)."""

    rate: np.ndarray
    persistent_absence: np.ndarray
    suspensions: np.ndarray
    permanent_exclusion: np.ndarray
    attainment_expected: np.ndarray
    effect: Effect


def school_outcomes(rng: np.random.Generator, kids: Children, rates: WorldRates,
                    male: np.ndarray) -> Attendance:
    """Attendance with and without a parent's imprisonment, from one draw per child.

    Absence rises with school year and differs by region and sex, and the two groups of children differ
    in age and region, so the naive gap is not the effect.
    """
    year = np.maximum(kids.school_year, 0)
    # About 7% of sessions missed on average in England (DfE pupil absence, 2022/23).
    base = 0.05 + 0.003 * np.maximum(year - 6, 0) + _REGION_ABSENCE[kids.region] + 0.003 * male
    absence = base * np.exp(rng.normal(-0.3, 0.75, kids.n))
    y0 = np.round(np.clip(1 - absence, 0.3, 1.0), 4)
    y1 = np.round(np.clip(y0 + rates.parental_imprisonment_attendance, 0.3, 1.0), 4)
    treated = kids.cohort_family & kids.pupil
    control = ~kids.cohort_family & kids.pupil
    rate = np.where(kids.cohort_family, y1, y0)
    effect = Effect(
        id="parental_imprisonment->attendance_rate", treatment="parental_imprisonment",
        outcome="attendance_rate", scale="mean_difference",
        nominal=rates.parental_imprisonment_attendance,
        planted=float(np.mean(y1[treated] - y0[treated])) if treated.any() else 0.0,
        realised_att=float(np.mean(y1[treated] - y0[treated])) if treated.any() else 0.0,
        naive_difference=float(rate[treated].mean() - rate[control].mean()) if treated.any() else 0.0,
        n_treated=int(treated.sum()), n_untreated=int(control.sum()))
    secondary = kids.school_year >= 7
    lam = 0.04 + 0.12 * secondary + 0.08 * kids.cohort_family + 0.05 * male
    suspensions = rng.poisson(lam * (1 + 3 * absence))
    exclusion = rng.random(kids.n) < 0.0008 + 0.002 * kids.cohort_family * secondary
    attain = rng.random(kids.n) < calibrate(-2.0 * absence - 0.08 * kids.cohort_family, 0.6)
    return Attendance(rate, rate < 0.9, suspensions.astype(np.int32), exclusion, attain, effect)
