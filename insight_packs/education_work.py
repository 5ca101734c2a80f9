"""Use case 2: education, courses and work in prison, and whether people find work afterwards."""

from insight_packs import compute as C
from insight_packs.base import COMMON_WONT, PackSpec, use
from insight_packs.compute import ADULT_PROFILE
from insight_packs.drafts import FindingDraft, Phrasing
from insight_packs.matching import EXACT_ADULT, Matcher

# -- compute ---------------------------------------------------------------------------------------------------

#: What each group did, as the sentences say it ("people who ...").
COURSES = {
    "english": "took an English course",
    "maths": "took a maths course",
    "vocational": "took a vocational course",
    "higher_education": "took a higher education course",
    "work_in_prison": "worked in prison",
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
#: Units of each outcome's figures, and the window for days.
UNITS = {"employment_6w": ("share", None), "employment_6m": ("share", None), "employment_1y": ("share", None),
         "reoffending_12m": ("share", None), "benefit_days": ("days", 365.0)}
BREAKDOWNS = ("prison_type", "age_band", "sex", "course_level", "completed")
#: Breakdowns defined by the course itself: compared with the whole pool, shown without a verdict.
BY_TREATMENT = ("course_level", "completed")
_COLUMNS = ("person_key, record_key, age_at_release, sentence_months, prior_offences, sex, ethnicity, offence_group, "
            "prior_qualification, employed_before_custody, prison_type, region, age_band, sentence_length, "
            "employed_6w, employed_6m, employed_1y, out_of_work_benefit_days, reoffended_12m")
NUMERIC = ("age_at_release", "sentence_months", "prior_offences")
CATEGORICAL = ("sex", "ethnicity", "offence_group", "prior_qualification", "employed_before_custody", "prison_type",
               "region")


def _compute(self, engine) -> list[FindingDraft]:
    available = set(engine.columns("people"))
    columns = ", ".join(c.strip() for c in _COLUMNS.split(",") if c.strip() in available)
    frame = engine.arrow(f"SELECT {columns} FROM people ORDER BY row_order").to_pandas()
    taken = engine.arrow("SELECT person_key, course_type, course_level, course_completed FROM courses").to_pandas()
    keys = C.record_keys(frame)
    drafts: list[FindingDraft] = []
    for order, (course, words) in enumerate(COURSES.items()):
        label = words[0].upper() + words[1:]  # "Took a maths course", "Worked in prison"
        mine = taken[taken.course_type == course].copy()
        # A stable order on every engine: person, then level, then completion (ties broken the same way).
        mine["_done"] = mine.course_completed.fillna(False).astype(bool)
        mine = mine.sort_values(["person_key", "course_level", "_done"], kind="mergesort")
        first = mine.drop_duplicates("person_key").set_index("person_key")
        treated = frame.person_key.isin(first.index).to_numpy()
        detail = frame.assign(
            course_level=frame.person_key.map(first.course_level),
            completed=frame.person_key.map(first.course_completed).map({True: "Completed", False: "Not completed"}),
        )
        matcher = Matcher(detail, treated, ~treated, numeric=NUMERIC, categorical=CATEGORICAL, exact=EXACT_ADULT,
                          balance_on=ADULT_PROFILE)
        results: dict = {}
        overall = matcher.match()
        results[("overall", "All")] = overall
        attrition = [C.step("People released in the period", keys, count=len(frame)),
                     C.step(label, keys, treated),
                     C.step("Matched to a similar person who did not", keys, overall.treated_index)]
        for outcome, (column, kind, measure, verb, better) in OUTCOMES.items():
            if column not in detail:
                continue
            unit, window = UNITS[outcome]
            cells = C.matched_cells(matcher, column, kind, BREAKDOWNS, C.ORDER, unit=unit, range_high=window,
                                    by_treatment=BY_TREATMENT, results=results)
            drafts.append(FindingDraft(
                id=f"education_work.course:{course}.{outcome}", pack_id=self.id,
                title=f"{measure}: people who {words}", measure=measure,
                treated_label=label, comparison_label="Similar people who did not",
                phrasing=Phrasing(f"people who {words}", "similar people who did not", verb, better),
                cells=cells, method=("Propensity score from a logistic model with spline terms; 1:1 "
                                     "nearest-neighbour matching within 0.2 SD of the logit, without replacement, "
                                     "exactly on sentence band and work before custody, and again inside each "
                                     "group shown"),
                attrition=attrition, balance_ok=overall.balanced,
                datasets=("prison", "dfe", "dwp", "hmrc", "reoffending"),
                caveats=C.balance_caveats(overall) + [
                    "Rows by course level and by completion compare the people at that level with similar people "
                    "who took no such course. Completing a course happens after starting it, so these rows are "
                    "shown to explore, not to judge."],
                covered="It covers people released in the period whose prison record was found.",
                order=order * 10 + list(OUTCOMES).index(outcome), unit=unit, range_high=window,
                not_a_cause=("It does not prove the course made the difference. People who take a course may "
                             "differ in ways the data does not show."),
            ))
    return drafts


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
    breakdowns=("overall", "prison_type", "age_band", "sex", "course_level", "completed"),
    computer=_compute,
)
