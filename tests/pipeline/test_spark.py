"""The Spark engine gives the DuckDB engine's answers: the same people, and the same published findings.

Both engines run the same Splink settings and the same pack SQL (transpiled for Spark), so on a small world
the spines must agree pair for pair (at least 99% pairwise agreement) and every published figure must be
equal, except where a record near a threshold joined a different person; the test names those.

Skipped, with the reason, only when PySpark or Java is missing. About four minutes on 2 cores, nearly all of
it Spark's fixed cost per query on a small world.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from linkage_core.errors import MissingExtra

pytestmark = pytest.mark.slow

PEOPLE = 2000
SEED = 11
CREATED = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _spark_missing() -> str | None:
    try:
        from linkage_core.spark_session import require_spark

        require_spark()
    except MissingExtra as error:
        return str(error)
    return None


needs_spark = pytest.mark.skipif(_spark_missing() is not None, reason=f"{_spark_missing()}")


@pytest.fixture(scope="module")
def linked_both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    from linkage_core.linkage import link_world
    from sample_db.world import synthesise

    root = tmp_path_factory.mktemp("engines")
    world = synthesise(PEOPLE, SEED, root / "world")
    link_world(world, root / "duckdb", engine="duckdb")
    link_world(world, root / "spark", engine="spark")
    return Path(world), root / "duckdb", root / "spark"


def _clusters(spine: Path) -> dict[str, str]:
    """Each record's cluster, named by its first record: comparable although person keys are random."""
    return dict(duckdb.sql(f"""
        SELECT dataset || '|' || record_id, min(dataset || '|' || record_id) OVER (PARTITION BY person_key)
        FROM '{spine}'""").fetchall())


def _pairs(spine: Path) -> int:
    return int(duckdb.sql(f"SELECT sum(n * (n - 1) / 2) FROM (SELECT count(*) AS n FROM '{spine}' "
                          "GROUP BY person_key)").fetchall()[0][0] or 0)


def _shared_pairs(a: Path, b: Path) -> int:
    return int(duckdb.sql(f"""
        SELECT sum(n * (n - 1) / 2) FROM (
            SELECT count(*) AS n FROM '{a}' x JOIN '{b}' y USING (dataset, record_id)
            GROUP BY x.person_key, y.person_key)""").fetchall()[0][0] or 0)


@needs_spark
def test_both_engines_find_the_same_people(linked_both: tuple[Path, Path, Path]) -> None:
    _, on_duckdb, on_spark = linked_both
    a, b = on_duckdb / "spine.parquet", on_spark / "spine.parquet"
    first, second = _clusters(a), _clusters(b)
    assert first.keys() == second.keys()  # every record, once, on both
    shared = _shared_pairs(a, b)
    agreement = 2 * shared / (_pairs(a) + _pairs(b))
    assert agreement >= 0.99, f"pairwise agreement {agreement:.4f}"


def _moved_people(on_duckdb: Path, on_spark: Path) -> list[str]:
    """Records whose cluster differs between the engines: the only people whose figures may differ."""
    first, second = _clusters(on_duckdb / "spine.parquet"), _clusters(on_spark / "spine.parquet")
    members_a: dict[str, set[str]] = {}
    members_b: dict[str, set[str]] = {}
    for record, cluster in first.items():
        members_a.setdefault(cluster, set()).add(record)
    for record, cluster in second.items():
        members_b.setdefault(cluster, set()).add(record)
    return sorted(r for r in first if members_a[first[r]] != members_b[second[r]])


@needs_spark
def test_both_engines_publish_the_same_findings(linked_both: tuple[Path, Path, Path]) -> None:
    from insight_packs.build import build_content

    world, on_duckdb, on_spark = linked_both
    secret = "5e" * 16  # record keys (the cell key method) must come out the same on both engines
    duck = build_content(world, on_duckdb, engine_kind="duckdb", created=CREATED, key_secret=secret)
    spark = build_content(world, on_spark, engine_kind="spark", created=CREATED, key_secret=secret)
    cells = {(e.finding_id, e.breakdown, e.group): e.model_dump() for e in duck.estimates}
    other = {(e.finding_id, e.breakdown, e.group): e.model_dump() for e in spark.estimates}
    assert cells.keys() == other.keys()
    assert [f.id for f in duck.findings] == [f.id for f in spark.findings]
    differing = sorted(k for k in cells if cells[k] != other[k])
    moved = _moved_people(on_duckdb, on_spark)
    if not moved:
        assert differing == [], f"{len(differing)} cells differ with identical spines, first: {differing[:3]}"
    else:
        # A record near a threshold joined someone else (each engine trains on its own hash sample, so a
        # probability can sit either side of a threshold). Only the findings built on the moved records'
        # extracts may change; a shown count only by about the people involved. A changed count can tip a
        # cell over a disclosure rule, so a cell may be shown by one engine and hidden by the other.
        assert len(moved) <= 0.001 * len(_clusters(on_duckdb / "spine.parquet")), moved[:10]
        moved_datasets = {record.split("|")[0] for record in moved}
        packs = {p.id: {d.dataset for d in p.datasets} for p in duck.packs}
        datasets = {f.id: packs[f.pack_id] for f in duck.findings}
        assert len(differing) <= 0.02 * len(cells), (len(differing), differing[:5], moved)
        for key in differing:
            a, b = cells[key], other[key]
            assert datasets[key[0]] & moved_datasets, (key, moved)
            if a["treated_n"] is not None and b["treated_n"] is not None:
                assert abs(a["treated_n"] - b["treated_n"]) <= 5 * len(moved), (key, moved)
        print(f"records that joined a different person: {moved}; cells that moved: {differing}")
    assert [(q.dataset, q.group) for q in duck.linkage_quality] == \
        [(q.dataset, q.group) for q in spark.linkage_quality]


def test_a_missing_java_is_one_sentence_and_exit_code_2(tmp_path: Path) -> None:
    """No Java on the path and no JAVA_HOME: ``bold link --engine spark`` says so plainly, before any work."""
    pytest.importorskip("pyspark", reason="PySpark is not installed, so the Java check is not reached")
    world = tmp_path / "world"
    world.mkdir()
    (world / "prison.csv").write_text("record_id,first_name\n1,Ann\n")
    env = {k: v for k, v in os.environ.items() if k not in {"JAVA_HOME", "SPARK_REMOTE"}}
    env["PATH"] = str(Path(sys.executable).parent)  # python, but no java
    done = subprocess.run([sys.executable, "-m", "bold_tui.cli", "link", str(world), "--out", str(tmp_path / "o"),
                           "--engine", "spark"], capture_output=True, text=True, env=env,
                          cwd=Path(__file__).resolve().parents[2], check=False)
    assert done.returncode == 2, done.stderr
    assert "Java" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_spark_master_without_spark_is_a_usage_error(tmp_path: Path) -> None:
    from bold_tui.cli import main

    world = tmp_path / "world"
    world.mkdir()
    (world / "prison.csv").write_text("record_id\n1\n")
    with pytest.raises(SystemExit) as done:
        main(["link", str(world), "--out", str(tmp_path / "o"), "--spark-master", "spark://nowhere:7077"])
    assert done.value.code == 2
