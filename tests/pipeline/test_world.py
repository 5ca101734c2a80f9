"""The synthetic world: deterministic, laid out as docs/world-layout.md says, messy at the profile's
rates, near published base rates, and honest about its truth and its confounding."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sample_db.world import ErrorProfile, build_world, synthesise
from sample_db.world.extracts import DATASETS

PEOPLE, SEED = 3000, 11
STANDARD = ["record_id", "first_name", "middle_names", "surname", "date_of_birth", "sex", "postcode"]
OWN = {
    "prison": ["ethnicity", "age_at_release", "prison_name", "prison_type", "region", "offence_group",
               "sentence_months", "release_date", "prior_offences", "accommodation_need", "social_ties",
               "substance_misuse_need", "employed_before_custody", "children_declared", "courses"],
    "probation": ["accommodation_date", "benefits_support_date", "gp_registration_date",
                  "substance_treatment_date", "employment_support_date", "recall_date",
                  "self_reported_wellbeing"],
    "dfe": ["record_type", "highest_qualification", "school_year", "region", "attendance_rate", "persistent_absence",
            "suspensions", "permanent_exclusion", "attainment_expected"],
    "dwp": ["uc_claim_date", "first_payment_date", "out_of_work_benefit_days_12m", "employment_programme_start"],
    "hmrc": ["start_date", "end_date", "pay_band"],
    "local_authority": ["parent_first_name", "parent_surname", "parent_date_of_birth", "parent_postcode",
                        "children_in_need", "early_help"],
    "reoffending": ["offence_date", "offence_group"],
}
OUTCOMES = {"employment_6w", "employment_6m", "employment_1y", "reoffending_12m"}
COURSES = ("english", "maths", "vocational", "higher_education", "work_in_prison")


@pytest.fixture(scope="module")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthesise(PEOPLE, SEED, tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="module")
def tables(world_dir: Path) -> dict[str, pd.DataFrame]:
    out = {d: pd.read_parquet(world_dir / f"{d}.parquet") for d in DATASETS}
    truth = pd.read_parquet(world_dir / "_truth" / "truth.parquet")
    for d, df in out.items():
        out[d] = df.merge(truth[truth.dataset == d][["record_id", "person_id"]], on="record_id", how="left")
    return out


@pytest.fixture(scope="module")
def effects(world_dir: Path) -> dict:
    return json.loads((world_dir / "_truth" / "effects.json").read_text())


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    a, b, c = (synthesise(800, s, tmp_path / n) for n, s in (("a", 3), ("b", 3), ("c", 4)))
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert len(files) == len(DATASETS) + 4
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    assert (a / "prison.parquet").read_bytes() != (c / "prison.parquet").read_bytes()


def test_files_and_columns_are_as_the_layout_says(world_dir: Path) -> None:
    for d in DATASETS:
        schema = pq.read_schema(world_dir / f"{d}.parquet")
        assert schema.names == STANDARD + OWN[d], d
        assert str(schema.field("date_of_birth").type) == "string"
    assert pq.read_schema(world_dir / "_truth" / "truth.parquet").names == ["dataset", "record_id", "person_id"]
    assert pq.read_schema(world_dir / "_truth" / "families.parquet").names == [
        "child_person_id", "parent_person_id"]
    course = pq.read_schema(world_dir / "prison.parquet").field("courses").type.value_type
    assert [course.field(i).name for i in range(course.num_fields)] == ["type", "sector", "level", "completed"]


def test_identifier_values_have_the_contract_formats(tables: dict[str, pd.DataFrame]) -> None:
    postcode = re.compile(r"^[A-Z]{1,2}[0-9]{1,2} [0-9][A-Z]{2}$")
    for d, df in tables.items():
        assert df.record_id.is_unique, d
        assert set(df.sex.dropna()) <= {"M", "F"}
        dob = df.date_of_birth.dropna()
        assert dob.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), d
        assert df.postcode.dropna().map(lambda p: bool(postcode.match(p))).all(), d
        assert df.date_of_birth.isna().mean() < 0.05 and df.postcode.isna().mean() < 0.2
    prison = tables["prison"]
    assert set(prison.prison_type) == {"public", "private"}
    assert set(prison.ethnicity) <= {"White", "Black", "Asian", "Mixed", "Other"}
    assert prison.region.nunique() == 10
    pupils = tables["dfe"][tables["dfe"].record_type == "pupil"]
    assert pupils.attendance_rate.between(0, 1).all() and pupils.highest_qualification.isna().all()


def test_truth_covers_every_record_and_keeps_children_apart(world_dir: Path,
                                                            tables: dict[str, pd.DataFrame]) -> None:
    truth = pd.read_parquet(world_dir / "_truth" / "truth.parquet")
    assert len(truth) == sum(len(df) for df in tables.values())
    for d, df in tables.items():
        assert df.person_id.notna().all(), d
    kinds = truth.person_id.str[0]
    assert set(kinds) == {"P", "Q", "C"}
    assert (kinds[truth.dataset == "prison"] == "P").all()
    pupils = tables["dfe"][tables["dfe"].record_type == "pupil"]
    assert (pupils.person_id.str[0] == "C").all()
    assert (tables["dfe"][tables["dfe"].record_type == "adult_attainment"].person_id.str[0] != "C").all()
    families = pd.read_parquet(world_dir / "_truth" / "families.parquet")
    assert families.child_person_id.str.startswith("C").all()
    assert families.parent_person_id.isin(tables["prison"].person_id).all()
    assert families.child_person_id.isin(truth.person_id).all()
    # Some pupils have no parent in the cohort: the comparison population.
    share = pupils.person_id.isin(families.child_person_id).mean()
    assert 0.2 < share < 0.5


def test_record_ids_do_not_reveal_who_is_who(tables: dict[str, pd.DataFrame]) -> None:
    for d, df in tables.items():
        assert df.record_id.str.fullmatch(r"[A-Z]{3}-\d{9}").all()
        number = df.record_id.str[4:].astype(np.int64)
        person = df.person_id.str[1:].astype(np.int64) + df.person_id.str[0].map({"P": 0, "Q": 10**8, "C": 2 * 10**8})
        rho = pd.Series(number).rank().corr(pd.Series(person).rank())
        assert abs(rho) < 0.1, (d, rho)
        assert not df.apply(lambda r: r.person_id[1:] in r.record_id, axis=1).mean() > 0.01
    # Rows are not grouped by person: neighbours are almost never the same person.
    hmrc = tables["hmrc"]
    assert (hmrc.person_id.values[1:] == hmrc.person_id.values[:-1]).mean() < 0.01


def test_duplicates_and_people_outside_the_cohort_are_there(tables: dict[str, pd.DataFrame]) -> None:
    prison = tables["prison"]
    dup = prison.person_id.duplicated().mean()
    assert 0.01 < dup < 0.035
    assert prison.person_id.nunique() == PEOPLE
    for d in ("probation", "dfe", "dwp", "hmrc", "reoffending"):
        assert (tables[d].person_id.str[0] == "Q").mean() > 0.05, d


def _true_vs_recorded(world, df: pd.DataFrame) -> pd.DataFrame:
    """Prison records beside the true identifiers of the person they describe."""
    idx = df.person_id.str[1:].astype(int).to_numpy()
    ids, names = world.ids, world.tables.names.astype(str)
    dob = pd.to_datetime(ids.dob[idx], unit="D").strftime("%Y-%m-%d")
    return pd.DataFrame({"first": names[ids.first[idx]], "surname": names[ids.surname[idx]],
                         "dob": dob, "background": ids.background[idx],
                         "rec_first": df.first_name.values, "rec_surname": df.surname.values,
                         "rec_dob": df.date_of_birth.values, "postcode": df.postcode.values})


def test_error_rates_are_roughly_what_the_profile_says(tables: dict[str, pd.DataFrame]) -> None:
    profile = ErrorProfile()
    world = build_world(PEOPLE, SEED)
    both = _true_vs_recorded(world, tables["prison"])
    dob_ok = (both.rec_dob == both.dob).mean()
    # Transposition only shows when the day is 12 or less (about 37% of dates, minus day == month).
    expected = 1 - (profile.dob_transposed * 0.37 + profile.dob_digit + profile.dob_first_of_january * 0.99
                    + profile.dob_missing)
    assert abs(dob_ok - expected) < 0.012
    assert abs(both.postcode.isna().mean() - profile.postcode_missing) < 0.02
    swapped = both.dob.str[:5] + both.dob.str[8:10] + "-" + both.dob.str[5:7]
    visible = (both.dob.str[8:10].astype(int) <= 12) & (both.dob.str[5:7] != both.dob.str[8:10])
    transposed = (both.rec_dob == swapped) & visible
    assert 0.4 < transposed.sum() / (profile.dob_transposed * visible.sum()) < 1.8
    first_ok = both.rec_first == both["first"]
    british, other = both.background == 0, both.background >= 2
    assert first_ok[british].mean() > 0.9
    # Names from some backgrounds are recorded with more variation.
    assert first_ok[other].mean() < first_ok[british].mean() - 0.02
    # Most records keep first name, surname and date of birth intact: linkage stays feasible.
    intact = first_ok & (both.rec_surname == both.surname) & (both.rec_dob == both.dob)
    assert 0.75 < intact.mean() < 0.95


def test_a_noisier_profile_gives_noisier_records(tmp_path: Path) -> None:
    noisy = replace(ErrorProfile(), typo=0.2, postcode_missing=0.4)
    out = synthesise(600, 2, tmp_path / "noisy", profile=noisy)
    prison = pd.read_parquet(out / "prison.parquet")
    assert 0.33 < prison.postcode.isna().mean() < 0.47
    world = build_world(600, 2, profile=noisy)
    truth = pd.read_parquet(out / "_truth" / "truth.parquet")
    prison = prison.merge(truth[["record_id", "person_id"]], on="record_id")
    both = _true_vs_recorded(world, prison)
    assert (both.rec_surname != both.surname).mean() > 0.2


def _outcomes_from_files(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each person's outcomes as an analyst would derive them from correctly linked extracts."""
    prison = t["prison"].drop_duplicates("person_id").set_index("person_id")
    release = pd.to_datetime(prison.release_date)
    out = pd.DataFrame(index=prison.index)
    h = t["hmrc"]
    h = h[h.person_id.isin(prison.index)].copy()
    h["release"] = release.reindex(h.person_id).values
    start, end = pd.to_datetime(h.start_date), pd.to_datetime(h.end_date)
    for name, days in (("employment_6w", 42), ("employment_6m", 182), ("employment_1y", 365)):
        at = h.release + pd.Timedelta(days=days)
        covered = h.person_id[(start <= at) & (end.isna() | (end >= at))]
        out[name] = out.index.isin(covered)
    r = t["reoffending"]
    r = r[r.person_id.isin(prison.index)]
    gap = (pd.to_datetime(r.offence_date) - release.reindex(r.person_id).values).dt.days
    out["reoffending_12m"] = out.index.isin(r.person_id[(gap > 0) & (gap <= 365)])
    out["short"] = prison.sentence_months < 12
    return out


