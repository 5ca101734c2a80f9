"""The one narrow interface packs run their aggregations through.

Packs write SQL in one dialect (DuckDB's) and hand it to an ``Engine``. The DuckDB engine runs it as is; a
Spark engine can transpile the same text with sqlglot, so no query is written twice. Results come back as
Arrow tables, and only model fits pull rows into Python.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Protocol

import pyarrow as pa

#: The standard identifier columns (the CLI contract). They never leave the linkage stage.
IDENTIFIERS = frozenset({"first_name", "middle_names", "surname", "date_of_birth", "sex_recorded", "postcode",
                         "parent_first_name", "parent_surname", "parent_date_of_birth", "parent_postcode"})


def sql_literal(value: str) -> str:
    """A string as an SQL literal, quotes doubled: the one way pack SQL embeds a value (same on both engines)."""
    return "'" + str(value).replace("'", "''") + "'"


class Engine(Protocol):
    dialect: str

    def register(self, name: str, path: Path) -> None: ...

    def execute(self, sql: str) -> None: ...

    def arrow(self, sql: str) -> pa.Table: ...

    def rows(self, sql: str) -> list[dict]: ...

    def columns(self, name: str) -> list[str]: ...

    def close(self) -> None: ...


class DuckDBEngine:
    """The embedded engine: one process, spilling to disk under a memory limit.

    The limit is a share of the free memory (``linkage_core.memory``) and spilling goes to a private
    temporary folder, removed on close, never to the working directory.
    """

    dialect = "duckdb"

    def __init__(self, memory_limit: str | None = None, temp_directory: Path | None = None,
                 threads: int | None = None) -> None:
        import duckdb

        from linkage_core.memory import configure_duckdb

        self._spill = None if temp_directory is not None else tempfile.TemporaryDirectory(prefix="bold-packs-")
        self._con = duckdb.connect()
        spill = Path(temp_directory) if temp_directory is not None else Path(self._spill.name)
        configure_duckdb(self._con, spill, memory_limit)
        if threads:
            self._con.execute(f"SET threads = {int(threads)}")
        self._con.execute("SET preserve_insertion_order = false")

    def register(self, name: str, path: Path) -> None:
        path = Path(path)
        reader = "read_parquet" if path.suffix == ".parquet" else "read_csv_auto"
        self._con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {reader}('{path.as_posix()}')")

    def execute(self, sql: str) -> None:
        self._con.execute(sql)

    def arrow(self, sql: str) -> pa.Table:
        return self._con.sql(sql).to_arrow_table()

    def rows(self, sql: str) -> list[dict]:
        cursor = self._con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def columns(self, name: str) -> list[str]:
        return [d[0] for d in self._con.execute(f"SELECT * FROM {name} LIMIT 0").description]

    def close(self) -> None:
        from linkage_core.memory import untrack

        untrack(self._con)
        self._con.close()
        if self._spill is not None:
            self._spill.cleanup()


class SparkEngine:
    """The same pack SQL on Spark: each query is transpiled from DuckDB's dialect with sqlglot.

    ``CREATE OR REPLACE TABLE x AS ...`` becomes a checkpointed DataFrame registered as temporary view ``x``,
    so later queries read it by name as they would a DuckDB table. The session comes from
    ``linkage_core.spark_session``, the one place Spark's settings live.
    """

    dialect = "spark"

    def __init__(self, master: str | None = None) -> None:
        from linkage_core.spark_session import SparkSQL, spark_session

        self._sql = SparkSQL(spark_session(master))

    def register(self, name: str, path: Path) -> None:
        self._sql.register_path(name, Path(path), text_csv=False)

    def execute(self, sql: str) -> None:
        self._sql.execute(sql)

    def arrow(self, sql: str) -> pa.Table:
        return self._sql.arrow(sql)

    def rows(self, sql: str) -> list[dict]:
        return self._sql.rows(sql)

    def columns(self, name: str) -> list[str]:
        return self._sql.columns(name)

    def close(self) -> None:
        self._sql.close()


def open_engine(kind: str = "duckdb", *, spark_master: str | None = None, **options) -> Engine:
    """The engine packs run on: ``duckdb`` (this process) or ``spark`` (see ``linkage_core.spark_session``)."""
    if kind == "duckdb":
        return DuckDBEngine(**options)
    if kind == "spark":
        return SparkEngine(spark_master)
    from linkage_core.errors import UsageError

    raise UsageError(f"There is no engine called '{kind}': choose duckdb or spark.")
