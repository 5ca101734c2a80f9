"""Use case 1: reaching services in the weeks after leaving prison, and proven reoffending."""


from insight_packs import compute as C
from insight_packs.base import COMMON_WONT, PackSpec, use
from insight_packs.drafts import Cell, FindingDraft, Phrasing
from insight_packs.matching import match

SERVICES = {
    # id: (column of days to it, plain name, phrase for a group that reached it)
    "accommodation": ("days_to_accommodation", "Settled accommodation", "reached settled housing"),
    "benefit_claim": ("days_to_benefit_claim", "A benefit claim", "made a benefit claim"),
    "first_payment": ("days_to_first_payment", "A first benefit payment", "got a first benefit payment"),
    "gp_registration": ("days_to_gp_registration", "GP registration", "registered with a GP"),
    "substance_treatment": ("days_to_substance_treatment", "Substance-misuse treatment",
                            "started treatment for drugs or alcohol"),
    "employment_support": ("days_to_employment_support", "Employment support", "got employment support"),
}
BREAKDOWNS = ("region", "age_band", "sex", "sentence_length")
#: Matching on risk and needs, as well as the usual profile.
RISK_AND_NEEDS = ("sex", "ethnicity", "offence_group", "accommodation_need", "social_ties",
                  "substance_misuse_need", "employed_before_custody")
#: Time to reoffence is shown only when at least this many people in each group reoffended.
MIN_REOFFENDED_FOR_TIMING = 30


def _compute(pack: PackSpec, engine) -> list[FindingDraft]:
    available = set(engine.columns("people"))
    wanted = ["person_key", "record_key", "age_at_release", "sentence_months", "prior_offences", "sex", "ethnicity",
              "offence_group", "accommodation_need", "social_ties", "substance_misuse_need",
              "employed_before_custody", "region", "age_band", "sentence_length", "reoffended_12m",
              "days_to_reoffence"] + [col for col, _, _ in SERVICES.values()]
    frame = engine.arrow(f"SELECT {', '.join(c for c in wanted if c in available)} FROM people "
                         "ORDER BY row_order").to_pandas()
    keys = C.record_keys(frame)
    drafts: list[FindingDraft] = []
    for order, (service, (column, name, reached)) in enumerate(SERVICES.items()):
        if column not in frame:
            continue
        days = frame[column]
        frame[f"{service}_4w"] = ((days >= 0) & (days <= 28)).astype(int)
        frame[f"{service}_12w"] = ((days >= 0) & (days <= 84)).astype(int)
        cells = C.share_cells(frame, f"{service}_4w", ("overall",) + BREAKDOWNS, overall_label="Within 4 weeks",
                              groups_order=C.ORDER)
        twelve = C.share_cells(frame, f"{service}_12w", (), overall_label="Within 12 weeks")
        cells[1:1] = twelve
        drafts.append(FindingDraft(
            id=f"leaving_prison.reach.{service}", pack_id=pack.id,
            title=f"{name}: how many reached it soon after release", measure=f"Reached {name.lower()}",
            treated_label="People released", comparison_label=None,
            phrasing=Phrasing("people released", None, f"{reached} within 4 weeks"),
            cells=cells, method="Share with a Wilson score interval",
            attrition=[C.step("People released in the period", keys, count=len(frame)),
                       C.step(f"Reached {name.lower()} within 12 weeks", keys,
                              frame[f"{service}_12w"].to_numpy() > 0, outcome_of_all=True)],
            datasets=("prison", "probation", "dwp"), order=order,
            covered="It covers people released in the period whose prison record was found.",
        ))
        if "reoffended_12m" not in frame:
            continue
        treated = frame[f"{service}_4w"].to_numpy(dtype=bool)
        result = match(frame, treated, numeric=("age_at_release", "sentence_months", "prior_offences"),
                       categorical=RISK_AND_NEEDS, seed=100 + order)
        cells = C.matched_cells(frame, result, "reoffended_12m", "proportion", BREAKDOWNS, C.ORDER)
        cells += _timing(frame, result, keys)
        drafts.append(FindingDraft(
            id=f"leaving_prison.service:{service}.reoffending_12m", pack_id=pack.id,
            title=f"Proven reoffending within 12 months: people who {reached} within 4 weeks",
            measure="Proven reoffending within 12 months",
            treated_label=f"{name} within 4 weeks", comparison_label="Similar people who did not",
            phrasing=Phrasing(f"people who {reached} within 4 weeks", "similar people who did not",
                              "were proved to have offended again within a year", higher_is_better=False),
            cells=cells, method=("Matched on risk and needs: propensity score from a logistic model; 1:1 "
                                 "nearest-neighbour matching within 0.2 SD of the logit"),
            attrition=[C.step("People released in the period", keys, count=len(frame)),
                       C.step(f"{name} within 4 weeks", keys, treated),
                       C.step("Matched to a similar person who did not", keys, result.treated_index)],
            balance_ok=result.balanced, datasets=("prison", "probation", "dwp", "reoffending"),
            caveats=["People who reach services quickly may differ in ways no record shows, such as "
                     "family support."],
            covered="It covers people released in the period whose prison record was found.",
            order=50 + order,
        ))
    return drafts


def _timing(frame, result, keys) -> list[Cell]:
    """Average days to a proven reoffence, only where enough people in each group reoffended."""
    days = frame["days_to_reoffence"].to_numpy(dtype=float)
    t_rows, c_rows = result.treated_index, result.comparison_index
    t_rows = t_rows[(days[t_rows] > 0) & (days[t_rows] <= 365)]
    c_rows = c_rows[(days[c_rows] > 0) & (days[c_rows] <= 365)]
    if min(len(t_rows), len(c_rows)) < MIN_REOFFENDED_FOR_TIMING:
        return []
    pick = (lambda rows: None) if keys is None else (lambda rows: keys[rows])
    return [Cell.compare_means("timing", "Days to proven reoffence", C.mean_side(days[t_rows], pick(t_rows)),
                               C.mean_side(days[c_rows], pick(c_rows)))]

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
    computer=_compute,
)
