"""The one place BOLD reads an agency's extract: check it, bring it to the standard layout, and hand on a
clean copy that linkage and the packs both read.

``prepare_world`` reads each extract once to validate it (one DuckDB pass: columns, types, record ids, date
parse rates, code lists, null rates), refuses with one sentence what cannot be used, and writes the extract
in the standard layout to a private staging folder inside the secure stage. An extract already in the
standard layout is copied column for column, so a bundle built from the staged copy equals one built from the
original; a mapped extract is renamed, re-dated and recoded on the way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linkage_core.extracts import layout
from linkage_core.extracts.errors import ExtractError, MapError
from linkage_core.extracts.files import ExtractFile, find_extracts
from linkage_core.extracts.mapping import ExtractMap, WorldMap

#: A linkage identifier empty in more than this share of records is warned about.
MOSTLY_EMPTY = 0.5
_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                  "UBIGINT"}
_FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}
#: Date of birth layouts the linkage understands (``linkage.standardise``), for the parse-rate check.
_DOB_PATTERN = ("^([0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{4}|[0-9]{8})"
                "([ T].*)?$")


@dataclass
class ExtractReport:
    """What validation found in one extract: the figures for the short report, and its warnings."""

    dataset: str
    file: str
    records: int = 0
    columns: int = 0
    present: dict[str, float] = field(default_factory=dict)   # standard column -> share of records filled
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        ids = [f"{layout.IDENTIFIERS[c]} {self.present[c]:.0%}" for c in layout.IDENTIFIERS if c in self.present]
        filled = "; filled: " + ", ".join(ids) if ids else "; no identifier columns"
        return f"{self.dataset} ({self.file}): {self.records:,} records, {self.columns} columns, record ids unique{filled}."


@dataclass
class PreparedWorld:
    """A staged world folder in the standard layout, and what was noticed on the way."""

    world: Path
    source: Path
    reports: dict[str, ExtractReport]
    notices: list[str]

    @property
    def datasets(self) -> list[str]:
        return list(self.reports)

    @property
    def warnings(self) -> list[str]:
        return [w for r in self.reports.values() for w in r.warnings]

    def summary(self) -> list[str]:
        return [r.line() for r in self.reports.values()]

    def quality_entry(self) -> dict[str, Any]:
        """What ``quality.json`` keeps of the validation (``extracts``): figures and warnings per extract."""
        return {r.dataset: {"file": r.file, "records": r.records, "filled": {k: round(v, 4) for k, v in r.present.items()},
                            "warnings": r.warnings} for r in self.reports.values()}


def prepare_world(world: Path, world_map: WorldMap, staging: Path, *, linking: bool = True) -> PreparedWorld:
    """Validate every extract in ``world`` and write it, in the standard layout, to ``staging``.

    ``linking`` is false when the spine comes from elsewhere (``--links``): identifiers then matter to no one
    and their absence is not warned about. Raises ``ExtractError`` (bad data) or ``MapError`` (bad map).
    """
    import duckdb

    world, staging = Path(world), Path(staging)
    extracts, notices = find_extracts(world, world_map)
    if not extracts:
        raise ExtractError(f"{world} holds no .parquet or .csv extracts.")
    staging.mkdir(parents=True, exist_ok=True)
    truth = world / "_truth"
    if truth.is_dir():
        try:
            os.symlink(truth.resolve(), staging / "_truth", target_is_directory=True)
        except OSError:
            pass  # no symlinks here: the linkage evaluation is skipped, nothing else reads _truth/
    reports: dict[str, ExtractReport] = {}
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        for dataset, extract in extracts.items():
            reports[dataset] = _prepare_one(con, extract, world_map.get(dataset), staging, notices, linking)
    finally:
        con.close()
    return PreparedWorld(staging, world, reports, notices)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _describe(con: Any, extract: ExtractFile) -> list[tuple[str, str]]:
    try:
        rows = con.execute(f"DESCRIBE SELECT * FROM {extract.source_sql}").fetchall()
    except Exception as error:  # noqa: BLE001 - DuckDB's many error types all mean "cannot read this file"
        raise ExtractError(f"{extract.path} could not be read as {'CSV' if extract.kind == 'csv' else 'Parquet'} "
                           f"({_first_line(error)}); export it again.") from None
    return [(r[0], str(r[1])) for r in rows]


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:160]


def _resolve_columns(dataset: str, raw: list[str], extract_map: ExtractMap, notices: list[str]) -> dict[str, str]:
    """Standard name -> the extract's column, from the map, then exact names, then case and known aliases."""
    chosen: dict[str, str] = {}
    for standard, own in extract_map.columns.items():
        if own not in raw:
            raise MapError(f"The map says [{dataset}.columns] {standard} = \"{own}\", but the {dataset} extract has "
                           f"no column {own} (its columns: {', '.join(raw[:12])}{', ...' if len(raw) > 12 else ''}).")
        chosen[standard] = own
    taken = set(chosen.values())
    wanted = list(layout.IDENTIFIERS) + ["record_id"] + list(layout.FIELDS.get(dataset, {}))
    for standard in wanted:
        if standard in chosen:
            continue
        if standard in raw and standard not in taken:
            chosen[standard] = standard
            continue
        lower = {c.lower(): c for c in raw if c not in taken}
        candidates = [lower[n] for n in (standard,) + layout.ALIASES.get(standard, ()) if n in lower]
        if len(candidates) > 1:
            raise MapError(f"The {dataset} extract has no {standard} column but has {' and '.join(candidates)}; "
                           f"say which holds it in a map ([{dataset}.columns] {standard} = \"...\").")
        if candidates:
            chosen[standard] = candidates[0]
            taken.add(candidates[0])
            notices.append(f"The {dataset} extract has no {standard} column; its {candidates[0]} column is used as "
                           f"{standard} (give a --map to say otherwise).")
    return chosen


