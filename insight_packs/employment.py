"""Use case 4 (asked for by the people in the research): work in the year after leaving prison."""

from insight_packs.base import COMMON_WONT, PackSpec, use

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
)
