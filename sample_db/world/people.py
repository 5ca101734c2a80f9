"""The true population: people released in the period, with the covariates that drive both who takes
a course and how life goes afterwards.

Everything is a column (numpy array) over people, never a Python object per person, so a million
people cost a few hundred megabytes and a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sample_db.world import postcodes
from sample_db.world.names import NameTables
from sample_db.world.profile import BACKGROUNDS, WorldRates
from sample_db.world.util import calibrate, categorical, expit

ETHNICITIES = ("White", "Black", "Asian", "Mixed", "Other")
# Prison population by ethnic group, roughly (MoJ prison population statistics: about 72% White).
_ETHNICITY_PROBS = np.array([0.72, 0.12, 0.08, 0.05, 0.03])
# Name background by ethnic group (rows: ethnicity; columns: BACKGROUNDS).
_BACKGROUND_BY_ETHNICITY = np.array([
    [0.88, 0.00, 0.00, 0.00, 0.12, 0.00],
    [0.10, 0.45, 0.40, 0.00, 0.00, 0.05],
    [0.05, 0.00, 0.00, 0.90, 0.00, 0.05],
    [0.60, 0.30, 0.05, 0.05, 0.00, 0.00],
    [0.20, 0.00, 0.00, 0.15, 0.15, 0.50],
])
OFFENCE_GROUPS = (
    "Violence against the person", "Theft offences", "Drug offences", "Burglary", "Robbery",
    "Public order offences", "Possession of weapons", "Sexual offences", "Fraud", "Summary motoring",
    "Damage and arson", "Other offences",
)
_OFFENCE_PROBS = np.array([0.28, 0.21, 0.13, 0.07, 0.05, 0.06, 0.05, 0.04, 0.03, 0.03, 0.02, 0.03])
# Median sentence in months by offence group: theft and motoring mostly short, robbery and sexual long.
_OFFENCE_MEDIAN_MONTHS = np.array([16, 5, 30, 24, 56, 7, 15, 56, 20, 5, 11, 8])
QUALIFICATIONS = ("none", "entry", "level1", "level2", "level3", "level4_plus")
SOCIAL_TIES = ("weak", "moderate", "strong")
#: Breakdown labels exactly as the packs publish them (the truth files use them too).
AGE_BANDS = ("18 to 24", "25 to 34", "35 to 49", "50 and over")
SENTENCE_BANDS = ("Under 12 months", "12 months to 4 years", "4 years or more")
# Fictional prisons: planted differences in course quality must never be read as a real prison's record.
PRISONS: tuple[tuple[str, str, int], ...] = tuple(
    (f"HMP {name}", kind, region) for name, kind, region in (
        ("Hallowmoor", "public", 0), ("Brackenfield", "private", 0), ("Calderbrook", "public", 1),
        ("Dunmere", "public", 1), ("Elmsworth", "private", 1), ("Fernleigh", "public", 2),
        ("Greystone", "public", 2), ("Harrowgate Fields", "private", 2), ("Ivybank", "public", 3),
        ("Juniper Hill", "private", 3), ("Kestrel Marsh", "public", 4), ("Larkholme", "public", 4),
        ("Mossgate", "private", 4), ("Northwold", "public", 5), ("Oakhaven", "public", 5),
        ("Pennard Ridge", "private", 5), ("Queensmere", "public", 6), ("Riverside Lane", "public", 6),
        ("Southbank Road", "private", 6), ("Thornbury Vale", "public", 7), ("Upton Downs", "public", 7),
        ("Valewood", "private", 7), ("Westcombe", "public", 8), ("Yarrowford", "public", 8),
        ("Ashcombe", "public", 9), ("Bryn Derw", "private", 9),
    ))
PRISON_REGION = np.array([p[2] for p in PRISONS])
PRISON_PRIVATE = np.array([p[1] == "private" for p in PRISONS])


@dataclass
class Cohort:
    """People released from custody in the period: observed covariates and hidden needs."""

    n: int
    male: np.ndarray
    age: np.ndarray            # years at release (float; the extract shows whole years)
    ethnicity: np.ndarray
    background: np.ndarray
    region: np.ndarray
    prison: np.ndarray
    offence: np.ndarray
    sentence_months: np.ndarray
    release_day: np.ndarray    # days since 1970-01-01
    prior_offences: np.ndarray
    qualification: np.ndarray  # index into QUALIFICATIONS
    employed_before: np.ndarray
    accommodation_need: np.ndarray
    social_ties: np.ndarray
    substance_need: np.ndarray

    @property
    def private(self) -> np.ndarray:
        return PRISON_PRIVATE[self.prison]

    @property
    def short(self) -> np.ndarray:
        return self.sentence_months < 12

    @property
    def age_band(self) -> np.ndarray:
        """Index into AGE_BANDS, from whole years at release (as the prison extract shows age)."""
        return np.searchsorted(np.array([25, 35, 50]), np.floor(self.age), side="right")

    @property
    def sentence_band(self) -> np.ndarray:
        """Index into SENTENCE_BANDS."""
        return np.searchsorted(np.array([12, 48]), self.sentence_months, side="right")

    def confounders(self) -> np.ndarray:
        """The observed covariates treatment depends on, as a numeric design matrix.

        Only these drive who takes a course or reaches housing, so matching on them recovers the effects.
        """
        return np.column_stack([
            (self.age - 33) / 10, self.male, np.log(self.sentence_months) - 2.3,
            np.log1p(self.prior_offences) - 2.0, self.qualification - 1.5, self.employed_before,
            self.offence == 0, self.offence == 1, self.offence == 2, self.offence == 7,
            self.ethnicity == 1, self.ethnicity == 2,
        ]).astype(np.float64)


def make_cohort(rng: np.random.Generator, n: int, rates: WorldRates) -> Cohort:
    male = rng.random(n) < 0.9  # about nine in ten people released from custody are men
    age = np.clip(18 + rng.gamma(2.0, 7.5, n), 18, 80)
    ethnicity = rng.choice(len(ETHNICITIES), n, p=_ETHNICITY_PROBS)
    background = categorical(rng, _BACKGROUND_BY_ETHNICITY[ethnicity])
    region = rng.choice(len(postcodes.REGION_NAMES), n, p=postcodes.REGION_PROBS)
    # Most people are held near home; some far away. Prison type only changes course quality.
    home = rng.random(n) < 0.8
    local = _pick_prison(rng, region)
    prison = np.where(home, local, rng.integers(0, len(PRISONS), n))
    offence = rng.choice(len(OFFENCE_GROUPS), n, p=_OFFENCE_PROBS)
    months = np.exp(np.log(_OFFENCE_MEDIAN_MONTHS[offence]) + rng.normal(0, 0.8, n) - 0.1 * male)
    sentence = np.clip(np.round(months), 1, 240).astype(np.int32)
    start, end = rates.period_days()
    release = rng.integers(start, end + 1, n).astype(np.int32)
    prior_mean = np.exp(1.85 + 0.025 * (age - 18) + 0.5 * np.isin(offence, [1, 3]) - 0.6 * (offence == 7))
    prior = np.minimum(rng.poisson(rng.gamma(1.5, prior_mean / 1.5)), 150).astype(np.int32)
    latent = rng.normal(0, 1, n) - 0.25 * np.log1p(prior) + 0.1 * (age > 25) - 0.15 * male
    qualification = np.searchsorted(np.quantile(latent, [0.34, 0.48, 0.68, 0.86, 0.95]), latent)
    emp = calibrate(-0.6 * np.log1p(prior) + 0.35 * qualification - 0.02 * np.abs(age - 35) + 0.3 * male,
                    0.3, logistic=True)
    employed = rng.random(n) < emp
    accommodation_need = rng.random(n) < expit(-1.4 + 0.35 * np.log1p(prior) - 0.4 * employed)
    substance = rng.random(n) < expit(-1.2 + 0.4 * np.log1p(prior) + 0.8 * (offence == 2))
    ties = np.clip(np.round(rng.normal(1.1 - 0.3 * accommodation_need + 0.2 * employed, 0.7)), 0, 2)
    return Cohort(n, male, age, ethnicity, background.astype(np.int8), region.astype(np.int8),
                  prison.astype(np.int16), offence.astype(np.int8), sentence, release, prior,
                  qualification.astype(np.int8), employed, accommodation_need, ties.astype(np.int8),
                  substance)


def _pick_prison(rng: np.random.Generator, region: np.ndarray) -> np.ndarray:
    out = np.empty(len(region), dtype=np.int64)
    for r in range(len(postcodes.REGION_NAMES)):
        where = np.flatnonzero(region == r)
        options = np.flatnonzero(PRISON_REGION == r)
        out[where] = options[rng.integers(0, len(options), len(where))]
    return out


@dataclass
class Identities:
    """True identifiers of everyone in the world (people released, others, children), as codes."""

    male: np.ndarray
    background: np.ndarray
    first: np.ndarray
    middle: np.ndarray        # (n, 2) name codes, -1 when none
    surname: np.ndarray
    old_surname: np.ndarray   # the surname before a change, -1 when none
    dob: np.ndarray           # days since 1970-01-01
    postcode_before: np.ndarray   # address before custody (or the only one)
    postcode_after: np.ndarray    # address after release
    move_day: np.ndarray          # from this day records hold the address after release

    def __len__(self) -> int:
        return len(self.male)

    @staticmethod
    def concat(parts: list[Identities]) -> Identities:
        return Identities(*(np.concatenate([getattr(p, f) for p in parts])
                            for f in Identities.__dataclass_fields__))


def draw_first(rng: np.random.Generator, tables: NameTables, background: np.ndarray,
               male: np.ndarray) -> np.ndarray:
    out = np.empty(len(background), dtype=np.int32)
    for b in range(len(BACKGROUNDS)):
        for m in (0, 1):
            where = np.flatnonzero((background == b) & (male == m))
            codes, probs = tables.first[(b, m)]
            out[where] = codes[rng.choice(len(codes), len(where), p=probs)]
    return out


def draw_surname(rng: np.random.Generator, tables: NameTables, background: np.ndarray) -> np.ndarray:
    out = np.empty(len(background), dtype=np.int32)
    for b in range(len(BACKGROUNDS)):
        where = np.flatnonzero(background == b)
        codes, probs = tables.surname[b]
        out[where] = codes[rng.choice(len(codes), len(where), p=probs)]
    return out


def make_identities(rng: np.random.Generator, tables: NameTables, *, male: np.ndarray,
                    background: np.ndarray, dob: np.ndarray, postcode_before: np.ndarray,
                    postcode_after: np.ndarray, move_day: np.ndarray, surname: np.ndarray | None = None,
                    change_women: float = 0.0, change_men: float = 0.0) -> Identities:
    n = len(male)
    first = draw_first(rng, tables, background, male)
    middle = np.full((n, 2), -1, dtype=np.int32)
    has_middle = rng.random(n) < 0.7
    has_two = has_middle & (rng.random(n) < 0.15)
    # A middle name differs from the first name in nearly all cases; a clash is harmless.
    middle[:, 0] = np.where(has_middle, draw_first(rng, tables, background, male), -1)
    middle[:, 1] = np.where(has_two, draw_first(rng, tables, background, male), -1)
    if surname is None:
        surname = draw_surname(rng, tables, background)
    changed = rng.random(n) < np.where(male, change_men, change_women)
    old = np.where(changed, draw_surname(rng, tables, background), -1).astype(np.int32)
    return Identities(male.astype(bool), background.astype(np.int8), first, middle,
                      surname.astype(np.int32), old, dob.astype(np.int32),
                      postcode_before.astype(np.int64), postcode_after.astype(np.int64),
                      move_day.astype(np.int32))


def cohort_identities(rng: np.random.Generator, tables: NameTables, cohort: Cohort,
                      change_women: float, change_men: float) -> Identities:
    dob = cohort.release_day - np.floor(cohort.age * 365.25).astype(np.int32)
    before = postcodes.draw(rng, cohort.region)
    # Most people leave prison to a different address from the one they had before.
    moved = rng.random(cohort.n) < 0.6
    after = np.where(moved, postcodes.nearby(rng, before), before)
    return make_identities(rng, tables, male=cohort.male, background=cohort.background, dob=dob,
                           postcode_before=before, postcode_after=after, move_day=cohort.release_day,
                           change_women=change_women, change_men=change_men)
