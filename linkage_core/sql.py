"""SQL literals for the queries the secure stage writes: the one place a Python value becomes SQL text.

Why one helper: the linkage and the packs build DuckDB-dialect SQL as text (Spark transpiles the same text),
and a path or dataset name holding a quote must not end the string early. Four modules each kept their own
copy of this; a fifth pasted values into f-strings unquoted. Values that can be bound as parameters should
be; these are for the places the text itself must carry them (``read_parquet('...')``, ``COPY ... TO '...'``).
"""

from __future__ import annotations

from pathlib import PurePath


def literal(value: str | PurePath) -> str:
    """``value`` as a single-quoted SQL string literal, quotes doubled (standard SQL; DuckDB and Spark agree).

    A path is written with forward slashes, which DuckDB and Spark accept on Windows too.
    """
    text = value.as_posix() if isinstance(value, PurePath) else str(value)
    if "\x00" in text:
        raise ValueError("a SQL literal cannot hold a NUL character")
    return "'" + text.replace("'", "''") + "'"