def test_base_rates_are_near_published_figures(tables: dict[str, pd.DataFrame], effects: dict) -> None:
    o = _outcomes_from_files(tables)
    # The files say exactly what the world's outcomes were.
    for name in OUTCOMES:
        assert o[name].mean() == pytest.approx(effects["base_rates"][name], abs=1e-5), name
    # MoJ proven reoffending (custody: about 35-40%; under 12 months: near 60%).
    assert 0.32 < o.reoffending_12m.mean() < 0.44
    assert 0.52 < o.reoffending_12m[o.short].mean() < 0.65
    # MoJ employment outcomes (about 19% at 6 weeks, 31% at 6 months); P45 at one year about 17%.
    assert abs(o.employment_6w.mean() - 0.19) < 0.03
    assert abs(o.employment_6m.mean() - 0.31) < 0.03
    assert abs(o.employment_1y.mean() - 0.17) < 0.03
    br = effects["base_rates"]
    # About 193,000 children with a parent in prison a year: 1.3 per person; half of people are parents.
    assert 1.1 < br["children_per_person"] < 1.5 and 0.42 < br["share_with_children"] < 0.58
    assert 0.6 * br["children_per_person"] < tables["prison"].children_declared.mean() < br["children_per_person"]


def test_only_children_of_school_age_have_pupil_records(tables: dict[str, pd.DataFrame]) -> None:
    pupils = tables["dfe"][tables["dfe"].record_type == "pupil"]
    age = (pd.Timestamp(date(2022, 8, 31)) - pd.to_datetime(pupils.date_of_birth, errors="coerce")).dt.days / 365.25
    assert age.dropna().between(3, 19).mean() > 0.97   # a few recorded dates of birth are wrong
    assert set(pupils.school_year) <= set(range(14))