def _output_expr(dataset: str, standard: str, own: str, raw_type: str, extract_map: ExtractMap) -> str:
    """The SQL turning the extract's column into the standard column: date layout, code list and type."""
    col = _q(own)
    kind = layout.field_type(dataset, standard)
    fmt = extract_map.dates.get(standard)
    if fmt is not None:
        parsed = f"try_strptime(trim(CAST({col} AS VARCHAR)), {_lit(fmt)})"
        return (f"CAST({parsed} AS DATE)" if kind == "date" else f"strftime({parsed}, '%Y-%m-%d')")
    codes = extract_map.codes.get(standard)
    if codes:
        cases = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in codes.items())
        return f"CASE CAST({col} AS VARCHAR) {cases} ELSE CAST({col} AS VARCHAR) END"
    if kind == "courses" and any(k.startswith("courses.") for k in extract_map.codes):
        parts = []
        for name, sql_type in layout.COURSE_FIELDS:
            table = extract_map.codes.get(f"courses.{name}")
            member = f"c.{_q(name)}"
            if table:
                cases = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in table.items())
                member = f"CASE CAST(c.{_q(name)} AS VARCHAR) {cases} ELSE CAST(c.{_q(name)} AS VARCHAR) END"
            parts.append(f"{_q(name)} := CAST({member} AS {sql_type})")
        return f"list_transform({col}, lambda c: struct_pack({', '.join(parts)}))"
    base = raw_type.split("(")[0].upper()
    if kind == "int" and base not in _INTEGER_TYPES:
        return f"TRY_CAST({col} AS INTEGER)"
    if kind == "float" and base not in _FLOAT_TYPES | _INTEGER_TYPES and not base.startswith("DECIMAL"):
        return f"TRY_CAST({col} AS DOUBLE)"
    if kind == "bool" and base != "BOOLEAN":
        up = f"upper(trim(CAST({col} AS VARCHAR)))"
        return (f"CASE WHEN {up} IN ('TRUE', 'T', 'YES', 'Y', '1') THEN TRUE "
                f"WHEN {up} IN ('FALSE', 'F', 'NO', 'N', '0') THEN FALSE END")
    if kind == "date" and base not in {"DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE"}:
        return f"TRY_CAST(trim(CAST({col} AS VARCHAR)) AS DATE)"
    if kind == "date" and base != "DATE":
        return f"CAST({col} AS DATE)"
    if kind == "text" and base != "VARCHAR":
        return f"CAST({col} AS VARCHAR)"
    return col


