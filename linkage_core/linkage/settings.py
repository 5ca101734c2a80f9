"""The linkage model, in one place: comparisons, blocking rules, training rules and thresholds.

Everything here is built from Splink's library pieces and plain column references to the standardised
columns (see ``standardise.STANDARD_COLUMNS``), so the same settings serialise to JSON and run on
DuckDB or Spark unchanged: no backend's own SQL functions appear in a comparison or a blocking rule.

The model is assembled from the columns both sides actually hold. A comparison on a column that one
side lacks would only add a level nobody can reach, and EM cannot train it.

Each level carries a starting m and u probability. Training replaces them; they matter only when an
extract is too small to train on, so that linkage still gives sensible answers instead of failing.
"""

from __future__ import annotations

from typing import Literal

from splink import ColumnExpression, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator
import splink.comparison_library as cl
import splink.comparison_level_library as cll

_SECTOR = "^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? [0-9]"

LinkType = Literal["link_only", "dedupe_only", "link_and_dedupe"]

#: Thresholds for the links, the cohort's duplicates and the records outside the cohort are chosen per
#: model from its estimated precision and recall (``accuracy.choose_threshold``), not fixed here.
#: A child's council record names a parent; the link to a cohort person is accepted at this probability.
FAMILY_THRESHOLD = 0.9

#: Below this m on an exact date of birth or first name, EM has learnt something other than identity.
MIN_EXACT_M = 0.5
#: No level's m falls below this: one disagreement lowers the odds but never vetoes a match alone.
M_FLOOR = 2e-3

#: No level's u falls below this. Random pairs are strangers, but the pairs a linkage must refuse
#: are often relatives, who share a postcode and a surname far more often than strangers do; an
#: uncapped u (2e-6 for a full postcode) made a shared address outweigh a different name and birthday.
U_FLOOR = 1e-4

#: Pairs sampled to estimate u (how often levels agree by chance). Enough for stable u at our sizes.
U_MAX_PAIRS = 2e6
#: Cap on pairs used per EM session, so training stays near-linear in the records linked.
EM_MAX_PAIRS = 3e5


def swapped_neighbours(column: str, longest: int) -> str:
    """SQL: the two values differ only by two neighbouring characters typed the wrong way round.

    The commonest keying slip after a single wrong character (2134 typed 2143, 1994-08-31 typed
    1994-80-31). Levenshtein counts it as two edits, the same as two unrelated wrong characters, which
    random pairs of dates or short codes share far too often to be evidence; a swap of neighbours is rare
    by chance. Written with ``substr`` and ``||`` only, so it means the same on every engine (Spark's jar
    has a Damerau-Levenshtein of its own; DuckDB's may differ, as their Jaro-Winklers did, see ``stable``).
    ``longest``: the longest value checked (positions beyond it are not tried).
    """
    l, r = f"{column}_l", f"{column}_r"
    swaps = " OR ".join(
        f"{l} = substr({r}, 1, {i - 1}) || substr({r}, {i + 1}, 1) || substr({r}, {i}, 1) || substr({r}, {i + 2})"
        for i in range(1, longest))
    return f"({l} <> {r} AND length({l}) = length({r}) AND ({swaps}))"


def swapped_date_digits(column: str = "dob") -> str:
    """SQL: two ISO dates that differ only by two neighbouring digits swapped inside one part.

    The same slip as :func:`swapped_neighbours`, checked on the year, month and day columns (``dob_y``,
    ``dob_m``, ``dob_d``) rather than on the ten characters of the whole date: a swap across a hyphen is no
    date at all, and the short expression keeps Spark's generated code for the whole comparison vector under
    the JVM's 64 KB method limit (the ten-character version made Spark fall back, logging a compile error).
    """
    y, m, d = (f"{column}_{part}" for part in ("y", "m", "d"))

    def same(col: str) -> str:
        return f"{col}_l = {col}_r"

    def reversed_pair(col: str) -> str:
        return f"({col}_l <> {col}_r AND {col}_l = reverse({col}_r))"

    return (f"(({same(y)} AND {same(m)} AND {reversed_pair(d)}) OR ({same(y)} AND {same(d)} AND {reversed_pair(m)})"
            f" OR ({same(m)} AND {same(d)} AND {swapped_neighbours(y, 4)}))")


def _level(level: cll.ComparisonLevelCreator, m: float, u: float, **kw: object) -> cll.ComparisonLevelCreator:
    return level.configure(m_probability=m, u_probability=u, **kw)  # type: ignore[arg-type]


