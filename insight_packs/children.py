"""Use case 3: children with a parent in prison, their schooling, and the support families receive."""

from insight_packs.base import COMMON_WONT, PackSpec, use

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
)
