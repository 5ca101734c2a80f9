"""One sample, one answer, on every engine: the hash that chooses samples, written so DuckDB and Spark agree.

Why: the linkage samples records in four places (the records counted to choose blocking rules, the records
probed for matches blocking missed, the pairs Splink samples to estimate u, the pairs EM trains on). Each
sample is a deterministic function of a record id through a hash, but DuckDB's ``hash`` and Spark's
``hash`` are different functions, so the same world gave different samples, different parameters, and
in the end a different spine on each engine. MD5 is the same function everywhere; its first 15 hex
digits (60 bits) read as a non-negative BIGINT are the key. Reading hex is spelt differently on the two
engines (DuckDB casts ``'0x...'``; Spark has ``conv``), which is the one engine-specific line here.

Splink's own samples go through its dialect's ``hash_function_expression``; ``same_hash_in_splink``
swaps that, for the length of a run, for the MD5 key on both engines.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

Kind = Literal["duckdb", "spark"]

#: Hex digits of the MD5 read as the key: 60 bits, a non-negative BIGINT on both engines.
HEX_DIGITS = 15
#: Resolution of a sampled share: a record is kept when its key modulo this is under share x this.
MODULUS = 1_000_000


def stable_hash(expression: str, kind: str) -> str:
    """SQL for a non-negative BIGINT that is the same function of ``expression`` (as text) on both engines.

    The text returned is DuckDB SQL for DuckDB and Spark SQL for Spark; our backend's transpiler leaves
    ``conv`` as it is, so the Spark text can go through it.
    """
    if kind == "spark":  # STRING: Splink's own Spark SQL is not transpiled, and Spark's VARCHAR needs a length
        digest = f"substr(md5(CAST({expression} AS STRING)), 1, {HEX_DIGITS})"
        return f"CAST(conv({digest}, 16, 10) AS BIGINT)"
    digest = f"substr(md5(CAST({expression} AS VARCHAR)), 1, {HEX_DIGITS})"
    return f"CAST('0x' || {digest} AS BIGINT)"


def stable_sample(expression: str, share: float, kind: str) -> str:
    """A condition keeping about ``share`` of rows, the same rows on every engine and every run."""
    return f"{stable_hash(expression, kind)} % {MODULUS} < {int(min(max(share, 0.0), 1.0) * MODULUS)}"


def python_key(text: str) -> int:
    """The same key, worked out in Python (for tests: the SQL must agree with this)."""
    import hashlib

    return int(hashlib.md5(text.encode("utf-8")).hexdigest()[:HEX_DIGITS], 16)


@contextmanager
def same_hash_in_splink() -> Iterator[None]:
    """For the length of a run, Splink's DuckDB and Spark dialects hash with the MD5 key.

    Splink 5 samples deterministically (for u, for EM, and when it chunks) through
    ``hash_function_expression`` and ``hash_bucket_expression``; each dialect used its engine's own hash.
    Restored on exit, so nothing outside the run sees the change.
    """
    from splink.internals.dialects import DuckDBDialect, SparkDialect

    saved = {cls: (cls.__dict__.get("hash_function_expression"), cls.__dict__.get("hash_bucket_expression"))
             for cls in (DuckDBDialect, SparkDialect)}

    def make(kind: str):  # type: ignore[no-untyped-def]
        def hash_function_expression(self, col_expression: str) -> str:  # noqa: ANN001
            return stable_hash(col_expression, kind)

        def hash_bucket_expression(self, col_expression: str, modulus: int) -> str:  # noqa: ANN001
            if modulus <= 0:
                raise ValueError("modulus must be positive")
            return f"({stable_hash(col_expression, kind)} % {modulus})"

        return hash_function_expression, hash_bucket_expression

    for cls, kind in ((DuckDBDialect, "duckdb"), (SparkDialect, "spark")):
        cls.hash_function_expression, cls.hash_bucket_expression = make(kind)  # type: ignore[method-assign]
    try:
        yield
    finally:
        for cls, (function, bucket) in saved.items():
            for name, value in (("hash_function_expression", function), ("hash_bucket_expression", bucket)):
                if value is None:
                    if name in cls.__dict__:
                        delattr(cls, name)
                else:
                    setattr(cls, name, value)


#: Splink's name for Jaro-Winkler on Spark (``SparkDialect.jaro_winkler_function_name``), the one similarity
#: function the model's comparisons use that each engine implements in its own way.
SPARK_JARO_WINKLER = "jaro_winkler"


def duckdb_similarity_on_spark(spark: object) -> None:
    """On Spark, Jaro-Winkler becomes DuckDB's own, computed by DuckDB in each Python worker.

    Why: Splink's jar and DuckDB implement Jaro-Winkler differently (the window in which letters count as
    matching): on 400,000 name pairs of one world 8,412 scores differed and 139 crossed one of the model's
    thresholds (0.8, 0.92), so a pair scored in a different level on each engine, EM learnt slightly
    different m values, and probabilities differed. Levenshtein is the same built-in on both. DuckDB is a
    dependency of the pipeline anyway, so the Spark side calls it, in batches (a vectorised UDF), and the
    two engines share one function by construction. It replaces the jar's function for this session only.
    """
    import pandas as pd
    from pyspark.sql.functions import pandas_udf

    def jaro_winkler(left, right):  # type: ignore[no-untyped-def]  # hints set below, as real types
        import duckdb
        import pyarrow as pa

        pairs = pa.table({"l": pa.array(left.astype(object).where(left.notna(), None), type=pa.string()),
                          "r": pa.array(right.astype(object).where(right.notna(), None), type=pa.string())})
        con = duckdb.connect()
        try:
            con.register("pairs", pairs)
            scores = [row[0] for row in con.execute("SELECT jaro_winkler_similarity(l, r) FROM pairs").fetchall()]
        finally:
            con.close()
        return pd.Series(scores, dtype="float64")

    # pandas_udf reads the hints to choose Series-to-Series; this module's hints are strings (postponed).
    jaro_winkler.__annotations__ = {"left": pd.Series, "right": pd.Series, "return": pd.Series}
    spark.udf.register(SPARK_JARO_WINKLER, pandas_udf(jaro_winkler, "double"))  # type: ignore[attr-defined]
