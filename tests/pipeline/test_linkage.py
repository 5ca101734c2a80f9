"""The linkage stage: every record once, nothing identifying written, good links, and honest evaluation.

The world comes from ``sample_db.world.synthesise`` when it is installed, and otherwise from the small
generator below, which writes only the contract's columns with the kinds of errors agencies make.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from linkage_core.linkage import (
    LinkageInputError,
    evaluate_against_truth,
    link_world,
    print_quality,
    quality_rows,
)
from linkage_core.linkage.standardise import name_variants, soundex, standardise_table
from linkage_core.errors import UsageError
from linkage_core.schema import LinkageQuality

IDENTIFIERS = ("first_name", "middle_names", "surname", "date_of_birth", "sex", "postcode")
AGENCIES = ("probation", "dfe", "dwp", "hmrc", "reoffending")

# --- a tiny world, for when the real generator is not there -------------------------------------------

_FIRST = {"M": ["William", "James", "Robert", "Michael", "Thomas", "Daniel", "Joseph", "Edward", "Samuel", "Peter",
                "Harry", "Oliver", "Mohammed", "Kyle", "Dennis", "Arthur", "Leon", "Ravi", "Callum", "Owen"],
          "F": ["Elizabeth", "Margaret", "Katherine", "Rebecca", "Susan", "Sarah", "Emma", "Aisha", "Grace", "Chloe",
                "Megan", "Priya", "Joanne", "Lauren", "Nadia", "Holly", "Jade", "Ruth", "Bethany", "Leah"]}
_NICK = {"William": "Bill", "James": "Jim", "Robert": "Bob", "Michael": "Mike", "Thomas": "Tom",
         "Elizabeth": "Liz", "Margaret": "Peggy", "Katherine": "Kate", "Rebecca": "Becky", "Susan": "Sue"}
_SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright",
             "Khan", "Walker", "Evans", "Roberts", "Green", "Hall", "Wood", "Hughes", "Okafor", "Nowak", "Begum",
             "Clarke", "Turner", "Hill", "Cooper", "Ward", "Morris", "Moore", "King", "Baker", "Harris", "Lewis",
             "Mensah", "Kowalski", "Murphy", "Kelly", "Singh", "Ali", "Campbell", "Stewart"]
_LETTERS = "ABCDEFGHJKLMNPRSTUWY"


def _postcode(rng: random.Random) -> str:
    return (f"{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}{rng.randint(1, 29)} "
            f"{rng.randint(0, 9)}{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}")


def _someone(rng: random.Random, born_from: int, years: int) -> dict[str, str | None]:
    sex = rng.choice("MF")
    return {"first_name": rng.choice(_FIRST[sex]), "middle_names": rng.choice(_FIRST[sex] + [None] * 10),
            "surname": rng.choice(_SURNAMES),
            "date_of_birth": (date(born_from, 1, 1) + timedelta(days=rng.randint(0, 365 * years))).isoformat(),
            "sex": sex, "postcode": _postcode(rng)}


def _as_recorded(rng: random.Random, person: dict[str, str | None]) -> dict[str, str | None]:
    """One agency's copy: nicknames, typos, transposed dates, moves, shouting, gaps."""
    r = dict(person)
    first, surname, dob = r["first_name"] or "", r["surname"] or "", r["date_of_birth"] or ""
    if rng.random() < 0.05 and first in _NICK:
        r["first_name"] = _NICK[first]
    if rng.random() < 0.03 and len(surname) > 3:
        i = rng.randint(1, len(surname) - 2)
        r["surname"] = surname[:i] + surname[i + 1] + surname[i] + surname[i + 2:]
    y, m, d = dob.split("-")
    if rng.random() < 0.02 and int(d) <= 12:
        r["date_of_birth"] = f"{y}-{d}-{m}"
    if rng.random() < 0.3:
        r["postcode"] = _postcode(rng)
    if rng.random() < 0.1:
        r["first_name"] = (r["first_name"] or "").upper() or None
    for col, p in (("first_name", 0.01), ("date_of_birth", 0.02), ("postcode", 0.05), ("sex", 0.02)):
        if rng.random() < p:
            r[col] = None
    return r