def _swapped() -> cll.ComparisonLevelCreator:
    """First name and surname the wrong way round, on either side of the pair.

    Splink's ``ColumnsReversedLevel`` checks one direction only (``first_name_l = surname_r``), and which
    extract lands on the left of a pair is Splink's choice, not ours: the same two records then scored
    differently from run to run. Either direction, with the other name free to hold a typo, is what a
    keying error looks like, and it gives the same answer whichever way round the pair comes.
    """
    return cll.CustomLevel("first_name_l = surname_r OR surname_l = first_name_r",
                           label_for_charts="First name and surname swapped")


def _forename(available: set[str]) -> ComparisonCreator:
    levels: list[cll.ComparisonLevelCreator] = [
        cll.NullLevel("first_name"),
        _level(cll.ExactMatchLevel("first_name"), 0.85, 0.02, tf_adjustment_column="first_name"),
    ]
    if "surname" in available:
        levels.append(_level(_swapped(), 0.005, 1e-4))
    if "middle_names" in available:
        levels.append(_level(
            cll.CustomLevel("first_name_l = mn_first_r OR mn_first_l = first_name_r",
                            label_for_charts="First name is the other's middle name"),
            0.01, 0.002))
    levels += [
        _level(cll.JaroWinklerLevel("first_name", 0.92), 0.06, 0.002),
        _level(cll.ArrayIntersectLevel("fn_variants", 1), 0.04, 0.002,
               label_for_charts="Nickname or formal name of each other"),
        _level(cll.JaroWinklerLevel("first_name", 0.8), 0.02, 0.02),
        _level(cll.ElseLevel(), 0.025, 0.956),
    ]
    return cl.CustomComparison(levels, output_column_name="first_name")


def _surname(available: set[str]) -> ComparisonCreator:
    levels: list[cll.ComparisonLevelCreator] = [
        cll.NullLevel("surname"),
        _level(cll.ExactMatchLevel("surname"), 0.88, 0.005, tf_adjustment_column="surname"),
    ]
    if "first_name" in available:
        # The same swap the forename comparison rewards: without this level a swapped pair would be
        # scored as agreeing on one name and disagreeing on the other.
        levels.append(_level(_swapped(), 0.005, 1e-4))
    return cl.CustomComparison(levels + [
        _level(cll.JaroWinklerLevel("surname", 0.92), 0.06, 0.002),
        _level(cll.JaroWinklerLevel("surname", 0.8), 0.02, 0.02),
        _level(cll.ElseLevel(), 0.04, 0.973),
    ], output_column_name="surname")


def _middle_names() -> ComparisonCreator:
    return cl.CustomComparison([
        cll.NullLevel("middle_names"),
        _level(cll.ExactMatchLevel("middle_names"), 0.85, 0.02),
        _level(cll.JaroWinklerLevel("middle_names", 0.88), 0.08, 0.01),
        _level(cll.ElseLevel(), 0.07, 0.97),
    ], output_column_name="middle_names")


def _date_of_birth() -> ComparisonCreator:
    # Day and month swapped is the commonest keying error in UK/US dates; it gets its own level. The
    # condition is plain equality on unquoted derived columns, which every backend runs as written
    # (double quotes would be identifiers in DuckDB but string literals in Spark). A date known only to
    # the month (no day) is null as a date but still has a year and month: it reaches the "same year and
    # month" level instead of counting as missing or as a disagreement.
    transposed = cll.CustomLevel(
        "dob_d_l = dob_m_r AND dob_m_l = dob_d_r AND dob_y_l = dob_y_r",
        label_for_charts="Day and month transposed",
    )
    return cl.CustomComparison([
        cll.CustomLevel("dob_y_l IS NULL OR dob_y_r IS NULL", label_for_charts="Date of birth missing")
        .configure(is_null_level=True),
        _level(cll.ExactMatchLevel("dob"), 0.88, 5e-5),
        _level(transposed, 0.02, 1e-5),
        _level(cll.LevenshteinLevel("dob", 1), 0.06, 1e-3),
        _level(cll.CustomLevel(swapped_date_digits("dob"), label_for_charts="Two neighbouring digits swapped"),
               0.02, 1e-4),
        _level(cll.CustomLevel("dob_y_l = dob_y_r AND dob_m_l = dob_m_r",
                               label_for_charts="Same year and month (a day differs or is unknown)"), 0.01, 2e-3),
        _level(cll.AbsoluteDateDifferenceLevel("dob", input_is_string=True, threshold=1, metric="year"),
               0.02, 0.03),
        # A generation apart: a father and a son of the same name at the same address are two people.
        # Without this level, "more than a year out" (a typo in the decade) and "25 years out" weighed the same.
        _level(cll.AbsoluteDateDifferenceLevel("dob", input_is_string=True, threshold=10, metric="year"),
               0.015, 0.3),
        _level(cll.ElseLevel(), 0.005, 0.669),
    ], output_column_name="dob")


