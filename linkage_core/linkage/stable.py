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
