"""Plain names for the codes and jargon a bundle uses, so no screen shows ``age_band``, ``F`` or ``dwp``.

Every function here falls back to a readable form of an unknown code (``new_thing`` -> ``New thing``), so a
new breakdown or dataset from the pipeline still reads well before it gets a label of its own.
"""

from __future__ import annotations

import re
from typing import Any

BREAKDOWNS: dict[str, str] = {
    "overall": "Everyone",
    "region": "Region",
    "age_band": "Age",
    "age_group": "Age group",
    "sex": "Sex",
    "sentence_length": "Sentence length",
    "prison_type": "Type of prison",
    "offence_type": "Offence type",
    "offence_group": "Offence",
    "ethnicity": "Ethnic group",
    "course_level": "Course level",
    "completed": "Finished the course or not",
    "prior_qualification": "Qualifications before prison",
    "month": "Month after release",
    "timing": "Timing",
}

#: Group codes by breakdown; ``None`` holds codes that mean the same under any breakdown.
_GROUPS: dict[str | None, dict[str, str]] = {
    "sex": {"F": "Women", "M": "Men"},
    "prison_type": {"private": "Privately run prison", "public": "Publicly run prison"},
    None: {
        "entry": "Entry level", "level1": "Level 1", "level2": "Level 2", "level3": "Level 3",
        "level4_plus": "Level 4 or above", "none": "No qualifications", "unknown": "Not recorded",
        "All": "Everyone",
    },
}

#: Datasets by the department that holds them: what a reader recognises.
DATASETS: dict[str, str] = {
    "prison": "Prisons (HM Prison and Probation Service)",
    "probation": "Probation Service",
    "dfe": "Department for Education",
    "dwp": "Department for Work and Pensions",
    "hmrc": "HM Revenue & Customs",
    "local_authority": "Local councils",
    "reoffending": "Ministry of Justice reoffending data",
}

#: Jargon in pack texts, and the plain words shown instead (longest first, so phrases win over words).
_PLAIN_PHRASES: list[tuple[str, str]] = [
    ("In P45 employment", "In work on a payroll"),
    ("in P45 employment", "in work on a payroll"),
    ("P45 employment", "work on a payroll"),
    ("P45 records", "payroll records"),
]

#: Method wording: a one-line plain explanation for each technical phrase that must stay.
METHOD_PLAIN: list[tuple[str, str]] = [
    ("nearest-neighbour matching", "Each person who took part was paired with one similar person who did "
     "not (same age band, sex, offence, sentence, past offences, qualifications and past work)."),
    ("nearest neighbour", "Each child was paired with one similar child of the same school year, sex and "
     "region."),
    ("Wilson", "The 95% intervals for rates use standard formulas that stay sensible near 0% and 100%."),
    ("t interval", "The 95% intervals for averages use the usual formula for an average of many people."),
]


def breakdown(code: str) -> str:
    """A known plain name, or the code made readable: new breakdowns from the pipeline still read well."""
    return BREAKDOWNS.get(code, code.replace("_", " ").capitalize())


def group(breakdown_code: str, code: str) -> str:
    """A group's plain name: 'F' under sex is 'Women'; 'level1' is 'Level 1'; a plain name stays as it is."""
    named = _GROUPS.get(breakdown_code, {}).get(code) or _GROUPS[None].get(code)
    if named:
        return named if not (code == "All" and breakdown_code != "overall") else code
    if re.fullmatch(r"[a-z0-9_]+", code):
        return code.replace("_", " ").capitalize()
    return code


def dataset(code: str) -> str:
    return DATASETS.get(code, code.replace("_", " ").capitalize())


def plain(text: str) -> str:
    """Pack text with its jargon swapped for plain words (the glossary still explains the old term)."""
    for jargon, words in _PLAIN_PHRASES:
        text = text.replace(jargon, words)
    return text


def method_lines(method: str) -> list[str]:
    """The plain explanation of a method, one line per technique it names, before the technical wording."""
    return [line for phrase, line in METHOD_PLAIN if phrase.lower() in method.lower()]


_DECLARED_UNITS = {"share": "%", "percent": "%", "days": "days", "people": "people"}


