"""Real extracts through the pipeline (issue 16): a renamed and recoded world given its map reads exactly as
the original; a world of only prison, probation and reoffending extracts builds and says what it left out.

A small synthetic world and a spine taken from its truth keep these quick: linkage is not what is tested
here (both worlds hand the linkage the same staged identifiers, which the first test checks), and the
end-to-end figure with linkage is measured by ``benchmarks/extracts_map.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from linkage_core.extracts import load_map, prepare_world
from linkage_core.extracts.links import OUTSIDE, prepare_links
from linkage_core.extracts.layout import CODES, FIELDS, IDENTIFIERS

PEOPLE, SEED = 400, 16


def own_name(column: str) -> str:
    return f"src_{column}"


def _code(column: str, value: str) -> str:
    return f"{column[:3].upper()}-{CODES[column].index(value) + 1}"


def mapped_world(world: Path, out: Path) -> Path:
    """Copy ``world`` with every identifier (and record id) renamed, every code list recoded, and every date
    a pack reads written as dd/mm/yyyy text; writes ``out/map.toml`` that brings it back."""
    out.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    for path in sorted(world.glob("*.parquet")):
        dataset, table = path.stem, pq.read_table(path)
        lines.append(f"[{dataset}.columns]")
        names = []
        for column in table.column_names:
            if column in IDENTIFIERS or column == "record_id":
                names.append(own_name(column))
                lines.append(f'{column} = "{own_name(column)}"')
            else:
                names.append(column)
        dates = [c for c, kind in FIELDS.get(dataset, {}).items() if kind == "date" and c in table.column_names]
        if dates:
            lines.append(f"[{dataset}.dates]")
            lines += [f'{c} = "%d/%m/%Y"' for c in dates]
        for column in dates:
            i = table.column_names.index(column)
            table = table.set_column(i, column, pc.strftime(table[column], format="%d/%m/%Y"))
        for column in [c for c in table.column_names if c in CODES]:
            i = table.column_names.index(column)
            recoded = [None if v is None else _code(column, v) for v in table[column].to_pylist()]
            table = table.set_column(i, column, pa.array(recoded, pa.string()))
            lines.append(f"[{dataset}.codes.{column}]")
            lines += [f'"{_code(column, v)}" = "{v}"' for v in CODES[column]]
        if "courses" in table.column_names:
            i = table.column_names.index("courses")
            courses = [[{**c, **{f: (None if c[f] is None else _code(f"courses.{f}", c[f]))
                                 for f in ("type", "sector", "level")}} for c in (row or [])] if row is not None
                       else None for row in table["courses"].to_pylist()]
            table = table.set_column(i, "courses", pa.array(courses, table.schema.field("courses").type))
            for f in ("type", "sector", "level"):
                lines.append(f'[{dataset}.codes."courses.{f}"]')
                lines += [f'"{_code(f"courses.{f}", v)}" = "{v}"' for v in CODES[f"courses.{f}"]]
        pq.write_table(table.rename_columns(names), out / path.name)
    (out / "map.toml").write_text("\n".join(lines) + "\n")
    if (world / "_truth").is_dir() and not (out / "_truth").exists():
        shutil.copytree(world / "_truth", out / "_truth")  # record ids are unchanged, so the truth still holds
    return out


@pytest.fixture(scope="module")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sample_db.world import synthesise

    return synthesise(PEOPLE, SEED, tmp_path_factory.mktemp("extracts") / "world")


def _truth_spine(world: Path, prepared, out: Path) -> Path:
    """A spine from the world's truth, as an environment hands over pseudonymised linked data: string person
    keys (the world's ``P00000211``), no match probabilities, no quality file. Staged by ``prepare_links``."""
    import duckdb

    raw = out / "given"
    raw.mkdir(parents=True, exist_ok=True)
    duckdb.sql(f"COPY (SELECT dataset, record_id, person_id AS person_key "
               f"FROM '{world / '_truth' / 'truth.parquet'}') TO '{raw / 'spine.parquet'}' (FORMAT PARQUET)")
    staged, notes = prepare_links(raw, prepared, out / "staged")
    assert notes == [OUTSIDE]
    return staged


def test_mapped_world_reads_exactly_as_the_original(small_world: Path, tmp_path: Path) -> None:
    from insight_packs.cohort import Sources, load
    from insight_packs.engine import DuckDBEngine

    other = mapped_world(small_world, tmp_path / "mapped")
    original = prepare_world(small_world, load_map(None), tmp_path / "a")
    mapped = prepare_world(other, load_map(other / "map.toml"), tmp_path / "b")
    assert mapped.warnings == original.warnings
    for dataset in original.datasets:
        a, b = (pq.read_table(p.world / f"{dataset}.parquet") for p in (original, mapped))
        assert b.column_names == a.column_names, dataset
        assert [f.type for f in b.schema] == [f.type for f in a.schema], dataset  # nullability aside
        assert b.to_pylist() == a.to_pylist(), dataset
    spine = _truth_spine(small_world, original, tmp_path / "spine")
    tables = []
    for prepared in (original, mapped):
        engine = DuckDBEngine()
        try:
            load(engine, Sources(prepared.world, spine, "ab" * 16))
            tables.append({t: engine.arrow(f"SELECT * FROM {t} ORDER BY ALL")
                           for t in ("people", "children", "courses") if t in _tables(engine)})
        finally:
            engine.close()
    assert tables[0].keys() == tables[1].keys() and "people" in tables[0]
    for name in tables[0]:
        assert tables[0][name].to_pylist() == tables[1][name].to_pylist(), name


def _tables(engine) -> set[str]:
    return {r["name"] for r in engine.records("SELECT table_name AS name FROM information_schema.tables")}


@pytest.mark.slow
def test_prison_probation_and_reoffending_alone_build(small_world: Path, tmp_path: Path) -> None:
    from insight_packs.build import build_content

    partial = tmp_path / "partial"
    partial.mkdir()
    for dataset in ("prison", "probation", "reoffending"):
        shutil.copy(small_world / f"{dataset}.parquet", partial)
    prepared = prepare_world(partial, load_map(None), tmp_path / "stage")
    content = build_content(prepared.world, _truth_spine(small_world, prepared, tmp_path / "spine"),
                            key_secret="ab" * 16, synthetic=True, notes=[OUTSIDE])
    assert OUTSIDE in content.manifest.notes
    assert content.findings and content.manifest.datasets_linked == ["prison", "probation", "reoffending"]
    left_out = {n.pack_id: n for n in content.manifest.not_computed}
    assert {"employment", "children", "education_work"} <= set(left_out)
    assert not left_out["children"].computed and "local_authority" in left_out["children"].reason
    assert left_out["leaving_prison"].computed and left_out["leaving_prison"].missing == ["dwp"]
    assert {p.id for p in content.packs} == {f.pack_id for f in content.findings}
