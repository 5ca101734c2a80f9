"""The linkage gives the same people on DuckDB and Spark (issue 13's engine agreement, the linkage half).

A file of its own so the two test workers run it beside ``test_spark.py`` (each file is one worker group):
both are minutes of Spark's fixed cost per query, and one after the other they were the longest pole in CI.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pipeline.test_spark import needs_spark

pytestmark = pytest.mark.slow


#: A small world for the linkage's own agreement: Spark pays a fixed cost per query, so size buys little here.
LINK_PEOPLE = 300
#: Adult extracts linked to the cohort by the same code as probation's: each is one more Splink model, minutes
#: of Spark's fixed cost per query, and no path of the linkage that probation does not already take. The whole
#: world on both engines is ``python -m benchmarks.link_engines`` (docs/figures.md).
SAME_PATH_AS_PROBATION = ("dwp", "hmrc", "reoffending")


@needs_spark
def test_both_engines_link_the_same_people(tmp_path: Path) -> None:
    """The linkage gives the same spine on both engines: the same records grouped into the same people
    (person keys are random by design, so people are compared as groups of records), the same probability
    on every record, and the same quality.json. Every kind of model runs: duplicates in the cohort, an adult
    extract (probation), the children's extracts (school and council) and records outside the cohort. Samples are chosen by one key on both engines
    (``linkage.stable``), so a world whose cohort is sampled for u and EM would agree too."""
    import json

    from linkage_core.linkage.compare_links import compare
    from linkage_core.linkage import link_world
    from sample_db.world import synthesise

    world = synthesise(LINK_PEOPLE, 5, tmp_path / "world")
    for name in SAME_PATH_AS_PROBATION:
        (world / f"{name}.parquet").unlink()
    for engine in ("duckdb", "spark"):
        link_world(world, tmp_path / engine, engine=engine)
    found = compare(tmp_path / "duckdb", tmp_path / "spark")
    assert found["records"] > LINK_PEOPLE and found["people_a"] == found["people_b"]
    assert found["records_in_a_different_person"] == 0, found["first_moved"]
    assert found["probabilities_differing"] == 0, found["first_probability"]
    assert found["quality_fields_differing"] == 0, found["first_quality"]
    evaluation = json.loads((tmp_path / "spark" / "quality.json").read_text())["evaluation"]["pairwise"]
    assert evaluation["overall"]["f1"] > 0.95  # the same, and good: not two engines agreeing on nothing
