"""Where the linkage runs: DuckDB in this process, or Spark (local, a cluster, or Spark Connect).

Every query the linkage issues is written once, in DuckDB's dialect, and handed to a ``Backend``. DuckDB
runs it as written; Spark transpiles it with sqlglot (``linkage_core.spark_session``). Splink gets the
matching database API, so the same settings (``settings.py``) train and predict on either engine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, Protocol

from linkage_core.sql import literal

EngineKind = Literal["duckdb", "spark"]


class Backend(Protocol):
    kind: EngineKind

    def splink_api(self) -> Any: ...

    def read_extract(self, name: str, path: Path) -> list[str]: ...

    def register_arrow(self, name: str, table: Any) -> None: ...

    def create_table(self, name: str, sql: str) -> None: ...

    def drop(self, name: str) -> None: ...

    def rows(self, sql: str) -> list[tuple[Any, ...]]: ...

    def write_parquet(self, sql: str, path: Path) -> None: ...

    def close(self) -> None: ...


class DuckDBBackend:
    """One in-memory database per run, allowed to spill to a private temporary folder under pressure."""

    kind: EngineKind = "duckdb"

    def __init__(self, spill: Path, memory_limit: str | None = None, threads: int | None = None) -> None:
        import duckdb

        from linkage_core.memory import configure_duckdb

        con = duckdb.connect(":memory:")
        configure_duckdb(con, spill, memory_limit)
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")  # progress goes through the caller's callback only
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        self.con = con

    @classmethod
    def wrap(cls, con: Any) -> DuckDBBackend:
        """A backend over a connection the caller already holds (and still owns)."""
        backend = cls.__new__(cls)
        backend.con = con
        return backend

    def splink_api(self) -> Any:
        from splink import DuckDBAPI

        return DuckDBAPI(connection=self.con)

    def read_extract(self, name: str, path: Path) -> list[str]:
        """An extract as a view. CSVs are read as text so that leading zeros and odd dates survive."""
        quoted = literal(str(path))
        source = (f"read_csv({quoted}, all_varchar = true, header = true)" if path.suffix.lower() == ".csv"
                  else f"read_parquet({quoted})")
        self.con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {source}")
        return [d[0] for d in self.con.execute(f"SELECT * FROM {name} LIMIT 0").description]

    def register_arrow(self, name: str, table: Any) -> None:
        self.con.register(f"{name}_arrow", table)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
        self.con.unregister(f"{name}_arrow")

    def create_table(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")

    def drop(self, name: str) -> None:
        self.con.execute(f"DROP TABLE IF EXISTS {name}")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()

    def write_parquet(self, sql: str, path: Path) -> None:
        self.con.execute(f"COPY ({sql}) TO {literal(str(path))} (FORMAT PARQUET)")

    def close(self) -> None:
        from linkage_core.memory import untrack

        untrack(self.con)
        self.con.close()


class SparkBackend:
    """Splink's Spark backend on the session from ``spark_session``; our own queries transpiled."""

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
        return SparkAPI(spark_session=self.spark,
                        break_lineage_method=os.environ.get("BOLD_SPARK_LINEAGE", "persist" if is_connect(self.spark) else "parquet"))

    def read_extract(self, name: str, path: Path) -> list[str]:
        return self.sql.register_path(name, path)

    def register_arrow(self, name: str, table: Any) -> None:
        self.sql.register_arrow(name, table)

    def create_table(self, name: str, sql: str) -> None:
        self.sql.create_table(name, sql)

    def drop(self, name: str) -> None:
        self.sql.drop(name)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.sql.df(sql).collect()]

    def write_parquet(self, sql: str, path: Path) -> None:
        self.sql.write_parquet(sql, path)

    def close(self) -> None:
        self.sql.close()  # the session stays up: a second run in this process reuses it


def open_backend(kind: EngineKind, spill: Path, *, memory_limit: str | None = None, threads: int | None = None,
                 spark_master: str | None = None) -> Backend:
    if kind == "duckdb":
        return DuckDBBackend(spill, memory_limit, threads)
    if kind == "spark":
        return SparkBackend(spark_master)
    from linkage_core.errors import UsageError

    raise UsageError(f"There is no engine called '{kind}': choose duckdb or spark.")
