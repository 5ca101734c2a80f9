"""The shared SQL literal and the one engine protocol (``linkage_core.sql``, ``linkage_core.engines``)."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

import pytest

from linkage_core.engines import DuckDBEngine, Engine, LinkageEngine, SparkEngine, SQLVerbs, open_engine
from linkage_core.sql import literal


def test_a_literal_doubles_quotes_and_writes_paths_with_forward_slashes() -> None:
    assert literal("O'Brien") == "'O''Brien'"
    assert literal("") == "''"
    assert literal("'; DROP TABLE spine; --") == "'''; DROP TABLE spine; --'"
    assert literal(PureWindowsPath(r"C:\Users\Ann O'Neil\world\prison.csv")) == "'C:/Users/Ann O''Neil/world/prison.csv'"
    with pytest.raises(ValueError):
        literal("a\x00b")


def test_a_quoted_path_round_trips_through_duckdb(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    folder = tmp_path / "it's here"
    folder.mkdir()
    (folder / "x.csv").write_text("id\n007\n")
    con = duckdb.connect()
    try:
        rows = con.execute(f"SELECT * FROM {SQLVerbs.file_source(folder / 'x.csv', text=True)}").fetchall()
    finally:
        con.close()
    assert rows == [("007",)]  # read as text: the leading zeros survive


class _Recorder(SQLVerbs):
    """The smallest engine: it records the SQL it is given (the shared verbs are what is under test)."""

    kind = "duckdb"

    def __init__(self) -> None:
        self.sql: list[str] = []

    def execute(self, sql: str) -> None:
        self.sql.append(sql)

    def register(self, name, path, *, text=False):
        self.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {self.file_source(path, text=text)}")
        return []

    def register_arrow(self, name, table): ...
    def arrow(self, sql): ...
    def rows(self, sql): return []
    def records(self, sql): return []
    def columns(self, name): return []
    def write_parquet(self, sql, path): ...
    def close(self): ...


def test_the_shared_verbs_write_the_same_sql_for_every_engine() -> None:
    engine = _Recorder()
    assert isinstance(engine, Engine) and not isinstance(engine, LinkageEngine)
    engine.create_table("t", "SELECT 1")
    engine.drop("t")
    engine.register("v", Path("a b/c.parquet"))
    assert engine.sql == ["CREATE OR REPLACE TABLE t AS SELECT 1", "DROP TABLE IF EXISTS t",
                          "CREATE OR REPLACE VIEW v AS SELECT * FROM read_parquet('a b/c.parquet')"]


def test_the_linkage_and_the_packs_open_the_same_engine_classes(tmp_path: Path) -> None:
    """One DuckDB class and one Spark class: the linkage's names and the packs' are the same objects."""
    from insight_packs import engine as packs
    from linkage_core.linkage import backend as linkage

    assert packs.DuckDBEngine is DuckDBEngine and packs.SparkEngine is SparkEngine and packs.Engine is Engine
    assert not {"Backend", "DuckDBBackend", "SparkBackend"} & set(vars(linkage))  # no second name for an engine
    opened = linkage.open_backend("duckdb", tmp_path)
    try:
        assert type(opened) is DuckDBEngine
    finally:
        opened.close()
    for cls in (DuckDBEngine, SparkEngine):  # every verb of the protocol, and Splink's API on top
        missing = [verb for verb in ("register", "register_arrow", "execute", "create_table", "drop", "arrow",
                                     "rows", "records", "columns", "write_parquet", "close", "splink_api")
                   if not callable(getattr(cls, verb, None))]
        assert not missing, (cls.__name__, missing)
    engine = linkage.open_backend("duckdb", tmp_path)
    try:
        assert isinstance(engine, LinkageEngine) and engine.kind == "duckdb"
    finally:
        engine.close()


def test_one_duckdb_engine_reads_text_for_the_linkage_and_types_for_the_packs(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("id,n\n007,3\n010,4\n")
    engine = open_engine("duckdb")
    try:
        assert engine.register("as_text", tmp_path / "x.csv", text=True) == ["id", "n"]
        assert engine.rows("SELECT id, n FROM as_text ORDER BY id") == [("007", "3"), ("010", "4")]
        engine.register("typed", tmp_path / "x.csv")
        assert engine.records("SELECT id, n FROM typed ORDER BY id") == [{"id": "007", "n": 3}, {"id": "010", "n": 4}]
        engine.create_table("t", "SELECT sum(n) AS total FROM typed")
        engine.write_parquet("SELECT * FROM t", tmp_path / "t.parquet")
        engine.register("back", tmp_path / "t.parquet")
        assert engine.arrow("SELECT total FROM back").to_pylist() == [{"total": 7}]
        engine.drop("t")
        assert engine.columns("back") == ["total"]
    finally:
        engine.close()


def test_an_unknown_engine_is_one_sentence() -> None:
    from linkage_core.errors import UsageError

    with pytest.raises(UsageError, match="no engine called 'oracle'"):
        open_engine("oracle")
