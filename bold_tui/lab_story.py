"""The anonymisation lab's words: the attack told a step at a time, and what each protection does.

Why apart from the engine: ``linkage_core.disclosure.lab`` publishes the tables and runs the attack as data
(what was read, what could be worked out, what was learned). How a trainer's room hears it -- short,
person-first sentences that fit 80 columns -- is the app's job, so the words live here beside the screen
(``bold_tui.screens.lab``) and can change without touching the method.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from linkage_core.disclosure.lab import (
    MEASURES,
    POPULATION,
    ROUNDING_BASE,
    SOUTH,
    TARGET,
    TARGET_TOWN,
    THRESHOLD,
    TOTAL,
    AttackResult,
    Entry,
    Measure,
    ProtectionName,
    Protections,
    Reading,
    Recovered,
    Row,
)

TABLE_SHORT: Mapping[str, str] = {"t1": "table 1", "t2": "table 2"}


@dataclass(frozen=True)
class ProtectionInfo:
    """How the lab names and explains one protection: a short name, and what it does in one line."""

    name: ProtectionName
    title: str
    does: str


PROTECTIONS: tuple[ProtectionInfo, ...] = (
    ProtectionInfo("threshold", "Threshold", f"hide any row about fewer than {THRESHOLD} people"),
    ProtectionInfo("rounding", "Rounding", f"round every count to the nearest {ROUNDING_BASE}"),
    ProtectionInfo("secondary", "Secondary suppression", "hide more, so small groups can't be worked out"),
    ProtectionInfo("cell_key", "Cell key", "nudge each count by a small fixed amount"),
)


def protection_does(protections: Protections, name: ProtectionName) -> str:
    """What a protection does with the others as they are set: rounding and the cell key work together."""
    if protections.rounding and protections.cell_key:
        if name == "rounding":
            return f"round every count up or down to a multiple of {ROUNDING_BASE}"
        if name == "cell_key":
            return "a fixed key picks up or down for each count"
    return next(info.does for info in PROTECTIONS if info.name == name)


def protection_note(protections: Protections, name: ProtectionName) -> str:
    """Why a switched-on protection is doing nothing, in a few words; empty when it is working."""
    if name == "secondary" and protections.secondary and not protections.threshold:
        return "needs the threshold"
    return ""


@dataclass(frozen=True)
class Step:
    """One step of the attack: a short title, what happens in plain words, and the rows it looks at."""

    title: str
    text: str
    reads: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class Story:
    """The attack for one setting of the protections, ready to be shown a step at a time."""

    result: AttackResult
    steps: tuple[Step, ...]
    summary: str


def facts(recovered: Recovered) -> tuple[str, ...]:
    """What the attack learned about the target, as short phrases."""
    out = []
    if recovered.did_course is not None:
        out.append("did the course" if recovered.did_course else "did not do the course")
    if recovered.in_work is not None:
        out.append("is in work" if recovered.in_work else "is not in work")
    return tuple(out)


def _and(items: tuple[str, ...] | list[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _figures(values: Mapping[Measure, int | None]) -> str:
    return f"{values['people']} people, {values['course']} did the course, {values['work']} in work"


def _blur(p: Protections) -> str:
    if p.cell_key and p.rounding:
        return f" Each count was rounded up or down to a multiple of {ROUNDING_BASE}; a fixed key chose which way."
    if p.cell_key:
        return " Each count was nudged by a small fixed amount."
    if p.rounding:
        return f" Each count was rounded to the nearest {ROUNDING_BASE}."
    return ""


def _read_step(result: AttackResult, reading: Reading) -> Step:
    table = result.publication.table(reading.table_id)
    name = TABLE_SHORT[reading.table_id]
    title = f"Read {TARGET_TOWN} in {name}"
    if reading.via == "shown":
        return Step(title, f"{TARGET_TOWN} in {name}: {_figures(reading.values)}.{_blur(result.protections)}",
                    reading.reads)
    text = f"{TARGET_TOWN} is hidden in {name}: it shows [c]. "
    if reading.via == "blocked":
        blocked = SOUTH if reading.blocked_by == SOUTH else "the total"
        return Step(title, text + f"The total minus {SOUTH} would give it, but {blocked} is hidden too.",
                    reading.reads)
    total: Row = table.row(TOTAL)
    other: Row = table.row(SOUTH)
    text += (f"But the total minus {SOUTH} gives it: {total.people} − {other.people} = "
             f"{reading.values['people']} people, and so on.")
    return Step(title, text, reading.reads)


def summary(result: AttackResult) -> str:
    if result.recovered is not None:
        return f"Attack worked: the tables gave away that {result.recovered.person} {_and(facts(result.recovered))}."
    people = result.gap["people"]
    return (f"Attack failed: the figures could be anything from {people.low} to {people.high} people "
            f"under 25 in {TARGET_TOWN}. {TARGET} cannot be picked out.")


def tell(result: AttackResult) -> Story:
    """The attack as steps a trainer reads out, from what the engine found."""
    protections, gap, recovered = result.protections, result.gap, result.recovered
    steps = [
        Step("Two tables",
             f"Two tables come from the same {len(POPULATION)} made-up people released from prison. "
             "Table 1 counts everyone, by town. Table 2 counts only people aged 25 and over. "
             f"Every row counts {THRESHOLD} or more people, so each table looks safe on its own."),
        Step("What the attacker knows",
             f"Someone knows their neighbour {TARGET}: 22 years old, released to {TARGET_TOWN}. "
             f"They want to find out whether {TARGET} did the course and found work. "
             f"The tables never name {TARGET}. Can they still give {TARGET} away?"),
        *(_read_step(result, reading) for reading in result.readings),
    ]
    first, second = (reading.values for reading in result.readings)
    both = (("t1", TARGET_TOWN), ("t2", TARGET_TOWN))
    people = gap["people"]
    if first is not None and second is not None:
        sums = f"{first['people']} − {second['people']} = {first['people'] - second['people']}"
        text = f"Table 1 minus table 2 leaves the people under 25 in {TARGET_TOWN}: {sums}."
        if people.exact:
            text += " Nothing blurs it: that figure is exact."
        else:
            why = ("every count may be up to 4 out" if protections.cell_key and protections.rounding else
                   "every count may be nudged" if protections.cell_key else "every count may be up to 2 out")
            text += f" But {why}, so the true number could be {people} people."
    else:
        text = (f"There is nothing to take away. The number of people under 25 in {TARGET_TOWN} could be "
                f"{people} people.")
    steps.append(Step("Take one table from the other", text, both))

    if recovered is not None:
        lines = []
        if people.exact and people.low == 1:
            lines.append(f"Only one person under 25 was released to {TARGET_TOWN}. The attacker knows "
                         f"{TARGET} is one, so this is {TARGET}.")
        if first is not None and second is not None:
            for m, fact in (("course", recovered.did_course), ("work", recovered.in_work)):
                if fact is not None:
                    what = {"course": "Did the course", "work": "In work"}[m]
                    lines.append(f"{what}: {first[m]} − {second[m]} = {first[m] - second[m]}.")
        lines.append(f"Attack worked: {TARGET} {_and(facts(recovered))}. {TARGET} never agreed to share that.")
        steps.append(Step(f"What it gives away about {TARGET}", " ".join(lines), both))
    else:
        course, work = gap["course"], gap["work"]
        steps.append(Step(
            "The attempt fails",
            f"Attack failed: the figures could be anything from {people.low} to {people.high} people under 25 "
            f"in {TARGET_TOWN}. Of them, {course.low} to {course.high} did the course and {work.low} to "
            f"{work.high} are in work. {TARGET} cannot be picked out.", both))
    steps.append(Step("Why", _lesson(result)))
    return Story(result, tuple(steps), summary(result))


def _lesson(result: AttackResult) -> str:
    """Why it worked or failed with these switches: the point a trainer wants the room to take away."""
    p, pub = result.protections, result.publication
    parts = []
    if result.succeeded:
        if not p.any_on:
            parts.append("No protection was on. Two tables that each look safe gave a person away when one "
                         "was taken from the other. Switch a protection on and run the attack again.")
        if p.threshold:
            parts.append(f"The threshold did not help: every published row has {THRESHOLD} or more people. "
                         "The small group was in the gap between the tables.")
        if p.secondary and not p.threshold:
            parts.append("Secondary suppression protects groups the threshold calls small. With the "
                         "threshold off, nothing counts as small, so nothing more was hidden.")
        return " ".join(parts)
    if p.secondary_works and pub.secondary:
        rows = len(pub.secondary)
        parts.append(f"Secondary suppression hid {rows} more row{'s' if rows != 1 else ''}, so the small group "
                     "cannot be worked out by taking one figure from another. The cost: fewer figures to read.")
    if p.cell_key and p.rounding:
        parts.append("The cell key chose whether each count rounded up or down. The two Northtown rows hold "
                     "different people, so their choices are unrelated. Asking again gives the same figures, "
                     "so averaging does not help. BOLD's bundles are published this way.")
    elif p.cell_key:
        parts.append("The cell key nudged every count. The two Northtown rows hold different people, so their "
                     "nudges are unrelated. Asking again gives the same figures, so averaging does not help.")
    elif p.rounding:
        parts.append("Rounding blurred the gap this time. It is not a full defence: when one person tips a "
                     "count over a rounding step, the figures can still give them away.")
    return " ".join(parts)


__all__ = ["MEASURES", "PROTECTIONS", "ProtectionInfo", "Step", "Story", "facts", "protection_does",
           "protection_note", "summary", "tell"]