def unit(finding: Any, kind: str, estimate: Any = None) -> str:
    """The unit of a finding's figures. A unit declared in the bundle wins (a cell's own first: one finding
    can hold a share and an average of days); otherwise it is read from the measure's own words ('Days on
    ...' is days), and a rate is a percentage."""
    declared = getattr(estimate, "unit", None) or getattr(finding, "unit", None)
    if isinstance(declared, str) and declared:
        named = _DECLARED_UNITS.get(declared, declared)
        if named == "people" and "child" in getattr(finding, "measure", "").lower():
            return "children"
        return named
    if kind == "proportion":
        return "%"
    measure = getattr(finding, "measure", "").lower()
    if kind == "count":
        return "children" if "child" in measure else "people"
    if "day" in measure:
        return "days"
    if "%" in measure or "per cent" in measure:
        return "%"
    if "£" in measure or "pay" in measure or "earn" in measure:
        return "£"
    return ""


def difference_unit(finding: Any, kind: str, estimate: Any = None) -> str:
    """A gap between two percentages is in percentage points ('points' on screen); else the figure's unit."""
    if kind == "proportion":
        return "points"
    u = unit(finding, kind, estimate)
    return "points" if u == "%" else u


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def clear_word(value: bool | None) -> str:
    """The verdict in words: whether the 95% interval leaves out 'no difference'."""
    return "" if value is None else ("clear" if value else "not clear")


def is_clear(estimate: Any) -> bool | None:
    """The 'clear' verdict after adjustment for many comparisons where the bundle has one; else ``significant``
    (which the contract defines as that verdict)."""
    if getattr(estimate, "exploratory", False) is True:
        return None  # a breakdown defined by the treatment itself carries no verdict
    for name in ("clear", "significant_adjusted"):
        value = getattr(estimate, name, None)
        if isinstance(value, bool):
            return value
    return getattr(estimate, "significant", None)


def estimate_notes(estimates: Any) -> list[str]:
    """Whom each row is about, or why it is not shown, where the bundle says (newer bundles do)."""
    notes: dict[str, None] = {}
    for e in estimates:
        note = getattr(e, "note", None)
        if isinstance(note, str) and note.strip():
            notes.setdefault(f"{group(e.breakdown, e.group)}: {note.strip()}", None)
    return list(notes)


def comparisons_line(manifest: Any) -> str | None:
    """How many comparisons the bundle holds and how many are clear, where the manifest says (newer bundles)."""
    info = getattr(manifest, "comparisons", None)
    if info is None:
        return None
    total, clear = getattr(info, "comparisons", None), getattr(info, "clear", None)
    if not isinstance(total, int) or not isinstance(clear, int):
        return None
    plain_lines = getattr(info, "plain", None)
    if isinstance(plain_lines, list) and plain_lines:
        # The bundle says it in its own words (with the counts): saying it twice only adds to the reading.
        return " ".join(str(line) for line in plain_lines)
    return (f"This bundle makes {total:,} comparisons; {clear:,} are clear after allowing for how many there "
            "are, so a few clear ones may still be chance.")


def not_computed_lines(manifest: Any) -> list[str]:
    """Packs the bundle could not compute in full, and why, where the manifest says (newer bundles)."""
    lines = []
    for item in getattr(manifest, "not_computed", None) or []:
        title, reason = getattr(item, "title", ""), getattr(item, "reason", "")
        missing = getattr(item, "missing", None) or []
        names = ", ".join(dataset(m) for m in missing)
        partly = "in part" if getattr(item, "computed", False) else "at all"
        lines.append(f"{title}: not computed {partly}" + (f" (no records from {names})" if names else "")
                     + (f". {reason}" if reason else "."))
    return lines


def balance_sentence(ok: bool) -> str:
    """The overall row's balance in words. Balance is checked on the recorded measures only, within a limit the
    caveats name, so the sentence points there rather than claiming the groups were alike in every way."""
    if ok:
        return ("After matching, the two groups were within the balance limit on every recorded measure checked; "
                "the caveats say what was checked and what could not be.")
    return "After matching, the groups still differed on some recorded measures: read the difference with care."
