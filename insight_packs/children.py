"""Use case 3: children with a parent in prison, their schooling, and the support families receive."""

import pandas as pd

from insight_packs import compute as C
from insight_packs.base import COMMON_WONT, PackSpec, use
from insight_packs.drafts import Cell, FindingDraft, Phrasing, Side
from insight_packs.matching import Matcher
from linkage_core.disclosure.apply import count_cell, count_side
from linkage_core.schema import SuppressionReason

OUTCOMES = {
    "attendance_rate": ("mean", "School attendance (% of sessions attended)",
                        "attended {value}% of school sessions", True),
    "persistent_absence": ("proportion", "Persistent absence from school", "were persistently absent", False),
    "any_suspension": ("proportion", "Suspended from school at least once", "were suspended at least once",
                       False),
    "permanent_exclusion": ("proportion", "Permanently excluded from school", "were permanently excluded", False),
    "attainment_expected": ("proportion", "Reached the expected standard at school", "reached the expected standard",
                            True),
}
AGE_GROUPS = ["Primary school age", "Secondary school age", "Sixth form age"]


def _age_group(year) -> str:
    if pd.isna(year):
        return "Not recorded"
    return AGE_GROUPS[0] if year <= 6 else AGE_GROUPS[1] if year <= 11 else AGE_GROUPS[2]


