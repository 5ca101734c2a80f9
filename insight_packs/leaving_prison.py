"""Use case 1: reaching services in the weeks after leaving prison, and proven reoffending."""

from insight_packs.base import COMMON_WONT, PackSpec, use

PACK = PackSpec(
    id="leaving_prison",
    title="Leaving prison and services",
    question="Do people who reach housing, benefits, a GP and support soon after leaving prison reoffend less?",
    why_it_matters=(
        "The first weeks after release are hard. People need a home, money, health care and support all at "
        "once. This shows how many reach each service, how fast, and how that goes with reoffending."
    ),
    datasets=(
        use("prison", "Prison service (MoJ / HMPPS)", "age, sex, region", "risk and needs assessment",
            "offence type and sentence length", "release date"),
        use("probation", "Probation service", "services reached and when", "self-reported information"),
        use("dwp", "Department for Work and Pensions", "benefit claim and first payment dates"),
        use("reoffending", "Ministry of Justice", "proven reoffending within 12 months"),
    ),
    will=(
        "It compares groups of people who did and did not reach a service, matched on risk and needs.",
        "It shows how long people waited, so gaps in services can be fixed.",
    ),
    wont=COMMON_WONT + ("It will not tell one service about anyone's record.",),
    order=1,
    breakdowns=("overall", "region", "age_band", "sex", "sentence_length"),
)