def _postcode() -> ComparisonCreator:
    # Splink's PostcodeComparison levels on derived columns, with starting values. The sector level only
    # fires for British codes; district and area are defined for any code (see ``standardise``), so a
    # foreign extract degrades to exact / near / else rather than to exact / else.
    pc = ColumnExpression("postcode")
    return cl.CustomComparison([
        cll.NullLevel("postcode"),
        _level(cll.ExactMatchLevel("postcode"), 0.6, 1e-4, label_for_charts="Exact match on full postcode"),
        _level(cll.CustomLevel(swapped_neighbours("postcode", 8), label_for_charts="Two neighbouring characters swapped"),
               0.02, 1e-4),
        _level(cll.ExactMatchLevel(pc.regex_extract(_SECTOR)), 0.05, 5e-4, label_for_charts="Same sector"),
        _level(cll.ExactMatchLevel("pc_district"), 0.05, 3e-3, label_for_charts="Same district"),
        _level(cll.ExactMatchLevel("pc_area"), 0.05, 0.02, label_for_charts="Same area"),
        _level(cll.ElseLevel(), 0.25, 0.9765),
    ], output_column_name="postcode")


def _sex() -> ComparisonCreator:
    return cl.CustomComparison([
        cll.NullLevel("sex"),
        _level(cll.ExactMatchLevel("sex"), 0.98, 0.5),
        _level(cll.ElseLevel(), 0.02, 0.5),
    ], output_column_name="sex")


def comparisons(available: set[str]) -> list[ComparisonCreator]:
    """One comparison per identifier both sides hold, strongest evidence first."""
    out: list[ComparisonCreator] = []
    if "first_name" in available:
        out.append(_forename(available))
    if "surname" in available:
        out.append(_surname(available))
    if "middle_names" in available:
        out.append(_middle_names())
    if "dob" in available:
        out.append(_date_of_birth())
    if "postcode" in available:
        out.append(_postcode())
    if "sex" in available:
        out.append(_sex())
    return out


def blocking_rules(available: set[str], outsiders: bool = False) -> list[BlockingRuleCreator]:
    """Fixed rules: the outsiders' model, and the family links. Every other model chooses its rules from
    the data (``blocking.choose_rules``). Together they catch a true pair that has any one error.

    Each rule keys on enough that its blocks stay small *as the cohort grows*: a key space of fixed size
    (about 22,000 birth dates, 26 initials) fills up, and then pairs per record grow with the cohort. So
    a date of birth goes with a first name *and* something of the surname or the address, and a full name
    goes with a birth month as well as a year. Errors a looser key
    would have caught get a rule of their own instead (day and month swapped, 1 January, no date).
    Measured growth is in ``docs/scale.md``.

    ``outsiders``: the rules for records that matched no cohort person, linked to each other. Most are
    children, born within a few years of each other and given the names of their day, so even a date of
    birth with a first name is a crowded key: blocks there grew with the square of the world (100 times
    the pairs for 10 times the people), and at 5,000,000 people their scored pairs spilled 50 GB to disk.
    So each rule also needs the same postcode area (about 120 of them) or an area missing on one side,
    and one more rule, the exact full name and date of birth, catches children who moved area. The
    join still meets the crowded pairs, but only those it keeps are scored and written.
    """
    candidates: list[tuple[str, ...]] = [
        ("dob", "first_name", "sn_initial"),            # mistyped surnames
        ("dob", "surname"),                             # mistyped first names, nicknames, middle names used
        ("dob", "first_name", "pc_district"),           # changed surnames (marriage, deed poll) ...
        ("dob", "fn_female"),                           # ... which are mostly women's, wherever they live
        ("dob", "surname_sx", "fn_initial"),            # both names spelt another way (Muhammad Choudhury)
        ("surname", "first_name", "dob_y", "dob_m"),    # a day out
        ("surname", "first_name", "dob_m", "dob_d"),    # a year out
        ("postcode", "fn_initial"),                     # a date of birth missing or badly wrong
        ("surname", "postcode"),
    ]
    custom: list[str] = []
    if {"first_name", "surname", "dob"} <= available:
        custom += [
            # Day and month typed the wrong way round.
            "l.surname = r.surname AND l.dob_y = r.dob_y AND l.dob_m = r.dob_d "
            "AND l.dob_d = r.dob_m AND l.fn_initial = r.fn_initial",
            # An unknown date recorded as 1 January of the right year, on either side.
            "l.surname = r.surname AND l.first_name = r.first_name AND l.dob_y = r.dob_y "
            "AND ((l.dob_m = '01' AND l.dob_d = '01') OR (r.dob_m = '01' AND r.dob_d = '01'))",
            # First name and surname the wrong way round.
            "l.dob = r.dob AND l.first_name = r.surname AND l.surname = r.first_name",
        ]
        if "postcode" in available:
            # A missing date of birth would otherwise leave only the postcode rules, which need the same
            # address. Moves mostly stay in the same district, so the name goes with the outward code's start.
            custom.append(_MISSING_DOB)
    if outsiders and "postcode" in available:
        candidates, custom = _within_an_area([c for c in candidates if set(c) <= available], custom)
    rules: list[BlockingRuleCreator] = [block_on(*cols) for cols in candidates if set(cols) <= available]
    return rules + [CustomRule(rule) for rule in custom]


