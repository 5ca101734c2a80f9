"""Bring every extract's identifiers to one shape before linkage.

Agencies spell the same person differently: case, spacing, punctuation, nicknames, dates typed as
day/month or month/day, postcodes without their space. Linkage compares like with like only if those
differences are removed first, so this module turns each extract into a table of standard columns
(``STANDARD_COLUMNS``) on the linkage engine. Columns an extract lacks become nulls, so one model fits every pair.

The extract's own data never enters this table: the linkage sees identifiers and record ids only.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

if TYPE_CHECKING:
    from linkage_core.engines import LinkageEngine

#: The identifier columns the outside contract allows in an extract.
IDENTIFIER_COLUMNS: tuple[str, ...] = (
    "first_name", "middle_names", "surname", "date_of_birth", "sex", "postcode",
)

#: The columns of a standardised table, in order. Derived columns exist so that blocking rules and
#: comparisons are plain column references, which run unchanged on any Splink backend.
STANDARD_COLUMNS: tuple[str, ...] = (
    "record_id",
    "first_name",       # lower case letters only
    "middle_names",
    "mn_first",         # the first middle name: people are often known by it
    "surname",
    "dob",              # ISO string; kept when it looks like a date but is not one (a transposed 13th month)
    "dob_y", "dob_m", "dob_d",
    "sex",              # M, F or null
    "postcode",         # upper case; a British one with one space before the inward code, others as typed
    "pc_district",      # the outward code (SW1A, M11), or a foreign code less its last character
    "pc_area",          # the postcode area (SW, M), or a foreign code less its last two characters
    "fn_initial",
    "fn_female",        # the first name of a woman (null for men): most surname changes are women's
    "sn_initial",       # with fn_initial, lets a blocking rule catch first name and surname swapped
    "fn_variants",      # the first name plus the formal names it may be a nickname for
    "surname_sx",       # Soundex code of the surname, for blocking on sound-alike surnames
    "fn_sx",            # Soundex code of the first name: with the surname's, survives a typo in each name
)

#: The date layouts agencies type, as (pattern, year group, month group, day group). Parsed with regular
#: expressions rather than strptime so the one expression means the same on DuckDB and on Spark.
_DOB_LAYOUTS: tuple[tuple[str, int, int, int], ...] = (
    ("^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$", 1, 2, 3),      # 1980-12-25
    ("^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$", 3, 2, 1),      # 25/12/1980
    ("^([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})$", 1, 2, 3),      # 1980/12/25
    ("^([0-9]{1,2})-([0-9]{1,2})-([0-9]{4})$", 3, 2, 1),      # 25-12-1980
    ("^([0-9]{1,2})[.]([0-9]{1,2})[.]([0-9]{4})$", 3, 2, 1),  # 25.12.1980
    ("^([0-9]{4})([0-9]{2})([0-9]{2})$", 1, 2, 3),            # 19801225
)


def extract_paths(world_dir: Path) -> dict[str, Path]:
    """The extracts in a world folder, by dataset name.

    Folders and files whose names start with ``_`` or ``.`` are never read: ``_truth/`` lives there and
    the linkage must not see it. Parquet wins when a dataset has both a Parquet and a CSV file.
    """
    found: dict[str, Path] = {}
    for path in sorted(world_dir.iterdir()):
        if path.name.startswith(("_", ".")) or not path.is_file():
            continue
        if path.suffix.lower() == ".csv" and path.stem not in found:
            found[path.stem] = path
        elif path.suffix.lower() == ".parquet":
            found[path.stem] = path
    return found


def read_relation(con: duckdb.DuckDBPyConnection, path: Path) -> duckdb.DuckDBPyRelation:
    """Open an extract lazily in DuckDB (the evaluation reads the cohort this way).
    CSVs are read as text so that leading zeros and odd dates survive."""
    literal = str(path).replace("'", "''")
    if path.suffix.lower() == ".csv":
        return con.sql(f"SELECT * FROM read_csv('{literal}', all_varchar = true, header = true)")
    return con.sql(f"SELECT * FROM read_parquet('{literal}')")


def _text(col: str, present: set[str]) -> str:
    return f"CAST({_q(col)} AS VARCHAR)" if col in present else "CAST(NULL AS VARCHAR)"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _name_sql(expr: str) -> str:
    """Lower case letters only: 'O'Brien-Smith ' and 'OBRIEN SMITH' compare equal."""
    return f"NULLIF(regexp_replace(lower(trim({expr})), '[^a-z]', '', 'g'), '')"


