"""The children pack leaves children of unknown family status out of the comparison group, and says so.

A hand-made children table: children with a parent who left prison, comparison children, and children whose
recorded parent nearly matched someone released (``possible_parent_in_cohort``). The last are given far lower
attendance, so the comparison figure shows at once whether any of them slipped into the comparison group.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from insight_packs.children import PACK
from insight_packs.engine import open_engine


def _tables(tmp_path: Path, unknown_column: bool = True) -> Path:
    rng = np.random.default_rng(5)
    rows = []
    for i in range(900):
        kind = "treated" if i < 300 else "comparison" if i < 600 else "unknown"
        rows.append({
            "person_key": i + 1, "parent_person_key": 5000 + i if kind == "treated" else None,
            "parent_in_cohort": int(kind == "treated"), "row_order": i + 1, "record_key": f"{rng.integers(16**8):08x}",
            "region": ["North East", "London", "South West"][rng.integers(3)], "sex": "F" if i % 2 else "M",
            "school_year": float(i % 12),
            "attendance_rate": 30.0 if kind == "unknown" else 95.0 + (i % 5) * 0.5,
            "persistent_absence": int(kind == "unknown"), "suspensions": 0, "permanent_exclusion": 0,
            "attainment_expected": int(i % 2 == 0), "in_school_data": 1, "in_council_data": 1,
            "children_in_need": 0, "early_help": 0, "possible_parent_in_cohort": int(kind == "unknown")})
    children = pd.DataFrame(rows)
    if not unknown_column:  # as ``cohort.load`` writes it when linkage did not look: null for everyone
        children["possible_parent_in_cohort"] = pd.Series(None, index=children.index, dtype="Int64")
    children.to_parquet(tmp_path / "children.parquet")
    pd.DataFrame({"record_key": [f"{i:08x}" for i in range(300)], "children_declared": 1,
                  "row_order": range(300)}).to_parquet(tmp_path / "people.parquet")
    return tmp_path


def _attendance(folder: Path):
    engine = open_engine("duckdb")
    try:
        for table in ("children", "people"):
            engine.register(f"{table}_raw", folder / f"{table}.parquet")
            engine.execute(f"CREATE TABLE {table} AS SELECT * FROM {table}_raw")
        drafts = PACK.compute(engine)
    finally:
        engine.close()
    return next(d for d in drafts if d.id == "children.parental_imprisonment.attendance_rate")


def test_children_of_unknown_status_are_in_neither_group(tmp_path: Path) -> None:
    finding = _attendance(_tables(tmp_path))
    top = next(c for c in finding.cells if c.breakdown == "overall")
    assert top.treated.n >= 200 and top.comparison.n == top.treated.n
    # Every comparison child attends 95% or more; one child of unknown status among them would pull it down.
    assert top.comparison.value >= 95.0 and top.treated.value >= 95.0
    assert any("were left out of the comparison because we cannot tell whether their parent was in prison" in c
               for c in finding.caveats)
    assert "in neither group" in finding.method


def test_without_the_linkage_mark_everyone_known_to_a_council_can_be_compared(tmp_path: Path) -> None:
    # The other side of the same check: with no column from linkage, the low-attendance children are ordinary
    # comparison children, so the comparison figure falls. (If this passed with the column present, the first
    # test could not fail.)
    finding = _attendance(_tables(tmp_path, unknown_column=False))
    top = next(c for c in finding.cells if c.breakdown == "overall")
    assert top.comparison.value < 90.0
    # And the words say only what was done: nobody was left out, so no sentence says so.
    assert not any("left out of the comparison" in c for c in finding.caveats)
    assert "neither group" not in finding.method