def test_effects_are_structured_and_the_nulls_are_honest(effects: dict) -> None:
    assert effects["seed"] == SEED and effects["people"] == PEOPLE
    main = {e["id"]: e for e in effects["effects"] if e["subgroup"] is None}
    for kind in COURSES:
        for outcome in OUTCOMES:
            e = main[f"course:{kind}->{outcome}"]
            assert e["treatment"] == f"course:{kind}" and e["outcome"] == outcome and e["n_treated"] > 0
            if e["nominal"] == 0:
                assert e["planted"] == 0 and e["realised_att"] == 0
            else:
                se = np.sqrt(abs(e["planted"]) / e["n_treated"]) + 0.01
                assert abs(e["realised_att"] - e["planted"]) < 4 * se, e["id"]
    assert sum(main[f"course:maths->{o}"]["nominal"] == 0 for o in OUTCOMES) == 4
    assert main["service:accommodation->reoffending_12m"]["planted"] < -0.03
    # Several honest nulls among services, and every children's outcome is written down.
    nulls = {e["treatment"] for e in main.values() if e["treatment"].startswith("service:") and e["null"]}
    assert {"service:gp_registration", "service:employment_support", "service:first_payment"} <= nulls
    children = {e["outcome"] for e in main.values() if e["treatment"] == "parental_imprisonment"}
    assert children == {"attendance_rate", "persistent_absence", "any_suspension", "permanent_exclusion",
                        "attainment_expected"}
    assert main["parental_imprisonment->permanent_exclusion"]["null"]
    assert main["parental_imprisonment->attendance_rate"]["scale"] == "mean_difference"
    assert main["parental_imprisonment->attendance_rate"]["realised_att"] < -2  # points of attendance
    sub = {e["id"]: e for e in effects["effects"] if e["subgroup"]}
    public = sub["course:vocational->employment_6m[prison_type=public]"]["planted"]
    private = sub["course:vocational->employment_6m[prison_type=private]"]["planted"]
    assert private < public * 0.75