def _dob_sql(expr: str) -> str:
    """An ISO date from any layout in ``_DOB_LAYOUTS``; a date-shaped string that is no real date (month 13,
    30 February) is kept as typed, because a transposed day and month is evidence the model uses."""
    raw = f"substr(NULLIF(trim({expr}), ''), 1, 10)"
    parsed = []
    for pattern, y, m, d in _DOB_LAYOUTS:
        part = lambda g: f"regexp_extract({raw}, '{pattern}', {g})"  # noqa: E731
        iso = f"{part(y)} || '-' || lpad({part(m)}, 2, '0') || '-' || lpad({part(d)}, 2, '0')"
        parsed.append(f"CASE WHEN regexp_matches({raw}, '{pattern}') THEN TRY_CAST({iso} AS DATE) END")
    # Day or month 00 is how some systems write "unknown": that is a partial date (``_partial_dob_sql``).
    iso_like = (f"CASE WHEN regexp_matches({raw}, '^[0-9]{{4}}-(0[1-9]|[1-9][0-9])-(0[1-9]|[1-9][0-9])$') "
                f"THEN {raw} END")
    return f"COALESCE(CAST(COALESCE({', '.join(parsed)}) AS VARCHAR), {iso_like})"


def _partial_dob_sql(expr: str) -> str:
    """A date known only to the month or year ('1980-05', '1980-05-00', '1980'): no full date to compare,
    but its year and month still count as evidence and still block."""
    raw = f"trim({expr})"
    return (f"CASE WHEN regexp_matches({raw}, '^[0-9]{{4}}(-[0-9]{{2}})?(-00)?$') "
            f"OR regexp_matches({raw}, '^[0-9]{{4}}([0-9]{{2}})?(00)?$') "
            f"THEN substr(regexp_replace({raw}, '[^0-9]', '', 'g'), 1, 6) END")


def _sex_sql(expr: str) -> str:
    up = f"upper(trim({expr}))"
    return (f"CASE WHEN {up} IN ('M', 'MALE', '1') THEN 'M' "
            f"WHEN {up} IN ('F', 'FEMALE', '2') THEN 'F' ELSE NULL END")


#: A British postcode once spaces and punctuation are gone (SW1A1AA, M11AE).
_UK_POSTCODE = "^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$"


def _postcode_sql(expr: str) -> str:
    """A British postcode gets its one space before the inward code; any other code of 3 to 10 letters and
    digits, with at least one digit (a four-digit Australian or Swiss code, a five-digit US one) is kept as typed, upper case, so
    that foreign extracts still compare on their codes instead of losing them."""
    squashed = f"regexp_replace(upper({expr}), '[^A-Z0-9]', '', 'g')"
    return (f"CASE WHEN regexp_matches({squashed}, '{_UK_POSTCODE}') "
            f"THEN substr({squashed}, 1, length({squashed}) - 3) || ' ' || right({squashed}, 3) "
            f"WHEN length({squashed}) BETWEEN 3 AND 10 AND regexp_matches({squashed}, '[0-9]') THEN {squashed} END")


def standardise_sql(source: str, present: Iterable[str], mapping: dict[str, str] | None = None) -> str:
    """SQL turning ``source`` into the standard columns, before nickname and Soundex lookups.

    ``mapping`` renames standard columns to the extract's own (the council's ``parent_*`` columns
    describe the parent, so the parent side of a family link maps ``first_name`` to
    ``parent_first_name``).
    """
    mapping = mapping or {}
    cols = set(present)

    def src(std: str) -> str:
        return _text(mapping.get(std, std), cols)

    dob = _dob_sql(src("date_of_birth"))
    return f"""
        SELECT CAST(record_id AS VARCHAR) AS record_id,
               {_name_sql(src('first_name'))} AS first_name,
               {_name_sql(src('middle_names'))} AS middle_names,
               {_name_sql(f"split_part(trim({src('middle_names')}), ' ', 1)")} AS mn_first,
               {_name_sql(src('surname'))} AS surname,
               {dob} AS dob,
               {_partial_dob_sql(src("date_of_birth"))} AS dob_part,
               {_sex_sql(src('sex'))} AS sex,
               {_postcode_sql(src('postcode'))} AS postcode
        FROM {source}
    """


