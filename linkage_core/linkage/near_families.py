"""Children whose recorded parent *nearly* matches someone released: their family status is unknown.

Why: the children's analysis compares children linked to a parent who left prison with children whose council
record names someone else. A child whose parent's details were mistyped (``Curtic Clarke`` for ``Curtis
Clarke``) is not linked, and lands among the comparison children although a parent was in prison; that pulls
the gap towards zero. The family link is accepted only at a high probability, so it cannot simply be loosened
(it would link strangers). Instead, a child whose recorded parent agrees with a person released on at least
three of the four details (first name, surname, date of birth, postcode district), allowing for small
typing errors, or on the exact date of birth and one other detail (an exact date of birth is rare enough to
weigh about as much as two looser details), is marked *possible*: the analysis leaves them out of the
comparison group and says so.

It reads the extracts and the spine only (never ``_truth/``), in the secure stage, and writes person keys
alone: ``families_possible.parquet`` with one column, ``child_person_key``.

Agreement, field by field (each a conventional "close enough" level, the same for every data set):
first name and surname: Jaro-Winkler similarity of at least 0.9 after lower-casing and dropping everything
but letters; date of birth: at least two of day, month and year the same; postcode: the same district (the
part before the last three characters, spaces ignored).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from linkage_core.linkage.standardise import extract_paths, read_relation
from linkage_core.sql import literal

#: Where a council extract records a child's parent (the linkage's family model reads the same columns).
PARENT_COLUMNS = {"first_name": "parent_first_name", "surname": "parent_surname",
                  "date_of_birth": "parent_date_of_birth", "postcode": "parent_postcode"}
#: Jaro-Winkler similarity at or above which two names count as the same name mistyped.
NAME_SIMILARITY = 0.9
#: How many of the four details must agree for a child's family status to count as unknown.
DETAILS_AGREEING = 3
FILE = "families_possible.parquet"

_DATE_PAIRS = ("n.y = a.y AND n.m = a.m", "n.y = a.y AND n.d = a.d", "n.m = a.m AND n.d = a.d")
#: Candidate pairs. Three of four details agreeing means two of them at least do, so each key is two details,
#: and each holds a name or an address, whose values grow in number with the records: the pairs then grow with
#: the records, not with their square (a shared district or a shared birthday alone gave 10^7 pairs at 100,000
#: people and a 4.8 GiB peak; a birthday with an initial, 2 million per key). A name in a key is the name
#: exactly, or both initials. Missed, so not marked: pairs whose agreeing names both changed their first letter.
BLOCKS: tuple[str, ...] = (
    *(f"n.district = a.district AND {pair}" for pair in _DATE_PAIRS),
    *(f"{pair} AND n.{name} = a.{name}" for pair in _DATE_PAIRS for name in ("first_name", "surname")),
    "n.district = a.district AND n.first_name = a.first_name", "n.district = a.district AND n.surname = a.surname",
    "n.first_name = a.first_name AND n.surname = a.surname",
    # Both names mistyped: by both initials (a mistyped name nearly always keeps its first letter).
    *(f"{pair} AND n.fi = a.fi AND n.si = a.si" for pair in _DATE_PAIRS),
    "n.district = a.district AND n.fi = a.fi AND n.si = a.si",
    # An exact date of birth with one mistyped name beside it.
    "n.y = a.y AND n.m = a.m AND n.d = a.d AND n.fi = a.fi", "n.y = a.y AND n.m = a.m AND n.d = a.d AND n.si = a.si",
)


def _details(source: str, columns: dict[str, str], id_column: str = "record_id") -> str:
    """A record's four details, standardised, with its date split into parts for blocking."""
    def name(col: str) -> str:
        return f"NULLIF(regexp_replace(lower(CAST({col} AS VARCHAR)), '[^a-z]', '', 'g'), '')"
    dob = f"TRY_CAST(CAST({columns['date_of_birth']} AS VARCHAR) AS DATE)"
    postcode = f"upper(regexp_replace(CAST({columns['postcode']} AS VARCHAR), '\\s', '', 'g'))"
    return (f"SELECT CAST({id_column} AS VARCHAR) AS record_id, {name(columns['first_name'])} AS first_name, "
            f"{name(columns['surname'])} AS surname, left({name(columns['first_name'])}, 1) AS fi, "
            f"left({name(columns['surname'])}, 1) AS si, year({dob}) AS y, month({dob}) AS m, day({dob}) AS d, "
            f"CASE WHEN length({postcode}) > 3 THEN left({postcode}, length({postcode}) - 3) END AS district "
            f"FROM {source}")