def _within_an_area(keyed: list[tuple[str, ...]], custom: list[str]) -> tuple[list[tuple[str, ...]], list[str]]:
    """The outsiders' rules (see ``blocking_rules``): each keeps to one postcode area, or crosses it only
    where an area is missing (a missing postcode must not lose the pair). Rules that already key on the
    postcode stay as they are; the exact full name with date of birth is added, for children who moved.
    """
    near = "(l.pc_area = r.pc_area OR l.pc_area IS NULL OR r.pc_area IS NULL)"
    same_area, near_area = [], []
    for cols in keyed:
        if "postcode" in cols:
            continue
        if "fn_female" in cols:
            # A surname change is rare among children: that rule needs an area on both sides, and the same.
            same_area.append(" AND ".join(f"l.{c} = r.{c}" for c in (*cols, "pc_area")))
        else:
            near_area.append(" AND ".join(f"l.{c} = r.{c}" for c in cols) + f" AND {near}")
    near_area += [rule if "postcode" in rule else f"{rule} AND {near}" for rule in custom]
    exact = [("dob", "first_name", "surname")] + [cols for cols in keyed if "postcode" in cols]
    return exact, same_area + near_area


#: Same full name near the same address, only for pairs where one date of birth is missing.
_MISSING_DOB = ("l.first_name = r.first_name AND l.surname = r.surname "
                "AND substr(l.postcode, 1, 3) = substr(r.postcode, 1, 3) AND (l.dob IS NULL OR r.dob IS NULL)")


def training_rules(available: set[str]) -> list[BlockingRuleCreator]:
    """EM sessions: each trains the comparisons its rule does not block on, so two rules cover all.

    Blocking on date of birth trains the names, postcode and sex; blocking on the full name trains the
    date of birth. Not postcode: pairs sharing an address are mostly households, and EM would learn
    that a parent and child "match" with different birthdays. Training pairs are capped
    (``EM_MAX_PAIRS``), so common names cannot make this quadratic.
    """
    rules: list[BlockingRuleCreator] = []
    if "dob" in available:
        rules.append(block_on("dob"))
    if {"first_name", "surname"} <= available:
        rules.append(block_on("first_name", "surname"))
    elif "postcode" in available:
        rules.append(block_on("postcode"))
    return rules


def deterministic_rules(available: set[str]) -> list[BlockingRuleCreator]:
    """Near-certain matches, used only to estimate how often two random records match."""
    for cols in (("first_name", "surname", "dob"), ("surname", "dob", "postcode"), ("first_name", "dob", "postcode")):
        if set(cols) <= available:
            return [block_on(*cols)]
    return []


def settings_for(link_type: LinkType, available: set[str], prior: float = 1e-4,
                 outsiders: bool = False, rules: list[BlockingRuleCreator] | None = None) -> SettingsCreator:
    """The Splink settings for one link between extracts holding the ``available`` standard columns.

    ``outsiders``: the model for records that matched no cohort person (see ``blocking_rules``)."""
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="record_id",
        comparisons=comparisons(available),
        blocking_rules_to_generate_predictions=rules if rules is not None else blocking_rules(available, outsiders),
        probability_two_random_records_match=prior,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=15,
        em_convergence=0.001,
    )
