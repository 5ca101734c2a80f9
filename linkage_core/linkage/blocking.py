"""Blocking rules chosen from the data at hand, within a budget of comparisons per record.

A fixed list of rules has to be loose enough to catch records with errors and tight enough not to explode
on common names at national scale, and no list is both on every data set. So ``CANDIDATES`` is long,
including rules that survive two errors in one record (sound-alike codes of both names with the birth
year; initials with the postcode district and birth year; a name with part of the date), and the rules used
for each model are picked by measuring how many comparisons each generates *on these tables* (counted as Splink's
blocking analysis counts them, see ``choose_rules``):

* a rule is kept only if it alone generates at most ``RULE_BUDGET`` comparisons per record: on a small
  extract even a date of birth alone passes, on a national one it does not;
* rules are then added in the order listed while all kept rules together stay within ``TOTAL_BUDGET``
  comparisons per record (Splink counts each pair once, so overlapping rules cost only their new pairs),
  and a rule that adds almost no new pairs here (``MIN_NEW_PER_RECORD``) is left out: it costs a join.

The budgets are per record, so comparisons grow linearly with the records whatever the size: a key that
fills up as the cohort grows is dropped when it would cost too much, and the record's other rules keep it.
The choice and its counts are returned, so ``quality.json`` says which rules were used and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from splink import block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator

from linkage_core.linkage.stable import stable_sample

if TYPE_CHECKING:
    from linkage_core.engines import LinkageEngine

#: A rule whose blocks give each record more candidates than this, on average, is too loose here.
RULE_BUDGET = 4.0
#: All of a model's rules together: candidate pairs per record.
TOTAL_BUDGET = 12.0
#: A rule that adds fewer new pairs than this per record, after the rules before it, costs a join for
#: (almost) nothing on this data and is left out.
MIN_NEW_PER_RECORD = 0.001
#: Records sampled per side to count comparisons; small tables are counted exactly.
COUNT_SAMPLE_RECORDS = 60_000


@dataclass(frozen=True)
class Candidate:
    """One candidate rule: what it survives, the columns it needs, and the rule."""

    label: str
    needs: frozenset[str]
    columns: tuple[str, ...] = ()
    sql: str = ""
    undated: tuple[str, ...] = ()   # the keys alone, used when no record has a birth year to compare
    one_generation: bool = False    # only where both sides hold people of one generation (``same_generation``)

    def rule(self) -> BlockingRuleCreator:
        return block_on(*self.columns) if self.columns else CustomRule(self.sql)


def _keyed(label: str, *columns: str) -> Candidate:
    return Candidate(label, frozenset(columns), columns=columns)


def _custom(label: str, needs: set[str], sql: str) -> Candidate:
    return Candidate(label, frozenset(needs), sql=sql)


#: Birth years missing on one side, under ten years apart, or one mistyped digit apart (1930 and 1900). Rules that key on names and an address but no
#: part of the date carry it: a parent and a child of the same name at one address are two people, and those
#: pairs, a generation apart, are the ones a model scoring names and addresses gets wrong.
NEAR_BIRTH = ("(l.dob_y IS NULL OR r.dob_y IS NULL "
               "OR abs(CAST(l.dob_y AS INTEGER) - CAST(r.dob_y AS INTEGER)) < 10 "
               "OR levenshtein(l.dob_y, r.dob_y) <= 1)")


def _undated(label: str, *columns: str) -> Candidate:
    """A rule of equal keys without a date, kept to people born within a generation of each other."""
    return Candidate(label, frozenset({*columns, "dob_y"}), undated=columns,
                     sql=" AND ".join(f"l.{c} = r.{c}" for c in columns) + " AND " + NEAR_BIRTH)


#: In order of preference: tight rules that catch the common single errors first, then rules that survive
#: two errors, then loose rules that only small extracts can afford.
CANDIDATES: tuple[Candidate, ...] = (
    _keyed("date of birth, first name, surname initial (surname mistyped)", "dob", "first_name", "sn_initial"),
    _keyed("date of birth, surname (first name mistyped or a nickname)", "dob", "surname"),
    _keyed("full name, birth year and month (day wrong)", "first_name", "surname", "dob_y", "dob_m"),
    _keyed("full name, birth month and day (year wrong)", "first_name", "surname", "dob_m", "dob_d"),
    _keyed("date of birth, first name, postcode district (surname changed)", "dob", "first_name", "pc_district"),
    _keyed("date of birth, female first name (surname changed)", "dob", "fn_female"),
    _keyed("date of birth, both names' sound codes (both names spelt another way)", "dob", "surname_sx", "fn_sx"),
    _custom("date of birth, names swapped", {"dob", "first_name", "surname"},
            "l.dob = r.dob AND l.first_name = r.surname AND l.surname = r.first_name"),
    _custom("names, birth year, day and month transposed", {"surname", "first_name", "dob"},
            "l.surname = r.surname AND l.dob_y = r.dob_y AND l.dob_m = r.dob_d AND l.dob_d = r.dob_m "
            "AND l.fn_initial = r.fn_initial"),
    _undated("postcode, first initial (date of birth missing or wrong)", "postcode", "fn_initial"),
    _undated("surname, postcode", "surname", "postcode"),
    # Two errors: a typo in each name and a wrong day or month.
    _keyed("both names' sound codes, birth year", "surname_sx", "fn_sx", "dob_y"),
    # Two errors: a wrong date and a typo in one name, at the same address.
    _keyed("initials, postcode district, birth year", "fn_initial", "sn_initial", "pc_district", "dob_y"),
    _keyed("surname, birth month and day (first name and year wrong)", "surname", "dob_m", "dob_d"),
    _keyed("first name, birth month and day (surname and year wrong)", "first_name", "dob_m", "dob_d"),
    _keyed("surname, birth year and month (first name and day wrong)", "surname", "dob_y", "dob_m"),
    _keyed("first name, birth year and month (surname and day wrong)", "first_name", "dob_y", "dob_m"),
    _keyed("date of birth, first name", "dob", "first_name"),
    _keyed("first name sound code, date of birth", "fn_sx", "dob"),
    _keyed("surname sound code, date of birth", "surname_sx", "dob"),
    _keyed("initials, date of birth", "fn_initial", "sn_initial", "dob"),
    _undated("full name (date of birth missing or wrong)", "first_name", "surname"),
    # A date of birth keyed wrong as a whole (another person's, or a default): the full name at the same
    # address, whatever the dates, and the model weighs how far apart the dates are (its m and u say how
    # much). Only where both sides hold people of one generation: between adults and children, the same
    # name at the same address with dates a generation apart is a parent and a child (``same_generation``).
    Candidate("full name, postcode (any date of birth; both sides one generation)",
              frozenset({"first_name", "surname", "postcode", "dob_y"}), columns=("first_name", "surname", "postcode"),
              one_generation=True),
    # The same, surviving a typo in one name too: the same address and one of the two initials, whatever
    # the dates. Crowded where addresses hold many people; the budget decides.
    Candidate("postcode, first initial (any date of birth; both sides one generation)",
              frozenset({"postcode", "fn_initial", "dob_y"}), columns=("postcode", "fn_initial"), one_generation=True),
    Candidate("postcode, surname initial (any date of birth; both sides one generation)",
              frozenset({"postcode", "sn_initial", "dob_y"}), columns=("postcode", "sn_initial"), one_generation=True),
    _custom("names swapped, birth year", {"first_name", "surname", "dob_y"},
            "l.first_name = r.surname AND l.surname = r.first_name AND l.dob_y = r.dob_y"),
    _custom("names swapped (date of birth wrong too)", {"first_name", "surname", "dob_y"},
            "l.first_name = r.surname AND l.surname = r.first_name AND " + NEAR_BIRTH),
    # Names swapped with the date of birth wrong as a whole (a key this rare is no crowd at any size), and one
    # name typed in the other's place with the other mistyped or replaced, at the same address. Whatever the
    # dates, so only where both sides hold one generation, like every rule that ignores the date.
    Candidate("names swapped (any date of birth; both sides one generation)",
              frozenset({"first_name", "surname", "dob_y"}), one_generation=True,
              sql="l.first_name = r.surname AND l.surname = r.first_name"),
    Candidate("first name typed as the surname, postcode (any date of birth; both sides one generation)",
              frozenset({"first_name", "surname", "postcode", "dob_y"}), one_generation=True,
              sql="l.first_name = r.surname AND l.postcode = r.postcode"),
    Candidate("surname typed as the first name, postcode (any date of birth; both sides one generation)",
              frozenset({"first_name", "surname", "postcode", "dob_y"}), one_generation=True,
              sql="l.surname = r.first_name AND l.postcode = r.postcode"),
    _undated("both names' sound codes, postcode district", "surname_sx", "fn_sx", "pc_district"),
    _undated("both names' sound codes (date of birth wrong)", "surname_sx", "fn_sx"),
    _undated("first name, postcode", "first_name", "postcode"),
    _undated("initials, postcode", "fn_initial", "sn_initial", "postcode"),
    _keyed("date of birth alone", "dob"),
    _keyed("surname sound code, birth year, postcode area", "surname_sx", "dob_y", "pc_area"),
    _keyed("first name sound code, birth year, postcode area", "fn_sx", "dob_y", "pc_area"),
    # Looser still, each surviving errors in two of the three identifiers: only small or sparse extracts
    # afford them, and the budget leaves them out where their blocks grow crowded.
    _keyed("surname sound code, birth year", "surname_sx", "dob_y"),
    _keyed("first name sound code, birth year", "fn_sx", "dob_y"),
    _keyed("birth year and month, surname initial", "dob_y", "dob_m", "sn_initial"),
    _keyed("birth year and month, first initial", "dob_y", "dob_m", "fn_initial"),
    _undated("surname sound code, postcode district", "surname_sx", "pc_district"),
    _undated("first name sound code, postcode district", "fn_sx", "pc_district"),
)


#: Two extracts hold one generation when their mean birth years are closer than this (the same ten years
#: ``NEAR_BIRTH`` allows a typo in the decade); a parent and a child are some twenty or more apart.
GENERATION_YEARS = 10


def same_generation(backend: LinkageEngine, left: str, right: str | None) -> tuple[bool, dict[str, Any]]:
    """Do both sides hold people of one generation (mean birth years under ``GENERATION_YEARS`` apart)?

    A cohort of adults against a children's extract does not: there, the same name at the same address
    with dates of birth far apart is a family, and no rule may pair records on the name and address
    alone. One table against itself (a dedupe) is one generation by definition.
    """
    if right is None:
        return True, {"same_generation": True, "why": "one table against itself"}
    years = [backend.rows(f"SELECT avg(CAST(dob_y AS INTEGER)) FROM {t} WHERE dob_y IS NOT NULL")[0][0]
             for t in (left, right)]
    if any(y is None for y in years):
        return False, {"same_generation": False, "why": "no birth years on one side"}
    close = abs(float(years[0]) - float(years[1])) < GENERATION_YEARS
    return close, {"same_generation": close, "mean_birth_years": [round(float(y), 1) for y in years]}


def candidates_for(available: set[str], one_generation: bool = False) -> list[Candidate]:
    """The candidates these tables can use; without birth years, a dated rule falls back to its keys.
    ``one_generation``: both sides hold people of one generation (``same_generation``)."""
    found = []
    for c in CANDIDATES:
        if c.one_generation and not one_generation:
            continue
        if c.needs <= available:
            found.append(c)
        elif c.undated and "dob_y" not in available and set(c.undated) <= available:
            found.append(_keyed(c.label, *c.undated))
    return found


def _sql(c: Candidate) -> str:
    return c.sql or " AND ".join(f"l.{col} = r.{col}" for col in c.columns)


def _alone(backend: LinkageEngine, c: Candidate, left: str, right: str, dedupe: bool, scale: float) -> float:
    """Comparisons the rule makes on its own: exact from block sizes for a rule of equal keys, else
    counted on the sample."""
    if c.columns:
        keys = ", ".join(c.columns)
        nonnull = " AND ".join(f"{col} IS NOT NULL" for col in c.columns)
        if dedupe:
            sql = f"SELECT sum(n * (n - 1) / 2) FROM (SELECT count(*) AS n FROM {left} WHERE {nonnull} GROUP BY {keys})"
        else:
            sql = (f"SELECT sum(a.n * b.n) FROM (SELECT {keys}, count(*) AS n FROM {left} WHERE {nonnull} GROUP BY ALL) a "
                   f"JOIN (SELECT {keys}, count(*) AS n FROM {right} WHERE {nonnull} GROUP BY ALL) b USING ({keys})")
        return float(backend.rows(sql)[0][0] or 0)
    order = " AND l.record_id < r.record_id" if dedupe else ""
    n = backend.rows(f"SELECT count(*) FROM bold_blk_l l JOIN bold_blk_r r ON ({_sql(c)}){order}")[0][0]
    return float(n or 0) * scale


def _marginal(backend: LinkageEngine, chosen: list[Candidate], dedupe: bool, scale: float) -> list[float]:
    """New comparisons each rule adds to those before it (a pair two rules make is compared once), on the
    sample, in one query."""
    order = " AND l.record_id < r.record_id" if dedupe else ""
    pairs = " UNION ALL ".join(
        f"SELECT l.record_id AS a, r.record_id AS b, {i} AS k FROM bold_blk_l l JOIN bold_blk_r r ON ({_sql(c)}){order}"
        for i, c in enumerate(chosen))
    rows = dict(backend.rows(f"SELECT k, count(*) FROM (SELECT a, b, min(k) AS k FROM ({pairs}) p GROUP BY a, b) "
                             f"GROUP BY k"))
    return [float(rows.get(i, 0)) * scale for i in range(len(chosen))]


def choose_rules(backend: LinkageEngine, left: str, right: str | None, available: set[str],
                 records: int) -> tuple[list[BlockingRuleCreator], dict[str, Any]]:
    """Pick a model's rules from ``CANDIDATES`` by counting the comparisons each makes on its tables.

    ``left`` and ``right``: the two tables of a link, or one table and None for a dedupe; ``records``: the
    records on the larger side, the denominator of "per record". Returns the rules and a report for
    ``quality.json``. The counts are the pairs each rule's join makes, as Splink's blocking analysis
    counts them, taken in SQL on the engine (one query a rule, one for the overlaps) because Splink's
    own analysis issues several queries per rule, and this runs for every model of every link.
    """
    generation = same_generation(backend, left, right) if "dob_y" in available else (False, {})
    candidates = candidates_for(available, generation[0])
    if not candidates:
        return [], {"rules": [], "note": "no identifier both sides hold to block on"}
    dedupe = right is None
    right = right or left
    per_record = max(records, 1)
    proportion = min(1.0, COUNT_SAMPLE_RECORDS / per_record)
    # A hash sample keeps both sides of a pair when their record ids are equal (a dedupe), and the same
    # sample every run and on every engine (``stable``); pairs scale with the square of the share sampled.
    keep = stable_sample("record_id", proportion, getattr(backend, "kind", "duckdb"))
    backend.create_table("bold_blk_l", f"SELECT * FROM {left} WHERE {keep}")
    backend.create_table("bold_blk_r", f"SELECT * FROM {right} WHERE {keep}")
    scale = 1.0 / proportion ** 2
    try:
        alone = [(c, _alone(backend, c, left, right, dedupe, scale) / per_record) for c in candidates]
        affordable = [(c, n) for c, n in alone if n <= RULE_BUDGET]
        extra = _marginal(backend, [c for c, _ in affordable], dedupe, scale) if affordable else []
    finally:
        backend.drop("bold_blk_l")
        backend.drop("bold_blk_r")
    chosen: list[tuple[Candidate, float, float]] = []
    total = 0.0
    for (c, n), e in zip(affordable, extra):
        if total + e / per_record > TOTAL_BUDGET or e / per_record < MIN_NEW_PER_RECORD:
            continue
        total += e / per_record
        chosen.append((c, n, e / per_record))
    report: dict[str, Any] = {
        "budget_per_record": {"rule": RULE_BUDGET, "total": TOTAL_BUDGET},
        "records": records,
        "sampled_proportion": round(proportion, 4),
        "rules": [{"rule": c.label, "comparisons_per_record": round(n, 3), "new_per_record": round(e, 3)}
                  for c, n, e in chosen],
        "left_out": [{"rule": c.label, "comparisons_per_record": round(n, 3)}
                     for c, n in alone if all(c is not k for k, _, _ in chosen)],
        "comparisons_per_record": round(total, 3),
        "generations": generation[1],
    }
    if not chosen:  # nothing affordable: the tightest rule, so linkage still runs, and the report says so
        c, n = min(alone, key=lambda cn: cn[1])
        report["rules"] = [{"rule": c.label, "comparisons_per_record": round(n, 3), "note": "over budget"}]
        return [c.rule()], report
    return [c.rule() for c, _, _ in chosen], report
