"""The one engine protocol, and its two engines: where the secure stage's SQL runs (DuckDB here, or Spark).

Why one: the linkage and the packs each declared their own protocol for the same job -- run DuckDB-dialect
SQL text on DuckDB as written, or on Spark after sqlglot transpiles it -- and each had its own DuckDB and
Spark classes, so a setting (memory limit, spill folder, threads) or a quoting rule had to be kept in step
in two places. Now there is one protocol, one DuckDB class and one Spark class; the linkage
(``linkage_core.linkage.backend``) and the packs (``insight_packs.engine``) only choose and open them.

The verbs are the union of what the two stages call, named once:

- files become views: ``register(name, path, text=...)`` (the linkage reads CSVs as text, ``text=True``,
  so leading zeros and odd dates survive; the packs let types be inferred, ``text=False``);
- results come back as Arrow (``arrow``), as tuples (``rows``, DB-API style, what the linkage reads) or as
  dicts keyed by column (``records``, what the packs read);
- ``splink_api``: both engines give Splink its matching database API (``LinkageEngine``); the packs never
  call it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from linkage_core.sql import literal

if TYPE_CHECKING:
    import pyarrow as pa

EngineKind = Literal["duckdb", "spark"]
ENGINE_KINDS: tuple[EngineKind, ...] = ("duckdb", "spark")


@runtime_checkable
class Engine(Protocol):
    """Runs DuckDB-dialect SQL text; tables live for the engine's lifetime; ``close`` frees them."""

    kind: EngineKind

    def register(self, name: str, path: Path, *, text: bool = False) -> list[str]:
        """A view ``name`` over a Parquet or CSV file (every CSV column as text when ``text``); its columns."""
        ...

    def register_arrow(self, name: str, table: pa.Table) -> None: ...

    def execute(self, sql: str) -> None: ...

    def create_table(self, name: str, sql: str) -> None: ...

    def drop(self, name: str) -> None: ...

    def arrow(self, sql: str) -> pa.Table: ...

    def rows(self, sql: str) -> list[tuple[Any, ...]]: ...

    def records(self, sql: str) -> list[dict[str, Any]]: ...

    def columns(self, name: str) -> list[str]: ...

    def write_parquet(self, sql: str, path: Path) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class LinkageEngine(Engine, Protocol):
    """An engine Splink can also run on (the linkage stage needs this; the packs do not)."""

    def splink_api(self) -> Any: ...


class SQLVerbs:
    """The verbs that are the same SQL text on every engine, written once over ``execute``.

    An engine class subclasses this and supplies the rest (``columns`` and ``write_parquet`` differ: DuckDB
    reads a cursor's description and uses ``COPY``; Spark asks the DataFrame and writes with its writer), so
    DuckDB and Spark cannot drift apart on the verbs that are the same SQL.
    """

    def execute(self, sql: str) -> None:  # pragma: no cover - supplied by the engine
        raise NotImplementedError

    def create_table(self, name: str, sql: str) -> None:
        self.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")

    def drop(self, name: str) -> None:
        self.execute(f"DROP TABLE IF EXISTS {name}")

    @staticmethod
    def file_source(path: Path, *, text: bool = False) -> str:
        """The table function that reads ``path``, for ``CREATE VIEW ... AS SELECT * FROM <this>``."""
        path = Path(path)
        if path.suffix.lower() == ".csv":
            return (f"read_csv({literal(path)}, all_varchar = true, header = true)" if text
                    else f"read_csv_auto({literal(path)})")
        return f"read_parquet({literal(path)})"


