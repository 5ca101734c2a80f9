"""The anonymisation lab's engine: made-up people, two published tables, and a differencing attack.

Why it exists: trainers need to show, not just say, why a tool that only publishes group figures still
rounds, hides and adjusts them. Two tables that each look safe can give one person away when one is taken
from the other. This module publishes the tables with each protection switchable and runs that attack,
returning what the attacker reads and learns as data. The words for the screen (each step, the summary,
the lesson) live with the app, in ``bold_tui.lab_story``. Everything here is synthetic: no real person is in it.

What is the pipeline's own code: the record keys, cell keys, ptable and rounding come from
``linkage_core.disclosure.perturbation``, the pure-Python module the pipeline's ``cellkey`` and ``apply()``
publish bundles with, so the lab cannot drift from how bundles are made.

What is the lab's own, and why: the attacker (``attacker_ranges``) and secondary suppression
(``secondary_suppression``). The pipeline's versions (``linkage_core.disclosure.secondary``) solve linear
programmes with numpy and scipy, and the lab ships in the reader install (textual, rich, pydantic,
cryptography), which has neither. For the lab's one tiny table shape the same bounds are found by search and
the same steps are taken; ``tests/test_lab.py`` checks both against ``secondary.attacker_bounds``.

Where the lab is simpler than the pipeline, on purpose, so a trainer can explain it in a sentence:

- The threshold is about group size: a row describing fewer than 10 people is hidden. (The pipeline also
  checks the counts inside a group.)
- Secondary suppression treats the two tables and the gap between them (the people under 25) as one table
  with totals, as linked-table protection does. A group in the gap that is under the threshold must not be
  workable-out to within ``REQUIRED_DOUBT`` people, so more rows are hidden until it is not. It needs the
  threshold: with the threshold off, no group counts as small.
- As in BOLD's bundles (``apply()`` with ``ptable_for``), rounding and the cell key together mean each count
  is rounded up or down to a multiple of 5, with the cell key choosing which way.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from linkage_core.disclosure import perturbation
from linkage_core.disclosure.perturbation import PTable, ptable_for

# -- the made-up people ----------------------------------------------------------------------------------------

THRESHOLD = 10
ROUNDING_BASE = 5
#: A group the threshold protects must stay uncertain by at least this many people (as ``default_protection``:
#: no better known than a count rounded to base 5).
REQUIRED_DOUBT = ROUNDING_BASE - 1
#: The secret behind the lab's record keys. It is public because the people are made up; a real one never is.
LAB_KEY_SECRET = "bold-anonymisation-lab-synthetic-only"

NORTH, SOUTH, TOTAL = "Northtown", "Southtown", "Total"
TOWNS = (NORTH, SOUTH)
ROWS = (NORTH, SOUTH, TOTAL)
Measure = Literal["people", "course", "work"]
MEASURES: tuple[Measure, ...] = ("people", "course", "work")
MEASURE_HEADINGS: Mapping[Measure, str] = {"people": "People", "course": "Did course", "work": "In work"}

TARGET = "Sam"
TARGET_TOWN = NORTH


@dataclass(frozen=True)
class Person:
    """One made-up person released from prison: where they went, their age, the course, and work after."""

    name: str
    town: str
    age: int
    did_course: bool
    in_work: bool

    @property
    def under_25(self) -> bool:
        return self.age < 25


def _people(town: str, spec: str) -> tuple[Person, ...]:
    """Each item is ``Name:age:course:work`` with y/n flags: short enough to read the whole population."""
    out = []
    for item in spec.split():
        name, age, course, work = item.split(":")
        out.append(Person(name, town, int(age), course == "y", work == "y"))
    return tuple(out)


#: 58 made-up people. Sam is the only person under 25 released to Northtown: that is what the attack uses.
POPULATION: tuple[Person, ...] = (
    _people(NORTH, """
        Sam:22:y:n
        Alex:31:y:y Amir:44:y:y Bea:27:y:y Bilal:38:y:y Cara:52:y:y Chen:29:y:n Dana:35:y:n Dev:47:y:n
        Eli:26:y:n Erin:33:y:n Femi:41:y:n Gus:58:n:y Hana:28:n:y Ivo:36:n:y Jade:45:n:y Kai:30:n:y
        Lena:39:n:y Milo:50:n:n Nia:27:n:n Omar:34:n:n Pia:43:n:n Raj:60:n:n
    """)
    + _people(SOUTH, """
        Aled:19:y:y Bo:21:y:y Cleo:23:y:n Dex:24:y:n Ezra:20:y:n Fay:18:n:y Gil:22:n:y Isla:23:n:n
        Jon:24:n:n Kit:21:n:n Lux:20:n:n
        Ada:26:y:y Ben:32:y:y Cy:40:y:y Dot:48:y:y Ed:29:y:y Flo:37:y:y Geo:55:y:y Hal:31:y:n
        Ida:42:y:n Jay:27:y:n Kim:36:y:n Lou:46:y:n Max:33:n:y Ned:51:n:y Oli:28:n:y Pat:39:n:y
        Quin:44:n:y Rae:30:n:y Sol:57:n:n Tam:35:n:n Uma:41:n:n Val:26:n:n Wyn:49:n:n Zed:38:n:n
    """)
)


# -- record keys, cell keys, the ptable and rounding: the pipeline's own rules ---------------------------------

def record_key(name: str, secret: str = LAB_KEY_SECRET) -> int:
    """A person's fixed record key, in units of 2**-32, exactly as the pipeline derives them."""
    return perturbation.record_key_units(name, secret)


