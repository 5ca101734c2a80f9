"""The engine packs run their aggregations through: the secure stage's one engine protocol.

Packs write SQL in one dialect (DuckDB's) and hand it to an ``Engine`` (``linkage_core.engines``, the same
protocol and the same DuckDB and Spark classes the linkage uses). DuckDB runs it as is; Spark transpiles the
same text with sqlglot, so no query is written twice. Results come back as Arrow tables (``arrow``) or
dicts (``records``), and only model fits pull rows into Python.
"""

from __future__ import annotations

from linkage_core.engines import DuckDBEngine, Engine, SparkEngine, open_engine
from linkage_core.sql import literal

__all__ = ["IDENTIFIERS", "DuckDBEngine", "Engine", "SparkEngine", "open_engine", "sql_literal"]

#: The standard identifier columns (the CLI contract). They never leave the linkage stage.
IDENTIFIERS = frozenset({"first_name", "middle_names", "surname", "date_of_birth", "sex_recorded", "postcode",
                         "parent_first_name", "parent_surname", "parent_date_of_birth", "parent_postcode"})


def sql_literal(value: object) -> str:
    """A value as an SQL string literal, quotes doubled (``linkage_core.sql.literal``, the one helper)."""
    return literal(str(value))