def _prepare_one(con: Any, extract: ExtractFile, extract_map: ExtractMap, staging: Path, notices: list[str],
                 linking: bool) -> ExtractReport:
    dataset = extract.dataset
    described = _describe(con, extract)
    raw = [name for name, _ in described]
    types = dict(described)
    chosen = _resolve_columns(dataset, raw, extract_map, notices)
    for column in list(extract_map.dates) + [c for c in extract_map.codes if not c.startswith("courses.")]:
        if column not in chosen:
            raise MapError(f"The map gives a date layout or codes for {column} in [{dataset}], but the {dataset} "
                           "extract has no such column and the map does not name one for it.")
    if "record_id" not in chosen:
        raise ExtractError(f"The {dataset} extract ({extract.path.name}) has no record_id column, so its records "
                           f"cannot be named; say which column identifies each record in a map "
                           f"([{dataset}.columns] record_id = \"...\").")
    missing = [f for f in layout.ESSENTIAL.get(dataset, ()) if f not in chosen]
    if missing:
        raise ExtractError(f"The {dataset} extract ({extract.path.name}) has no {missing[0]} column, which the "
                           f"packs need; name the column holding it in a map ([{dataset}.columns] "
                           f"{missing[0]} = \"...\").")
    # Output columns: every standard column found, then the extract's own other columns, unchanged.
    mapped_from = set(chosen.values())
    outputs: list[tuple[str, str, str]] = []  # (output name, expression, source column)
    for standard, own in chosen.items():
        outputs.append((standard, _output_expr(dataset, standard, own, types[own], extract_map), own))
    for own in raw:
        if own in mapped_from:
            continue
        if own in chosen:  # a column under a standard name the map gave to another column
            notices.append(f"The {dataset} extract's own {own} column is left out: the map names "
                           f"{chosen[own]} as its {own}.")
            continue
        outputs.append((own, _q(own), own))
    order = {name: i for i, name in enumerate(raw)}
    outputs.sort(key=lambda o: order.get(o[2], len(raw)))   # keep the extract's column order
    source = extract.source_sql
    report = ExtractReport(dataset, extract.path.name, columns=len(raw))
    stats = _validate(con, dataset, extract, source, outputs, report, extract_map)
    if linking:
        _linkage_warnings(dataset, stats, report)
    select = ", ".join(f"{expr} AS {_q(name)}" for name, expr, _ in outputs)
    target = staging / f"{dataset}.parquet"
    try:
        con.execute(f"COPY (SELECT {select} FROM {source}) TO {_lit(target.as_posix())} (FORMAT PARQUET)")
    except Exception as error:  # noqa: BLE001
        raise ExtractError(f"The {dataset} extract ({extract.path.name}) could not be read to the end "
                           f"({_first_line(error)}).") from None
    return report