def make_world(people: int, seed: int, out: Path) -> Path:
    """A world with the contract's columns, a truth folder, a few cohort duplicates and some children."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[dict[str, object]]] = {d: [] for d in ("prison", *AGENCIES, "local_authority")}
    truth: list[tuple[str, str, str]] = []
    families: list[tuple[str, str]] = []

    def add(dataset: str, person_id: str, record: dict[str, object]) -> None:
        record_id = f"{dataset[:3]}-{len(files[dataset]):06d}"
        files[dataset].append({"record_id": record_id, **record})
        truth.append((dataset, record_id, person_id))

    for i in range(people):
        p = _someone(rng, 1960, 40)
        pid = f"p{i}"
        own = {"ethnicity": rng.choices(["White", "Black", "Asian", "Mixed", "Other"], [80, 8, 7, 3, 2])[0],
               "age_at_release": rng.randint(18, 65)}
        for _ in range(2 if rng.random() < 0.03 else 1):
            add("prison", pid, {**_as_recorded(rng, p), **own})
        for dataset, share, most in (("probation", 0.8, 1), ("dfe", 0.6, 1), ("dwp", 0.6, 2), ("hmrc", 0.5, 3),
                                     ("reoffending", 0.3, 2)):
            if rng.random() < share:
                for _ in range(rng.randint(1, most)):
                    add(dataset, pid, _as_recorded(rng, p))
        if rng.random() < 0.15:
            child = {**_someone(rng, 2008, 10), "surname": p["surname"], "postcode": p["postcode"]}
            cid = f"c{i}"
            families.append((cid, pid))
            parent = _as_recorded(rng, p)
            add("local_authority", cid, {**_as_recorded(rng, child),
                                         **{f"parent_{k}": parent[k] for k in ("first_name", "surname",
                                                                               "date_of_birth", "postcode")}})
            add("dfe", cid, _as_recorded(rng, child))
    for dataset, rows in files.items():
        pq.write_table(pa.Table.from_pylist(rows), out / f"{dataset}.parquet")
    (out / "_truth").mkdir(exist_ok=True)
    pq.write_table(pa.table({k: [t[i] for t in truth] for i, k in enumerate(("dataset", "record_id", "person_id"))}),
                   out / "_truth" / "truth.parquet")
    pq.write_table(pa.table({"child_person_id": [f[0] for f in families],
                             "parent_person_id": [f[1] for f in families]}), out / "_truth" / "families.parquet")
    return out


def _synthesiser() -> Callable[[int, int, Path], object] | None:
    try:
        from sample_db.world import synthesise
    except ImportError:
        return None
    return synthesise  # type: ignore[no-any-return]


def _world(people: int, seed: int, out: Path) -> Path:
    synthesise = _synthesiser()
    if synthesise is None:
        return make_world(people, seed, out)
    synthesise(people, seed, out)
    return out


# --- fixtures: link each world once -------------------------------------------------------------------


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    world = _world(2000, 11, tmp_path_factory.mktemp("world"))
    out = tmp_path_factory.mktemp("out")
    stages: list[tuple[str, float]] = []
    result = link_world(world, out, progress=lambda stage, fraction: stages.append((stage, fraction)))
    return world, out, {"result": result, "stages": stages}


def _records(world: Path) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for path in sorted(world.glob("*.parquet")):
        ids = pq.read_table(path, columns=["record_id"]).column("record_id").to_pylist()
        rows += [(path.stem, str(i)) for i in ids]
    return rows


# --- every record once ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_every_record_appears_in_the_spine_exactly_once(linked: tuple[Path, Path, dict]) -> None:
    world, out, _ = linked
    spine = pq.read_table(out / "spine.parquet")
    pairs = list(zip(spine.column("dataset").to_pylist(), spine.column("record_id").to_pylist()))
    assert len(pairs) == len(set(pairs))
    assert sorted(pairs) == sorted(_records(world))
    assert spine.column("person_key").null_count == 0


@pytest.mark.slow
def test_spine_and_families_have_exactly_the_contract_columns(linked: tuple[Path, Path, dict]) -> None:
    _, out, _ = linked
    assert pq.read_schema(out / "spine.parquet").names == ["dataset", "record_id", "person_key", "match_probability"]
    assert pq.read_schema(out / "families.parquet").names == ["child_person_key", "parent_person_key",
                                                              "match_probability"]


@pytest.mark.slow
def test_progress_is_reported_from_zero_to_one(linked: tuple[Path, Path, dict]) -> None:
    stages = linked[2]["stages"]
    fractions = [f for _, f in stages]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert all(isinstance(s, str) and s for s, _ in stages)


# --- nothing identifying written ------------------------------------------------------------------------


def _identifier_values(world: Path) -> set[str]:
    values: set[str] = set()
    for path in world.glob("*.parquet"):
        table = pq.read_table(path)
        for col in table.column_names:
            if col in IDENTIFIERS or col.startswith("parent_"):
                values |= {str(v).strip().lower() for v in table.column(col).to_pylist() if v not in (None, "")}
    return {v for v in values if len(v) >= 2 and v not in {"m", "f"}}


@pytest.mark.slow
def test_no_identifier_column_or_value_is_written(linked: tuple[Path, Path, dict]) -> None:
    world, out, _ = linked
    secrets = _identifier_values(world)
    assert secrets  # the check below means nothing against an empty set
    written: set[str] = set()
    for path in out.glob("*.parquet"):
        table = pq.read_table(path)
        assert not set(table.column_names) & set(IDENTIFIERS)
        for col in table.column_names:
            written |= {str(v).strip().lower() for v in table.column(col).to_pylist() if v is not None}
    text = (out / "quality.json").read_text().lower()
    assert not written & secrets
    quality = json.loads(text)
    labels = {g for scopes in quality["evaluation"]["by_group"].values() for groups in scopes.values() for g in groups}
    leaked = [s for s in secrets - labels if len(s) >= 4 and f'"{s}"' in text]  # 'white' is a surname too
    assert leaked == []
    assert sorted(p.name for p in out.iterdir()) == ["families.parquet", "families_possible.parquet", "quality.json",
                                                     "spine.parquet"]
    assert pq.read_schema(out / "families_possible.parquet").names == ["child_person_key"]  # keys, nothing else


@pytest.fixture(scope="module")
def relinked(linked: tuple[Path, Path, dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same world linked a second time in the same process, as the demo bundle build does, from a copy
    whose truth file and a stray underscore file are junk: reading either would fail, so the second link
    also shows that linkage never reads the truth (one link of 2,000 people serves both questions)."""
    copy = tmp_path_factory.mktemp("world_copy")
    for path in linked[0].glob("*.parquet"):
        (copy / path.name).write_bytes(path.read_bytes())
    (copy / "_truth").mkdir()
    (copy / "_truth" / "truth.parquet").write_bytes(b"not parquet: reading this would fail")
    (copy / "_junk.parquet").write_bytes(b"nor this")
    out = tmp_path_factory.mktemp("again")
    link_world(copy, out, evaluate=False)
    return out


def _quality_without_truth(folder: Path) -> dict:
    """quality.json less the evaluation against truth (only a link that may read the truth has one)."""
    quality = json.loads((folder / "quality.json").read_text())
    quality.pop("evaluation", None)
    return quality


@pytest.mark.slow
def test_person_keys_are_not_a_function_of_identifiers(linked: tuple[Path, Path, dict], relinked: Path) -> None:
    _, out, _ = linked
    first = duckdb.sql(f"SELECT dataset, record_id, person_key FROM '{out / 'spine.parquet'}'").fetchall()
    second = {(d, r): k for d, r, k in
              duckdb.sql(f"SELECT dataset, record_id, person_key FROM '{relinked / 'spine.parquet'}'").fetchall()}
    same = sum(1 for d, r, k in first if second[(d, r)] == k)
    assert same < 0.05 * len(first)  # a fresh shuffle each run, not a hash of a name


def _partition(spine: Path) -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
    """Each record's cluster as the sorted records in it: comparable across runs whose keys differ."""
    members: dict[int, list[tuple[str, str]]] = {}
    for d, r, k in duckdb.sql(f"SELECT dataset, record_id, person_key FROM '{spine}'").fetchall():
        members.setdefault(k, []).append((d, r))
    return {rec: tuple(sorted(group)) for group in members.values() for rec in group}