def cell_key(people: tuple[Person, ...] | list[Person]) -> float:
    """The cell key of a group: its members' record keys summed modulo 1 (exact, whatever the order)."""
    return perturbation.cell_key_units(record_key(p.name) for p in people)


def ptable(rounding: bool = False) -> PTable:
    """The ptable a bundle's policy uses: random rounding to base 5 with rounding on, small nudges without."""
    return ptable_for(ROUNDING_BASE if rounding else 1, THRESHOLD)


def ptable_adjustment(count: int, key: float, rounding: bool = False) -> int:
    """The fixed adjustment for a count and cell key, from the pipeline's ptable."""
    return ptable(rounding).adjustment(count, key)


def round_to_base(count: int, base: int = ROUNDING_BASE) -> int:
    """Nearest multiple of ``base``, halves up: the pipeline's rounding rule."""
    return perturbation.round_to_base(count, base)


# -- protections --------------------------------------------------------------------------------------------

ProtectionName = Literal["threshold", "rounding", "secondary", "cell_key"]
PROTECTION_NAMES: tuple[ProtectionName, ...] = ("threshold", "rounding", "secondary", "cell_key")


@dataclass(frozen=True)
class Protections:
    """Which protections are switched on. Off by default: the lab starts by showing the attack working."""

    threshold: bool = False
    rounding: bool = False
    secondary: bool = False
    cell_key: bool = False

    @classmethod
    def all_on(cls) -> Protections:
        return cls(True, True, True, True)

    def toggled(self, name: ProtectionName) -> Protections:
        if name not in PROTECTION_NAMES:
            raise ValueError(f"no protection called {name!r}")
        return replace(self, **{name: not getattr(self, name)})

    @property
    def any_on(self) -> bool:
        return any(getattr(self, name) for name in PROTECTION_NAMES)

    @property
    def secondary_works(self) -> bool:
        """Secondary suppression protects what the threshold calls small; alone it has nothing to protect."""
        return self.secondary and self.threshold


# -- the tables ---------------------------------------------------------------------------------------------

Entry = tuple[str, str]  # (table id, row label)

TABLE_TITLES: Mapping[str, str] = {"t1": "Table 1: everyone", "t2": "Table 2: aged 25 and over"}

#: The lab's tables as one table with totals. Inner cells: (gap, Northtown), (table 2, Northtown),
#: (gap, Southtown), (table 2, Southtown). Each entry is the sum of the inner cells marked 1.
_COEF: Mapping[Entry, tuple[int, int, int, int]] = {
    ("gap", NORTH): (1, 0, 0, 0), ("t2", NORTH): (0, 1, 0, 0),
    ("gap", SOUTH): (0, 0, 1, 0), ("t2", SOUTH): (0, 0, 0, 1),
    ("gap", TOTAL): (1, 0, 1, 0), ("t2", TOTAL): (0, 1, 0, 1),
    ("t1", NORTH): (1, 1, 0, 0), ("t1", SOUTH): (0, 0, 1, 1), ("t1", TOTAL): (1, 1, 1, 1),
}
PUBLISHED: tuple[Entry, ...] = tuple((t, r) for t in ("t1", "t2") for r in ROWS)
UNPUBLISHED: tuple[Entry, ...] = tuple(("gap", r) for r in ROWS)
#: Each line: the parts add up to the last entry. Rows: under 25 + 25 and over = everyone; columns: towns = total.
LINES: tuple[tuple[Entry, ...], ...] = (
    *((("gap", r), ("t2", r), ("t1", r)) for r in ROWS),
    *(((t, NORTH), (t, SOUTH), (t, TOTAL)) for t in ("gap", "t2", "t1")),
)
_TOTALS = {line[-1] for line in LINES}


