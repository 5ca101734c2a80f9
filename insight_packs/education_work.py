"""Use case 2: education, courses and work in prison, and whether people find work afterwards."""

from insight_packs.base import COMMON_WONT, PackSpec, use

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
)
