"""Finding the extracts in a world folder and refusing files that cannot be extracts, before DuckDB sees them.

Each check answers with one sentence naming the file: an empty file, a damaged Parquet file, a folder where a
file should be, binary or non-UTF-8 "CSV", a ragged CSV row. DuckDB's own messages for these run to many
lines and name its internals; an analyst needs to know which file, what is wrong and what to do.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from linkage_core.extracts.errors import ExtractError, MapError
from linkage_core.extracts.mapping import WorldMap

_SUFFIXES = (".parquet", ".csv")


@dataclass(frozen=True)
class ExtractFile:
    dataset: str
    path: Path
    #: ``parquet``, ``csv``, or ``parquet-folder`` (a folder of Parquet parts, as Spark writes them).
    kind: str

    @property
    def source_sql(self) -> str:
        """The DuckDB table function reading this file. CSVs are read as text (leading zeros survive)."""
        literal = "'" + self.path.as_posix().replace("'", "''") + "'"
        if self.kind == "csv":
            return f"read_csv({literal}, all_varchar = true, header = true, auto_detect = true)"
        if self.kind == "parquet-folder":
            return f"read_parquet({literal[:-1]}/*.parquet')"
        return f"read_parquet({literal})"


def find_extracts(world: Path, world_map: WorldMap) -> tuple[dict[str, ExtractFile], list[str]]:
    """The extracts in ``world`` by dataset name, and notices about what was chosen.

    Names starting with ``_`` or ``.`` are never read (``_truth/`` lives there). Parquet wins over a CSV of
    the same dataset, with a notice. A map's ``file`` names a dataset's file explicitly.
    """
    notices: list[str] = []
    found: dict[str, ExtractFile] = {}
    named = {m.file: d for d, m in world_map.extracts.items() if m.file}
    for path in sorted(Path(world).iterdir()):
        if path.name.startswith(("_", ".")):
            continue
        suffix = path.suffix.lower()
        dataset = named.get(path.name, path.stem)
        if suffix not in _SUFFIXES and path.name not in named:
            continue
        if path.name not in named and world_map.get(dataset).file:
            notices.append(f"{path.name} is not read: the map names {world_map.get(dataset).file} as the "
                           f"{dataset} extract.")
            continue
        if path.is_dir():
            if suffix == ".parquet" and any(path.glob("*.parquet")):
                kind = "parquet-folder"
                notices.append(f"{path.name} is a folder of Parquet parts; they are read together as the "
                               f"{dataset} extract.")
            else:
                raise ExtractError(f"{path} is a folder, not a file: put the {dataset} extract in one "
                                   f"{suffix} file (or a folder of .parquet parts), or move the folder out of "
                                   "the world folder.")
        else:
            kind = "csv" if suffix == ".csv" else "parquet"
        if dataset in found:
            first = found[dataset]
            if (first.kind == "csv") == (kind == "csv"):
                raise ExtractError(f"Both {first.path.name} and {path.name} hold the {dataset} extract; keep one, "
                                   "or name the one to read in a map ([" + dataset + "] file = \"...\").")
            chosen, dropped = (path, first.path) if first.kind == "csv" else (first.path, path)
            notices.append(f"Both {first.path.name} and {path.name} hold the {dataset} extract; {chosen.name} "
                           f"is used and {dropped.name} is not read.")
            if first.kind != "csv":
                continue
        found[dataset] = ExtractFile(dataset, path, kind)
    for dataset, extract_map in world_map.extracts.items():
        if extract_map.file and not (Path(world) / extract_map.file).exists():
            raise MapError(f"The map names {extract_map.file} for the {dataset} extract, but {world} holds no "
                           "such file.")
        if dataset not in found:
            have = ", ".join(sorted(found)) or "none"
            raise MapError(f"The map has a [{dataset}] section, but {world} holds no {dataset} extract "
                           f"(extracts there: {have}).")
    for extract in found.values():
        check_file(extract)
    return found, notices


def check_file(extract: ExtractFile) -> None:
    """Refuse a file that is not what its name says, in one sentence. Reads a CSV once, as a stream."""
    path = extract.path
    if extract.kind == "parquet-folder":
        for part in sorted(path.glob("*.parquet")):
            check_file(ExtractFile(extract.dataset, part, "parquet"))
        return
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(4)
            if size >= 8:
                handle.seek(size - 4)
            tail = handle.read(4)
    except OSError as error:
        raise ExtractError(f"{path} could not be opened ({error.strerror or error}).") from None
    if size == 0:
        raise ExtractError(f"{path} is empty (0 bytes): the {extract.dataset} extract holds nothing. "
                           "Export it again, or remove the file.")
    if extract.kind == "parquet":
        if head != b"PAR1" or tail != b"PAR1":
            raise ExtractError(f"{path} is not a readable Parquet file (it may be damaged, cut short in a copy, "
                               "or another kind of file renamed); export it again.")
        return
    _check_csv(extract)


def _check_csv(extract: ExtractFile) -> None:
    path = extract.path
    with path.open("rb") as handle:
        if b"\x00" in handle.read(65536):
            raise ExtractError(f"{path} looks like a binary file, not CSV text; export the {extract.dataset} "
                               "extract again as CSV.")
    reader = None
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as text:
            reader = csv.reader(text)
            header = next(reader, None)
            if header is None or not any(h.strip() for h in header):
                raise ExtractError(f"{path} has no header line naming its columns.")
            blank = [i + 1 for i, h in enumerate(header) if not h.strip()]
            if blank:
                raise ExtractError(f"{path}: column {blank[0]} of the header has no name.")
            repeated = sorted({h for h in header if header.count(h) > 1})
            if repeated:
                raise ExtractError(f"{path} names the column {repeated[0]} more than once in its header.")
            rows = 0
            for row in reader:
                if not row:
                    continue
                rows += 1
                if len(row) != len(header):
                    raise ExtractError(
                        f"{path}: line {reader.line_num} has {len(row)} fields where the header has "
                        f"{len(header)}; check for an unquoted comma or a line cut short.")
            if rows == 0:
                raise ExtractError(f"{path} has a header but no records.")
    except UnicodeDecodeError:
        line = (reader.line_num + 1) if reader is not None else 1
        raise ExtractError(f"{path} is not UTF-8 text (the first bad character is near line {line}); save it "
                           "as UTF-8 CSV and try again.") from None
    except csv.Error as error:
        line = reader.line_num if reader is not None else 1
        raise ExtractError(f"{path} is not well-formed CSV near line {line} ({error}).") from None