@pytest.mark.slow
def test_linking_the_same_world_twice_gives_the_same_people_and_probabilities(
        linked: tuple[Path, Path, dict], relinked: Path) -> None:
    _, out, _ = linked
    first, second = _partition(out / "spine.parquet"), _partition(relinked / "spine.parquet")
    moved = [rec for rec in first if first[rec] != second[rec]]
    assert moved == []
    probabilities = duckdb.sql(f"""
        SELECT a.dataset, a.record_id, a.match_probability, b.match_probability
        FROM '{out / 'spine.parquet'}' a JOIN '{relinked / 'spine.parquet'}' b USING (dataset, record_id)
        WHERE (a.match_probability IS NULL) <> (b.match_probability IS NULL)
           OR abs(a.match_probability - b.match_probability) > 1e-9""").fetchall()
    assert probabilities == []
    assert _quality_without_truth(out) == _quality_without_truth(relinked)


# --- quality ----------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_pairwise_f1_is_high_for_every_agency(linked: tuple[Path, Path, dict]) -> None:
    quality = json.loads((linked[1] / "quality.json").read_text())
    pairwise = quality["evaluation"]["pairwise"]
    for dataset in ("prison", *AGENCIES):
        assert pairwise[dataset]["f1"] >= 0.95, (dataset, pairwise[dataset])
    assert pairwise["overall"]["precision"] >= 0.97


@pytest.mark.slow
def test_quality_reports_match_rates_groups_and_gaps(linked: tuple[Path, Path, dict]) -> None:
    quality = linked[2]["result"].quality
    assert set(quality["datasets"]) == {p.stem for p in linked[0].glob("*.parquet")}
    for info in quality["datasets"].values():
        assert 0.0 <= info["match_rate"] <= 1.0 and info["records"] > 0
    assert quality["datasets"]["probation"]["match_rate"] > 0.9
    evaluation = quality["evaluation"]
    assert set(evaluation["by_group"]) == {"sex", "ethnicity", "age_band"}
    assert {"Female", "Male"} <= set(evaluation["by_group"]["sex"]["overall"])
    gap = evaluation["largest_gap"]["sex"]["overall"]["recall"]
    assert 0.0 <= gap["gap"] < 0.1 and gap["lowest"] != gap["highest"]
    assert evaluation["families"]["recall"] > 0.7


@pytest.mark.slow
def test_quality_rows_are_bundle_rows(linked: tuple[Path, Path, dict]) -> None:
    rows = quality_rows(linked[2]["result"].quality)
    assert rows and all(isinstance(r, LinkageQuality) for r in rows)
    overall = {r.dataset: r for r in rows if r.group_type == "overall"}
    assert overall["probation"].f1 is not None and overall["probation"].match_rate is not None
    assert {r.group_type for r in rows} == {"overall", "sex", "ethnicity", "age_band"}


@pytest.mark.slow
def test_print_quality_draws_tables(linked: tuple[Path, Path, dict]) -> None:
    from rich.console import Console

    console = Console(record=True, width=100)
    print_quality(linked[2]["result"].quality, console=console)
    text = console.export_text()
    assert "probation" in text and "Precision" in text and "Largest recall gap" in text


@pytest.mark.slow
def test_evaluation_notices_a_bad_spine(linked: tuple[Path, Path, dict], tmp_path: Path) -> None:
    world, out, _ = linked
    (tmp_path / "spine.parquet").write_bytes((out / "spine.parquet").read_bytes())
    good = evaluate_against_truth(world, tmp_path)["pairwise"]["probation"]["f1"]
    spine = pq.read_table(tmp_path / "spine.parquet")
    keys = spine.column("person_key").to_pylist()
    random.Random(1).shuffle(keys)  # links scattered at random: the evaluation must see it
    pq.write_table(spine.set_column(2, "person_key", pa.array(keys, pa.int64())), tmp_path / "spine.parquet")
    bad = evaluate_against_truth(world, tmp_path)["pairwise"]["probation"]["f1"]
    assert good > 0.9 and bad < 0.2


def test_pair_counting_on_a_hand_made_spine(tmp_path: Path) -> None:
    """Truth: a = {p1, d1, d2}, b = {p2, d3}. Links: {p1, d1}, {d2}, {p2, d3, h1} with h1 truly alone."""
    world = tmp_path / "world"
    (world / "_truth").mkdir(parents=True)
    pq.write_table(pa.table({"record_id": ["p1", "p2"], "sex": ["M", "F"]}), world / "prison.parquet")
    truth = [("prison", "p1", "a"), ("dwp", "d1", "a"), ("dwp", "d2", "a"), ("prison", "p2", "b"),
             ("dwp", "d3", "b"), ("hmrc", "h1", "c")]
    pq.write_table(pa.table({"dataset": [t[0] for t in truth], "record_id": [t[1] for t in truth],
                             "person_id": [t[2] for t in truth]}), world / "_truth" / "truth.parquet")
    keys = {"p1": 1, "d1": 1, "d2": 2, "p2": 3, "d3": 3, "h1": 3}
    pq.write_table(pa.table({"dataset": [t[0] for t in truth], "record_id": [t[1] for t in truth],
                             "person_key": pa.array([keys[t[1]] for t in truth], pa.int64())}),
                   tmp_path / "spine.parquet")
    result = evaluate_against_truth(world, tmp_path)
    overall = result["pairwise"]["overall"]
    # True pairs: a has 3, b has 1 -> 4. Predicted: {p1,d1} 1 + {p2,d3,h1} 3 -> 4. Right: p1-d1, p2-d3 -> 2.
    assert (overall["true_pairs"], overall["predicted_pairs"]) == (4, 4)
    assert overall["precision"] == 0.5 and overall["recall"] == 0.5
    dwp = result["pairwise"]["dwp"]  # pairs touching dwp: true 3 + 1 = 4; predicted 1 + 2 = 3; right 2
    assert (dwp["true_pairs"], dwp["predicted_pairs"]) == (4, 3)
    assert result["by_group"]["sex"]["overall"]["Female"]["recall"] == 1.0
    assert result["by_group"]["sex"]["overall"]["Male"]["recall"] == pytest.approx(1 / 3, abs=1e-4)


