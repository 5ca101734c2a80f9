"""The standard extract layout BOLD reads, written down once: identifier names, the fields each pack reads
with their types, the packs' code lists, and the well-known other names people give identifier columns.

An extract in another layout is brought to this one by a map file (``mapping``); validation (``validate``)
checks an extract against it before any work starts.
"""

from __future__ import annotations

#: The identifier columns of the outside contract, with what each means in a sentence.
IDENTIFIERS: dict[str, str] = {
    "first_name": "first name",
    "middle_names": "middle names",
    "surname": "surname",
    "date_of_birth": "date of birth",
    "sex": "sex",
    "postcode": "postcode",
}

#: Identifiers whose absence weakens linkage most: without them a person is matched on little else.
KEY_IDENTIFIERS = ("first_name", "surname", "date_of_birth")

#: Other names for a standard column, seen in real extracts and in Splink's own examples. Without a map, an
#: extract lacking the standard column but holding exactly one of these uses it, with a notice.
ALIASES: dict[str, tuple[str, ...]] = {
    "record_id": ("unique_id", "record_ref", "recordid", "row_id"),
    "first_name": ("forename", "forenames", "given_name", "firstname", "first_names"),
    "middle_names": ("middle_name", "middlename", "other_forenames"),
    "surname": ("last_name", "lastname", "family_name"),
    "date_of_birth": ("dob", "birth_date", "birthdate", "date_birth"),
    "sex": ("gender", "sex_code"),
    "postcode": ("post_code", "postal_code", "zip"),
}

#: Every column an extract must hold, whatever else it has.
REQUIRED = ("record_id",)

#: Parent identifiers on the councils' extract (a child's record naming a parent).
PARENT_IDENTIFIERS = ("parent_first_name", "parent_surname", "parent_date_of_birth", "parent_postcode")

#: The fields the packs read from each extract, with their type: ``date``, ``int``, ``float``, ``bool``,
#: ``text`` or ``courses`` (a list of courses, each with a type, sector, level and whether completed).
FIELDS: dict[str, dict[str, str]] = {
    "prison": {
        "ethnicity": "text", "age_at_release": "int", "prison_name": "text", "prison_type": "text",
        "region": "text", "offence_group": "text", "sentence_months": "int", "release_date": "date",
        "prior_offences": "int", "accommodation_need": "bool", "social_ties": "text",
        "substance_misuse_need": "bool", "employed_before_custody": "bool", "children_declared": "int",
        "courses": "courses",
    },
    "probation": {
        "accommodation_date": "date", "benefits_support_date": "date", "gp_registration_date": "date",
        "substance_treatment_date": "date", "employment_support_date": "date", "self_reported_wellbeing": "int",
    },
    "dfe": {
        "record_type": "text", "highest_qualification": "text", "school_year": "int", "region": "text",
        "attendance_rate": "float", "persistent_absence": "bool", "suspensions": "int",
        "permanent_exclusion": "bool", "attainment_expected": "bool",
    },
    "dwp": {
        "uc_claim_date": "date", "first_payment_date": "date", "out_of_work_benefit_days_12m": "int",
        "employment_programme_start": "date",
    },
    "hmrc": {"start_date": "date", "end_date": "date", "pay_band": "text"},
    "local_authority": {
        "parent_first_name": "text", "parent_surname": "text", "parent_date_of_birth": "text",
        "parent_postcode": "text", "children_in_need": "bool", "early_help": "bool",
    },
    "reoffending": {"offence_date": "date", "offence_group": "text"},
}

#: Fields without which an extract's rows mean nothing to the packs: refused when missing.
ESSENTIAL: dict[str, tuple[str, ...]] = {
    "prison": ("release_date", "age_at_release", "sentence_months"),
    "reoffending": ("offence_date",),
    "hmrc": ("start_date",),
    "dfe": ("record_type",),
}

_REGIONS = ("East Midlands", "East of England", "London", "North East", "North West", "South East", "South West",
            "Wales", "West Midlands", "Yorkshire and The Humber")
_OFFENCES = ("Burglary", "Damage and arson", "Drug offences", "Fraud", "Other offences", "Possession of weapons",
             "Public order offences", "Robbery", "Sexual offences", "Summary motoring", "Theft offences",
             "Violence against the person")
_LEVELS = ("entry", "level1", "level2", "level3")

#: The packs' code lists: the values each coded field may take (null is always allowed). ``courses.type``
#: names a field inside each course.
CODES: dict[str, tuple[str, ...]] = {
    "sex": ("M", "F"),
    "region": _REGIONS,
    "offence_group": _OFFENCES,
    "ethnicity": ("Asian", "Black", "Mixed", "Other", "White"),
    "prison_type": ("private", "public"),
    "social_ties": ("moderate", "strong", "weak"),
    "record_type": ("adult_attainment", "pupil"),
    "highest_qualification": ("none",) + _LEVELS + ("level4_plus",),
    "pay_band": ("under_10k", "10k_to_20k", "20k_to_30k", "30k_and_over"),
    "courses.type": ("english", "higher_education", "maths", "vocational", "work_in_prison"),
    "courses.sector": ("catering", "cleaning", "construction", "gardens", "hospitality", "kitchens", "laundry",
                       "warehousing", "workshops"),
    "courses.level": _LEVELS,
}

#: The fields inside each course, in order, with their DuckDB types.
COURSE_FIELDS = (("type", "VARCHAR"), ("sector", "VARCHAR"), ("level", "VARCHAR"), ("completed", "BOOLEAN"))


def field_type(dataset: str, column: str) -> str | None:
    """The standard type of ``column`` in ``dataset``'s extract, or None for a column BOLD does not read."""
    if column in IDENTIFIERS or column == "record_id":
        return "text"
    return FIELDS.get(dataset, {}).get(column)


def known_columns(dataset: str) -> set[str]:
    return set(IDENTIFIERS) | {"record_id"} | set(FIELDS.get(dataset, {}))
