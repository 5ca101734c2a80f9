"""The knobs of a synthetic world: how messy the identifiers are, and what is true about people.

Two frozen dataclasses keep the two concerns apart. ``ErrorProfile`` is what the linkage team fights
(typos, nicknames, moved postcodes, duplicates); ``WorldRates`` is what the analysis team must recover
(base rates and planted effects). Every rate is a plain number with a default, so a test or a benchmark
can make a harder or an easier world with ``dataclasses.replace``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

#: Name backgrounds, in the order of every per-background array in this package.
BACKGROUNDS: tuple[str, ...] = (
    "british", "caribbean", "west_african", "south_asian", "east_european", "arabic",
)


def _default_variation() -> dict[str, float]:
    # Names transliterated from another script, or unfamiliar to the person keying them in, are
    # recorded with more variation (spellings, order, typos). Multiplies the name error rates.
    return {"british": 1.0, "caribbean": 1.2, "west_african": 2.0, "south_asian": 2.0,
            "east_european": 2.0, "arabic": 2.5}


@dataclass(frozen=True)
class ErrorProfile:
    """Per-record probabilities of identifier errors, applied independently to every record.

    The defaults keep first name, surname and date of birth intact on most records (so good
    probabilistic linkage can reach pairwise F1 of 0.97 or more per extract), while postcodes move often.
    """

    typo: float = 0.02                 # per name field: one character substituted, dropped, added or swapped
    nickname: float = 0.04             # first name recorded as a nickname or another spelling
    surname_variant: float = 0.01      # surname recorded with another spelling (Hussain / Hussein)
    name_order_swap: float = 0.004     # first name and surname recorded the wrong way round
    known_by_middle: float = 0.01      # the middle name recorded as the first name
    middle_missing: float = 0.4        # middle names left out
    first_missing: float = 0.005
    surname_missing: float = 0.003
    dob_transposed: float = 0.02       # day and month swapped (only visible when the day is 12 or less)
    dob_digit: float = 0.012           # one day or one year out
    dob_first_of_january: float = 0.003  # unknown date recorded as 1 January of the right year
    dob_missing: float = 0.008
    sex_missing: float = 0.02
    sex_wrong: float = 0.004
    postcode_missing: float = 0.08
    postcode_moved: float = 0.10       # another nearby postcode (an address not yet updated, a hostel)
    postcode_typo: float = 0.01
    surname_change_women: float = 0.12  # people whose surname changed (marriage, divorce, deed poll)
    surname_change_men: float = 0.02
    old_surname_used: float = 0.5      # once changed, how often a record still holds the old surname
    duplicate: float = 0.02            # extra records of the same person inside one person-level extract
    uppercase_surname: tuple[str, ...] = ("dwp", "hmrc")  # extracts that key surnames in capitals
    variation: dict[str, float] = field(default_factory=_default_variation)

    def multiplier(self, background: str) -> float:
        return self.variation.get(background, 1.0)


@dataclass(frozen=True)
class WorldRates:
    """Who is in the world, how big each extract is, base rates and the effects planted in outcomes."""

    release_start: date = date(2022, 1, 1)
    release_end: date = date(2022, 12, 31)
    extract_date: date = date(2024, 6, 30)   # the data cut: spells still open then have no end date
    # Records of people outside the cohort, as a share of each extract's cohort records.
    outside_share: dict[str, float] = field(default_factory=lambda: {
        "probation": 0.08, "dfe": 0.4, "dwp": 0.35, "hmrc": 0.35, "reoffending": 0.3})
    outside_pool: float = 0.8        # people outside the cohort, per person in it
    outside_relatives: float = 0.1   # share of them who are a sibling of someone in the cohort
    # Proven reoffending within 12 months of release from custody. MoJ Proven reoffending statistics,
    # April to June 2023 cohort: about 35% for adults released from custody or starting a court order,
    # and near 60% after custodial sentences of under 12 months.
    reoffending_short: float = 0.58
    reoffending_long: float = 0.21
    # Employment 6 weeks and 6 months after release: MoJ employment outcomes of people leaving prison,
    # year to March 2024 (about 19% and 31%); at one year: MoJ/DWP/HMRC data share, 2011/12 releases (about 17%).
    employment_6w: float = 0.19
    employment_6m: float = 0.31
    employment_1y: float = 0.17
    # About 193,000 children had a parent in prison in the year to October 2022 (MoJ official
    # statistics in development, July 2024). Against roughly 150,000 people held in prison at some
    # point in that year, that is about 1.3 children per person; half of people have children.
    parent_share: float = 0.5
    children_per_parent: float = 2.6
    declared_undercount: float = 0.25  # share of true children a parent leaves out when asked
    comparison_children: float = 2.0   # pupils with no parent in the cohort, per pupil with one
    la_known_cohort_child: float = 0.7  # council knows the child (children in need, early help)
    la_known_other_child: float = 0.25
    # Take-up among people released (share of people with at least one course of the type).
    course_take_up: dict[str, float] = field(default_factory=lambda: {
        "english": 0.22, "maths": 0.20, "vocational": 0.20, "higher_education": 0.03,
        "work_in_prison": 0.28})
    settled_accommodation: float = 0.6  # accommodation reached within 4 weeks of release
    # Planted effects: risk differences on the probability scale for a completed course in a public
    # prison. Negative reoffending effects are reductions. Zeros are honest nulls.
    course_effects: dict[str, dict[str, float]] = field(default_factory=lambda: {
        "english": {"employment_6w": 0.02, "employment_6m": 0.03, "employment_1y": 0.02,
                    "reoffending_12m": -0.02},
        "maths": {"employment_6w": 0.0, "employment_6m": 0.0, "employment_1y": 0.0,
                  "reoffending_12m": 0.0},
        "vocational": {"employment_6w": 0.06, "employment_6m": 0.07, "employment_1y": 0.05,
                       "reoffending_12m": -0.03},
        "higher_education": {"employment_6w": 0.03, "employment_6m": 0.06, "employment_1y": 0.08,
                             "reoffending_12m": -0.05},
        "work_in_prison": {"employment_6w": 0.07, "employment_6m": 0.04, "employment_1y": 0.0,
                           "reoffending_12m": 0.0},
    })
    # Course quality in private prisons relative to public ones (scales the course effect).
    private_quality: dict[str, float] = field(default_factory=lambda: {
        "english": 0.5, "maths": 1.0, "vocational": 0.5, "higher_education": 1.0,
        "work_in_prison": 1.0})
    not_completed_share: float = 0.3   # share of the effect a course left unfinished still has
    accommodation_reoffending: float = -0.07
    parental_imprisonment_attendance: float = -0.035  # mean difference in attendance rate

    # -- Issue 13 (i13a): services after release, recall, and effects that differ by group ----------------
    # Share reaching each service within 4 weeks of release, among people with no reoffence or recall
    # first. ``benefit_claim`` is a Universal Credit claim (DWP); the rest are probation records.
    service_take_up: dict[str, float] = field(default_factory=lambda: {
        "accommodation": 0.6, "benefits_support": 0.45, "gp_registration": 0.35,
        "substance_treatment": 0.2, "employment_support": 0.25, "benefit_claim": 0.5})
    # Planted effects of reaching a service within 4 weeks on proven reoffending in the 365 days after
    # day 28 (risk differences; scaled by group in ``treatment.service_effect``). Zeros are honest nulls.
    service_effects: dict[str, float] = field(default_factory=lambda: {
        "accommodation": -0.07, "benefits_support": 0.0, "gp_registration": 0.0,
        "substance_treatment": -0.05, "employment_support": 0.0, "benefit_claim": 0.0,
        "first_payment": 0.0})
    # How strongly the observed covariates drive who reaches a service (1 = as built; 0 = at random).
    service_confounding: float = 1.0
    # Recall to custody: technical recalls (a breach of licence) in the first 28 days, and the share of
    # proven reoffences followed by a recall.
    early_recall: float = 0.04
    recall_after_reoffence: float = 0.6
    # Share of reoffending in the first year that happens in the first 28 days after release.
    early_reoffending_share: float = 0.12
    # A Universal Credit claim started in the 4 weeks before release (an advance claim from prison).
    advance_claim: float = 0.2
    # Children: how strongly a child's (unrecorded) need drives whether a council knows them, and how much
    # it lowers attendance (points of attendance per standard deviation of need).
    la_known_need: float = 0.8
    need_absence: float = 0.004
    # Planted effects of a parent's imprisonment on school outcomes besides attendance.
    parental_imprisonment_suspension: float = 0.05   # extra suspensions per pupil per year (rate)
    parental_imprisonment_exclusion: float = 0.0     # honest null
    parental_imprisonment_attainment: float = 0.0    # honest null

    def period_days(self) -> tuple[int, int]:
        epoch = date(1970, 1, 1)
        return (self.release_start - epoch).days, (self.release_end - epoch).days

    def extract_day(self) -> int:
        return (self.extract_date - date(1970, 1, 1)).days


#: Named error profiles, for ``bold synth --profile NAME`` and the linkage benchmark. ``standard`` is the
#: default world. ``duplicates``: person-level extracts (prison, probation, school, council) hold on average
#: two and a half records per person, as real prison extracts do after several sentences, with the standard
#: errors. ``harsh``: two or three errors in most records (typos in both names, nicknames, other
#: transliterations, names in the other order, dates a digit out, transposed or missing, postcodes moved or
#: missing), the data an analyst dreads.
PROFILES: dict[str, ErrorProfile] = {
    "standard": ErrorProfile(),
    "duplicates": ErrorProfile(duplicate=1.5),
    "harsh": ErrorProfile(
        typo=0.2, nickname=0.12, surname_variant=0.1, name_order_swap=0.05, known_by_middle=0.03,
        first_missing=0.02, surname_missing=0.01, dob_transposed=0.12, dob_digit=0.15,
        dob_first_of_january=0.02, dob_missing=0.06, sex_missing=0.05, sex_wrong=0.01,
        postcode_missing=0.2, postcode_moved=0.3, postcode_typo=0.05, duplicate=0.3,
    ),
}


def profile_named(name: str) -> ErrorProfile:
    """The named profile; an unknown name raises ``KeyError`` listing the names there are."""
    try:
        return PROFILES[name]
    except KeyError:
        raise KeyError(f"there is no world profile called {name!r}; there are {', '.join(PROFILES)}") from None