def members(entry: Entry) -> tuple[Person, ...]:
    """The made-up people an entry counts."""
    table, row = entry
    out = []
    for person in POPULATION:
        if row != TOTAL and person.town != row:
            continue
        if (table == "t2" and person.under_25) or (table == "gap" and not person.under_25):
            continue
        out.append(person)
    return tuple(out)


def _with(people: tuple[Person, ...], measure: Measure) -> tuple[Person, ...]:
    if measure == "course":
        return tuple(p for p in people if p.did_course)
    if measure == "work":
        return tuple(p for p in people if p.in_work)
    return people


def true_counts() -> dict[Entry, dict[Measure, int]]:
    """The true counts of every entry, the gap included. Only the secure stage ever sees these."""
    return {entry: {m: len(_with(members(entry), m)) for m in MEASURES} for entry in _COEF}


@dataclass(frozen=True)
class Row:
    """One published row: a count per measure, or ``None`` where the row is hidden (shown as ``[c]``)."""

    label: str
    people: int | None
    course: int | None
    work: int | None

    @property
    def hidden(self) -> bool:
        return self.people is None

    def value(self, measure: Measure) -> int | None:
        return getattr(self, measure)

    def cell(self, measure: Measure) -> str:
        """The text a reader sees: the count, or ``[c]`` (the government statistical symbol) when hidden."""
        value = self.value(measure)
        return "[c]" if value is None else str(value)


@dataclass(frozen=True)
class Table:
    """One published table: a row for each town and a total row."""

    id: str
    title: str
    rows: tuple[Row, ...]

    def row(self, label: str) -> Row:
        for row in self.rows:
            if row.label == label:
                return row
        raise KeyError(label)

    @property
    def hidden_rows(self) -> int:
        return sum(row.hidden for row in self.rows)


# -- what the attacker can work out ------------------------------------------------------------------------

#: Largest count the attacker allows for a group when nothing caps it (only if the grand total were hidden).
_CAP = 100


def _solutions(known: Mapping[Entry, frozenset[int]]) -> Iterator[tuple[int, int, int, int]]:
    """Every set of inner cells consistent with what is known (for one measure): the attacker's search."""
    def candidates(entry: Entry, already: int, room: int) -> list[int]:
        if entry in known:
            return sorted(v - already for v in known[entry] if v >= already)
        return list(range(room + 1))

    cap = max(known[("t1", TOTAL)]) if ("t1", TOTAL) in known else _CAP
    for b in candidates(("t2", NORTH), 0, cap):
        for d in candidates(("t2", SOUTH), 0, cap - b):
            if ("t2", TOTAL) in known and b + d not in known[("t2", TOTAL)]:
                continue
            for a in candidates(("t1", NORTH), b, cap - b - d):
                for c in candidates(("t1", SOUTH), d, cap - a - b - d):
                    if ("t1", TOTAL) in known and a + b + c + d not in known[("t1", TOTAL)]:
                        continue
                    yield a, b, c, d


@dataclass(frozen=True)
class Range:
    """The values a figure could take, given what is published. Exact when both ends agree."""

    low: int
    high: int

    @property
    def exact(self) -> bool:
        return self.low == self.high

    @property
    def width(self) -> int:
        return self.high - self.low

    def __str__(self) -> str:
        return str(self.low) if self.exact else f"anything from {self.low} to {self.high}"


def attacker_ranges(known: Mapping[Entry, frozenset[int]]) -> dict[Entry, Range]:
    """For one measure: the smallest and largest value of every entry the attacker cannot rule out.

    ``known`` maps each shown entry to the true values that could lie behind its published figure; hidden
    and unpublished entries are left out. The same bounds as ``secondary.attacker_bounds`` (a linear
    programme), found here by search because the lab's table is tiny and must not need scipy.
    """
    low: dict[Entry, int] = {}
    high: dict[Entry, int] = {}
    for cells in _solutions(known):
        for entry, coef in _COEF.items():
            v = sum(x * c for x, c in zip(cells, coef))
            if entry not in low or v < low[entry]:
                low[entry] = v
            if entry not in high or v > high[entry]:
                high[entry] = v
    if not low:
        raise ValueError("nothing is consistent with the published figures")
    return {entry: Range(low[entry], high[entry]) for entry in _COEF}