def test_naive_comparisons_are_biased(effects: dict, tables: dict[str, pd.DataFrame]) -> None:
    main = [e for e in effects["effects"] if e["subgroup"] is None and e["treatment"].startswith("course:")]
    biased = [e for e in main if abs(e["naive_difference"] - e["realised_att"]) > 0.05]
    assert len(biased) >= 3
    # And the naive gap is really in the files, not just in the JSON.
    o = _outcomes_from_files(tables)
    prison = tables["prison"].drop_duplicates("person_id").set_index("person_id")
    took = prison.courses.map(lambda cs: any(c["type"] == "vocational" for c in cs)).reindex(o.index)
    naive = o.reoffending_12m[took].mean() - o.reoffending_12m[~took].mean()
    e = next(e for e in main if e["id"] == "course:vocational->reoffending_12m")
    assert naive == pytest.approx(e["naive_difference"], abs=1e-5)
    assert naive < e["realised_att"] - 0.05


def test_person_first_language_in_code_and_data(tables: dict[str, pd.DataFrame]) -> None:
    # Spelled in pieces so this file does not itself use the words it checks for.
    banned = re.compile("|".join(["off" + "ender", "crimin" + "al", "con" + "vict"]), re.IGNORECASE)
    root = Path(__file__).resolve().parents[2]
    for path in [*(root / "sample_db" / "world").glob("*.py"), root / "benchmarks" / "synth.py"]:
        assert not banned.search(path.read_text()), path
    for df in tables.values():
        for col in df.select_dtypes(include=["object", "string"]).columns:
            values = df[col].dropna().astype(str).unique()
            assert not any(banned.search(v) for v in values[:5000]), col


