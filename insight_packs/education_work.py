"""Use case 2: education, courses and work in prison, and whether people find work afterwards."""

from dataclasses import replace

from insight_packs import compute as C
from insight_packs.base import COMMON_WONT, PackSpec, use
from insight_packs.drafts import FindingDraft, Phrasing
from insight_packs.matching import match

# -- compute ---------------------------------------------------------------------------------------------------

COURSES = {
    "english": "an English course",
    "maths": "a maths course",
    "vocational": "a vocational course",
    "higher_education": "a higher education course",
    "work_in_prison": "work in prison",
}
OUTCOMES = {
    # id: (column, kind, measure, sentence words, higher is better)
    "employment_6w": ("employed_6w", "proportion", "In P45 employment 6 weeks after release",
                      "were in work 6 weeks after release", True),
    "employment_6m": ("employed_6m", "proportion", "In P45 employment 6 months after release",
                      "were in work 6 months after release", True),
    "employment_1y": ("employed_1y", "proportion", "In P45 employment 1 year after release",
                      "were in work a year after release", True),
    "reoffending_12m": ("reoffended_12m", "proportion", "Proven reoffending within 12 months",
                        "were proved to have offended again within a year", False),
    "benefit_days": ("out_of_work_benefit_days", "mean", "Days on out-of-work benefits in the first year",
                     "spent {value} days on out-of-work benefits in the first year", False),
}
MIN_TREATED = 60
_COLUMNS = ("person_key, record_key, age_at_release, sentence_months, prior_offences, sex, ethnicity, offence_group, "
            "prior_qualification, employed_before_custody, prison_type, age_band, employed_6w, employed_6m, "
            "employed_1y, out_of_work_benefit_days, reoffended_12m")


def _compute(self, engine) -> list[FindingDraft]:
    frame = engine.arrow(f"SELECT {_COLUMNS} FROM people ORDER BY row_order").to_pandas()
    taken = engine.arrow("SELECT person_key, course_type, course_level, course_completed FROM courses").to_pandas()
    keys = C.record_keys(frame)
    drafts: list[FindingDraft] = []
    for order, (course, words) in enumerate(COURSES.items()):
        mine = taken[taken.course_type == course].sort_values(["person_key", "course_level"])
        first = mine.drop_duplicates("person_key").set_index("person_key")
        treated = frame.person_key.isin(first.index).to_numpy()
        detail = frame.assign(
            course_level=frame.person_key.map(first.course_level),
            completed=frame.person_key.map(first.course_completed).map({True: "Completed", False: "Not completed"}),
        )
        result = match(detail, treated, seed=order)
        balance_ok = result.balanced
        attrition = [C.step("People released in the period", keys, count=len(frame)),
                     C.step(f"Took {words}", keys, treated),
                     C.step("Matched to a similar person who did not", keys, result.treated_index)]
        for outcome, (column, kind, measure, verb, better) in OUTCOMES.items():
            cells = C.matched_cells(detail, result, column, kind,
                                    ("prison_type", "course_level", "completed", "age_band", "sex"), C.ORDER)
            if result.matched < MIN_TREATED:
                cells = [replace(c, method=c.method + "; fewer than 60 people matched") for c in cells]
            drafts.append(FindingDraft(
                id=f"education_work.course:{course}.{outcome}", pack_id=self.id,
                title=f"{measure}: people who took {words}", measure=measure,
                treated_label=f"Took {words}", comparison_label="Similar people who did not",
                phrasing=Phrasing(f"people who took {words}", "similar people who did not", verb, better),
                cells=cells, method=("Propensity score from a logistic model; 1:1 nearest-neighbour matching "
                                     "within 0.2 SD of the logit, without replacement"),
                attrition=attrition, balance_ok=balance_ok, datasets=("prison", "dfe", "dwp", "hmrc",
                                                                      "reoffending"),
                caveats=_balance_caveats(result) + (
                    [f"Fewer than {MIN_TREATED} people were matched, so no comparison is published."]
                    if result.matched < MIN_TREATED else []),
                covered="It covers people released in the period whose prison record was found.",
                order=order * 10 + list(OUTCOMES).index(outcome),
            ))
    return drafts


def _balance_caveats(result) -> list[str]:
    worst = result.worst_after
    if worst is None:
        return []
    if result.balanced:
        return ["After matching, the two groups were alike on every measure checked (all gaps under 0.1)."]
    return [f"After matching, the groups still differed on {worst.covariate.replace('_', ' ')} "
            f"(gap {abs(worst.after):.2f}, above 0.1), so treat the comparison with extra care."]


PACK = PackSpec(
    id="education_work",
    title="Education and courses in prison, and work",
    question="Which courses in prison go with more people in work, and less reoffending, after release?",
    why_it_matters=(
        "People in the research said courses in prison matter most to them. They asked which ones help people "
        "get a job, and whether public and private prisons differ."
    ),
    datasets=(
        use("prison", "Ministry of Justice", "age, sex, ethnicity, region", "courses taken in prison"),
        use("dfe", "Department for Education", "qualifications before prison"),
        use("dwp", "Department for Work and Pensions", "time on out-of-work benefits"),
        use("hmrc", "HM Revenue & Customs", "jobs and pay after release"),
        use("reoffending", "Ministry of Justice", "proven reoffending within 12 months"),
    ),
    will=(
        "It compares people who took a course with similar people who did not.",
        "It says when a difference could be down to chance.",
    ),
    wont=COMMON_WONT + ("It will not rate any one learner or prison officer.",),
    order=2,
    breakdowns=("overall", "prison_type", "age_band", "sex"),
    computer=_compute,
)
