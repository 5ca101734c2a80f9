"""Real extracts: one sentence for each malformed extract folder, validation, the map, partial data, spines
linked outside BOLD (issue 16).

The malformed folders are small and every one is refused by validation before linkage starts, so the whole
set runs in seconds. ``docs/figures.md`` records their count.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bold_tui.cli import main
from linkage_core.extracts import ExtractError, MapError, load_map, prepare_world
from linkage_core.extracts.links import OUTSIDE, prepare_links

N = 24


def _prison(n: int = N) -> pa.Table:
    return pa.table({
        "record_id": [f"P{i:04d}" for i in range(n)],
        "first_name": ["Ann", "Bob", "Cat", "Dan"] * (n // 4),
        "surname": [f"Smith{i}" for i in range(n)],
        "date_of_birth": [f"19{70 + i % 20}-0{1 + i % 9}-1{i % 10}" for i in range(n)],
        "sex": ["F", "M"] * (n // 2),
        "postcode": ["SW1A 1AA", "M1 1AE"] * (n // 2),
        "release_date": pa.array([f"2022-0{1 + i % 9}-0{1 + i % 9}" for i in range(n)]).cast(pa.date32()),
        "age_at_release": pa.array([20 + i for i in range(n)], pa.int32()),
        "sentence_months": pa.array([6 + i for i in range(n)], pa.int32()),
        "region": ["London", "Wales"] * (n // 2),
        "offence_group": ["Fraud", "Robbery"] * (n // 2),
    })


def _dwp(n: int = N) -> pa.Table:
    return pa.table({
        "record_id": [f"D{i:04d}" for i in range(n)],
        "first_name": ["Ann", "Bob", "Cat", "Dan"] * (n // 4),
        "surname": [f"Smith{i}" for i in range(n)],
        "date_of_birth": [f"19{70 + i % 20}-0{1 + i % 9}-1{i % 10}" for i in range(n)],
        "uc_claim_date": pa.array([f"2022-0{1 + i % 9}-2{i % 9}" for i in range(n)]).cast(pa.date32()),
    })


@pytest.fixture()
def world(tmp_path: Path) -> Path:
    folder = tmp_path / "world"
    folder.mkdir()
    pq.write_table(_prison(), folder / "prison.parquet")
    pq.write_table(_dwp(), folder / "dwp.parquet")
    return folder


def _csv(table: pa.Table) -> str:
    import pyarrow.csv as pcsv
    import io

    buffer = io.BytesIO()
    pcsv.write_csv(table, buffer)
    return buffer.getvalue().decode()


# -- malformed extract folders: each a function (world folder, tmp) -> extra CLI arguments ----------------------

def _set(world: Path, name: str, data: bytes | str) -> None:
    for old in world.glob(f"{Path(name).stem}.*"):
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    target = world / name
    target.write_bytes(data if isinstance(data, bytes) else data.encode())


def _with_table(dataset: str, change, fmt: str = "parquet"):
    def make(world: Path, tmp: Path) -> list[str]:
        table = change(_prison() if dataset == "prison" else _dwp())
        if fmt == "parquet":
            for old in world.glob(f"{dataset}.*"):
                old.unlink()
            pq.write_table(table, world / f"{dataset}.parquet")
        else:
            _set(world, f"{dataset}.csv", _csv(table))
        return []
    return make


def _file(name: str, data: bytes | str):
    def make(world: Path, tmp: Path) -> list[str]:
        _set(world, name, data)
        return []
    return make


def _folder(name: str, content: dict[str, bytes] | None = None):
    def make(world: Path, tmp: Path) -> list[str]:
        for old in world.glob(f"{Path(name).stem}.*"):
            old.unlink()
        (world / name).mkdir()
        for file, data in (content or {}).items():
            (world / name / file).write_bytes(data)
        return []
    return make


def _map(text: str | bytes | None):
    def make(world: Path, tmp: Path) -> list[str]:
        path = tmp / "map.toml"
        if text is not None:
            path.write_bytes(text if isinstance(text, bytes) else text.encode())
        return ["--map", str(path)]
    return make


def _dup(t: pa.Table) -> pa.Table:
    ids = t["record_id"].to_pylist()
    ids[1] = ids[0]
    return t.set_column(0, "record_id", pa.array(ids))


def _null_id(t: pa.Table) -> pa.Table:
    ids = t["record_id"].to_pylist()
    ids[3] = None
    return t.set_column(0, "record_id", pa.array(ids, pa.string()))


def _drop(column: str):
    return lambda t: t.drop_columns([column])


def _rename(**names: str):
    return lambda t: t.rename_columns([names.get(c, c) for c in t.column_names])


def _bad_dates(column: str):
    return lambda t: t.set_column(t.column_names.index(column), column, pa.array(["soon"] * t.num_rows))


def _empty(t: pa.Table) -> pa.Table:
    return t.slice(0, 0)


PRISON_CSV = _csv(_prison())

CASES: dict[str, object] = {}
for ds in ("prison", "dwp"):
    for fmt in ("parquet", "csv"):
        CASES[f"{ds}-{fmt}-duplicate-id"] = (_with_table(ds, _dup, fmt), 1, "more than once")
        CASES[f"{ds}-{fmt}-null-id"] = (_with_table(ds, _null_id, fmt), 1, "no record_id")
        CASES[f"{ds}-{fmt}-no-id-column"] = (_with_table(ds, _drop("record_id"), fmt), 1, "no record_id column")
    CASES[f"{ds}-empty-parquet-file"] = (_file(f"{ds}.parquet", b""), 1, "is empty")
    CASES[f"{ds}-empty-csv-file"] = (_file(f"{ds}.csv", b""), 1, "is empty")
    CASES[f"{ds}-corrupt-parquet"] = (_file(f"{ds}.parquet", b"PAR1" + bytes(range(256)) * 4), 1, "Parquet")
    CASES[f"{ds}-text-named-parquet"] = (_file(f"{ds}.parquet", PRISON_CSV), 1, "Parquet")
    CASES[f"{ds}-truncated-parquet"] = (lambda w, t, d=ds: _file(f"{d}.parquet", (w / f"{d}.parquet").read_bytes()[:200])(w, t),
                                        1, "Parquet")
    CASES[f"{ds}-folder-named-parquet"] = (_folder(f"{ds}.parquet"), 1, "is a folder")
    CASES[f"{ds}-folder-named-csv"] = (_folder(f"{ds}.csv"), 1, "is a folder")
    CASES[f"{ds}-folder-of-text"] = (_folder(f"{ds}.parquet", {"readme.txt": b"hello"}), 1, "is a folder")
    CASES[f"{ds}-binary-csv"] = (_file(f"{ds}.csv", b"record_id\n\x00\x01\x02\x03\x00"), 1, "binary")
    CASES[f"{ds}-latin1-csv"] = (_file(f"{ds}.csv", "record_id,first_name\nA1,Zoë\n".encode("latin-1")), 1, "UTF-8")
    CASES[f"{ds}-utf16-csv"] = (_file(f"{ds}.csv", "record_id,first_name\nA1,Zoe\n".encode("utf-16")), 1, "")
    CASES[f"{ds}-ragged-long"] = (_file(f"{ds}.csv", "record_id,first_name\nA1,Zoe\nA2,Bo,extra\n"), 1, "fields")
    CASES[f"{ds}-ragged-short"] = (_file(f"{ds}.csv", "record_id,first_name,surname\nA1,Zoe,X\nA2\n"), 1, "fields")
    CASES[f"{ds}-header-only"] = (_file(f"{ds}.csv", "record_id,first_name\n"), 1, "no records")
    CASES[f"{ds}-blank-header"] = (_file(f"{ds}.csv", "record_id,,surname\nA1,x,y\n"), 1, "no name")
    CASES[f"{ds}-repeated-header"] = (_file(f"{ds}.csv", "record_id,surname,surname\nA1,x,y\n"), 1, "more than once")
    CASES[f"{ds}-zero-rows-parquet"] = (_with_table(ds, _empty), 1, "no records")
    CASES[f"{ds}-two-dob-aliases"] = (_with_table(ds, lambda t: _rename(date_of_birth="dob")(t).append_column(
        "birth_date", t["date_of_birth"])), 2, "say which")
CASES.update({
    "prison-no-release-date": (_with_table("prison", _drop("release_date")), 1, "release_date"),
    "prison-release-date-unreadable": (_with_table("prison", _bad_dates("release_date")), 1, "could be read"),
    "prison-age-unreadable": (_with_table("prison", _bad_dates("age_at_release")), 1, "whole numbers"),
    "dwp-claim-date-unreadable": (_with_table("dwp", _bad_dates("uc_claim_date")), 1, "dates"),
    "prison-quoted-unclosed": (_file("prison.csv", 'record_id,first_name\nA1,"Zoe\n'), 1, ""),
    "map-missing-file": (_map(None), 2, "does not exist"),
    "map-not-toml": (_map("[prison\ncolumns = 3"), 2, "not valid TOML"),
    "map-not-utf8": (_map("[prison]\n# Zo\xeb\n".encode("latin-1")), 2, "UTF-8"),
    "map-unknown-key": (_map("[prison]\ncolumn = {}\n"), 2, "does not know"),
    "map-unknown-extract": (_map("[dpw.columns]\nrecord_id = \"x\"\n"), 2, "no dpw extract"),
    "map-column-absent": (_map("[prison.columns]\ndate_of_birth = \"dob\"\n"), 2, "no column dob"),
    "map-date-without-codes": (_map("[prison.dates]\nrelease_date = \"dd/mm/yyyy\"\n"), 2, "not a date format"),
    "map-date-unknown-field": (_map("[prison.dates]\nshoe_size = \"%d\"\n"), 2, "not a date BOLD reads"),
    "map-unknown-code-list": (_map("[prison.codes.shoe]\nA = \"B\"\n"), 2, "code lists"),
    "map-code-to-unknown": (_map("[prison.codes.region]\nNE = \"Narnia\"\n"), 2, "do not know"),
    "map-same-column-twice": (_map("[prison.columns]\nfirst_name = \"surname\"\nsurname = \"surname\"\n"), 2, "both"),
    "map-file-with-folder": (_map("[prison]\nfile = \"../prison.parquet\"\n"), 2, "without a folder"),
    "map-section-is-value": (_map("prison = 3\n"), 2, "section"),
    "map-file-absent": (_map("[prison]\nfile = \"jail.csv\"\n"), 2, "no such file"),
    "map-value-not-text": (_map("[prison.columns]\nrecord_id = true\n"), 2, "text in quotes"),
    "map-codes-for-absent-column": (_map("[dwp.codes.region]\nNE = \"North East\"\n"), 2, "no such column"),
})


def test_at_least_fifty_malformed_folders() -> None:
    assert len(CASES) >= 50


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_extract_folder_gets_one_sentence(case: str, world: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    make, code, phrase = CASES[case]
    extra = make(world, tmp_path)
    with pytest.raises(SystemExit) as stop:
        main(["link", str(world), "--out", str(tmp_path / "out"), *extra])
    err = capsys.readouterr().err
    assert stop.value.code == code, err
    problem = [line for line in err.splitlines() if line.startswith("bold: ")]
    assert len(problem) == 1, err
    assert "Traceback" not in err and "Something went wrong" not in err
    assert phrase in problem[0], problem[0]
    assert not (tmp_path / "out" / "spine.parquet").exists()


# -- validation --------------------------------------------------------------------------------------------------

def test_standard_world_is_staged_unchanged(world: Path, tmp_path: Path) -> None:
    prepared = prepare_world(world, load_map(None), tmp_path / "stage")
    for dataset in ("prison", "dwp"):
        original = pq.read_table(world / f"{dataset}.parquet")
        staged = pq.read_table(tmp_path / "stage" / f"{dataset}.parquet")
        assert staged.column_names == original.column_names
        assert [f.type for f in staged.schema] == [f.type for f in original.schema]
        assert staged.to_pylist() == original.to_pylist()
    # dwp lacks sex and postcode, which weaken linkage less than a name or a date of birth: no warning.
    assert prepared.warnings == []


def test_alias_is_used_with_a_notice(world: Path, tmp_path: Path) -> None:
    pq.write_table(_rename(date_of_birth="dob", record_id="unique_id")(_dwp()), world / "dwp.parquet")
    prepared = prepare_world(world, load_map(None), tmp_path / "stage")
    staged = pq.read_table(tmp_path / "stage" / "dwp.parquet")
    assert "date_of_birth" in staged.column_names and "dob" not in staged.column_names
    assert any("its dob column is used as date_of_birth" in n for n in prepared.notices)
    assert any("unique_id" in n for n in prepared.notices)


def test_missing_identifier_warns_and_reaches_quality(world: Path, tmp_path: Path) -> None:
    pq.write_table(_drop("date_of_birth")(_dwp()), world / "dwp.parquet")
    prepared = prepare_world(world, load_map(None), tmp_path / "stage")
    assert any("no date_of_birth column" in w for w in prepared.warnings)
    entry = prepared.quality_entry()["dwp"]
    assert any("date_of_birth" in w for w in entry["warnings"]) and entry["records"] == N


def test_mostly_empty_identifier_and_unknown_codes_warn(world: Path, tmp_path: Path) -> None:
    table = _prison()
    table = table.set_column(table.column_names.index("surname"), "surname", pa.array([None] * N, pa.string()))
    table = table.set_column(table.column_names.index("region"), "region", pa.array(["NE"] * N))
    pq.write_table(table, world / "prison.parquet")
    warnings = prepare_world(world, load_map(None), tmp_path / "stage").warnings
    assert any("surname in only 0%" in w for w in warnings)
    assert any("region the packs do not know" in w and "'NE'" in w for w in warnings)


def test_some_unreadable_dates_warn_not_refuse(world: Path, tmp_path: Path) -> None:
    table = _dwp()
    dates = [str(d) for d in table["uc_claim_date"].to_pylist()]
    dates[0] = "not a date"
    pq.write_table(table.set_column(4, "uc_claim_date", pa.array(dates)), world / "dwp.parquet")
    prepared = prepare_world(world, load_map(None), tmp_path / "stage")
    assert any("1 of 24 uc_claim_date values could not be read as dates" in w for w in prepared.warnings)
    staged = pq.read_table(tmp_path / "stage" / "dwp.parquet")
    assert staged.schema.field("uc_claim_date").type == pa.date32() and staged["uc_claim_date"][0].as_py() is None


def test_csv_extract_gets_standard_types(world: Path, tmp_path: Path) -> None:
    (world / "prison.parquet").unlink()
    (world / "prison.csv").write_text(_csv(_prison()))
    prepare_world(world, load_map(None), tmp_path / "stage")
    staged = pq.read_table(tmp_path / "stage" / "prison.parquet")
    assert staged.schema.field("release_date").type == pa.date32()
    assert staged.schema.field("age_at_release").type == pa.int32()
    assert staged.column("record_id").to_pylist() == _prison().column("record_id").to_pylist()


def test_spark_style_parquet_folder_is_read(world: Path, tmp_path: Path) -> None:
    table = _dwp()
    (world / "dwp.parquet").unlink()
    (world / "dwp.parquet").mkdir()
    pq.write_table(table.slice(0, 10), world / "dwp.parquet" / "part-0.parquet")
    pq.write_table(table.slice(10), world / "dwp.parquet" / "part-1.parquet")
    prepared = prepare_world(world, load_map(None), tmp_path / "stage")
    assert prepared.reports["dwp"].records == N
    assert any("folder of Parquet parts" in n for n in prepared.notices)


# -- the map -------------------------------------------------------------------------------------------------------

MAP = """
[prison]
file = "custody_releases.csv"
[prison.columns]
record_id = "booking_ref"
first_name = "forename"
surname = "family_name"
date_of_birth = "birth"
sex = "gender"
postcode = "home_pc"
release_date = "released_on"
region = "area"
[prison.dates]
release_date = "%d/%m/%Y"
[prison.codes.sex]
"1" = "M"
"2" = "F"
[prison.codes.region]
LDN = "London"
WLS = "Wales"
"""


def test_mapped_world_stages_to_the_original(world: Path, tmp_path: Path) -> None:
    original = _prison()
    own = original.rename_columns([{"record_id": "booking_ref", "first_name": "forename", "surname": "family_name",
                                    "date_of_birth": "birth", "sex": "gender", "postcode": "home_pc",
                                    "release_date": "released_on", "region": "area"}.get(c, c)
                                   for c in original.column_names])
    own = own.set_column(own.column_names.index("gender"), "gender",
                         pa.array([{"M": "1", "F": "2"}[s] for s in original["sex"].to_pylist()]))
    own = own.set_column(own.column_names.index("area"), "area",
                         pa.array([{"London": "LDN", "Wales": "WLS"}[s] for s in original["region"].to_pylist()]))
    own = own.set_column(own.column_names.index("released_on"), "released_on",
                         pa.array([d.strftime("%d/%m/%Y") for d in original["release_date"].to_pylist()]))
    (world / "prison.parquet").unlink()
    (world / "custody_releases.csv").write_text(_csv(own))
    (tmp_path / "map.toml").write_text(MAP)
    prepared = prepare_world(world, load_map(tmp_path / "map.toml"), tmp_path / "stage")
    staged = pq.read_table(tmp_path / "stage" / "prison.parquet")
    for column in original.column_names:
        assert staged[column].to_pylist() == original[column].to_pylist(), column
    assert not [w for w in prepared.warnings if "prison" in w]


# -- spines linked outside BOLD --------------------------------------------------------------------------------------

def _spine(world: Path, keys) -> pa.Table:
    ids = [("prison", f"P{i:04d}") for i in range(N)] + [("dwp", f"D{i:04d}") for i in range(N)]
    return pa.table({"dataset": [d for d, _ in ids], "record_id": [r for _, r in ids],
                     "person_key": [keys(i % N) for i in range(len(ids))]})


@pytest.mark.parametrize("keys", [lambda i: f"P{i:08d}", lambda i: 1000 + i], ids=["string", "integer"])
def test_outside_spine_is_accepted(world: Path, tmp_path: Path, keys) -> None:
    links = tmp_path / "links"
    links.mkdir()
    pq.write_table(_spine(world, keys), links / "spine.parquet")
    prepared = prepare_world(world, load_map(None), tmp_path / "stage", linking=False)
    staged, notes = prepare_links(links, prepared, tmp_path / "staged-links")
    spine = pq.read_table(staged / "spine.parquet")
    assert pa.types.is_integer(spine.schema.field("person_key").type)
    assert spine.num_rows == 2 * N and len(set(spine["person_key"].to_pylist())) == N
    by_record = dict(zip(spine["record_id"].to_pylist(), spine["person_key"].to_pylist()))
    assert by_record["P0003"] == by_record["D0003"] != by_record["P0004"]
    assert notes == [OUTSIDE]
    assert json.loads((staged / "quality.json").read_text())["linked_outside_bold"] is True


def test_outside_spine_missing_a_record_is_refused(world: Path, tmp_path: Path) -> None:
    links = tmp_path / "links"
    links.mkdir()
    pq.write_table(_spine(world, lambda i: f"P{i}").slice(1), links / "spine.parquet")
    prepared = prepare_world(world, load_map(None), tmp_path / "stage", linking=False)
    with pytest.raises(ExtractError, match="no row for 1 records of the prison extract"):
        prepare_links(links, prepared, tmp_path / "staged-links")


def test_map_error_is_a_usage_error() -> None:
    assert MapError.exit_code == 2 and ExtractError.exit_code == 1


# -- malformed spines given with --links (bold build) ------------------------------------------------------------

def _spine_case(change):
    def make(links: Path) -> None:
        table = change(_spine(None, lambda i: f"P{i:08d}"))
        if table is not None:
            pq.write_table(table, links / "spine.parquet")
    return make


def _corrupt_spine(links: Path) -> None:
    (links / "spine.parquet").write_bytes(b"PAR1 not really PAR1")


def _bad_quality(links: Path) -> None:
    pq.write_table(_spine(None, lambda i: i), links / "spine.parquet")
    (links / "quality.json").write_text("{not json")


SPINE_CASES = {
    "no-person-key": (_spine_case(lambda t: t.drop_columns(["person_key"])), "no person_key column"),
    "record-twice": (_spine_case(lambda t: pa.concat_tables([t, t.slice(0, 1)])), "more than once"),
    "null-person-key": (_spine_case(lambda t: t.set_column(2, "person_key", pa.array(
        [None] + t["person_key"].to_pylist()[1:], pa.string()))), "no person_key or record_id"),
    "record-missing": (_spine_case(lambda t: t.slice(2)), "no row for"),
    "empty-spine": (_spine_case(lambda t: t.slice(0, 0)), "holds no rows"),
    "corrupt-spine": (_corrupt_spine, "Parquet"),
    "quality-not-json": (_bad_quality, "not readable JSON"),
}


@pytest.mark.parametrize("case", sorted(SPINE_CASES))
def test_malformed_spine_gets_one_sentence(case: str, world: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from linkage_core.bundle.keys import write_keypair

    make, phrase = SPINE_CASES[case]
    links = tmp_path / "links"
    links.mkdir()
    make(links)
    key_path, _ = write_keypair(tmp_path / "key", "Spine test publisher")
    monkeypatch.setenv("BOLD_PASSPHRASE", "spine-test-passphrase")
    with pytest.raises(SystemExit) as stop:
        main(["build", str(world), "--out", str(tmp_path / "out.bold"), "--publisher-key", str(key_path),
              "--links", str(links)])
    err = capsys.readouterr().err
    assert stop.value.code == 1, err
    problem = [line for line in err.splitlines() if line.startswith("bold: ")]
    assert len(problem) == 1 and phrase in problem[0], err
    assert "Traceback" not in err and "Something went wrong" not in err
    assert not (tmp_path / "out.bold").exists()


def test_parquet_wins_over_csv_with_a_notice(world: Path, tmp_path: Path) -> None:
    (world / "dwp.csv").write_text(_csv(_dwp().slice(0, 4)))
    prepared = prepare_world(world, load_map(None), tmp_path / "stage")
    assert prepared.reports["dwp"].records == N
    assert any("dwp.parquet is used and dwp.csv is not read" in n for n in prepared.notices)


def test_the_file_the_map_names_wins(world: Path, tmp_path: Path) -> None:
    (world / "custody.csv").write_text(_csv(_prison().slice(0, 8)))
    (tmp_path / "map.toml").write_text('[prison]\nfile = "custody.csv"\n')
    prepared = prepare_world(world, load_map(tmp_path / "map.toml"), tmp_path / "stage")
    assert prepared.reports["prison"].records == 8 and prepared.reports["prison"].file == "custody.csv"
    assert any("prison.parquet is not read" in n for n in prepared.notices)


def test_warnings_are_kept_in_quality_json(world: Path, tmp_path: Path) -> None:
    from linkage_core.extracts import staged

    pq.write_table(_drop("date_of_birth")(_dwp()), world / "dwp.parquet")
    said: list[str] = []
    (tmp_path / "quality.json").write_text(json.dumps({"cohort": "prison", "datasets": {}}))
    with staged(world, None, say=said.append) as stage:
        stage.record_quality(tmp_path / "quality.json")
        assert any(n.startswith("Extract check: The dwp extract has no date_of_birth") for n in stage.notes)
    kept = json.loads((tmp_path / "quality.json").read_text())
    assert kept["cohort"] == "prison" and kept["extracts"]["dwp"]["warnings"]
    assert any(line.startswith("Warning: The dwp extract has no date_of_birth") for line in said)
    assert sum(line.startswith("Checked ") for line in said) == 2
    assert not stage.world.exists()  # the staging folder, with its identifiers, is gone afterwards
