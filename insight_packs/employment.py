"""Use case 4 (asked for by the people in the research): work in the year after leaving prison."""

from insight_packs import compute as C
from insight_packs.base import COMMON_WONT, PackSpec, use
from insight_packs.cohort import MONTHS
from insight_packs.drafts import FindingDraft, Phrasing
from linkage_core.disclosure.apply import mean_cell, proportion_cell

BREAKDOWNS = ("offence_group", "sentence_length", "age_band", "region", "prior_qualification")
QUALIFICATIONS = ["none", "entry", "level1", "level2", "level3", "level4_plus", "unknown"]


def _compute(pack: PackSpec, engine) -> list[FindingDraft]:
    month_cols = ", ".join(f"employed_m{m}" for m in MONTHS)
    frame = engine.arrow(
        f"SELECT person_key, record_key, {month_cols}, employed_6m, employed_1y, days_to_job, days_to_benefit_claim, "
        f"offence_group, sentence_length, age_band, region, prior_qualification FROM people ORDER BY row_order"
    ).to_pandas()
    order = {**C.ORDER, "prior_qualification": QUALIFICATIONS}
    covered = "It covers people released in the period whose prison record was found."
    common = dict(pack_id=pack.id, treated_label="People released", comparison_label=None,
                  datasets=("prison", "dfe", "dwp", "hmrc"), covered=covered, unit="share",
                  not_a_cause="It does not show why some people found work and others did not.")
    keys = C.record_keys(frame)
    attrition = [C.step("People released in the period", keys, count=len(frame))]

    monthly = [proportion_cell("", "", C.share_side(frame[f"employed_m{m}"].to_numpy() > 0, keys), breakdown="month",
                               group=f"Month {m}", unit="share") for m in MONTHS]
    overall = C.share_cells(frame, "employed_1y", ("overall",), overall_label="All")
    drafts = [FindingDraft(
        id="employment.monthly", title="Work month by month in the first year after release",
        measure="In P45 employment", phrasing=Phrasing("people released", None, "were in work a year after release"),
        cells=overall + monthly, method="Share in P45 employment at each month after release; Wilson intervals",
        attrition=attrition, order=0, **common)]

    for i, (column, label, verb) in enumerate((
            ("employed_6m", "In P45 employment 6 months after release", "were in work 6 months after release"),
            ("employed_1y", "In P45 employment 1 year after release", "were in work a year after release"))):
        drafts.append(FindingDraft(
            id=f"employment.{column}", title=f"{label}, by group", measure=label,
            phrasing=Phrasing("people released", None, verb),
            cells=C.share_cells(frame, column, ("overall",) + BREAKDOWNS, groups_order=order),
            method="Share with a Wilson score interval", attrition=attrition, order=1 + i, **common))

    frame["job_within_year"] = ((frame.days_to_job >= 0) & (frame.days_to_job <= 365)).astype(int)
    found = frame.job_within_year.to_numpy() == 1
    days = frame.days_to_job.to_numpy(dtype=float)[found]
    timing = C.share_cells(frame, "job_within_year", ("overall",), overall_label="Found a job within a year")
    if len(days) > 1:
        timing.append(mean_cell("", "", C.mean_side(days, None if keys is None else keys[found]), breakdown="timing",
                                group="Days to first job (those who found one)", unit="days", range_high=365.0))
    drafts.append(FindingDraft(
        id="employment.first_job", title="Time to a first job after release", measure="Found a job within a year",
        phrasing=Phrasing("people released", None, "found a job within a year"), cells=timing,
        method="Share with a Wilson interval; mean days with a t interval", attrition=attrition, order=3,
        **common))

    claim = ((frame.days_to_benefit_claim.notna()) & (frame.days_to_benefit_claim <= 84)).to_numpy()
    claimed = frame[claim]
    moves = C.share_cells(claimed, "employed_6m", ("overall",) + BREAKDOWNS, groups_order=order)
    drafts.append(FindingDraft(
        id="employment.benefit_to_work", title="From a benefit claim into work",
        measure="In work 6 months after release, among people who claimed benefits",
        phrasing=Phrasing("people who claimed benefits soon after release", None,
                          "were in work 6 months after release"),
        cells=moves, method="Share with a Wilson score interval",
        attrition=attrition + [C.step("Claimed benefits within 12 weeks", keys, claim)], order=4, **common))
    return drafts

PACK = PackSpec(
    id="employment",
    title="Work after prison",
    question="How many people are in work in each month of the first year after leaving prison?",
    why_it_matters=(
        "People in the research said a job is what makes a fresh start possible: a home, bills, food and a "
        "purpose. This shows who finds work, and how soon."
    ),
    datasets=(
        use("prison", "Ministry of Justice", "age, region, offence type, sentence length"),
        use("dfe", "Department for Education", "qualifications before prison"),
        use("dwp", "Department for Work and Pensions", "benefit claims and moves into work"),
        use("hmrc", "HM Revenue & Customs", "jobs after release (P45 records)"),
    ),
    will=(
        "It shows how work changes month by month, for groups of people.",
        "It shows where fewer people find work, so support can go there.",
    ),
    wont=COMMON_WONT + ("It will not tell an employer about anyone.",),
    order=4,
    breakdowns=("overall", "offence_group", "sentence_length", "age_band", "region", "prior_qualification"),
    computer=_compute,
)