def test_effects_differ_by_group(effects: dict) -> None:
    sub = {e["id"]: e for e in effects["effects"] if e["subgroup"]}
    housing = "service:accommodation->reoffending_12m[sentence_length={}]"
    assert sub[housing.format("Under 12 months")]["planted"] < 2 * sub[housing.format("4 years or more")]["planted"]
    course = "course:vocational->employment_6m[age_band={}]"
    assert sub[course.format("18 to 24")]["planted"] > 1.5 * sub[course.format("50 and over")]["planted"]
    main = {e["id"]: e for e in effects["effects"] if not e["subgroup"]}
    assert not main["service:substance_treatment->reoffending_12m"]["null"]


def test_potential_outcomes_add_up_to_the_effects(world_dir: Path, effects: dict) -> None:
    table = pd.read_parquet(world_dir / "_truth" / "potential.parquet")
    main = {e["id"]: e for e in effects["effects"] if e["subgroup"] is None}
    for (treatment, outcome), rows in table.groupby(["treatment", "outcome"]):
        treated = rows[rows.treated]
        e = main[f"{treatment}->{outcome}"]
        assert len(treated) == e["n_treated"]
        assert (treated.y1 - treated.y0).mean() == pytest.approx(e["realised_att"], abs=1e-5)
        untreated = rows[~rows.treated]
        assert (untreated.y1 == untreated.y0).all() and (untreated.planted == 0).all()
    assert set(table.columns) >= {"person_id", "treatment", "outcome", "eligible", "treated", "y0", "y1",
                                  "planted", "region", "age_band", "sex", "sentence_length", "prison_type",
                                  "course_level", "completed", "age_group"}


def test_a_naive_within_4_weeks_comparison_is_biased_by_immortal_time_and_a_landmark_is_not() -> None:
    """Service take-up made independent of every covariate, so only timing can bias the comparison.

    From release, people who reoffend or are recalled in the first weeks rarely reach a service in time,
    so "reached it within 4 weeks" looks protective even for services with no effect. At the day-28
    landmark (people still at liberty with no reoffence, outcomes counted from day 28) it does not.
    """
    from sample_db.world import WorldRates
    from sample_db.world.families import NEVER

    world = build_world(20000, 5, rates=WorldRates(service_confounding=0.0))
    o = world.outcomes
    old, landmark = [], []
    for service in ("benefits_support", "gp_registration", "employment_support"):  # planted nulls
        day = world.services.day[service]
        soon = (day >= 0) & (day <= 28)
        old.append((o.reoffended[soon].mean() - o.reoffended[~soon].mean(), soon.mean()))
        eligible = (o.reoffence_day > 28) & (o.recall_day > 28)
        late = (o.reoffence_day >= 29) & (o.reoffence_day <= 393) & (o.reoffence_day != NEVER)
        t, c = eligible & soon, eligible & ~soon
        landmark.append(late[t].mean() - late[c].mean())
        p = next(p for p in o.potentials if p.treatment == f"service:{service}")
        assert np.array_equal(p.treated, t) and np.all(p.planted == 0)
    se = np.sqrt(2 * 0.25 / (0.3 * 20000))  # rough standard error of one difference
    old_gap = float(np.mean([g for g, _ in old]))
    landmark_gap = float(np.mean(landmark))
    assert old_gap < -0.015 and old_gap < -3 * se / np.sqrt(3), old
    assert abs(landmark_gap) < 2.5 * se / np.sqrt(3) + 0.002, landmark


def test_council_knowledge_depends_on_need() -> None:
    world = build_world(2000, 3)
    k = world.kids
    under18 = k.dob > (date(2022, 8, 31) - date(1970, 1, 1)).days - int(18 * 365.25)
    known, unknown = under18 & k.council_known, under18 & ~k.council_known
    assert k.need[known].mean() > k.need[unknown].mean() + 0.2
    assert k.children_in_need[known].mean() > 0.2 and not k.children_in_need[~k.council_known].any()