def standardise_table(
    backend: LinkageEngine | duckdb.DuckDBPyConnection,
    source: str | duckdb.DuckDBPyRelation,
    target: str,
    mapping: dict[str, str] | None = None,
    columns: Iterable[str] | None = None,
) -> int:
    """Materialise the standardised form of ``source`` (a view holding ``columns``) as table ``target``.

    Returns its row count. The SQL is written once, in DuckDB's dialect, and runs on either engine. A DuckDB
    connection and relation are accepted too, for callers working on DuckDB directly.
    """
    if not hasattr(backend, "create_table"):
        from linkage_core.engines import DuckDBEngine

        backend = DuckDBEngine.wrap(backend)  # type: ignore[arg-type]
    if not isinstance(source, str):
        backend.con.register("__bold_raw", source)  # type: ignore[attr-defined]
        columns, source = source.columns, "__bold_raw"
    present = list(columns) if columns is not None else []
    backend.create_table("__bold_base", standardise_sql(source, present, mapping))
    _register_lookups(backend, "__bold_base")
    backend.create_table(target, f"""
        SELECT b.record_id, b.first_name, b.middle_names, b.mn_first, b.surname, b.dob,
               COALESCE(substr(b.dob, 1, 4), substr(b.dob_part, 1, 4)) AS dob_y,
               COALESCE(substr(b.dob, 6, 2), NULLIF(substr(b.dob_part, 5, 2), '')) AS dob_m,
               substr(b.dob, 9, 2) AS dob_d,
               b.sex, b.postcode,
               -- British codes: the outward code and the area letters. Others have no known structure,
               -- but codes that share a prefix are near each other almost everywhere (2119 and 2118).
               CASE WHEN strpos(b.postcode, ' ') > 0 THEN regexp_extract(b.postcode, '^[A-Z0-9]+', 0)
                    WHEN length(b.postcode) >= 4 THEN left(b.postcode, length(b.postcode) - 1) END AS pc_district,
               CASE WHEN strpos(b.postcode, ' ') > 0 THEN NULLIF(regexp_extract(b.postcode, '^[A-Z]+', 0), '')
                    WHEN length(b.postcode) >= 4 THEN left(b.postcode, length(b.postcode) - 2) END AS pc_area,
               substr(b.first_name, 1, 1) AS fn_initial,
               CASE WHEN b.sex = 'F' THEN b.first_name END AS fn_female,
               substr(b.surname, 1, 1) AS sn_initial,
               COALESCE(n.variants, CASE WHEN b.first_name IS NOT NULL THEN [b.first_name] END) AS fn_variants,
               s.code AS surname_sx, f.code AS fn_sx
        FROM __bold_base b
        LEFT JOIN __bold_nick n ON n.name = b.first_name
        LEFT JOIN __bold_sx s ON s.name = b.surname
        LEFT JOIN __bold_sx f ON f.name = b.first_name
    """)
    for name in ("__bold_base", "__bold_nick", "__bold_sx"):
        backend.drop(name)
    return int(backend.rows(f"SELECT count(*) FROM {target}")[0][0])


def _register_lookups(backend: LinkageEngine, base: str) -> None:
    """Nickname and Soundex lookups for the distinct names only: thousands of names, not millions of rows.

    They are computed in Python (the nickname list and Soundex live here, once) and shipped to the engine
    as small tables; on Spark they travel to the executors with the join.
    """
    firsts = [r[0] for r in backend.rows(f"SELECT DISTINCT first_name FROM {base} WHERE first_name IS NOT NULL")]
    surnames = [r[0] for r in backend.rows(f"SELECT DISTINCT surname FROM {base} WHERE surname IS NOT NULL "
                                           f"UNION SELECT DISTINCT first_name FROM {base} WHERE first_name IS NOT NULL")]
    nick = pa.table({
        "name": pa.array(firsts, pa.string()),
        "variants": pa.array([name_variants(n) for n in firsts], pa.list_(pa.string())),
    })
    sx = pa.table({"name": pa.array(surnames, pa.string()),
                   "code": pa.array([soundex(n) for n in surnames], pa.string())})
    backend.register_arrow("__bold_nick", nick)
    backend.register_arrow("__bold_sx", sx)


@lru_cache(maxsize=1)
def _nicknamer() -> object | None:
    try:
        from nicknames import NickNamer
    except ImportError:  # the helper is optional: without it a nickname matches only by spelling
        return None
    return NickNamer()


@lru_cache(maxsize=65536)
def _variants_tuple(name: str) -> tuple[str, ...]:
    namer = _nicknamer()
    found = {name}
    if namer is not None:
        found |= {c.replace(" ", "").replace("-", "").replace("'", "") for c in namer.canonicals_of(name)}  # type: ignore[attr-defined]
    return tuple(sorted(found))


def name_variants(name: str) -> list[str]:
    """The name and the formal names it can stand for ('bill' -> bill, william, ...).

    A nickname is canonicalised to the set of names it may shorten rather than to one name, because the
    mapping is many-to-many ('al' may be Alan, Albert or Alfred); two records agree on a forename when
    their sets meet, and the model learns how much that is worth.
    """
    return list(_variants_tuple(name.lower()))


_SOUNDEX = {c: d for d, letters in {"1": "bfpv", "2": "cgjkqsxz", "3": "dt", "4": "l", "5": "mn", "6": "r"}.items()
            for c in letters}


def soundex(name: str) -> str | None:
    """American Soundex: sound-alike surnames (Smith, Smyth) share a code, so a typo still blocks together."""
    letters = [c for c in name.lower() if c.isalpha()]
    if not letters:
        return None
    first = letters[0]
    code = [first.upper()]
    last = _SOUNDEX.get(first, "")
    for c in letters[1:]:
        d = _SOUNDEX.get(c, "")
        if d and d != last:
            code.append(d)
        if c not in "hw":
            last = d
        if len(code) == 4:
            break
    return "".join(code).ljust(4, "0")