class DuckDBEngine(SQLVerbs):
    """The embedded engine: one in-memory database, spilling to disk under a memory limit.

    The limit is a share of the free memory (``linkage_core.memory``); spilling goes to ``temp_directory``
    when the caller gives one (the linkage's run folder), else to a private temporary folder removed on
    close, never to the working directory.
    """

    kind: EngineKind = "duckdb"

    def __init__(self, temp_directory: Path | None = None, memory_limit: str | None = None,
                 threads: int | None = None) -> None:
        import duckdb

        from linkage_core.memory import configure_duckdb

        self._spill = None if temp_directory is not None else tempfile.TemporaryDirectory(prefix="bold-engine-")
        spill = Path(temp_directory) if temp_directory is not None else Path(self._spill.name)
        con = duckdb.connect(":memory:")
        configure_duckdb(con, spill, memory_limit)
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")  # progress goes through the caller's callback only
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        self.con = con

    @classmethod
    def wrap(cls, con: Any) -> DuckDBEngine:
        """An engine over a connection the caller already holds (and still owns: do not ``close`` it)."""
        engine = cls.__new__(cls)
        engine.con = con
        engine._spill = None
        return engine

    def splink_api(self) -> Any:
        from splink import DuckDBAPI

        return DuckDBAPI(connection=self.con)

    def register(self, name: str, path: Path, *, text: bool = False) -> list[str]:
        self.con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {self.file_source(path, text=text)}")
        return self.columns(name)

    def register_arrow(self, name: str, table: pa.Table) -> None:
        self.con.register(f"{name}_arrow", table)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
        self.con.unregister(f"{name}_arrow")

    def execute(self, sql: str) -> None:
        self.con.execute(sql)

    def arrow(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()

    def records(self, sql: str) -> list[dict[str, Any]]:
        cursor = self.con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def columns(self, name: str) -> list[str]:
        return [d[0] for d in self.con.execute(f"SELECT * FROM {name} LIMIT 0").description]

    def write_parquet(self, sql: str, path: Path) -> None:
        self.con.execute(f"COPY ({sql}) TO {literal(path)} (FORMAT PARQUET)")

    def close(self) -> None:
        from linkage_core.memory import untrack

        untrack(self.con)
        self.con.close()
        if self._spill is not None:
            self._spill.cleanup()


class SparkEngine(SQLVerbs):
    """The same SQL on Spark: each query transpiled from DuckDB's dialect with sqlglot (``SparkSQL``).

    Tables (``create_table``, or a DuckDB ``CREATE OR REPLACE TABLE x AS ...`` given to ``execute``) become
    checkpointed DataFrames registered as temporary views, so later queries read them by name. The session
    comes from ``linkage_core.spark_session``, the one place Spark's settings live.
    """

    kind: EngineKind = "spark"

    def __init__(self, master: str | None = None) -> None:
        from linkage_core.spark_session import SparkSQL, spark_session

        self.spark = spark_session(master)
        self.sql = SparkSQL(self.spark)

    def splink_api(self) -> Any:
        from splink.backends.spark import SparkAPI

        from linkage_core.spark_session import is_connect

        # Splink's own default writes its intermediate tables to the checkpoint folder as Parquet, which
        # keeps memory flat on a cluster; Spark Connect has no checkpoint folder on this side.
        lineage = os.environ.get("BOLD_SPARK_LINEAGE", "persist" if is_connect(self.spark) else "parquet")
        return SparkAPI(spark_session=self.spark, break_lineage_method=lineage)

    def register(self, name: str, path: Path, *, text: bool = False) -> list[str]:
        return self.sql.register_path(name, Path(path), text_csv=text)

    def register_arrow(self, name: str, table: pa.Table) -> None:
        self.sql.register_arrow(name, table)

    def execute(self, sql: str) -> None:
        self.sql.execute(sql)

    def create_table(self, name: str, sql: str) -> None:
        self.sql.create_table(name, sql)  # the SQL as given: no round trip through sqlglot's DuckDB writer

    def drop(self, name: str) -> None:
        self.sql.drop(name)

    def arrow(self, sql: str) -> pa.Table:
        return self.sql.arrow(sql)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.sql.df(sql).collect()]

    def records(self, sql: str) -> list[dict[str, Any]]:
        return self.sql.rows(sql)

    def columns(self, name: str) -> list[str]:
        return self.sql.columns(name)

    def write_parquet(self, sql: str, path: Path) -> None:
        self.sql.write_parquet(sql, path)

    def close(self) -> None:
        self.sql.close()  # the session stays up: a second run in this process reuses it


def open_engine(kind: str = "duckdb", *, temp_directory: Path | None = None, memory_limit: str | None = None,
                threads: int | None = None, spark_master: str | None = None) -> LinkageEngine:
    """The engine the linkage and the packs run on: ``duckdb`` (this process) or ``spark``."""
    if kind == "duckdb":
        return DuckDBEngine(temp_directory, memory_limit, threads)
    if kind == "spark":
        return SparkEngine(spark_master)
    from linkage_core.errors import UsageError

    raise UsageError(f"There is no engine called '{kind}': choose duckdb or spark.")