def _possible_true(published: int, measure: Measure, p: Protections) -> frozenset[int]:
    """True counts that could have been published as ``published``, to someone who knows the rules."""
    if p.cell_key:
        found = {c for c in range(0, published + ROUNDING_BASE + 3)
                 if any(c + a == published and chance > 0 for a, chance in ptable(p.rounding).row(c))}
    elif p.rounding:
        found = {c for c in range(max(0, published - ROUNDING_BASE), published + ROUNDING_BASE + 1)
                 if round_to_base(c) == published}
    else:
        found = {published}
    if p.threshold and measure == "people":  # a shown row is about at least the threshold
        found = {c for c in found if c >= THRESHOLD}
    return frozenset(found)


# -- publishing -------------------------------------------------------------------------------------------

def _price(entry: Entry, truth: Mapping[Entry, Mapping[Measure, int]]) -> tuple:
    """Which row to hide first: parts before totals, then the fewest people, then a fixed order."""
    return (entry in _TOTALS, truth[entry]["people"], PUBLISHED.index(entry))


def _exact_ranges(truth: Mapping[Entry, Mapping[Measure, int]], hidden: set[Entry]) -> dict[Measure, dict]:
    return {m: attacker_ranges({e: frozenset({truth[e][m]}) for e in PUBLISHED if e not in hidden})
            for m in MEASURES}


def _weak(sensitive: set[Entry], ranges: Mapping[Measure, Mapping[Entry, Range]]) -> Entry | None:
    for entry in sorted(sensitive):
        if any(ranges[m][entry].width < REQUIRED_DOUBT for m in MEASURES):
            return entry
    return None


def _doubt(entry: Entry, ranges: Mapping[Measure, Mapping[Entry, Range]]) -> int:
    return min(ranges[m][entry].width for m in MEASURES)


def secondary_suppression(truth: Mapping[Entry, Mapping[Measure, int]], primary: set[Entry],
                          sensitive: set[Entry]) -> set[Entry]:
    """Published rows to hide so no sensitive group can be worked out to within ``REQUIRED_DOUBT`` people.

    The same steps as ``secondary.protect``, on the true counts (the attacker's best case: published figures
    taken as exact): first, no line may have exactly one unknown entry that matters (a plain subtraction);
    then, while a sensitive group is pinned too closely, hide the cheapest row that widens it enough, else
    the one that widens it most, else the cheapest row beside it.
    """
    hidden = set(primary)
    for _ in range(4 * len(PUBLISHED)):
        changed = False
        for line in LINES:
            unknown = [e for e in line if e in hidden or e in UNPUBLISHED]
            shown = [e for e in line if e not in unknown]
            if len(unknown) == 1 and shown and (unknown[0] in hidden or unknown[0] in sensitive):
                hidden.add(min(shown, key=lambda e: _price(e, truth)))
                changed = True
        if changed:
            continue
        ranges = _exact_ranges(truth, hidden)
        weak = _weak(sensitive, ranges)
        if weak is None:
            break
        pool = sorted((e for e in PUBLISHED if e not in hidden), key=lambda e: _price(e, truth))
        if not pool:
            break
        now = _doubt(weak, ranges)
        best, best_doubt = None, now
        for candidate in pool:
            doubt = _doubt(weak, _exact_ranges(truth, hidden | {candidate}))
            if doubt >= REQUIRED_DOUBT:
                best = candidate
                break
            if doubt > best_doubt:
                best, best_doubt = candidate, doubt
        if best is None:
            beside = [e for line in LINES if weak in line for e in line if e in pool]
            best = min(beside or pool, key=lambda e: _price(e, truth))
        hidden.add(best)
    return hidden - set(primary)


@dataclass(frozen=True)
class Publication:
    """What the protections produce: the two tables, and what was hidden and why."""

    protections: Protections
    tables: tuple[Table, Table]
    primary: frozenset[Entry]
    secondary: frozenset[Entry]

    def table(self, table_id: str) -> Table:
        return self.tables[0] if table_id == "t1" else self.tables[1]

    def known(self, measure: Measure) -> dict[Entry, frozenset[int]]:
        """What an attacker who knows the rules can say about each shown figure's true value."""
        out = {}
        for table_id, label in PUBLISHED:
            value = self.table(table_id).row(label).value(measure)
            if value is not None:
                out[(table_id, label)] = _possible_true(value, measure, self.protections)
        return out


