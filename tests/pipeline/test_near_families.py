"""Children of unknown family status: a recorded parent who nearly matches someone released, but was not linked.

``linkage.near_families`` marks them from the extracts and the spine; the children pack leaves them out of
the comparison group (issue 13: missed family links put children with a parent in prison among the
comparison children and pulled the gap towards zero).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from linkage_core.linkage.near_families import possible_children, write_possible_families

ADULTS = [  # record_id, first, surname, dob, postcode: the people released
    ("PRI-1", "Curtis", "Clarke", "1982-03-11", "HD14 8FL"),
    ("PRI-2", "Sarah", "Okafor", "1990-07-02", "ME5 4DP"),
    ("PRI-3", "John", "Smith", "1985-01-20", "LS1 1AA"),
]
CHILDREN = [  # record_id, parent first, surname, dob, postcode; why
    ("LAC-1", "Curtis", "Clarke", "1982-03-11", "HD14 8FL"),   # linked to PRI-1: already in the treated group
    ("LAC-2", "Curtic", "Clarke", "1982-03-10", "HD14 2BS"),   # typos in name and day, same district: possible
    ("LAC-3", "Sade", "Okafor", "1990-07-02", "TN10 3PH"),     # exact date of birth and surname: possible
    ("LAC-4", "John", "Smith", "1979-06-05", "WR10 7PJ"),      # a common name, nothing else: not possible
    ("LAC-5", "Jane", "Doe", "1990-07-02", "BN1 1AA"),         # a shared birthday alone: not possible
    ("LAC-6", "Mary", "Brown", "1970-02-02", "LS1 9ZZ"),       # the same district alone: not possible
]


@pytest.fixture()
def linked(tmp_path: Path) -> tuple[Path, Path]:
    world, link = tmp_path / "world", tmp_path / "link"
    world.mkdir()
    link.mkdir()
    pd.DataFrame(ADULTS, columns=["record_id", "first_name", "surname", "date_of_birth", "postcode"]).to_csv(
        world / "prison.csv", index=False)
    kids = pd.DataFrame(CHILDREN, columns=["record_id", "parent_first_name", "parent_surname",
                                           "parent_date_of_birth", "parent_postcode"])
    kids.insert(1, "first_name", "Kid")
    kids.to_csv(world / "local_authority.csv", index=False)
    # A truth folder the module must never read: if it did, this child would be marked.
    (world / "_truth").mkdir()
    pd.DataFrame({"record_id": ["LAC-6"]}).to_csv(world / "_truth" / "local_authority.csv", index=False)
    spine = pd.DataFrame({"dataset": ["prison"] * 3 + ["local_authority"] * 6,
                          "record_id": [a[0] for a in ADULTS] + [c[0] for c in CHILDREN],
                          "person_key": np.arange(101, 110, dtype="int64"), "match_probability": 1.0})
    spine.to_parquet(link / "spine.parquet")
    pd.DataFrame({"child_person_key": np.array([104], "int64"), "parent_person_key": np.array([101], "int64"),
                  "match_probability": [0.99]}).to_parquet(link / "families.parquet")
    return world, link


def test_near_matches_are_marked_and_loose_ones_are_not(linked: tuple[Path, Path]) -> None:
    world, link = linked
    # Person keys: LAC-1 is 104 (linked), LAC-2 105, LAC-3 106, LAC-4 107, LAC-5 108, LAC-6 109.
    assert possible_children(world, link) == [105, 106]


def test_the_file_holds_person_keys_only(linked: tuple[Path, Path]) -> None:
    world, link = linked
    out = pd.read_parquet(write_possible_families(world, link))
    assert list(out.columns) == ["child_person_key"] and sorted(out.child_person_key) == [105, 106]


def test_without_a_cohort_or_parent_details_nothing_is_marked(linked: tuple[Path, Path]) -> None:
    world, link = linked
    assert possible_children(world, link, cohort="probation") == []
    (world / "local_authority.csv").write_text("record_id,first_name\nLAC-1,Kid\n")
    assert possible_children(world, link) == []
