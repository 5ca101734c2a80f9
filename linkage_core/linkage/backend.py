"""Where the linkage runs: the one engine protocol (``linkage_core.engines``), opened for a linkage run.

Every query the linkage issues is written once, in DuckDB's dialect, and handed to an engine. DuckDB runs it
as written; Spark transpiles it with sqlglot. Splink gets the matching database API (``splink_api``), so the
same settings (``settings.py``) train and predict on either engine. The engine classes are the packs' too:
this module only opens one with the run's spill folder.
"""

from __future__ import annotations

from pathlib import Path

from linkage_core.engines import EngineKind, LinkageEngine, open_engine

__all__ = ["open_backend"]


def open_backend(kind: EngineKind, spill: Path, *, memory_limit: str | None = None, threads: int | None = None,
                 spark_master: str | None = None) -> LinkageEngine:
    """The engine for one linkage run; DuckDB spills to the run's own folder ``spill``."""
    return open_engine(kind, temp_directory=spill, memory_limit=memory_limit, threads=threads,
                       spark_master=spark_master)
