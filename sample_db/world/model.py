"""The whole true world in one place: who everyone is, what happened to them, and the effects.

People sit in one index space so every extract can point at anyone: people released first (so a cohort
index is a world index), then other adults, then comparison parents, then children.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sample_db.world import families
from sample_db.world.families import Children
from sample_db.world.names import NameTables, build_tables
from sample_db.world.outcomes import Attendance, Outcomes, cohort_outcomes, early_events, school_outcomes
from sample_db.world.people import Cohort, Identities, cohort_identities, make_cohort
from sample_db.world.profile import ErrorProfile, WorldRates
from sample_db.world.treatment import Courses, Services, assign_courses, assign_services


@dataclass
class World:
    rates: WorldRates
    profile: ErrorProfile
    tables: NameTables
    cohort: Cohort
    ids: Identities            # everyone, in world index order
    courses: Courses
    services: Services
    outcomes: Outcomes
    children_true: np.ndarray  # per person released
    children_declared: np.ndarray
    kids: Children             # cohort children then comparison children
    attendance: Attendance
    other_start: int           # first world index of other adults
    other_n: int
    kid_start: int             # first world index of children

    @property
    def n(self) -> int:
        return self.cohort.n

    def person_kind(self) -> np.ndarray:
        """0 person released, 1 other adult (including comparison parents), 2 child."""
        kind = np.ones(len(self.ids), dtype=np.int8)
        kind[: self.n] = 0
        kind[self.kid_start:] = 2
        return kind


def build(rng: np.random.Generator, people: int, rates: WorldRates, profile: ErrorProfile) -> World:
    tables = build_tables()
    cohort = make_cohort(rng, people, rates)
    cohort_ids = cohort_identities(rng, tables, cohort, profile.surname_change_women,
                                   profile.surname_change_men)
    courses = assign_courses(rng, cohort, rates)
    early = early_events(rng, cohort, courses, rates)
    services = assign_services(rng, cohort, early.event_day, rates)
    outcomes = cohort_outcomes(rng, cohort, courses, services, early, rates)
    counts = families.true_children(rng, cohort, rates)
    declared = rng.binomial(counts, 1 - rates.declared_undercount).astype(np.int32)
    other_n = int(round(rates.outside_pool * people))
    others = families.other_adults(rng, tables, cohort, cohort_ids, other_n, rates, profile)
    kids_c, kids_c_ids = families.cohort_children(rng, tables, cohort, cohort_ids, counts)
    n_comp = int(round(rates.comparison_children * kids_c.pupil.sum()))
    comp_parent_start = people + other_n
    kids_o, kids_o_ids, comp_parents = families.comparison_children(rng, tables, n_comp, comp_parent_start)
    kids = Children(
        kids_c.n + kids_o.n, np.concatenate([kids_c.parent, kids_o.parent]),
        np.concatenate([kids_c.cohort_family, kids_o.cohort_family]),
        np.concatenate([kids_c.dob, kids_o.dob]), np.concatenate([kids_c.region, kids_o.region]),
        np.concatenate([kids_c.school_year, kids_o.school_year]),
        np.concatenate([kids_c.lives_with_parent, kids_o.lives_with_parent]))
    families.council_knowledge(rng, kids, rates)
    ids = Identities.concat([cohort_ids, others, comp_parents, kids_c_ids, kids_o_ids])
    kid_start = comp_parent_start + n_comp
    attendance = school_outcomes(rng, kids, rates, ids.male[kid_start:])
    return World(rates, profile, tables, cohort, ids, courses, services, outcomes, counts, declared,
                 kids, attendance, people, other_n + n_comp, kid_start)
