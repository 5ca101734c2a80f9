"""The one engine protocol: where the secure stage's SQL runs (DuckDB in this process, or Spark).

Why one: the linkage (``linkage_core.linkage.backend.Backend``) and the packs
(``insight_packs.engine.Engine``) each declared their own protocol for the same job -- run DuckDB-dialect
SQL text on DuckDB as written, or on Spark after sqlglot transpiles it -- and each had its own DuckDB and
Spark classes, so a setting (memory limit, spill folder, threads) or a quoting rule had to be kept in step
in two places. This module is the single protocol both adopt; docs/architecture.md says how, verb by verb.

The verbs are the union of what the two stages call, named once:

- files become views: ``register(name, path, text=...)`` (the linkage's ``read_extract`` is ``text=True``:
  CSVs read as text so leading zeros and odd dates survive; the packs' ``register`` is ``text=False``);
- results come back as Arrow (``arrow``), as dicts (``rows``, what packs read) or tuples (``tuples``, what
  the linkage reads);
- ``splink_api`` only on a ``LinkageEngine``: the packs never need Splink.
"""

from __future__ import annotations

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

    def rows(self, sql: str) -> list[dict[str, Any]]: ...

    def tuples(self, sql: str) -> list[tuple[Any, ...]]: ...

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
