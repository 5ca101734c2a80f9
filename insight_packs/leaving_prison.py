"""Use case 1: reaching services in the weeks after leaving prison, and proven reoffending."""


from insight_packs import compute as C
from insight_packs.base import COMMON_WONT, PackSpec, use
from insight_packs.compute import ADULT_PROFILE
from insight_packs.drafts import FindingDraft, Phrasing
from insight_packs.matching import EXACT_ADULT, Matcher

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
                  "substance_misuse_need", "employed_before_custody", "region", "prior_qualification")
NUMERIC = ("age_at_release", "sentence_months", "prior_offences")


#: The landmark: a service reached by this day counts as reached; outcomes are counted from it.
LANDMARK_DAYS = 28
#: Outcomes are counted for this many days after the landmark.
FOLLOW_UP_DAYS = 365


def _compute(pack: PackSpec, engine) -> list[FindingDraft]:
    available = set(engine.columns("people"))
    wanted = ["person_key", "record_key", "age_at_release", "sentence_months", "prior_offences", "sex", "ethnicity",
              "offence_group", "accommodation_need", "social_ties", "substance_misuse_need", "prior_qualification",
              "employed_before_custody", "region", "prison_type", "age_band", "sentence_length", "reoffended_12m",
              "days_to_reoffence", "days_to_recall"] + [col for col, _, _ in SERVICES.values()]
    frame = engine.arrow(f"SELECT {', '.join(c for c in wanted if c in available)} FROM people "
                         "ORDER BY row_order").to_pandas()
    keys = C.record_keys(frame)
    drafts: list[FindingDraft] = []
    landmark = _at_landmark(frame)
    for order, (service, (column, name, reached)) in enumerate(SERVICES.items()):
        if column not in frame:
            continue
        days = frame[column]
        frame[f"{service}_4w"] = ((days >= 0) & (days <= LANDMARK_DAYS)).astype(int)
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
            datasets=("prison", "probation", "dwp"), order=order, unit="share",
            not_a_cause="It does not show why some people reached the service and others did not.",
            covered="It covers people released in the period whose prison record was found.",
        ))
        if landmark is None:
            continue
        population = frame[landmark].reset_index(drop=True)
        pop_keys = C.record_keys(population)
        treated = population[f"{service}_4w"].to_numpy(dtype=bool)
        matcher = Matcher(population, treated, ~treated, numeric=NUMERIC, categorical=RISK_AND_NEEDS,
                          exact=EXACT_ADULT, balance_on=ADULT_PROFILE)
        cells = C.matched_cells(matcher, "reoffended_after_landmark", "proportion", BREAKDOWNS, C.ORDER,
                                unit="share")
        overall = matcher.match()
        drafts.append(FindingDraft(
            id=f"leaving_prison.service:{service}.reoffending_12m", pack_id=pack.id,
            # The outcome is counted from the landmark, and the title says so: "within a year" of release
            # would be a different (and, for services, biased) comparison.
            title=f"Proven reoffending in the year after the first 4 weeks: people who {reached} within 4 weeks",
            measure="Proven reoffending in the year after the first 4 weeks",
            treated_label=f"{name} within 4 weeks", comparison_label="Similar people who did not",
            phrasing=Phrasing(f"people who {reached} within 4 weeks", "similar people who did not",
                              "were proved to have offended again in the year after those first 4 weeks",
                              higher_is_better=False),
            cells=cells, method=(
                f"Landmark design: people still in the community {LANDMARK_DAYS} days after release, with no "
                f"proven reoffence (or recall, where recorded) by then; treated if they reached the service by day "
                f"{LANDMARK_DAYS}; reoffending counted for {FOLLOW_UP_DAYS} days after day {LANDMARK_DAYS}. "
                "Matched on risk and needs: propensity score from a logistic model with spline terms; 1:1 "
                "nearest-neighbour matching within 0.2 SD of the logit, without replacement, exactly on sentence "
                "band and work before custody, and again inside each group shown"),
            attrition=[C.step("People released in the period", keys, count=len(frame)),
                       C.step(f"No proven reoffence or recall in the first {LANDMARK_DAYS} days", pop_keys,
                              count=len(population)),
                       C.step(f"{name} within 4 weeks", pop_keys, treated),
                       C.step("Matched to a similar person who did not", pop_keys, overall.treated_index)],
            balance_ok=overall.balanced, datasets=("prison", "probation", "dwp", "reoffending"),
            caveats=C.balance_caveats(overall) + [
                "People who reach services quickly may differ in ways no record shows, such as family support."],
            covered=(f"It covers people released in the period whose prison record was found and who had not been "
                     f"proved to reoffend in their first {LANDMARK_DAYS} days."),
            order=50 + order, unit="share",
            not_a_cause=("It does not prove the service made the difference. People who reach a service may "
                         "differ in ways the data does not show."),
        ))
    return drafts


def _at_landmark(frame):
    """People still in the community at the landmark, with reoffending counted from it (None without data).

    Why: "reached a service within 4 weeks" can only happen to someone who was out for 4 weeks. Comparing them
    with everyone else from release day credits the service with the weeks before it (immortal time), and
    counts a reoffence before the service as the service's failure.
    """
    if "days_to_reoffence" not in frame:
        return None
    days = frame["days_to_reoffence"]
    out = days.isna() | (days > LANDMARK_DAYS)
    if "days_to_recall" in frame:
        recall = frame["days_to_recall"]
        out &= recall.isna() | (recall > LANDMARK_DAYS)
    frame["reoffended_after_landmark"] = ((days > LANDMARK_DAYS)
                                          & (days <= LANDMARK_DAYS + FOLLOW_UP_DAYS)).astype(int)
    return out.to_numpy()


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
