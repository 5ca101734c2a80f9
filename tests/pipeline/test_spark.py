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
def linked_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from linkage_core.linkage import link_world
    from sample_db.world import synthesise

    root = tmp_path_factory.mktemp("engines")
    world = synthesise(PEOPLE, SEED, root / "world")
    link_world(world, root / "duckdb", engine="duckdb")
    return Path(world), root / "duckdb"  # one spine: the packs are what is compared


@needs_spark
def test_both_engines_publish_the_same_findings(linked_once: tuple[Path, Path]) -> None:
    from insight_packs.build import build_content

    world, spine = linked_once
    secret = "5e" * 16  # record keys (the cell key method) must come out the same on both engines
    duck = build_content(world, spine, engine_kind="duckdb", created=CREATED, key_secret=secret)
    spark = build_content(world, spine, engine_kind="spark", created=CREATED, key_secret=secret)
    cells = {(e.finding_id, e.breakdown, e.group): e.model_dump() for e in duck.estimates}
    other = {(e.finding_id, e.breakdown, e.group): e.model_dump() for e in spark.estimates}
    assert cells.keys() == other.keys()
    assert [f.id for f in duck.findings] == [f.id for f in spark.findings]
    differing = sorted(k for k in cells if cells[k] != other[k])
    assert differing == [], f"{len(differing)} cells differ from the same spine, first: {differing[:3]}"


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