# --- inputs the project never saw ------------------------------------------------------------------------


def _write_csv(rows: list[dict[str, object]], path: Path) -> None:
    pacsv.write_csv(pa.Table.from_pylist(rows), path)


@pytest.mark.slow
def test_csv_extracts_with_absent_columns_and_empty_values(tmp_path: Path) -> None:
    source = make_world(300, 5, tmp_path / "source")
    world = tmp_path / "world"
    world.mkdir()
    cut = {"prison": [], "probation": ["postcode", "middle_names"], "dwp": ["first_name", "sex"],
           "hmrc": list(IDENTIFIERS), "reoffending": ["date_of_birth"]}
    for dataset, drop in cut.items():
        table = pq.read_table(source / f"{dataset}.parquet")
        rows = [{k: v for k, v in row.items() if k not in drop} for row in table.to_pylist()]
        if dataset == "reoffending":
            for row in rows:
                row["sex"] = None  # a column present but empty throughout
        _write_csv(rows, world / f"{dataset}.csv")
    _write_csv([{"record_id": "x1"}, {"record_id": "x2"}], world / "empty_ids.csv")
    _write_csv([{"record_id": "only", "first_name": None, "surname": None}], world / "one_null_row.csv")
    out = tmp_path / "out"
    result = link_world(world, out)
    spine = pq.read_table(out / "spine.parquet")
    expected = sum(len(pacsv.read_csv(p).column("record_id")) for p in world.glob("*.csv"))
    assert spine.num_rows == expected == result.records
    rates = result.quality["datasets"]
    assert rates["probation"]["match_rate"] > 0.8 and rates["dwp"]["match_rate"] > 0.6
    assert rates["hmrc"]["match_rate"] == 0.0  # no identifiers: nothing to link on, and nothing invented
    assert "evaluation" not in result.quality  # no _truth folder


@pytest.mark.slow
def test_link_never_reads_truth(linked: tuple[Path, Path, dict], relinked: Path) -> None:
    """``relinked`` came from a copy whose truth is junk: it linked, made no evaluation, and found the same."""
    _, out, _ = linked
    assert pq.read_metadata(relinked / "spine.parquet").num_rows == pq.read_metadata(out / "spine.parquet").num_rows
    assert "evaluation" not in json.loads((relinked / "quality.json").read_text())
    assert "evaluation" in json.loads((out / "quality.json").read_text())  # the original did read its truth


def test_missing_cohort_is_a_plain_error(tmp_path: Path) -> None:
    pq.write_table(pa.table({"record_id": ["a"]}), tmp_path / "dwp.parquet")
    with pytest.raises(LinkageInputError, match="no prison extract"):
        link_world(tmp_path, tmp_path / "out")


@pytest.mark.slow
def test_other_cohort_names_work(tmp_path: Path) -> None:
    source = make_world(200, 3, tmp_path / "source")
    world = tmp_path / "world"
    world.mkdir()
    for name in ("prison", "dwp"):
        (world / ("releases.parquet" if name == "prison" else "dwp.parquet")).write_bytes(
            (source / f"{name}.parquet").read_bytes())
    result = link_world(world, tmp_path / "out", cohort="releases")
    assert result.quality["datasets"]["dwp"]["match_rate"] > 0.8


# --- standardisation ----------------------------------------------------------------------------------------


def test_standardisation_of_names_dates_postcodes_and_sex() -> None:
    con = duckdb.connect()
    raw = con.sql("""SELECT * FROM (VALUES
        (1, ' O''Brien-Smith ', 'BILL', '25/12/1980', 'male', 'sw1a1aa'),
        (2, 'obrien smith', 'william', '1980-12-25', 'M', 'SW1A 1AA'),
        (3, NULL, '', '1980-25-12', 'x', 'nonsense')) t(record_id, surname, first_name, date_of_birth, sex, postcode)""")
    standardise_table(con, raw, "std")
    rows = con.sql("SELECT surname, first_name, dob, dob_m, sex, postcode, list_contains(fn_variants, 'william') "
                   "FROM std ORDER BY record_id").fetchall()
    assert rows[0] == ("obriensmith", "bill", "1980-12-25", "12", "M", "SW1A 1AA", True)
    assert rows[1][:6] == ("obriensmith", "william", "1980-12-25", "12", "M", "SW1A 1AA")
    assert rows[2] == (None, None, "1980-25-12", "25", None, None, None)  # a transposed date is kept as typed


def test_soundex_and_nicknames() -> None:
    assert soundex("Robert") == soundex("Rupert") == "R163"
    assert soundex("Smith") == soundex("Smyth") == "S530"
    assert soundex("") is None
    assert "william" in name_variants("Bill")
    assert "elizabeth" in name_variants("liz")
    assert name_variants("zebedee") == ["zebedee"]


