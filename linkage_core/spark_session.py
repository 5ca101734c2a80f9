"""The one place a Spark session is made, and the one place DuckDB-dialect SQL is turned into Spark SQL.

Linkage and the packs write every query once, in DuckDB's dialect. On Spark the same text is transpiled with
sqlglot and run with ``spark.sql``; tables a query creates become checkpointed DataFrames registered as
temporary views, so later queries (and Splink) find them by name.

Where Spark runs is chosen here and nowhere else: ``local[2]`` on a 2-core machine by default, a cluster
through ``master`` (``bold link --spark-master spark://host:7077``), or Spark Connect when ``SPARK_REMOTE``
is set. Splink's similarity functions (Jaro-Winkler and the rest) come from the jar inside the Splink
package, registered on the session here.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from linkage_core.errors import MissingExtra

#: Settings every session gets, wherever it runs. Dates are compared as calendar days in both engines.
COMMON_SETTINGS: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
#: Settings for one machine with 2 cores and 24 GiB: the driver is also the only executor, so it gets the
#: memory; a handful of shuffle partitions, because 200 tiny tasks cost more than the work at this size.
LOCAL_SETTINGS: dict[str, str] = {
    **COMMON_SETTINGS,
    "spark.driver.memory": "12g",
    "spark.driver.maxResultSize": "4g",
    "spark.sql.shuffle.partitions": "8",
    "spark.default.parallelism": "8",
    "spark.sql.adaptive.enabled": "true",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}


def default_master() -> str:
    """``local[N]`` with N the cores this process may use, so Spark's threads match DuckDB's."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return f"local[{max(1, cores)}]"


def require_spark() -> None:
    """Fail with one plain sentence when PySpark or Java is missing, before any work starts."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise MissingExtra("The Spark engine needs PySpark. Install it with: pip install 'bold-insights[spark]'") \
            from None
    if os.environ.get("SPARK_REMOTE"):
        return  # Spark Connect: Java runs on the server, not here
    java = Path(os.environ["JAVA_HOME"]) / "bin" / "java" if os.environ.get("JAVA_HOME") else None
    if not (java and java.exists()) and shutil.which("java") is None:
        raise MissingExtra("The Spark engine needs Java 17 or later, and no Java was found on this computer "
                           "(install a JDK or set JAVA_HOME).")


def spark_session(master: str | None = None, app_name: str = "bold-insights") -> Any:
    """The session for this process, made once: local, a cluster at ``master``, or Spark Connect.

    On Spark Connect the similarity jar must already be on the server (``spark.jars`` there); elsewhere it
    is added here, from the Splink package, so no download is needed.
    """
    require_spark()
    return _session(master or None, app_name)


@lru_cache(maxsize=2)
def _session(master: str | None, app_name: str) -> Any:
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    remote = os.environ.get("SPARK_REMOTE")
    builder = SparkSession.builder.appName(app_name)
    if remote and not master:
        builder = builder.remote(remote)
        settings = dict(COMMON_SETTINGS)
    else:
        builder = builder.master(master or default_master())
        settings = dict(LOCAL_SETTINGS if (master or "local").startswith("local") else COMMON_SETTINGS)
        settings["spark.jars"] = similarity_jar_location()
        settings["spark.local.dir"] = _scratch("bold-spark-")
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as error:  # noqa: BLE001 - a JVM that will not start is a setup problem, said plainly
        raise MissingExtra(f"Spark could not start ({type(error).__name__}); check that Java 17 or later is "
                           "installed and JAVA_HOME points to it.") from None
    if not is_connect(spark):
        spark.sparkContext.setLogLevel("ERROR")
        spark.sparkContext.setCheckpointDir(_scratch("bold-spark-checkpoints-"))
    return spark


def _scratch(prefix: str) -> str:
    """A private folder for Spark's spill and checkpoints, removed when this process ends: intermediate
    tables hold standardised identifiers and must not outlive the run."""
    import atexit

    folder = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, folder, True)
    return folder


def is_connect(spark: Any) -> bool:
    """Spark Connect sessions have no JVM on this side: no checkpoint directory, no SparkContext."""
    return type(spark).__module__.startswith("pyspark.sql.connect")


@lru_cache(maxsize=4096)
def to_spark(sql: str) -> str:
    """DuckDB-dialect SQL as Spark SQL. Every query in the project passes through here on Spark."""
    import sqlglot

    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


class SparkSQL:
    """Run DuckDB-dialect SQL on Spark: the shared core of the linkage backend and the packs' engine."""

    def __init__(self, spark: Any) -> None:
        self.spark = spark
        self._tables: dict[str, Any] = {}

    def df(self, sql: str) -> Any:
        return self.spark.sql(to_spark(sql))

    def register_path(self, name: str, path: Path, text_csv: bool = True) -> list[str]:
        """A file as a view. The linkage reads CSVs as text (leading zeros survive); the packs let types
        be inferred, as DuckDB's ``read_csv_auto`` does."""
        path = Path(path)
        reader = self.spark.read
        frame = (reader.option("header", True).option("inferSchema", not text_csv).csv(str(path))
                 if path.suffix.lower() == ".csv" else reader.parquet(str(path)))
        frame.createOrReplaceTempView(name)
        return list(frame.columns)

    def register_arrow(self, name: str, table: Any) -> None:
        self.spark.createDataFrame(table).createOrReplaceTempView(name)

    def create_table(self, name: str, sql: str) -> None:
        """``CREATE OR REPLACE TABLE name AS sql``: computed once and kept, so later reads do not redo it."""
        frame = self.df(sql)
        frame = frame.persist() if is_connect(self.spark) else frame.localCheckpoint(eager=True)
        old = self._tables.pop(name, None)
        frame.createOrReplaceTempView(name)
        self._tables[name] = frame
        if old is not None:
            old.unpersist()

    def execute(self, sql: str) -> None:
        """A DuckDB ``CREATE OR REPLACE TABLE ... AS SELECT`` (or view) becomes a kept temporary view."""
        import sqlglot
        from sqlglot import exp

        statement = sqlglot.parse_one(sql, read="duckdb")
        if isinstance(statement, exp.Create) and statement.expression is not None:
            target = statement.this.this if isinstance(statement.this, exp.Schema) else statement.this
            if (statement.args.get("kind") or "").upper() == "VIEW":
                self.spark.sql(statement.expression.sql(dialect="spark")).createOrReplaceTempView(target.name)
            else:
                self.create_table(target.name, statement.expression.sql(dialect="duckdb"))
            return
        if isinstance(statement, exp.Drop):
            self.drop(statement.this.name)
            return
        self.spark.sql(to_spark(sql))

    def drop(self, name: str) -> None:
        frame = self._tables.pop(name, None)
        self.spark.catalog.dropTempView(name)
        if frame is not None:
            frame.unpersist()

    def rows(self, sql: str) -> list[dict[str, Any]]:
        return [row.asDict() for row in self.df(sql).collect()]

    def arrow(self, sql: str) -> Any:
        return self.df(sql).toArrow()

    def columns(self, name: str) -> list[str]:
        return list(self.spark.table(name).columns)

    def write_parquet(self, sql: str, path: Path) -> None:
        """One Parquet file, as the contract says, gathered on the driver: spines are narrow (four columns),
        so 10 million rows is a few hundred megabytes."""
        import pyarrow.parquet as pq

        pq.write_table(self.arrow(sql), str(path))

    def close(self) -> None:
        for name in list(self._tables):
            self.drop(name)