def publish(protections: Protections) -> Publication:
    """Publish table 1 and table 2 from the made-up people under the chosen protections.

    The order is that of ``apply()``: decide what to hide on the true counts, then put every shown count in
    its published form (the cell key's adjustment, or rounding, or as it is).
    """
    truth = true_counts()
    primary: set[Entry] = set()
    sensitive: set[Entry] = set()
    if protections.threshold:
        primary = {e for e in PUBLISHED if truth[e]["people"] < THRESHOLD}
        sensitive = set(primary)
        if protections.secondary:
            sensitive |= {e for e in UNPUBLISHED if 0 < truth[e]["people"] < THRESHOLD}
    extra = secondary_suppression(truth, primary, sensitive) if protections.secondary_works else set()
    hidden = primary | extra

    def shown(entry: Entry, measure: Measure) -> int | None:
        if entry in hidden:
            return None
        count = truth[entry][measure]
        if protections.cell_key:
            return count + ptable_adjustment(count, cell_key(_with(members(entry), measure)), protections.rounding)
        if protections.rounding:
            return round_to_base(count)
        return count

    tables = tuple(Table(t, TABLE_TITLES[t], tuple(Row(r, *(shown((t, r), m) for m in MEASURES)) for r in ROWS))
                   for t in ("t1", "t2"))
    return Publication(protections, tables, frozenset(primary), frozenset(extra))  # type: ignore[arg-type]


# -- the attack ------------------------------------------------------------------------------------------

Via = Literal["shown", "difference", "blocked"]


@dataclass(frozen=True)
class Reading:
    """What the attacker reads for the target's town in one table: shown, worked out, or out of reach.

    ``via`` is ``shown`` (the row is published), ``difference`` (hidden, but the total minus the other town
    gives it) or ``blocked`` (hidden, and ``blocked_by`` is hidden too). ``values`` is None when blocked.
    """

    table_id: str
    via: Via
    values: Mapping[Measure, int] | None
    reads: tuple[Entry, ...]
    blocked_by: str | None = None


@dataclass(frozen=True)
class Recovered:
    """What the attack learned about the target person: facts nobody agreed to publish."""

    person: str
    town: str
    did_course: bool | None
    in_work: bool | None


@dataclass(frozen=True)
class AttackResult:
    """The whole attack for one setting of the protections, as data (``bold_tui.lab_story`` tells it)."""

    protections: Protections
    publication: Publication
    readings: tuple[Reading, Reading]
    gap: Mapping[Measure, Range] = field(default_factory=dict)
    recovered: Recovered | None = None

    @property
    def tables(self) -> tuple[Table, Table]:
        return self.publication.tables

    @property
    def succeeded(self) -> bool:
        return self.recovered is not None


def _read(pub: Publication, table_id: str) -> Reading:
    """Read the target's town from one table: directly, or as the total minus the other town when hidden."""
    table = pub.table(table_id)
    row = table.row(TARGET_TOWN)
    if not row.hidden:
        return Reading(table_id, "shown", {m: row.value(m) for m in MEASURES},  # type: ignore[misc]
                       ((table_id, TARGET_TOWN),))
    other, total = table.row(SOUTH), table.row(TOTAL)
    reads = ((table_id, TARGET_TOWN), (table_id, SOUTH), (table_id, TOTAL))
    if other.hidden or total.hidden:
        return Reading(table_id, "blocked", None, reads, SOUTH if other.hidden else TOTAL)
    values = {m: total.value(m) - other.value(m) for m in MEASURES}  # type: ignore[operator]
    return Reading(table_id, "difference", values, reads)


def attack(protections: Protections) -> AttackResult:
    """Run the differencing attack on the tables these protections publish. Same input, same result."""
    pub = publish(protections)
    ranges = {m: attacker_ranges(pub.known(m)) for m in MEASURES}
    gap = {m: ranges[m][("gap", TARGET_TOWN)] for m in MEASURES}
    # Nobody in a group can be counted twice: its course and work counts are at most its size.
    gap = {m: Range(min(r.low, gap["people"].high), min(r.high, gap["people"].high)) for m, r in gap.items()}
    readings = (_read(pub, "t1"), _read(pub, "t2"))
    return AttackResult(protections, pub, readings, gap, _recover(gap))


def _recover(gap: Mapping[Measure, Range]) -> Recovered | None:
    """What the attacker is sure of about the target: a fact is known when every possibility agrees."""
    alone = gap["people"].exact and gap["people"].low == 1

    def fact(measure: Measure) -> bool | None:
        r = gap[measure]
        if r.exact and r.low == 0:
            return False  # nobody in the group has it, so the target does not
        if alone and r.exact:
            return r.low == 1
        return None

    course, work = fact("course"), fact("work")
    if course is None and work is None:
        return None
    return Recovered(TARGET, TARGET_TOWN, course, work)