def test_linkage_core_does_not_import_the_ui() -> None:
    code = ("import sys, linkage_core.linkage; "
            "bad = [m for m in ('textual', 'rich', 'bold_tui') if m in sys.modules]; print(bad); sys.exit(bool(bad))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_outsiders_block_within_an_area_so_children_do_not_crowd_the_blocks() -> None:
    from linkage_core.linkage import settings as model

    every = {"first_name", "surname", "dob", "dob_y", "dob_m", "dob_d", "postcode", "pc_district", "pc_area",
             "fn_initial", "fn_female", "sn_initial", "surname_sx", "sex", "fn_variants", "mn_first"}
    sql = [r.get_blocking_rule("duckdb").blocking_rule_sql for r in model.blocking_rules(every, outsiders=True)]
    exact = [s for s in sql if "pc_area" not in s and "postcode" not in s]
    # only the exact full name and date of birth may cross areas: it is the one key that stays rare
    assert len(exact) == 1 and all(f'l."{c}" = r."{c}"' in exact[0] for c in ("dob", "first_name", "surname"))
    assert len(sql) == len(model.blocking_rules(every)) + 1
    # without a postcode there is no area to use, and the rules are the cohort's own
    no_postcode = every - {"postcode", "pc_district", "pc_area"}
    assert [r.get_blocking_rule("duckdb").blocking_rule_sql for r in model.blocking_rules(no_postcode, outsiders=True)] \
        == [r.get_blocking_rule("duckdb").blocking_rule_sql for r in model.blocking_rules(no_postcode)]


# --- issue 15: rules from the data, comparisons that travel, accuracy without truth, QA --------------------

def _std(con: duckdb.DuckDBPyConnection, rows: list[tuple], name: str = "t") -> str:
    cols = ("record_id", "first_name", "surname", "date_of_birth", "postcode")
    rel = con.sql("SELECT * FROM (VALUES " + ", ".join(
        "(" + ", ".join("NULL" if v is None else "'" + str(v).replace("'", "''") + "'" for v in row) + ")"
        for row in rows) + f") v({', '.join(cols)})")
    standardise_table(con, rel, name)
    return name


def test_foreign_postcodes_and_dates_known_to_the_month_are_kept() -> None:
    con = duckdb.connect()
    _std(con, [("1", "Ann", "Lee", "1980-05", "2119"), ("2", "Bo", "Ng", "1980-05-00", "sw1a 1aa"),
               ("3", "Cy", "Ho", "1981-02-03", "90210"), ("4", "Di", "Li", "12/10/1979", "x")])
    got = {r[0]: r[1:] for r in con.sql(
        "SELECT record_id, postcode, pc_district, pc_area, dob, dob_y, dob_m, dob_d, fn_sx FROM t").fetchall()}
    assert got["1"][:3] == ("2119", "211", "21")            # a four-digit code keeps its prefixes
    assert got["2"][:3] == ("SW1A 1AA", "SW1A", "SW")       # a British one is parsed as before
    assert got["3"][:3] == ("90210", "9021", "902")
    assert got["4"][0] is None                              # one letter is no postcode
    assert got["1"][3:6] == (None, "1980", "05") and got["2"][3:6] == (None, "1980", "05")
    assert got["4"][3] == "1979-10-12"
    assert got["1"][7] == soundex("ann")


def _letters(i: int) -> str:
    """A name of its own for each number (names keep letters only, so 'fn12' would be 'fn')."""
    return "".join(chr(97 + (i // 26 ** k) % 26) for k in range(3))


def _crowded(n: int, dates: int) -> list[tuple]:
    return [(str(i), "f" + _letters(i), "s" + _letters(i * 7), f"1980-01-{1 + i % dates:02d}", None)
            for i in range(n)]


def test_blocking_keeps_a_loose_rule_only_where_the_data_can_afford_it() -> None:
    from linkage_core.engines import DuckDBEngine
    from linkage_core.linkage.blocking import RULE_BUDGET, TOTAL_BUDGET, choose_rules
    from linkage_core.linkage.link import _available

    con = duckdb.connect()
    backend = DuckDBEngine.wrap(con)
    for name, dates in (("sparse", 28), ("crowded", 2)):
        rows = _crowded(400, dates)
        _std(con, rows, name)
        rules, report = choose_rules(backend, name, None, _available(con, name), len(rows))
        used = {r["rule"] for r in report["rules"]}
        left_out = {r["rule"]: r["comparisons_per_record"] for r in report["left_out"]}
        # 400 records over 28 dates: about 7 pairs a record on the date alone; over 2 dates, about 100.
        assert "date of birth alone" in left_out and left_out["date of birth alone"] > RULE_BUDGET
        assert all(r["comparisons_per_record"] <= RULE_BUDGET for r in report["rules"])
        assert report["comparisons_per_record"] <= TOTAL_BUDGET and len(rules) == len(used) > 0
    sparse = duckdb.connect()
    # 300 records over 100 dates: about one pair per record on the date alone, within the budget.
    rows = [(str(i), "f" + _letters(i), "s" + _letters(i * 7), f"1980-{1 + (i % 100) // 28:02d}-"
             f"{1 + (i % 100) % 28:02d}", None) for i in range(300)]
    _std(sparse, rows, "t")
    _, report = choose_rules(DuckDBEngine.wrap(sparse), "t", None, _available(sparse, "t"), 300)
    cost = {r["rule"]: r["comparisons_per_record"] for r in report["rules"] + report["left_out"]}
    assert cost["date of birth alone"] <= RULE_BUDGET          # affordable here (used, or adds nothing new)
    assert all(r["new_per_record"] > 0 for r in report["rules"])


def test_threshold_is_chosen_by_estimated_f1_and_says_why() -> None:
    from linkage_core.linkage.accuracy import LINK_GRID, choose_threshold
    from linkage_core.engines import DuckDBEngine

    con = duckdb.connect()
    # 10 sure matches, 10 pairs at 0.55 (about half right), 40 near-certain non-matches.
    con.execute("CREATE TABLE p AS SELECT * FROM (VALUES " + ", ".join(
        [f"({p})" for p in [0.999] * 10 + [0.55] * 10 + [0.02] * 40]) + ") v(match_probability)")
    choice = choose_threshold(DuckDBEngine.wrap(con), "SELECT * FROM p", "SELECT * FROM p", LINK_GRID)
    expected = 10 * 0.999 + 10 * 0.55 + 40 * 0.02
    assert choice["expected_matches"] == pytest.approx(expected, abs=0.01)
    # Accepting the 0.55 pairs: precision 0.77, recall 0.95 (F1 0.85) beats 0.999 / 0.61 (F1 0.76).
    assert choice["threshold"] == 0.5 and "estimated F1" in choice["reason"]
    assert choice["estimated_precision"] == pytest.approx((9.99 + 5.5) / 20, abs=1e-3)
    assert choice["estimated_recall"] == pytest.approx((9.99 + 5.5) / expected, abs=1e-3)


def test_estimate_counts_right_and_missed_pairs_from_probabilities() -> None:
    from linkage_core.linkage.accuracy import estimate
    from linkage_core.engines import DuckDBEngine

    con = duckdb.connect()
    con.execute("""CREATE TABLE bold_spine AS SELECT * FROM (VALUES
        ('a', '1', 1), ('b', '1', 1), ('a', '2', 2), ('b', '2', 3), ('a', '3', 4)) v(dataset, record_id, person_key)""")
    con.execute("""CREATE TABLE scored AS SELECT * FROM (VALUES
        ('a', '1', 'b', '1', 0.9), ('a', '2', 'b', '2', 0.4)) v(ds_l, id_l, ds_r, id_r, match_probability)""")
    got = estimate(DuckDBEngine.wrap(con), "scored")
    # One pair put together, right with probability 0.9; one left apart, a match with probability 0.4.
    assert got["overall"]["precision"] == pytest.approx(0.9)
    assert got["overall"]["recall"] == pytest.approx(0.9 / 1.3, abs=1e-4)
    assert got["datasets"]["a"]["predicted_pairs"] == 1 and "blocking rule" in got["method"]


def test_estimate_counts_missed_pairs_between_whole_people_bounded_by_the_link_a_record_has() -> None:
    """A record that fails to join its person loses a pair with each of that person's records, not one."""
    from linkage_core.linkage.accuracy import estimate
    from linkage_core.engines import DuckDBEngine

    con = duckdb.connect()
    con.execute("""CREATE TABLE bold_spine AS SELECT * FROM (VALUES
        ('prison', 'p1', 1), ('dwp', 'd1', 1), ('hmrc', 'h1', 1), ('dwp', 'd2', 2),
        ('prison', 'p3', 3), ('dwp', 'd3', 3), ('hmrc', 'h4', 4)) v(dataset, record_id, person_key)""")
    con.execute("""CREATE TABLE scored AS SELECT * FROM (VALUES
        ('prison', 'p1', 'dwp', 'd1', 0.95), ('prison', 'p1', 'hmrc', 'h1', 0.9),
        ('prison', 'p1', 'dwp', 'd2', 0.4),
        ('prison', 'p3', 'dwp', 'd3', 0.99), ('prison', 'p1', 'dwp', 'd3', 0.3)) v(ds_l, id_l, ds_r, id_r, match_probability)""")
    con.execute("""CREATE TABLE probes AS SELECT * FROM (VALUES
        ('prison', 'p3', 'hmrc', 'h4', 0.5, 10.0)) v(ds_l, id_l, ds_r, id_r, match_probability, weight)""")
    got = estimate(DuckDBEngine.wrap(con), "scored", probes="probes", cohort="prison")["overall"]
    right = 3 * (0.95 + 0.9) / 2 + 1 * 0.99
    # d2 alone, left apart from a person of 3 records at 0.4: 3 pairs; d3, held by its own person at 0.99,
    # belongs to person 1 with at most 0.01, and the two people's prison records are the evidence between
    # them: 0.01 of 3 x 2 pairs; h4 from the probe, standing for 10 pairs: 0.5 x 10 x 2.
    missed = 0.4 * 3 + 0.01 * 6
    assert got["expected_missed"] == pytest.approx(missed, abs=0.05)
    assert got["expected_missed_by_blocking"] == pytest.approx(10.0, abs=0.05)
    assert got["recall"] == pytest.approx(right / (right + missed + 10.0), abs=1e-3)


@pytest.mark.slow  # it reads the module's linked world (minutes to build): not the fast lane
def test_quality_json_carries_the_estimate_thresholds_and_rules(linked: tuple[Path, Path, dict]) -> None:
    quality = json.loads((linked[1] / "quality.json").read_text())
    estimate, truth = quality["estimate"], quality["evaluation"]["pairwise"]
    assert estimate["method"] and estimate["overall"]["f1"] is not None
    # The estimate never saw the truth; on this world it should still land near it.
    assert abs(estimate["overall"]["f1"] - truth["overall"]["f1"]) < 0.03, (estimate["overall"], truth["overall"])
    models = {m["model"]: m for m in quality["models"]}
    assert "probation to prison" in models and "duplicates in prison" in models
    for m in models.values():
        assert m["threshold"]["reason"] and 0.5 <= m["threshold"]["threshold"] <= 0.99
    assert models["probation to prison"]["blocking"]["rules"]
    rows = {r.dataset: r for r in quality_rows(quality) if r.group_type == "overall"}
    assert rows["probation"].estimated_f1 == estimate["datasets"]["probation"]["f1"]


@pytest.mark.slow  # links a world and draws Splink's charts
def test_qa_folder_has_readme_settings_and_charts(tmp_path: Path) -> None:
    world = make_world(150, 4, tmp_path / "world")
    for extra in ("dfe", "dwp", "hmrc", "reoffending", "local_authority"):
        (world / f"{extra}.parquet").unlink()
    qa = tmp_path / "qa"
    link_world(world, tmp_path / "out", qa_dir=qa, evaluate=False)
    readme = (qa / "README.md").read_text()
    assert "NAMES, DATES OF BIRTH" in readme and "never leave the secure environment" in readme
    model = qa / "probation_to_prison"
    assert json.loads((model / "settings.json").read_text())["comparisons"]
    for chart in ("match_weights.html", "m_u_parameters.html", "waterfall.html"):
        text = (model / chart).read_text()
        assert "<html" in text.lower() and '<script src="http' not in text
    assert not any("qa" in p.name for p in (tmp_path / "out").iterdir())


def test_qa_folder_that_holds_files_is_refused(tmp_path: Path) -> None:
    qa = tmp_path / "qa"
    qa.mkdir()
    (qa / "mine.txt").write_text("keep me")
    pq.write_table(pa.table({"record_id": ["a"], "surname": ["x"]}), tmp_path / "prison.parquet")
    with pytest.raises(UsageError, match="already exists and is not an empty folder; give --qa a new folder"):
        link_world(tmp_path, tmp_path / "out", qa_dir=qa)
    assert not (tmp_path / "out").exists()  # refused before any work
    assert (qa / "mine.txt").read_text() == "keep me"


def test_world_profiles_are_named_and_an_unknown_one_is_one_sentence() -> None:
    from sample_db.world.profile import PROFILES, profile_named

    assert {"standard", "duplicates", "harsh"} <= set(PROFILES)
    harsh, standard = profile_named("harsh"), profile_named("standard")
    assert harsh.typo > standard.typo and harsh.dob_missing > standard.dob_missing
    assert profile_named("duplicates").duplicate > 1
    run = subprocess.run([sys.executable, "-m", "bold_tui.cli", "synth", "--people", "10", "--out", "/nonexistent/x",
                          "--profile", "nope"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "no world profile called nope" in run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_samples_are_chosen_by_a_key_every_engine_computes_the_same() -> None:
    """The sample key (MD5's first 15 hex digits) in DuckDB's SQL equals Python's, and Splink's own samples
    use it for the length of a run only (DuckDB's ``hash`` differs from Spark's, so samples differed)."""
    from splink.internals.dialects import DuckDBDialect, SparkDialect

    from linkage_core.linkage.stable import python_key, same_hash_in_splink, stable_hash, stable_sample

    ids = ["1", "P000123", "résumé", "x" * 40, ""]
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT unnest(?) AS record_id", [ids])
    got = dict(con.execute(f"SELECT record_id, {stable_hash('record_id', 'duckdb')} FROM t").fetchall())
    assert got == {i: python_key(i) for i in ids}
    kept = {r[0] for r in con.execute(f"SELECT record_id FROM t WHERE {stable_sample('record_id', 0.5, 'duckdb')}").fetchall()}
    assert kept == {i for i in ids if python_key(i) % 1_000_000 < 500_000}
    assert "conv(" in stable_hash("record_id", "spark") and "md5(" in stable_hash("record_id", "spark")
    before = DuckDBDialect().hash_function_expression("x")
    with same_hash_in_splink():
        assert DuckDBDialect().hash_function_expression("x") == stable_hash("x", "duckdb")
        assert SparkDialect().hash_bucket_expression("x", 7) == f"({stable_hash('x', 'spark')} % 7)"
    assert DuckDBDialect().hash_function_expression("x") == before == "hash(x)"


def test_name_and_address_without_the_date_only_between_people_of_one_generation() -> None:
    """Adults against adults (or a file against itself): a date of birth keyed wrong as a whole must not
    lose the pair, so the full name at one address is a rule whatever the dates. Adults against children:
    the same name at one address with dates a generation apart is a parent and a child, so no rule pairs
    records on name and address alone there."""
    from linkage_core.engines import DuckDBEngine
    from linkage_core.linkage.blocking import choose_rules, same_generation
    from linkage_core.linkage.link import _available

    con = duckdb.connect()
    backend = DuckDBEngine.wrap(con)
    adults = [(str(i), "f" + _letters(i), "s" + _letters(i * 7), f"19{60 + i % 30}-03-0{1 + i % 9}", f"AB{i % 50} 1CD")
              for i in range(200)]
    children = [(str(i), r[1], r[2], f"20{10 + i % 10}-05-0{1 + i % 9}", r[4]) for i, r in enumerate(adults)]
    _std(con, adults, "adults")
    _std(con, [(r[0], r[1], r[2], f"19{61 + int(r[0]) % 30}-08-1{int(r[0]) % 9}", r[4]) for r in adults], "adults2")
    _std(con, children, "kids")
    available = _available(con, "adults")
    assert same_generation(backend, "adults", "adults2")[0] and same_generation(backend, "adults", None)[0]
    assert not same_generation(backend, "adults", "kids")[0]
    for other, allowed in (("adults2", True), ("kids", False)):
        _, report = choose_rules(backend, "adults", other, available, 200)
        named = {r["rule"] for r in report["rules"] + report["left_out"]}
        assert any("any date of birth" in n for n in named) is allowed, (other, named)
        assert report["generations"]["same_generation"] is allowed


def test_two_neighbouring_characters_swapped_is_a_level_of_its_own() -> None:
    """2134 typed 2143, 1994-08-31 typed 1994-80-31: one slip, not two unrelated wrong characters."""
    from linkage_core.linkage.settings import swapped_neighbours

    con = duckdb.connect()
    sql = swapped_neighbours("v", 10)
    cases = {("2134", "2143"): True, ("2134", "1234"): True, ("1994-08-31", "1994-80-31"): True,
             ("1901-02-17", "1901-02-71"): True, ("2134", "2134"): False, ("2134", "2135"): False,
             ("2134", "3124"): False, ("2134", "21345"): False, ("1994-08-31", "1949-08-13"): False}
    for (left, right), expected in cases.items():
        got = con.execute(f"SELECT {sql} FROM (SELECT ? AS v_l, ? AS v_r)", [left, right]).fetchall()[0][0]
        assert bool(got) is expected, (left, right)


def test_two_neighbouring_digits_swapped_in_a_date_part_on_both_engines_dialects() -> None:
    """Dates are checked part by part (year, month, day): the same answers as the whole-string check for
    real dates, and the SQL reads the same after transpiling to Spark."""
    from linkage_core.linkage.settings import swapped_date_digits
    from linkage_core.spark_session import to_spark

    con = duckdb.connect()
    sql = swapped_date_digits("dob")
    cases = {("1994-08-31", "1994-80-31"): True, ("1901-02-17", "1901-02-71"): True,
             ("1994-08-31", "1949-08-31"): True, ("1994-08-31", "9194-08-31"): True,
             ("1994-08-31", "1994-08-31"): False, ("1994-08-31", "1949-08-13"): False,
             ("1994-08-31", "1994-08-32"): False, ("1994-11-22", "1994-11-22"): False,
             ("1994-08-31", "1994-03-81"): False}
    for (left, right), expected in cases.items():
        parts = [left[:4], left[5:7], left[8:], right[:4], right[5:7], right[8:]]
        got = con.execute(f"SELECT {sql} FROM (SELECT ? AS dob_y_l, ? AS dob_m_l, ? AS dob_d_l, ? AS dob_y_r, "
                          "? AS dob_m_r, ? AS dob_d_r)", parts).fetchall()[0][0]
        assert bool(got) is expected, (left, right)
    assert "reverse(" in to_spark(f"SELECT {sql}").lower()


def test_a_name_typo_with_a_date_of_birth_replaced_whole_is_still_a_candidate_between_adults() -> None:
    """The pairs FEBRL4 lost: one name mistyped (or the names swapped) and the date of birth another's, at
    the same address. Between two adult files the chosen rules must make them candidates; between adults
    and children they must not (a parent and a child)."""
    from linkage_core.engines import DuckDBEngine
    from linkage_core.linkage.blocking import CANDIDATES, _sql, choose_rules
    from linkage_core.linkage.link import _available

    con = duckdb.connect()
    backend = DuckDBEngine.wrap(con)
    left = [(str(i), "f" + _letters(i), "s" + _letters(i * 7), f"19{50 + i % 40}-0{1 + i % 9}-1{i % 9}",
             f"{2000 + i % 150}") for i in range(300)]
    right = []
    for i, r in enumerate(left):
        first, last = r[1], r[2]
        if i % 3 == 0:
            last = last[:-1] + ("x" if last[-1] != "x" else "y")      # a typo in the surname
        elif i % 3 == 1:
            first, last = last, first                                # names the wrong way round
        dob = f"19{50 + (i * 17 + 23) % 40}-1{i % 3}-2{i % 7}"        # another date altogether
        right.append((r[0], first, last, dob, r[4]))
    _std(con, left, "adults_a")
    _std(con, right, "adults_b")
    rules, report = choose_rules(backend, "adults_a", "adults_b", _available(con, "adults_a"), 300)
    chosen = [c for c in CANDIDATES if c.label in {r["rule"] for r in report["rules"]}]
    joined = " OR ".join(f"({_sql(c)})" for c in chosen)
    found = con.execute(f"SELECT count(*) FROM adults_a l JOIN adults_b r ON l.record_id = r.record_id "
                        f"AND ({joined})").fetchall()[0][0]
    assert found >= 0.95 * 300, (found, [c.label for c in chosen])


def test_the_probe_between_adults_and_children_keeps_to_one_generation() -> None:
    from linkage_core.linkage.link import _loose_rules

    available = {"surname_sx", "fn_sx", "dob_y", "dob_m", "pc_district"}
    crossing = _loose_rules(available, {"blocking": {"generations": {"same_generation": False}}})
    within = _loose_rules(available, {"blocking": {"generations": {"same_generation": True}}})
    sql = [r.get_blocking_rule("duckdb").blocking_rule_sql for r in crossing]
    assert len(crossing) == len(within) == 4
    assert all("abs(" in s and "dob_y" in s for s in sql)
    assert not any("abs(" in r.get_blocking_rule("duckdb").blocking_rule_sql for r in within)


def _refit_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Records outside a cohort: extracts x and y hold 100 records each; x and y share people (20 sure
    pairs), two records of x are rarely one person (one pair at 0.5 and forty at 0.05)."""
    spine = [("c", f"c{i}", i) for i in range(10)]
    spine += [("x", f"x{i}", 100 + i) for i in range(100)] + [("y", f"y{i}", 300 + i) for i in range(100)]
    con.execute("CREATE TABLE bold_spine AS SELECT * FROM (VALUES " + ", ".join(
        f"('{d}', '{r}', {k})" for d, r, k in spine) + ") v(dataset, record_id, person_key)")
    scored = [("x", f"x{i}", "y", f"y{i}", 0.999) for i in range(20)]
    scored += [("x", "x50", "x", "x51", 0.5)] + [("x", f"x{i}", "x", f"x{i + 1}", 0.05) for i in range(52, 92)]
    scored += [("c", "c0", "x", "x99", 0.3)]
    con.execute("CREATE TABLE scored AS SELECT *, CASE WHEN ds_l = 'c' THEN 0.0003 ELSE 0.0004 END AS prior "
                "FROM (VALUES " + ", ".join(f"('{a}', '{b}', '{c}', '{d}', {p})" for a, b, c, d, p in scored)
                + ") v(ds_l, id_l, ds_r, id_r, match_probability)")


def test_each_pair_of_extracts_gets_its_own_prior_refitted_from_the_model() -> None:
    """One model over several extracts has one prior; two records of one extract (few duplicates) must
    not be scored with the prior of two extracts that share people."""
    from linkage_core.linkage.accuracy import refit_priors
    from linkage_core.engines import DuckDBEngine

    con = duckdb.connect()
    _refit_tables(con)
    scored, _, priors = refit_priors(DuckDBEngine.wrap(con), "scored", None, "bold_spine", "c",
                                     {"x": 100, "y": 100})
    within, between = priors["x | x"], priors["x | y"]
    assert within["fitted_prior"] < within["model_prior"] < between["fitted_prior"]
    # The outsiders' model keeps its total of matches, spread over its pairs of extracts.
    pairs = {"x | x": 100 * 99 / 2, "x | y": 100 * 100}
    assert sum(priors[k]["fitted_prior"] * n for k, n in pairs.items()) == pytest.approx(0.0004 * sum(pairs.values()),
                                                                                         rel=1e-3)
    moved = dict(((a, b), p) for a, b, p in con.execute(f"SELECT id_l, id_r, match_probability FROM {scored}").fetchall())
    assert moved[("x50", "x51")] < 0.5 and moved[("x0", "y0")] > 0.999
    # A model that is one pair of extracts is re-fitted on its own: the cohort's pair here has one
    # pair at 0.3 among 10 x 100, against a prior of 0.0003 (0.3 matches): it stays near.
    assert priors["c | x"]["fitted_prior"] == pytest.approx(0.0003, rel=0.05)


def test_a_sampled_pair_of_groups_counts_by_the_chance_the_sample_saw_it() -> None:
    """Two groups of two records outside the cohort, one probed pair between them at 0.9 from a sample
    of half the records a side: the pair of groups is seen with chance 1 - (1 - 1/4)^4."""
    from linkage_core.linkage.accuracy import estimate
    from linkage_core.engines import DuckDBEngine

    con = duckdb.connect()
    con.execute("""CREATE TABLE bold_spine AS SELECT * FROM (VALUES ('c', 'c1', 9),
        ('x', 'a1', 1), ('y', 'a2', 1), ('x', 'b1', 2), ('y', 'b2', 2)) v(dataset, record_id, person_key)""")
    con.execute("""CREATE TABLE scored AS SELECT * FROM (VALUES
        ('x', 'a1', 'y', 'a2', 0.99), ('x', 'b1', 'y', 'b2', 0.99)) v(ds_l, id_l, ds_r, id_r, match_probability)""")
    con.execute("""CREATE TABLE probes AS SELECT * FROM (VALUES ('x', 'a1', 'y', 'b2', 0.9, 4.0, 0.5, 0.5))
        v(ds_l, id_l, ds_r, id_r, match_probability, weight, share_l, share_r)""")
    got = estimate(DuckDBEngine.wrap(con), "scored", probes="probes", cohort="c")["overall"]
    assert got["expected_missed_by_blocking"] == pytest.approx(0.9 * 4 / (1 - 0.75 ** 4), abs=0.05)
