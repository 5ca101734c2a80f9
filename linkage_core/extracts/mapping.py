"""The map file (``--map FILE``, TOML): how an agency's extract names and codes what BOLD calls by its
standard names (``layout``). See docs/mapping.md for a full example.

A map is checked as a whole before any data is read; every problem in it is a ``MapError`` (exit 2) naming
the line's section and key, so an analyst can fix the file without guessing.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from linkage_core.extracts.errors import MapError
from linkage_core.extracts.layout import CODES, FIELDS

_SECTION_KEYS = {"file", "columns", "dates", "codes"}
_STRFTIME = re.compile(r"%[a-zA-Z]")


@dataclass(frozen=True)
class ExtractMap:
    """One extract's part of the map. ``columns`` maps a standard name to the extract's own column."""

    dataset: str
    file: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    dates: dict[str, str] = field(default_factory=dict)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class WorldMap:
    """The whole map: one ``ExtractMap`` per extract it mentions; an empty map means the standard layout."""

    extracts: dict[str, ExtractMap] = field(default_factory=dict)
    source: Path | None = None

    def get(self, dataset: str) -> ExtractMap:
        return self.extracts.get(dataset) or ExtractMap(dataset)


def load_map(path: Path | None) -> WorldMap:
    """Read and check a map file; ``None`` gives the empty map (the standard layout)."""
    if path is None:
        return WorldMap()
    path = Path(path)
    if not path.is_file():
        raise MapError(f"The map file {path} does not exist or is not a file.")
    try:
        doc = tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise MapError(f"The map file {path} is not UTF-8 text; save it as UTF-8 and try again.") from None
    except tomllib.TOMLDecodeError as error:
        raise MapError(f"The map file {path} is not valid TOML ({error}).") from None
    extracts = {}
    for dataset, section in doc.items():
        if not isinstance(section, dict):
            raise MapError(f"In the map file, {dataset} should be a section ([{dataset}]), not a single value.")
        extracts[dataset] = _extract(dataset, section)
    return WorldMap(extracts, path)


def _extract(dataset: str, section: dict) -> ExtractMap:
    unknown = sorted(set(section) - _SECTION_KEYS)
    if unknown:
        raise MapError(f"In the map file, [{dataset}] has {', '.join(unknown)}, which the map does not know; "
                       f"a section may hold {', '.join(sorted(_SECTION_KEYS))}.")
    file = section.get("file")
    if file is not None and (not isinstance(file, str) or "/" in file or "\\" in file
                             or not file.lower().endswith((".csv", ".parquet"))):
        raise MapError(f"In the map file, [{dataset}] file must be the name of a .csv or .parquet file in the "
                       "world folder, without a folder.")
    columns = _strings(dataset, "columns", section.get("columns", {}))
    seen: dict[str, str] = {}
    for standard, own in columns.items():
        if own in seen:
            raise MapError(f"In the map file, [{dataset}.columns] gives the column {own} for both {seen[own]} "
                           f"and {standard}.")
        seen[own] = standard
    dates = _strings(dataset, "dates", section.get("dates", {}))
    for column, layout in dates.items():
        if not _STRFTIME.search(layout):
            raise MapError(f"In the map file, [{dataset}.dates] {column} = \"{layout}\" is not a date format: "
                           "write it with % codes, such as \"%d/%m/%Y\".")
        if column not in FIELDS.get(dataset, {}) and column not in ("date_of_birth", "parent_date_of_birth"):
            raise MapError(f"In the map file, [{dataset}.dates] names {column}, which is not a date BOLD reads "
                           f"from the {dataset} extract.")
    codes_doc = section.get("codes", {})
    if not isinstance(codes_doc, dict):
        raise MapError(f"In the map file, [{dataset}.codes] should be a section of code lists.")
    codes = {}
    for column, table in codes_doc.items():
        if column not in CODES:
            raise MapError(f"In the map file, [{dataset}.codes.{column}] is not one of the packs' code lists "
                           f"({', '.join(sorted(CODES))}).")
        table = _strings(dataset, f"codes.{column}", table)
        wrong = sorted({v for v in table.values() if v not in CODES[column]})
        if wrong:
            raise MapError(f"In the map file, [{dataset}.codes.{column}] maps to {', '.join(map(repr, wrong))}, "
                           f"which the packs do not know; they use {', '.join(CODES[column])}.")
        codes[column] = table
    return ExtractMap(dataset, file, columns, dates, codes)


def _strings(dataset: str, part: str, table: object) -> dict[str, str]:
    if not isinstance(table, dict):
        raise MapError(f"In the map file, [{dataset}.{part}] should be a section of name = \"value\" lines.")
    out = {}
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise MapError(f"In the map file, [{dataset}.{part}] {key} should be text in quotes.")
        out[str(key)] = str(value)
    return out