def possible_children(world_dir: Path, link_dir: Path, cohort: str = "prison") -> list[int]:
    """Person keys of children not linked to a parent in the cohort whose recorded parent agrees with a
    cohort record on at least ``DETAILS_AGREEING`` of the four details."""
    paths = extract_paths(Path(world_dir))
    if cohort not in paths:
        return []
    spine = Path(link_dir) / "spine.parquet"
    families = Path(link_dir) / "families.parquet"
    con = duckdb.connect()
    try:
        con.execute(f"CREATE TABLE spine AS SELECT dataset, CAST(record_id AS VARCHAR) AS record_id, person_key "
                    f"FROM read_parquet({literal(str(spine))})")
        linked = (f"SELECT child_person_key FROM read_parquet({literal(str(families))})" if families.exists()
                  else "SELECT CAST(NULL AS BIGINT) AS child_person_key WHERE false")
        read_relation(con, paths[cohort]).create_view("cohort_source")
        con.execute(f"CREATE TABLE adults AS {_details('cohort_source', {k: k for k in PARENT_COLUMNS})}")
        found: list[int] = []
        for dataset, path in paths.items():
            if dataset == cohort:
                continue
            extract = read_relation(con, path)
            columns = extract.columns
            if not all(c in columns for c in PARENT_COLUMNS.values()):
                continue
            extract.create_view("extract_source")
            con.execute(f"CREATE OR REPLACE TABLE named AS {_details('extract_source', PARENT_COLUMNS)}")
            blocks = " UNION ".join(
                f"SELECT n.record_id AS child_id, a.record_id AS adult_id FROM named n JOIN adults a ON {on}"
                for on in BLOCKS)
            agree = (f"(COALESCE(jaro_winkler_similarity(n.first_name, a.first_name), 0) >= {NAME_SIMILARITY})::INT"
                     f" + (COALESCE(jaro_winkler_similarity(n.surname, a.surname), 0) >= {NAME_SIMILARITY})::INT"
                     " + (COALESCE((n.y = a.y)::INT + (n.m = a.m)::INT + (n.d = a.d)::INT, 0) >= 2)::INT"
                     " + COALESCE(n.district = a.district, false)::INT")
            rows = con.execute(f"""
                SELECT DISTINCT s.person_key FROM ({blocks}) p
                JOIN named n ON n.record_id = p.child_id JOIN adults a ON a.record_id = p.adult_id
                JOIN spine s ON s.dataset = {literal(dataset)} AND s.record_id = p.child_id
                WHERE ({agree} >= {DETAILS_AGREEING}
                       OR (n.y = a.y AND n.m = a.m AND n.d = a.d AND {agree} >= {DETAILS_AGREEING} - 1))
                  AND s.person_key NOT IN ({linked})
                ORDER BY s.person_key
            """).fetchall()
            found += [int(r[0]) for r in rows]
        return sorted(set(found))
    finally:
        con.close()


def write_possible_families(world_dir: Path, link_dir: Path, out: Path | None = None,
                            cohort: str = "prison") -> Path:
    """Write ``families_possible.parquet`` (person keys only) beside the spine; returns its path."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(out) if out is not None else Path(link_dir) / FILE
    keys = possible_children(world_dir, link_dir, cohort)
    pq.write_table(pa.table({"child_person_key": pa.array(keys, pa.int64())}), out)
    return out