def _validate(con: Any, dataset: str, extract: ExtractFile, source: str, outputs: list[tuple[str, str, str]],
              report: ExtractReport, extract_map: ExtractMap) -> dict[str, Any]:
    """One pass over the extract: counts, record ids, and for each standard column its fill and parse rates."""
    parts = ["count(*) AS n"]
    by_name = {name: (expr, own) for name, expr, own in outputs}
    rid_expr = f"CAST({by_name['record_id'][0]} AS VARCHAR)"
    parts += [f"count({rid_expr}) AS rid_filled", f"count(DISTINCT {rid_expr}) AS rid_distinct"]
    checked: list[str] = []
    for name, (expr, own) in by_name.items():
        kind = layout.field_type(dataset, name)
        if kind is None or name == "record_id" or kind == "courses":
            continue
        checked.append(name)
        raw_text = f"NULLIF(trim(CAST({_q(own)} AS VARCHAR)), '')"
        parts += [f"count({raw_text}) AS {_q('raw:' + name)}", f"count({expr}) AS {_q('out:' + name)}"]
        if name == "date_of_birth" and name not in extract_map.dates:
            parts.append(f"count(*) FILTER (WHERE regexp_matches({raw_text}, {_lit(_DOB_PATTERN)})) AS "
                         f"{_q('dob_ok')}")
        codes = layout.CODES.get(name)
        if codes and name != "sex":
            allowed = ", ".join(_lit(c) for c in codes)
            parts += [f"count(*) FILTER (WHERE {expr} NOT IN ({allowed})) AS {_q('bad:' + name)}",
                      f"min({expr}) FILTER (WHERE {expr} NOT IN ({allowed})) AS {_q('eg:' + name)}"]
    try:
        cursor = con.execute(f"SELECT {', '.join(parts)} FROM {source}")
        row = cursor.fetchone()
        stats = dict(zip([d[0] for d in cursor.description], row))
    except Exception as error:  # noqa: BLE001
        raise ExtractError(f"The {dataset} extract ({extract.path.name}) could not be read to the end "
                           f"({_first_line(error)}).") from None
    n = int(stats["n"])
    report.records = n
    name = f"The {dataset} extract ({extract.path.name})"
    if n == 0:
        raise ExtractError(f"{name} holds no records.")
    if stats["rid_filled"] < n:
        raise ExtractError(f"{name} has {n - stats['rid_filled']:,} records with no record_id; every record needs "
                           "one so that it appears in the spine exactly once.")
    if stats["rid_distinct"] < n:
        dupes = con.execute(f"SELECT {rid_expr} AS r, count(*) FROM {source} GROUP BY r HAVING count(*) > 1 "
                            "ORDER BY r LIMIT 1").fetchall()
        count = con.execute(f"SELECT count(*) FROM (SELECT {rid_expr} AS r FROM {source} GROUP BY r "
                            "HAVING count(*) > 1)").fetchone()[0]
        raise ExtractError(f"{name} has {count:,} record_id values used more than once (such as "
                           f"{dupes[0][0]!r}); record ids must be unique so each record appears in the spine once.")
    for column in checked:
        filled, parsed = stats[f"raw:{column}"], stats[f"out:{column}"]
        report.present[column] = filled / n
        kind = layout.field_type(dataset, column)
        if filled and parsed < filled and kind in {"date", "int", "float", "bool"} or (
                column in extract_map.dates and parsed < filled):
            what = {"date": "dates", "int": "whole numbers", "float": "numbers", "bool": "yes/no values"}.get(
                kind, "dates")
            layout_hint = extract_map.dates.get(column, "YYYY-MM-DD" if kind == "date" else "")
            if parsed == 0:
                raise ExtractError(f"{name}: none of the {filled:,} {column} values could be read as {what}"
                                   f"{' in the layout ' + layout_hint if layout_hint else ''}; give the layout "
                                   f"in a map ([{dataset}.dates] {column} = \"%d/%m/%Y\", say).")
            report.warnings.append(f"{name}: {filled - parsed:,} of {filled:,} {column} values could not be read "
                                   f"as {what} and are treated as missing.")
        if column == "date_of_birth" and "dob_ok" in stats and filled and stats["dob_ok"] < 0.9 * filled:
            report.warnings.append(f"{name}: only {stats['dob_ok'] / filled:.0%} of dates of birth are in a layout "
                                   "the linkage reads; give their layout in a map ([" + dataset
                                   + ".dates] date_of_birth = \"...\").")
        bad = stats.get(f"bad:{column}")
        if bad:
            report.warnings.append(f"{name}: {bad:,} records have a {column} the packs do not know (such as "
                                   f"{stats[f'eg:{column}']!r}); map them in [{dataset}.codes.{column}].")
    return stats


def _linkage_warnings(dataset: str, stats: dict[str, Any], report: ExtractReport) -> None:
    """Warnings for whatever weakens linkage: a key identifier missing, or mostly empty."""
    if not any(c in report.present for c in layout.IDENTIFIERS):
        report.warnings.append(f"The {dataset} extract has no identifier columns, so none of its records can be "
                               "linked to anyone.")
        return
    for column in layout.KEY_IDENTIFIERS:
        share = report.present.get(column)
        if share is None:
            report.warnings.append(f"The {dataset} extract has no {column} column, so its records are linked "
                                   f"without a {layout.IDENTIFIERS[column]}: fewer will be found and more may be "
                                   "wrong.")
        elif share < 1 - MOSTLY_EMPTY:
            report.warnings.append(f"The {dataset} extract has a {layout.IDENTIFIERS[column]} in only {share:.0%} "
                                   "of its records, so many will be linked without one.")