def _compute(pack: PackSpec, engine) -> list[FindingDraft]:
    # Columns named, not "* EXCLUDE": the parent's key never reaches the frame, on any engine.
    wanted = [c for c in engine.columns("children") if c != "parent_person_key"]
    frame = engine.arrow(f"SELECT {', '.join(wanted)} FROM children ORDER BY row_order").to_pandas()
    adults = engine.arrow("SELECT record_key, COALESCE(children_declared, 0) AS children_declared FROM people "
                          "ORDER BY row_order").to_pandas()
    adult_keys = C.record_keys(adults)
    parents = adults.children_declared.to_numpy() > 0
    declared = int(adults.children_declared.sum())
    keys = C.record_keys(frame)
    in_cohort = frame.parent_in_cohort.to_numpy() == 1
    linked = frame[in_cohort]
    covered = "It covers children under 18 in school or council records. It does not reach children over 18."
    common = dict(pack_id=pack.id, datasets=("prison", "local_authority", "dfe"), covered=covered,
                  linkage_datasets=())
    drafts = [FindingDraft(
        id="children.count", title="How many children have a parent who left prison",
        measure="Children with a parent released in the period", treated_label="Children",
        comparison_label=None, phrasing=Phrasing("children", None, "were found"),
        # A count of children said by their parents goes with the parents' keys: they are who it describes.
        cells=[count_cell("", "", count_side(declared, C.key_of(adult_keys, parents)), group="Said by their parents",
                          method="Sum of children people said they had", unit="people"),
               count_cell("", "", count_side(len(linked), C.key_of(keys, in_cohort)),
                          group="Found in school or council records", unit="people",
                          method="Children linked to a parent through council family records")],
        method="Counts of children; self-declared against linked",
        attrition=[C.step("People released in the period", adult_keys, count=len(adults)),
                   C.step("Said they had children", adult_keys, parents)],
        caveats=["Linked counts miss children whose council record did not name the parent, so both counts "
                 "are likely to be low."],
        order=0, unit="people", **common)]
    in_school = frame.in_school_data.to_numpy() == 1
    school = frame[in_school].copy()
    school_keys = None if keys is None else keys[in_school]
    school["any_suspension"] = (school.suspensions.fillna(0) > 0).astype(int)
    school["age_group"] = school.school_year.map(_age_group)
    if school.empty:
        return drafts
    # Both groups are children known to a council: that is how a child is linked to a parent at all. The
    # comparison children's council record names a parent outside the cohort; counting children with no council
    # record as "no parent in prison" would blur the gap, and councils know children partly because of their
    # needs, so a child known to a council is compared only with another child known to a council.
    council_known = (school.in_council_data == 1).to_numpy()
    treated = (school.parent_in_cohort == 1).to_numpy() & council_known
    # A child whose council record names a parent who nearly matched someone released (three of the four
    # details alike, or the exact date of birth and one more: ``linkage.near_families``) but was not linked
    # may well have a parent who left prison: their status is unknown, so they are in neither group. Measured
    # in issue 13 (sixth session): most such children in the synthetic worlds were missed family links,
    # which put children with a parent in prison among the comparison children.
    marks = school.get("possible_parent_in_cohort", pd.Series(None, index=school.index, dtype=float))
    looked = bool(marks.notna().any())   # linkage looked for near matches (``families_possible.parquet``)
    unknown = (marks.fillna(0) == 1).to_numpy()
    pool = council_known & ~treated & ~unknown
    school = school.reset_index(drop=True)
    # Exactly within school year and sex (absence rises year by year through secondary school, and boys are
    # suspended more often than girls, so a propensity score that lets a year 9 boy stand in for a year 10 girl
    # leaves a gap of its own), then on the school's region by propensity score.
    # Not on the council's own flags (child in need, early help): councils give them partly *because* a
    # parent went to prison, so matching on them would pair these children with needier ones (measured in
    # issue 13: it made the bias larger, not smaller).
    matcher = Matcher(school, treated, pool, numeric=(), categorical=("region",),
                      exact=("age_group", "school_year", "sex"),
                      balance_on=("school_year", "sex", "region", "age_group"))
    overall = matcher.match()
    results: dict = {("overall", "All"): overall}
    for i, (outcome, (kind, measure, verb, better)) in enumerate(OUTCOMES.items()):
        unit = "percent" if outcome == "attendance_rate" else "share"
        cells = C.matched_cells(matcher, outcome, kind, ("age_group",), {"age_group": AGE_GROUPS}, unit=unit,
                                results=results)
        cells.append(Cell("", "", Side(n=0), kind=kind, breakdown="age_group", group="Over 18",
                          method="not in school records", forced=SuppressionReason.NOT_AVAILABLE, unit=unit))
        drafts.append(FindingDraft(
            id=f"children.parental_imprisonment.{outcome}", title=f"{measure}: children with a parent who left prison",
            measure=measure, treated_label="Children with a parent who left prison",
            comparison_label="Similar children", phrasing=Phrasing(
                "children with a parent who left prison", "similar children of the same age", verb, better),
            cells=cells, method=("Children known to a council: those with a parent who left prison against those "
                                 "whose parent did not, matched exactly on school year and sex and on the school's "
                                 "region; 1:1 nearest neighbour" + (
                                     "; children whose recorded parent nearly matched someone who left prison are "
                                     "in neither group" if looked else "")),
            attrition=[C.step("Children in school records", school_keys, count=len(school)),
                       C.step("Known to a council", school_keys, council_known),
                       C.step("With a parent who left prison", school_keys, treated),
                       C.step("Matched to a similar child", school_keys, overall.treated_index)],
            balance_ok=overall.balanced, order=10 + i, unit=unit,
            not_a_cause=("It does not show that a parent's time in prison caused the gap. Children's lives differ "
                         "in ways the records do not show."),
            caveats=C.balance_caveats(overall) + [
                "Both groups are children known to a council. The comparison children's council record named a "
                "parent who was not in prison."] + ([
                "Some children were left out of the comparison because we cannot tell whether their parent was "
                "in prison. Their council record named a parent whose details were close to those of someone who "
                "left prison: three of first name, surname, date of birth and postcode area were alike, or the "
                "date of birth and one other."] if looked else []) + [
                "Some comparison children may still have a parent who left prison that the data did not find. "
                "That would make the gap look smaller than it is.",
                "Councils know some children because of needs the records do not show. If the comparison children "
                "have more such needs, children with a parent who left prison will look better off than they are.",
                "The match does not use whether the council saw a child as a child in need or gave early help. "
                "Councils give these partly because a parent went to prison, so matching on them would compare "
                "these children with children whose needs are greater."],
            **common))
    support = frame[(frame.parent_in_cohort == 1)]
    for j, (column, label, verb) in enumerate((
            ("children_in_need", "Known to the council as a child in need",
             "were known to the council as children in need"),
            ("early_help", "Got early help from the council", "got early help from the council"))):
        drafts.append(FindingDraft(
            id=f"children.support.{column}", title=f"{label}: children with a parent who left prison",
            measure=label, treated_label="Children with a parent who left prison", comparison_label=None,
            phrasing=Phrasing("children with a parent who left prison", None, verb),
            cells=C.share_cells(support, column, ("overall",)), method="Share with a Wilson score interval",
            attrition=[C.step("Children linked to a parent", keys, in_cohort)], order=30 + j, unit="share",
            not_a_cause="It does not show why a family did or did not get support.", **common))
    return drafts

PACK = PackSpec(
    id="children",
    title="Children of parents in prison",
    question="How many children have a parent in prison, and how are they doing at school?",
    why_it_matters=(
        "Children should not pay for what a parent did. Little is known about how many are affected, how "
        "school goes for them, or what help their families get."
    ),
    datasets=(
        use("prison", "Ministry of Justice", "age, region", "children people say they have"),
        use("local_authority", "Local councils", "family needs records (children in need, early help)"),
        use("dfe", "Department for Education", "school attendance, suspensions, exclusions, attainment"),
    ),
    will=(
        "It counts children in groups, so schools and councils can plan support.",
        "It says plainly where the data does not reach, such as children over 18.",
    ),
    wont=COMMON_WONT + (
        "It will not tell a school or a council which children have a parent in prison.",
        "It will not label any child.",
    ),
    order=3,
    breakdowns=("overall", "age_group"),
    computer=_compute,
)
