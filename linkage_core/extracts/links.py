"""A spine linked outside BOLD (``bold build --links DIR``), as many trusted research environments hand
their analysts pseudonymised, already-linked data.

The spine may key people with strings (``P00000071``) or integers and may come without ``quality.json``.
It is checked (columns, one row per record, every extract's records present) and copied to the staging
folder with integer person keys, the same person getting the same key in the spine and in families.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from linkage_core.extracts.errors import ExtractError
from linkage_core.extracts.files import ExtractFile, check_file
from linkage_core.extracts.read import PreparedWorld

#: The provenance sentence for a spine whose quality BOLD cannot know.
OUTSIDE = "Linked outside BOLD; quality not known."
_SPINE = ("dataset", "record_id", "person_key")


def prepare_links(links: Path, prepared: PreparedWorld, staging: Path, cohort: str = "prison"
                  ) -> tuple[Path, list[str]]:
    """Check the spine in ``links`` and write a clean copy to ``staging``; returns it and provenance notes."""
    import duckdb

    links, staging = Path(links), Path(staging)
    spine = links / "spine.parquet"
    check_file(ExtractFile("spine", spine, "parquet"))
    staging.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    notes: list[str] = []
    try:
        lit = "'" + spine.as_posix().replace("'", "''") + "'"
        try:
            columns = {r[0]: str(r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({lit})").fetchall()}
        except Exception as error:  # noqa: BLE001
            raise ExtractError(f"{spine} could not be read as Parquet ({str(error).splitlines()[0][:160]}).") from None
        missing = [c for c in _SPINE if c not in columns]
        if missing:
            raise ExtractError(f"{spine} has no {missing[0]} column; a spine holds dataset, record_id and "
                               "person_key (match_probability is optional).")
        probability = ("TRY_CAST(match_probability AS DOUBLE)" if "match_probability" in columns
                       else "CAST(NULL AS DOUBLE)")
        con.execute(f"CREATE TABLE spine_raw AS SELECT CAST(dataset AS VARCHAR) AS dataset, "
                    f"CAST(record_id AS VARCHAR) AS record_id, CAST(person_key AS VARCHAR) AS key_text, "
                    f"person_key AS key_raw, {probability} AS match_probability FROM read_parquet({lit})")
        n, null_keys, null_ids, distinct = con.execute(
            "SELECT count(*), count(*) - count(key_text), count(*) - count(record_id), "
            "count(DISTINCT (dataset, record_id)) FROM spine_raw").fetchone()
        if n == 0:
            raise ExtractError(f"{spine} holds no rows.")
        if null_keys or null_ids:
            raise ExtractError(f"{spine} has {null_keys + null_ids:,} rows with no person_key or record_id; every "
                               "row must name a record and a person.")
        if distinct < n:
            raise ExtractError(f"{spine} names {n - distinct:,} records more than once; each record must have one "
                               "person_key.")
        integer = columns["person_key"].split("(")[0].upper() in {"TINYINT", "SMALLINT", "INTEGER", "BIGINT",
                                                                   "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}
        key = ("CAST(key_raw AS BIGINT)" if integer else "CAST(dense_rank() OVER (ORDER BY key_text) AS BIGINT)")
        con.execute(f"CREATE TABLE keys AS SELECT DISTINCT key_text, {key} AS person_key FROM "
                    "(SELECT DISTINCT key_text, key_raw FROM spine_raw)")
        _check_coverage(con, prepared, spine, cohort)
        out = staging / "spine.parquet"
        con.execute(f"COPY (SELECT s.dataset, s.record_id, k.person_key, s.match_probability FROM spine_raw s "
                    f"JOIN keys k USING (key_text) ORDER BY s.dataset, s.record_id) TO '{out.as_posix()}' "
                    "(FORMAT PARQUET)")
        _families(con, links / "families.parquet", staging / "families.parquet")
    finally:
        con.close()
    quality_path = links / "quality.json"
    if quality_path.is_file():
        try:
            quality = json.loads(quality_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise ExtractError(f"{quality_path} is not readable JSON; remove it if the spine was linked outside "
                               "BOLD.") from None
        if not isinstance(quality, dict):
            raise ExtractError(f"{quality_path} is not a BOLD linkage quality file.")
    else:
        quality = {"cohort": cohort, "datasets": {}, "linked_outside_bold": True, "note": OUTSIDE}
        notes.append(OUTSIDE)
    (staging / "quality.json").write_text(json.dumps(quality, indent=2), encoding="utf-8")
    return staging, notes


def _check_coverage(con: Any, prepared: PreparedWorld, spine: Path, cohort: str) -> None:
    """Every record of every extract must be in the spine: one missing would silently leave the figures."""
    for dataset in prepared.datasets:
        path = (prepared.world / f"{dataset}.parquet").as_posix().replace("'", "''")
        missing, example = con.execute(
            f"SELECT count(*), min(CAST(e.record_id AS VARCHAR)) FROM read_parquet('{path}') e "
            f"ANTI JOIN spine_raw s ON s.dataset = '{dataset}' AND s.record_id = CAST(e.record_id AS VARCHAR)"
        ).fetchone()
        if missing:
            raise ExtractError(f"{spine} has no row for {missing:,} records of the {dataset} extract (such as "
                               f"{example!r}); every record must appear in the spine once.")
    if cohort not in prepared.datasets:
        raise ExtractError(f"There is no {cohort} extract beside the spine, so there is no cohort to report on.")


def _families(con: Any, source: Path, target: Path) -> None:
    """Families (child to parent) keyed the same way as the spine; none is fine (no family findings)."""
    if not source.is_file():
        return
    lit = "'" + source.as_posix().replace("'", "''") + "'"
    try:
        con.execute(f"COPY (SELECT c.person_key AS child_person_key, p.person_key AS parent_person_key, "
                    f"TRY_CAST(f.match_probability AS DOUBLE) AS match_probability FROM read_parquet({lit}) f "
                    "JOIN keys c ON c.key_text = CAST(f.child_person_key AS VARCHAR) "
                    "JOIN keys p ON p.key_text = CAST(f.parent_person_key AS VARCHAR)) "
                    f"TO '{target.as_posix()}' (FORMAT PARQUET)")
    except Exception as error:  # noqa: BLE001
        raise ExtractError(f"{source} could not be read as a families table (child_person_key, "
                           f"parent_person_key, match_probability): {str(error).splitlines()[0][:160]}.") from None
