"""Plain names for the codes a bundle uses, so no screen shows ``age_band`` to a probation officer."""

from __future__ import annotations

BREAKDOWNS: dict[str, str] = {
    "overall": "Everyone",
    "region": "Region",
    "age_band": "Age",
    "sex": "Sex",
    "sentence_length": "Sentence length",
    "prison_type": "Type of prison",
    "offence_type": "Offence type",
    "ethnicity": "Ethnic group",
}


def breakdown(code: str) -> str:
    """A known plain name, or the code made readable: new breakdowns from the pipeline still read well."""
    return BREAKDOWNS.get(code, code.replace("_", " ").capitalize())


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")
