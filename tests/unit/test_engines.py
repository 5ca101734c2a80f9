"""The shared SQL literal and the one engine protocol (``linkage_core.sql``, ``linkage_core.engines``)."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

import pytest

from linkage_core.engines import Engine, LinkageEngine, SQLVerbs
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
    def tuples(self, sql): return []
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
